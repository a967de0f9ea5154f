"""Vietnamese labels for the codes the console shows (states, subject types, kinds,
attachment outcomes and the reasons the pipeline records). The one mapping: templates use
these through the filters review/app.py registers."""

from __future__ import annotations

import re

__all__ = [
    "KIND_LABELS",
    "MESSAGE_STATE_LABELS",
    "OUTCOME_LABELS",
    "REASON_LABELS",
    "STATE_LABELS",
    "SUBJECT_LABELS",
    "flag_label",
    "outcome_label",
    "reason_parts",
]

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
    "quoted block taken as a forward": "phần trích dẫn được coi là thư chuyển tiếp (tiêu đề "
    "không ghi chuyển tiếp, có thể là thư trả lời): cần kiểm tra",
    "no sending unit found": "không tìm thấy đơn vị gửi",
    "ocr": "chữ nhận dạng từ ảnh (OCR)",
    "ocr-low-confidence": "OCR có độ tin cậy thấp",
    "ocr-partial": "OCR mới đọc một phần",
    "converted": "chuyển đổi từ định dạng cũ",
    "salvaged": "đọc từ tệp bị cắt cụt (có thể thiếu ảnh hoặc định dạng)",
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


# A message's state (store/states.py MessageState) as an editor reads it.
MESSAGE_STATE_LABELS = {
    "received": "chờ xử lý",
    "ingested": "đã nhận bài",
    "no-article": "không có bài",
    "failed": "lỗi, không đọc được bài",
    "duplicate": "trùng với thư đã nhận",
}

# What became of an attachment (core.types.AttachmentOutcome), plus the values rows written
# before issue 12 hold ("failed", "ignored") and the images kept inside a document.
OUTCOME_LABELS = {
    "article": "bài viết",
    "photo": "ảnh minh họa",
    "ocr-page": "trang ảnh đã nhận dạng chữ",
    "waiting": "chờ chuyển đổi/nhận dạng",
    "cover-letter": "thư/công văn gửi kèm",
    "official-document": "văn bản hành chính (không phải bài viết)",
    "logo": "logo, chữ ký",
    "archive": "tệp nén",
    "not-article": "không phải bài viết",
    "refused": "bị từ chối",
    "image": "ảnh trong tài liệu",
    "failed": "không đọc được",
    "ignored": "không dùng",
}

# Reasons are stored in English with a stable leading code (the words before the first
# colon): the console shows the code in Vietnamese and the English detail beneath it.
REASON_LABELS = {
    # an attachment's
    "encrypted": "tệp có mật khẩu",
    "over-limit": "vượt giới hạn",
    "unreadable": "không đọc được",
    "unsupported": "loại tệp không hỗ trợ",
    "official-document": "văn bản hành chính",
    "needs-conversion": "chờ chuyển đổi định dạng (LibreOffice)",
    "needs-ocr": "chờ nhận dạng chữ (OCR)",
    "waiting": "đang chờ xử lý",
    "timeout": "quá thời gian đọc tệp",
    # a message's (ingest/extract.py, ingest/article.py, store/account.py)
    "no readable article": "không có bài nào đọc được",
    "empty message": "thư rỗng: không có tiêu đề, không có nội dung (lỗi máy chủ thư?)",
    "not an article": "không phải bài viết",
    "no article": "không có bài viết",
    "no-article": "không có bài viết",
    "duplicate": "trùng lặp",
    "reprocess requested from the console": "biên tập viên đã yêu cầu xử lý lại",
}
# The documents may follow, named with their causes ("...could not be read: bai.doc: ...").
_SOME_UNREADABLE = re.compile(r"^(\d+) of (\d+) documents could not be read(?::|;|$)")


def outcome_label(code: str | None) -> str:
    """An attachment's outcome in Vietnamese; an unknown code is shown as stored."""
    if not code:
        return "chưa ghi nhận"
    return OUTCOME_LABELS.get(code, code)


def reason_parts(reason: str | None) -> tuple[str, str]:
    """(Vietnamese, English detail) for a stored reason. The Vietnamese part is the label
    of the leading code ("" when the code is unknown: the detail is then all there is);
    the detail is the whole stored text, for the smaller secondary line."""
    if not reason:
        return "", ""
    text = reason.strip()
    if m := _SOME_UNREADABLE.match(text):
        return f"{m.group(1)}/{m.group(2)} tệp không đọc được", text
    code = text.split(":", 1)[0].strip().lower()
    # A reason may lead with the outcome itself ("logo: ...", "cover-letter: ...").
    return REASON_LABELS.get(code) or OUTCOME_LABELS.get(code, ""), text
