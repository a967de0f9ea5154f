"""Vietnamese labels for the codes the console shows (states, subject types, kinds)."""

from __future__ import annotations

__all__ = ["KIND_LABELS", "STATE_LABELS", "SUBJECT_LABELS"]

STATE_LABELS = {
    "pending-review": "Chờ duyệt",
    "approved": "Đã duyệt",
    "published": "Đã đăng",
    "rejected": "Bị từ chối",
    "duplicate": "Trùng lặp",
    "needs-conversion": "Cần chuyển đổi",
    "needs-ocr": "Cần nhận dạng chữ",
    "failed": "Lỗi",
}
SUBJECT_LABELS = {"ca-nhan": "Cá nhân", "tap-the": "Tập thể", "ho-gia-dinh": "Hộ gia đình"}
KIND_LABELS = {
    "dien-hinh-tien-tien": "Điển hình tiên tiến",
    "mo-hinh-moi": "Mô hình mới",
    "nhan-to-moi": "Nhân tố mới",
}
