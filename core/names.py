"""People's names as Vietnamese texts write them: the family names that open a full name.

Shared by the kind tagger (``classifiers/kinds.py``: who an article is about) and the
document splitter (``ingest/split.py``: a compilation's headings each naming a person), so
both read a name the same way.
"""

from __future__ import annotations

from dienhinh.core.text import fold

__all__ = ["FOLDED_SURNAMES", "SURNAMES", "capitalised"]

# fmt: off
# Family names that open a full name written without a title word ("Giàng A Chư sinh năm
# 1995 ...", "Thào Thị Sú, cô gái Mông ..."): the common Kinh names and those of Lào Cai's
# peoples (Mông, Dao, Tày, Nùng, Giáy, Hà Nhì, Phù Lá ...).
SURNAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Đoàn", "Lương", "Trương",
    "Lưu", "Tạ", "Cao", "Lâm", "Triệu", "Tô", "Mai", "Hà", "Vi", "Nông", "Lục", "Ma",
    "Mã", "La", "Lã", "Kiều", "Tăng", "Thân", "Mạc", "Đàm", "Tống", "Khổng", "Hứa", "Quan",
    "Lò", "Lường", "Giàng", "Thào", "Sùng", "Vàng", "Hảng", "Lù", "Tẩn", "Chảo", "Phàn",
    "Bàn", "Chu", "Sần", "Lầu", "Mùa", "Cư", "Hầu", "Tráng", "Ly", "Sầm", "Lồ", "Sình",
    "Chẻo", "Pờ", "Hờ", "Cứ", "Chang", "Sển", "Lìn", "Vừ", "Mạ", "Pồ", "Phùng",
)
# fmt: on
# Compared folded: a name typed without diacritics is still a name.
FOLDED_SURNAMES: frozenset[str] = frozenset(fold(n) for n in SURNAMES)


def capitalised(word: str) -> bool:
    """A proper-name syllable: one capital, then lower case (not an abbreviation, not a
    number)."""
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())
