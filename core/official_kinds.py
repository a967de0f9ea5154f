"""The kinds of official documents (giấy mời, công văn, ...) a unit may mail instead of an
article: recognised by ``ingest/official.py`` and named in a message's reason by
``store/account.py``, so the table sits below both."""

from __future__ import annotations

from typing import Final

__all__ = ["ANNEXES", "KINDS"]

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
    # Annexes: a report's table of figures or list, mailed with it or alone.
    "bieu-tong-hop": ("biểu tổng hợp", "summary table", "bieu tong hop", ()),
    "bang-tong-hop": ("bảng tổng hợp", "summary table", "bang tong hop", ()),
    "phu-luc": ("phụ lục", "annex", "phu luc", ("pl",)),
    "danh-sach": ("danh sách", "list", "danh sach", ("ds",)),
}
# The kinds above that annex another document: a table or a list with little prose.
ANNEXES: Final[frozenset[str]] = frozenset(
    {"bieu-tong-hop", "bang-tong-hop", "phu-luc", "danh-sach"}
)
