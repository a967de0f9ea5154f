"""The console's password policy: long enough, and not a password an attacker tries first.

A password is refused when it

* has fewer than :data:`MIN_LENGTH` (12) characters;
* is one of the common passwords of ``common-passwords.txt`` (about 4,000, taken from a
  public list: its header says which), or such a word padded with digits and symbols
  ("password2024!", "Monkey@123456");
* is, or contains, the account's login;
* is an obvious word of this place padded the same way ("LaoCai@2024", "matkhau123456":
  :data:`OBVIOUS`);
* has no letter at all (digits and symbols only), or fewer than 5 different characters
  ("aaaaaaaaaaaa", "abababababab").

Comparisons ignore case and Vietnamese diacritics ("LàoCai2024" is "laocai2024"). The
reason is returned in Vietnamese, for the page that asked; the CLI shows the same text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dienhinh.core.text import strip_diacritics

__all__ = ["MIN_LENGTH", "OBVIOUS", "common_passwords", "password_problem"]

MIN_LENGTH = 12
# Words nobody should build a password on here: the province, its districts, the Board,
# the product, "password" in Vietnamese and the usual endearments, the roles.
OBVIOUS = frozenset(
    {
        "laocai",
        "tinhlaocai",
        "sapa",
        "bacha",
        "batxat",
        "baoyen",
        "baothang",
        "bathang",
        "muongkhuong",
        "simacai",
        "vanban",
        "bantdkt",
        "thidua",
        "khenthuong",
        "thiduakhenthuong",
        "dienhinh",
        "guongsang",
        "matkhau",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "vietnam",
        "hanoi",
        "saigon",
        "admin",
        "quantri",
        "quantrivien",
        "bientap",
        "bientapvien",
        "editor",
        "ubnd",
        "govvn",
    }
)
_LIST = Path(__file__).resolve().parent / "common-passwords.txt"
_NOT_LETTER = re.compile(r"[^a-z]+")
MIN_DISTINCT = 5


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (read once per process)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _folded(text: str) -> str:
    return strip_diacritics(text).casefold()


def password_problem(password: str, login: str = "") -> str | None:
    """Why ``password`` is refused (a Vietnamese sentence), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    folded = _folded(password)
    name = _folded(login.strip())
    if name and (folded == name or (len(name) >= 3 and name in folded)):
        return "Mật khẩu không được chứa tên đăng nhập."
    common = common_passwords()
    if folded in common:
        return "Mật khẩu này nằm trong danh sách mật khẩu phổ biến."
    # The letters alone: "Password@2024" is "password" with padding around it.
    core = _NOT_LETTER.sub("", folded)
    if not core:
        return "Mật khẩu cần có chữ cái, không chỉ chữ số và ký hiệu."
    if core in common or core in OBVIOUS:
        return "Mật khẩu quá dễ đoán (một từ phổ biến thêm chữ số hoặc ký hiệu)."
    if len(set(folded)) < MIN_DISTINCT:
        return f"Mật khẩu cần ít nhất {MIN_DISTINCT} ký tự khác nhau."
    return None
