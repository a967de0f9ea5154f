"""Vietnamese labels for the codes the console shows (states, subject types, kinds)."""

from __future__ import annotations

__all__ = ["KIND_LABELS", "STATE_LABELS", "SUBJECT_LABELS", "flag_label"]

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

# Flags and review reasons are stored in English (they are codes for tools and logs as
# much as words for people); the console shows them in Vietnamese.
_FLAGS = {
    "unverified sender": "người gửi chưa xác thực (SPF/DKIM/DMARC không đạt)",
    "no convincing evidence": "chưa đủ căn cứ xác định đơn vị gửi",
    "conflicting evidence": "các căn cứ chỉ ra nhiều đơn vị khác nhau",
    "no sending unit found": "không tìm thấy đơn vị gửi",
    "ocr": "chữ nhận dạng từ ảnh (OCR)",
    "ocr-low-confidence": "OCR có độ tin cậy thấp",
    "ocr-partial": "OCR mới đọc một phần",
    "converted": "chuyển đổi từ định dạng cũ",
    "revision": "bản sửa của một bài trước",
}
_PREFIXES = {
    "low confidence: ": "độ tin cậy thấp: ",
    "legacy-encoding:": "mã cũ ",
    "split:": "tách từ một tệp, phần ",
}


def flag_label(flag: str) -> str:
    """A flag or review reason in Vietnamese; an unknown one is shown as stored."""
    if flag in _FLAGS:
        return _FLAGS[flag]
    for prefix, label in _PREFIXES.items():
        if flag.startswith(prefix):
            return label + flag[len(prefix) :]
    return flag
