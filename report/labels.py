"""Vietnamese words the reports print (one place, so the table and the workbook agree)."""

from __future__ import annotations

from typing import Final

__all__ = ["CADENCE_LABELS", "GROUP_LABELS", "PERIOD_STATE_LABELS", "ROMAN", "group_label", "roman"]

# The directory's groups (classifiers.directory.GROUPS) as a provincial report names them.
GROUP_LABELS: Final = {
    "district": "Các huyện, thành phố",
    "department": "Các sở, ban, ngành",
    "mass-org": "Mặt trận Tổ quốc và các đoàn thể",
    "armed-forces": "Lực lượng vũ trang",
    "media": "Các cơ quan báo chí",
    "school": "Các trường",
    "enterprise": "Các doanh nghiệp",
}
CADENCE_LABELS: Final = {"monthly": "Tháng", "quarterly": "Quý"}
# ComplianceRow.state: a period that is not over is "đang thực hiện", never "chưa đạt".
PERIOD_STATE_LABELS: Final = {
    "met": "Đạt",
    "missed": "Chưa đạt",
    "unresolved": "Chưa rõ",
    "running": "Đang thực hiện",
    "future": "Chưa đến kỳ",
}
ROMAN: Final = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, group)


def roman(n: int) -> str:
    """1 -> "I" (groups and quarters are numbered this way in administrative reports)."""
    return ROMAN[n - 1] if 1 <= n <= len(ROMAN) else str(n)
