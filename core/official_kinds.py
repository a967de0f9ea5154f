"""The kinds of official documents (giấy mời, công văn, ...) a unit may mail instead of an
article: recognised by ``ingest/official.py`` and named in a message's reason by
``store/account.py``, so the table sits below both."""

from __future__ import annotations

from typing import Final

__all__ = ["KINDS"]

# kind key -> (Vietnamese name, English name for reasons, folded heading, number codes)
KINDS: Final[dict[str, tuple[str, str, str, tuple[str, ...]]]] = {
    "giay-moi": ("giấy mời", "invitation", "giay moi", ("gm",)),
    "quyet-dinh": ("quyết định", "decision", "quyet dinh", ("qd",)),
    "ke-hoach": ("kế hoạch", "plan", "ke hoach", ("kh",)),
    "bao-cao": ("báo cáo", "report", "bao cao", ("bc",)),
    "thong-bao": ("thông báo", "notice", "thong bao", ("tb",)),
    "to-trinh": ("tờ trình", "submission", "to trinh", ("ttr",)),
    "cong-van": ("công văn", "official letter", "cong van", ()),
    "chi-thi": ("chỉ thị", "directive", "chi thi", ("ct",)),
    "huong-dan": ("hướng dẫn", "guidance", "huong dan", ("hd",)),
}
