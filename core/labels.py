"""Every code the console and the Board's mail show, in Vietnamese: the one mapping.

In core because both the console (review/) and the outgoing mail (notify/: the editors'
digest, the alerts) show the same codes to the same people, and neither may import the other.

States (articles, messages, publications), attachment outcomes, the reasons and errors the
pipeline records, flags and review reasons, the taggers' evidence (``core.evidence``),
article sources, MIME types, publication targets, runs of the worker, audit actions and
their details, and the tag values (subject type, kind; units and campaigns by their names
in units.toml and campaigns.toml). Templates reach these through the filters and globals
review/app.py registers; no template spells a code.

The pipeline stores its reasons and errors in English (they are also for logs, the
command line and exports). The console shows a Vietnamese phrase for each, never the
English: what it cannot read is shown as a generic Vietnamese phrase, and the stored text
is left to admins behind "Chi tiết kỹ thuật" (see ``technical``). ``tests/unit/review/
test_labels.py`` checks that every code of every enum and table has a label here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from dienhinh.core.mailbox_errors import vietnamese_mailbox_error

__all__ = [
    "ACTOR_LABELS",
    "AUDIT_ACTION_LABELS",
    "EVIDENCE_LABELS",
    "FIELD_LABELS",
    "FLAG_LABELS",
    "KIND_LABELS",
    "MESSAGE_STATE_LABELS",
    "NOISE_LABELS",
    "OBJECT_LABELS",
    "OUTCOME_LABELS",
    "PUBLICATION_STATE_LABELS",
    "REASON_LABELS",
    "RECEIVED_SOURCE_LABELS",
    "RUN_KIND_LABELS",
    "RUN_STATUS_LABELS",
    "SOURCE_LABELS",
    "STATE_LABELS",
    "SUBJECT_LABELS",
    "TARGET_LABELS",
    "TYPE_LABELS",
    "Names",
    "actor_label",
    "audit_lines",
    "confidence_label",
    "error_label",
    "evidence_label",
    "flag_label",
    "mailbox_label",
    "outcome_label",
    "publication_error_label",
    "reason_label",
    "reason_parts",
    "source_label",
    "tagger_label",
    "type_label",
]

# --- states -------------------------------------------------------------------------------

# An article's state (store.states.ArticleState).
STATE_LABELS: Final = {
    "pending-review": "Chờ duyệt",
    "approved": "Đã duyệt",
    "published": "Đã đăng",
    "rejected": "Bị từ chối",
    "duplicate": "Trùng lặp",
    "needs-conversion": "Cần chuyển đổi",
    "needs-ocr": "Cần nhận dạng chữ",
    "failed": "Lỗi",
}
# A message's state (store.states.MessageState) as an editor reads it.
MESSAGE_STATE_LABELS: Final = {
    "received": "chờ xử lý",
    "ingested": "đã nhận bài",
    "no-article": "không có bài",
    "failed": "lỗi, không đọc được bài",
    "duplicate": "trùng với thư đã nhận",
}
# A publication's state (store.states.PublicationState).
PUBLICATION_STATE_LABELS: Final = {
    "queued": "đang chờ đăng",
    "published": "đã đăng",
    "failed": "đăng không thành công",
    "cancelled": "đã hủy (bài được rút lại)",
}
# Where an approved article goes (publish.PUBLISHERS' names).
TARGET_LABELS: Final = {
    "feed": "nguồn tin Atom của cổng",
    "folder": "thư mục xuất bài",
    "wordpress": "trang WordPress của cổng",
}
# The worker's jobs and the command's runs (PollRun.kind) and how they ended.
RUN_KIND_LABELS: Final = {
    "poll": "lấy thư",
    "import": "nhập thư từ tệp",
    "reprocess": "chạy lại thư",
    "process": "xử lý thư chờ",
    "daily": "việc hằng ngày",
    "publish": "đăng bài",
    "retrain": "học lại mô hình phân loại",
    "ack": "gửi thư báo đã nhận",
    "remind": "gửi thư nhắc",
    "digest": "gửi thư tổng hợp",
    "health": "kiểm tra tình trạng",
}
RUN_STATUS_LABELS: Final = {
    "running": "đang chạy",
    "ok": "xong",
    "error": "lỗi",
    "skipped": "bỏ qua",
}

# --- tags ---------------------------------------------------------------------------------

SUBJECT_LABELS: Final = {"ca-nhan": "Cá nhân", "tap-the": "Tập thể", "ho-gia-dinh": "Hộ gia đình"}
KIND_LABELS: Final = {
    "dien-hinh-tien-tien": "Điển hình tiên tiến",
    "mo-hinh-moi": "Mô hình mới",
    "nhan-to-moi": "Nhân tố mới",
}
FIELD_LABELS: Final = {
    "unit": "Đơn vị",
    "campaign": "Phong trào",
    "subject_type": "Đối tượng",
    "kind": "Loại",
}


@dataclass(frozen=True)
class Names:
    """Units' and campaigns' names from units.toml and campaigns.toml (code -> name)."""

    units: Mapping[str, str] = field(default_factory=dict)
    campaigns: Mapping[str, str] = field(default_factory=dict)

    def unit(self, code: str | None) -> str:
        if not code:
            return "chưa rõ"
        return self.units.get(code) or "đơn vị không có trong danh mục"

    def campaign(self, code: str | None) -> str:
        return self.campaigns.get(code or "") or "phong trào không có trong danh mục"

    def value(self, field_name: str, value: str | None) -> str:
        """A tag's value by its name: a unit's, a campaign's, a subject type's, a kind's."""
        if field_name == "unit":
            return self.unit(value)
        if field_name == "campaign":
            return self.campaign(value)
        table = SUBJECT_LABELS if field_name == "subject_type" else KIND_LABELS
        return table.get(value or "") or "giá trị không rõ"


NO_NAMES: Final = Names()


def tagger_label(tagger: str | None) -> str:
    """Who proposed a tag: an editor ("editor:<login>") or the taggers."""
    tagger = tagger or ""
    if tagger.startswith("editor:"):
        return f"biên tập viên {tagger[7:]} chọn"
    return "máy đề xuất"


def confidence_label(value: float | None) -> str:
    """0.59 -> "độ tin cậy 59%"."""
    if value is None:
        return ""
    return f"độ tin cậy {round(float(value) * 100):.0f}%"


# --- flags and review reasons -------------------------------------------------------------

# Flags (Article.flags, Message.flags) and review reasons (meta["review_reasons"]) are
# stored in English: they are codes for tools and logs as much as words for people.
FLAG_LABELS: Final = {
    "unverified sender": "người gửi chưa được xác thực (địa chỉ có thể bị giả mạo)",
    "no convincing evidence": "chưa đủ căn cứ xác định đơn vị gửi",
    "conflicting evidence": "các căn cứ chỉ ra nhiều đơn vị khác nhau",
    "quoted block taken as a forward": "phần trích dẫn được coi là thư chuyển tiếp (tiêu đề "
    "không ghi chuyển tiếp, có thể là thư trả lời): cần kiểm tra",
    "no sending unit found": "không tìm thấy đơn vị gửi",
    "ocr": "chữ nhận dạng từ ảnh",
    "ocr-low-confidence": "nhận dạng chữ từ ảnh chưa chắc chắn",
    "ocr-partial": "mới nhận dạng chữ được một phần",
    "converted": "chuyển đổi từ định dạng cũ",
    "salvaged": "đọc từ tệp bị cắt cụt (có thể thiếu ảnh hoặc định dạng)",
    "revision": "bản sửa của một bài trước",
    # ingest.duplicates.OTHER_UNIT_FLAG
    "same text as another unit's article": "trùng nội dung với bài một đơn vị khác đã gửi: "
    "cần xác định bài của đơn vị nào",
    "legacy-letters-lost": "phông chữ cũ, có thể mất dấu khi chuyển đổi",
}
# Flags with a value after the colon ("legacy-encoding:tcvn3", "split:2/3").
_LEGACY_ENCODINGS: Final = {"tcvn3": "TCVN3", "vni": "VNI"}
_LOW_CONFIDENCE = "low confidence: "  # classifiers.tagging.LOW_CONFIDENCE
_LOW_ITEM = re.compile(r"(\w+) (\S+) \((\d+(?:\.\d+)?)\)")


def flag_label(flag: object, names: Names = NO_NAMES) -> str:
    """A flag or review reason in Vietnamese; an unknown one as a generic phrase."""
    text = str(flag or "")
    if text in FLAG_LABELS:
        return FLAG_LABELS[text]
    if text.startswith(_LOW_CONFIDENCE):
        items = _LOW_ITEM.findall(text[len(_LOW_CONFIDENCE) :])
        if not items:
            return "độ tin cậy thấp ở một số nhãn"
        parts = [
            f"{FIELD_LABELS.get(f, 'nhãn')} «{names.value(f, v)}» ({confidence_label(float(c))})"
            for f, v, c in items
        ]
        return "độ tin cậy thấp: " + ", ".join(parts)
    if text.startswith("legacy-encoding:"):
        enc = _LEGACY_ENCODINGS.get(text.split(":", 1)[1].lower())
        return f"chuyển từ bảng mã cũ {enc}" if enc else "chuyển từ bảng mã cũ"
    if m := re.fullmatch(r"split:(\d+)/(\d+)", text):
        return f"tách từ một tệp, phần {m.group(1)}/{m.group(2)}"
    return "cần kiểm tra thêm"


# --- attachments, reasons and errors ------------------------------------------------------

# What became of an attachment (core.types.AttachmentOutcome), plus the values rows written
# before issue 12 hold ("failed", "ignored") and the images kept inside a document.
OUTCOME_LABELS: Final = {
    "article": "bài viết",
    "photo": "ảnh minh họa",
    "ocr-page": "trang ảnh đã nhận dạng chữ",
    "waiting": "chờ chuyển đổi/nhận dạng",
    "cover-letter": "thư/công văn gửi kèm",
    "official-document": "văn bản hành chính (không phải bài viết)",
    "logo": "hình biểu trưng, chữ ký",
    "archive": "tệp nén",
    "not-article": "không phải bài viết",
    "refused": "bị từ chối",
    "image": "ảnh trong tài liệu",
    "failed": "không đọc được",
    "ignored": "không dùng",
}

# Reasons lead with a stable code (the words before the first colon).
REASON_LABELS: Final = {
    # an attachment's (ingest/extract.py, ingest/mime.py, ingest/slowlane.py)
    "encrypted": "tệp có mật khẩu",
    "over-limit": "vượt giới hạn cho phép",
    "unreadable": "không đọc được",
    "unsupported": "loại tệp không hỗ trợ",
    "official-document": "văn bản hành chính",
    "needs-conversion": "chờ chuyển đổi định dạng",
    "needs-ocr": "chờ nhận dạng chữ từ ảnh",
    "waiting": "đang chờ chuyển đổi hoặc nhận dạng chữ",
    "timeout": "quá thời gian đọc tệp",
    # a message's (ingest/extract.py, ingest/article.py, store/account.py)
    "no readable article": "không có bài nào đọc được",
    "undo": "hoàn tác quyết định vừa rồi",
    "empty message": "thư rỗng: không có tiêu đề, không có nội dung (lỗi máy chủ thư?)",
    "not an article": "không phải bài viết",
    "no article": "không có bài viết",
    "no-article": "không có bài viết",
    "duplicate": "trùng lặp",
    "refused": "có tệp bị từ chối",
    "reprocess requested from the console": "biên tập viên đã yêu cầu xử lý lại",
    "reprocess": "chạy lại thư",
    "storage error (will retry on the next poll)": "lỗi lưu trữ, sẽ thử lại lần lấy thư sau",
    "photographed pages": "ảnh chụp trang, chờ nhận dạng chữ",
    # an article's after the slow lane (ingest/slowlane.py)
    "conversion failed": "chuyển đổi định dạng không thành công",
    "ocr failed": "nhận dạng chữ không thành công",
    "conversion found no text": "chuyển đổi xong nhưng không có chữ",
    "ocr found no text": "nhận dạng xong nhưng không thấy chữ",
    "text from the slow lane": "đã có chữ sau khi chuyển đổi hoặc nhận dạng",
    "text from conversion": "đã có chữ sau khi chuyển đổi",
    "text from ocr": "đã có chữ sau khi nhận dạng",
    "unit from the converted document": "văn bản đã chuyển đổi nêu đơn vị gửi",
    # the editor's and the publication queue's (review/actions.py, publish/queue.py)
    "restore": "khôi phục về hàng chờ duyệt",
    "retry requested": "biên tập viên yêu cầu thử lại",
    "article withdrawn": "bài đã được rút lại",
    "content edited after approval": "nội dung được sửa sau khi duyệt, cần duyệt lại",
}
# Why a message is not an article (core/noise.py: its rules' reasons, by their words).
NOISE_LABELS: Final = {
    "delivery status notification": "thư báo không gửi được (thư trả về)",
    "read receipt": "thư báo đã đọc",
    "automatically generated message": "thư do máy tự động gửi",
    "auto-reply": "thư trả lời tự động",
    "mailing list": "thư của nhóm thư (danh sách nhận thư)",
    "meeting invitation": "giấy mời họp, lịch họp",
    "short question without an article": "câu hỏi ngắn, không có bài",
    "questions without an article": "thư hỏi (nhiều câu hỏi), không có bài",
    "notice without an article": "thư báo, chưa có bài (bài sẽ gửi sau)",
    "request without an article": "thư hỏi hoặc đề nghị Ban, không có bài",
    "mass mailing without an article": "thư gửi hàng loạt (người nhận ẩn), không có bài",
    "the board's internal mail": "thư nội bộ của Ban, không gửi kèm bài",
    "circular to several offices without an article": (
        "bản tin, thông báo gửi nhiều cơ quan, không có bài"
    ),
    "a table of figures without an article": "bảng số liệu, không có bài",
    "a forwarded automatic message without an article": (
        "thư do máy tự động gửi được chuyển tiếp, không có bài"
    ),
    "official document": "văn bản hành chính",
    "body too short and no document attached": (
        "nội dung thư quá ngắn, không có tài liệu bài viết đính kèm"
    ),
    "no body text and no document attached": (
        "thư không có nội dung, không có tài liệu bài viết đính kèm"
    ),
}
# Reasons with numbers in them, tried first: (pattern, Vietnamese with the groups).
_PATTERNS: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = (
    (
        re.compile(r"^text replaced by revision (\d+)"),
        lambda m: f"nội dung được thay bằng bản sửa #{m.group(1)}, cần duyệt lại",
    ),
    (
        re.compile(r"^(\d+) of (\d+) documents could not be read"),
        lambda m: f"{m.group(1)}/{m.group(2)} tệp không đọc được",
    ),
    (
        re.compile(r"^will retry \((\d+)/(\d+)\)"),
        lambda m: f"lỗi tạm thời, sẽ thử lại (lần {m.group(1)}/{m.group(2)})",
    ),
    (
        re.compile(r"^only the first (\d+) of (\d+) pages were read"),
        lambda m: f"chỉ đọc được {m.group(1)} trang đầu trong {m.group(2)} trang",
    ),
    (
        re.compile(r"^attempt (\d+) failed, retry in (\d+) s"),
        lambda m: f"lần đăng thứ {m.group(1)} không thành công, sẽ thử lại sau {m.group(2)} giây",
    ),
    (
        re.compile(r"^gave up after (\d+) attempts"),
        lambda m: f"đăng không thành công sau {m.group(1)} lần thử",
    ),
    (re.compile(r"^duplicate of article (\d+)"), lambda m: f"trùng với bài #{m.group(1)}"),
    (
        re.compile(r"^not-article: a spreadsheet"),
        lambda m: "bảng tính số liệu, không phải bài viết",
    ),
    (
        re.compile(r"^copy of part of article (\d+) of the same message"),
        lambda m: (
            f"bản sao một phần của bài #{m.group(1)} trong cùng thư (ví dụ trang scan có chữ ký)"
        ),
    ),
    (re.compile(r"^approved \("), lambda m: "bài được duyệt, đưa vào hàng chờ đăng"),
    (re.compile(r"^published on (.+)$"), lambda m: "đã đăng lên " + _targets(m.group(1))),
    (re.compile(r"^article is ([a-z-]+), not approved"), lambda m: "bài không còn được duyệt"),
    (re.compile(r"^timeout: extraction took over (\d+) s"), lambda m: "quá thời gian đọc thư"),
)
# A document the extractors could not open (MalformedDocument's words, after the part's
# name): the editor learns the file is at fault and can ask the unit to send it again.
_DOCUMENT_FAULTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"password-protected"), "tệp có mật khẩu, không mở được"),
    (re.compile(r"member .* is damaged"), "tệp nén có tệp bên trong bị hỏng"),
    (re.compile(r"not a \.doc, \.odt or \.rtf file"), "tệp không đúng định dạng như tên gọi"),
    (
        re.compile(r"(not a readable|damaged|cannot open|cannot read this) "),
        "tệp bị hỏng, không đọc được",
    ),
    (re.compile(r"Tesseract failed"), "nhận dạng chữ từ ảnh không thành công"),
    (re.compile(r"OCR found no text"), "nhận dạng xong nhưng không thấy chữ"),
)
_PART_NAME = re.compile(r"^([^:\n]{1,200}?): ")


def _document_fault(text: str) -> str:
    """The Vietnamese for a document fault in ``text`` ("a.docx: not a readable .docx
    (...)"), with the part's name when it leads; "" when ``text`` names none."""
    for pattern, label in _DOCUMENT_FAULTS:
        m = pattern.search(text)
        if m is None:
            continue
        name = _PART_NAME.match(text)
        if name and name.end() <= m.start() and not _code_label(name.group(1)):
            return f"{label}: «{name.group(1).strip()}»"
        return label
    return ""


_GENERIC_REASON = "lý do kỹ thuật (quản trị viên xem chi tiết)"
# A cause named inside a longer reason ("...: bai.doc: encrypted: ...; anh.gif: logo: ...").
_CAUSE = re.compile(r"(?:^|[:;]\s)([a-z][a-z -]*[a-z])(?=:\s)")


def _targets(text: str) -> str:
    return ", ".join(TARGET_LABELS.get(t.strip(), "nơi đăng khác") for t in text.split(","))


def _code_label(code: str) -> str:
    code = code.strip().lower()
    return REASON_LABELS.get(code) or OUTCOME_LABELS.get(code) or NOISE_LABELS.get(code, "")


def _noise(rest: str) -> str:
    rest = rest.strip().lower()
    for words, label in NOISE_LABELS.items():
        if rest.startswith(words):
            return label
    return ""


# What a message without an article had attached (ingest/extract.py's "; attached, not an
# article: NAME: not-article: ..." list), by the words of each attachment's reason.
_ATTACHED_SUFFIX: Final = "; attached, not an article: "
_ATTACHED_KINDS: Final = (
    ("a spreadsheet", "bảng tính số liệu"),
    ("a picture", "ảnh"),
    ("a signature", "chữ ký số"),
)


def _attached_label(listed: str) -> str:
    kinds: list[str] = []
    for words, label in _ATTACHED_KINDS:
        if f"not-article: {words}" in listed and label not in kinds:
            kinds.append(label)
    return "gửi kèm " + (", ".join(kinds) if kinds else "tệp không phải bài viết")


def reason_label(reason: str | None) -> str:
    """A stored reason or error as a Vietnamese phrase: its leading code's label, with the
    not-article kind or the causes it names; never the English. "" for no reason."""
    text = (reason or "").strip()
    if not text:
        return ""
    if _ATTACHED_SUFFIX in text:
        head, _, listed = text.partition(_ATTACHED_SUFFIX)
        return f"{reason_label(head)} ({_attached_label(listed)})"
    for pattern, render in _PATTERNS:
        if m := pattern.match(text):
            return render(m)
    head, _, rest = text.partition(":")
    main = _code_label(head)
    if not main:
        main = _noise(text) or _document_fault(text)
        if main:
            return main
        return _GENERIC_REASON
    if head.strip().lower() in ("not an article", "no article"):
        kind = _noise(rest)
        if kind:
            return f"{main}: {kind}"
    causes: list[str] = []
    for code in _CAUSE.findall(rest):
        label = _code_label(code)
        if label and label != main and label not in causes and code in _ATTACHMENT_CODES:
            causes.append(label)
    if not causes and head.strip().lower() in ("no readable article", "no article"):
        fault = _document_fault(rest.strip())
        if fault:
            causes.append(fault.split(":")[0])
    return f"{main} ({', '.join(causes)})" if causes else main


_ATTACHMENT_CODES: Final = frozenset(
    {
        "encrypted",
        "over-limit",
        "unreadable",
        "unsupported",
        "official-document",
        "needs-conversion",
        "needs-ocr",
        "timeout",
        "conversion failed",
        "ocr failed",
        "logo",
        "not-article",
        "cover-letter",
    }
)


def reason_parts(reason: str | None) -> tuple[str, str]:
    """(Vietnamese, stored text): the phrase for everyone, the stored text for the admins'
    "Chi tiết kỹ thuật" disclosure (templates show it to admins only)."""
    text = (reason or "").strip()
    return reason_label(text), text


def error_label(error: str | None) -> str:
    """An error (Message.error, Article.error, a run's or a mailbox's) in Vietnamese.
    A message's error lists its parts ("2 bai.doc: encrypted: ..."), one per line."""
    text = (error or "").strip()
    if not text:
        return ""
    # A mail source's error ("the server refused the login for ...") as the sentence an
    # editor can act on (core/mailbox_errors.py holds that table).
    mailbox = vietnamese_mailbox_error(text)
    if mailbox:
        return mailbox
    labels: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\S+ [^:]*?: (?=[a-z][a-z -]*:)", "", line.strip())  # "part name: "
        label = reason_label(line)
        if label not in labels:
            labels.append(label)
    if labels == [_GENERIC_REASON]:
        lowered = text.lower()
        for words, label in _TECHNICAL_HINTS:
            if any(w in lowered for w in words):
                return label
        return "lỗi kỹ thuật (quản trị viên xem chi tiết)"
    return "; ".join(labels)


# What a technical error is about, by its words (mailbox, disk, database, tools).
_TECHNICAL_HINTS: Final = (
    (("authenticat", "login failed", "invalid credentials"), "sai tài khoản hoặc mật khẩu"),
    (("certificate", "ssl", "tls"), "lỗi chứng chỉ bảo mật của máy chủ"),
    (("connection refused", "connect", "unreachable", "name or service"), "không kết nối được"),
    (("timed out", "timeout"), "quá thời gian chờ"),
    (("disk full", "no space", "quota"), "hết dung lượng lưu trữ"),
    (("database", "locked", "sqlite", "psycopg"), "cơ sở dữ liệu bận hoặc gặp lỗi"),
    (("not installed", "no such file"), "thiếu công cụ trên máy chủ"),
)


def publication_error_label(error: str | None) -> str:
    """What the portal answered, in Vietnamese: by its HTTP status when one is named."""
    text = (error or "").strip()
    if not text:
        return ""
    if m := re.search(r"\b(?:HTTP|status)\D{0,3}([1-5]\d\d)\b", text, re.IGNORECASE):
        code = int(m.group(1))
        if code in (401, 403):
            return f"cổng từ chối quyền đăng (mã {code}): kiểm tra tài khoản đăng bài"
        if code >= 500:
            return f"máy chủ của cổng đang lỗi (mã {code}), sẽ thử lại được"
        return f"cổng không nhận bài (mã {code})"
    lowered = text.lower()
    if "timed out" in lowered or "timeout" in lowered:
        return "cổng không trả lời kịp"
    if "connect" in lowered or "refused" in lowered or "resolve" in lowered:
        return "không kết nối được tới cổng"
    return "cổng báo lỗi khi đăng bài"


# --- evidence -----------------------------------------------------------------------------

# Where a unit clue was seen (core.evidence.Where) and each kind of clue.
_WHERE: Final = {
    "": "",
    "forwarded": " (trong thư được chuyển tiếp)",
    "article": " (trong bài viết)",
    "from-name": " (tên người gửi gốc)",
    "origin-signature": " (chữ ký của người gửi gốc)",
}


def _q(value: object) -> str:
    return f"«{value}»"


# core.evidence.EvidenceKind -> a renderer of one item (its values, the names).
EVIDENCE_LABELS: Final[dict[str, Callable[[dict[str, Any], Names], str]]] = {
    "address": lambda e, n: f"địa chỉ gửi {e.get('value', '')} có trong danh mục đơn vị",
    "learned-address": lambda e, n: f"địa chỉ {e.get('value', '')} đã được biên tập viên gán",
    "domain": lambda e, n: f"địa chỉ {e.get('value', '')} có tên miền hoặc tên của đơn vị",
    "display-name": lambda e, n: f"tên người gửi {_q(e.get('value', ''))}",
    "signature": lambda e, n: (
        ("dòng ký tên cuối bài" if e.get("where") == "article" else "chữ ký cuối thư")
        + f" {_q(e.get('value', ''))}"
    ),
    "letterhead": lambda e, n: f"tiêu đề văn bản {_q(e.get('value', ''))}",
    "subject": lambda e, n: f"tiêu đề thư {_q(e.get('value', ''))}",
    "forward-origin": lambda e, n: f"người gửi gốc của thư chuyển tiếp {_q(e.get('value', ''))}",
    "body": lambda e, n: f"nội dung nhắc tới {_q(e.get('value', ''))}",
    "against": lambda e, n: (
        f"căn cứ chỉ đơn vị khác ({n.unit(e.get('unit'))}): "
        + evidence_label(e.get("clue") or {}, n)
    ),
    "flag": lambda e, n: "cần lưu ý: " + flag_label(e.get("flag"), n),
    "term": lambda e, n: (
        f"từ khóa {_q(e.get('term', ''))}"
        + (" trong tiêu đề" if e.get("in_title") else "")
        + (f", {e['count']} lần trong bài" if (e.get("count") or 0) > 1 else "")
    ),
    "unit-prior": lambda e, n: "đơn vị gửi thường viết về phong trào này",
    "nothing-convincing": lambda e, n: "không phong trào nào khác đủ rõ",
    "no-campaign-convincing": lambda e, n: (
        "không phong trào nào đủ rõ, xếp vào phong trào của đơn vị"
    ),
    "no-vocabulary": lambda e, n: "chưa có danh mục phong trào",
    "model": lambda e, n: f"mô hình học máy đề xuất ({confidence_label(e.get('p'))})",
    "title-opens": lambda e, n: f"tiêu đề mở đầu bằng {_q(e.get('phrase', ''))}",
    "title-opens-model": lambda e, n: "tiêu đề mở đầu bằng một mô hình, cách làm",
    "sent-as": lambda e, n: f"đơn vị gửi gọi bài là {_q(e.get('phrase', ''))}",
    "title-names": lambda e, n: "tiêu đề nêu " + _q(f"{e.get('phrase', '')} {e.get('name', '')}"),
    "name-repeated": lambda e, n: f"bài nhắc tên {_q(e.get('name', ''))} {e.get('count', 0)} lần",
    "phrase": lambda e, n: (
        f"bài có cụm {_q(e.get('phrase', ''))}"
        + (f" ({e['count']} lần)" if (e.get("count") or 0) > 1 else "")
    ),
    "title-term": lambda e, n: f"tiêu đề có cụm {_q(e.get('phrase', ''))}",
    "young-title": lambda e, n: "tiêu đề nói về người trẻ",
    "young": lambda e, n: f"bài nêu tuổi trẻ {_q(e.get('phrase', ''))}",
    "years-of-service": lambda e, n: "nhiều năm công tác, gắn bó",
    "event": lambda e, n: f"bài kể một việc làm mới đây ({_q(e.get('phrase', ''))})",
    "default": lambda e, n: "không thấy dấu hiệu riêng, lấy giá trị mặc định",
    "editor-assigned": lambda e, n: f"biên tập viên {e.get('editor', '')} gán",
    "editor-chose": lambda e, n: f"biên tập viên {e.get('editor', '')} chọn",
    "merged-from": lambda e, n: f"gộp từ bài #{e.get('article', '')}",
}
# Rows written before evidence was data hold English lines: the unit clues and the
# editors' lines are read back; the rest is a generic phrase.
_OLD_EDITOR = re.compile(r"^(assigned by|chosen by editor) (\S+)$")
_OLD_MERGED = re.compile(r"^merged from article (\d+)$")
_OLD_UNIT = re.compile(
    r"^(address|learned-address|domain|display-name|signature|letterhead|subject|"
    r"forward-origin|body)[: ] ?(?:(?:article|forwarded|from name|signature): )?(.+)$"
)


def evidence_label(ev: object, names: Names = NO_NAMES) -> str:
    """One piece of a tag's evidence in Vietnamese."""
    if isinstance(ev, dict):
        render = EVIDENCE_LABELS.get(str(ev.get("kind", "")))
        if render is None:
            return "căn cứ khác"
        text = render(ev, names)
        return text + _WHERE.get(str(ev.get("where", "")), "") if ev.get("where") else text
    text = str(ev or "").strip()
    if m := _OLD_EDITOR.match(text):
        kind = "editor-assigned" if m.group(1) == "assigned by" else "editor-chose"
        return EVIDENCE_LABELS[kind]({"editor": m.group(2)}, names)
    if m := _OLD_MERGED.match(text):
        return EVIDENCE_LABELS["merged-from"]({"article": m.group(1)}, names)
    if m := _OLD_UNIT.match(text):
        return EVIDENCE_LABELS[m.group(1)]({"value": m.group(2)}, names)
    return "căn cứ tự động (ghi theo cách cũ)"


# --- sources and types --------------------------------------------------------------------

# Article.source: the extractor that read the text.
SOURCE_LABELS: Final = {
    "docx": "tài liệu Word (.docx)",
    "doc": "tài liệu Word cũ (.doc)",
    "odt": "văn bản (.odt)",
    "rtf": "văn bản (.rtf)",
    "pdf": "tài liệu PDF (.pdf)",
    "pdf-scan": "tài liệu PDF quét (nhận dạng chữ)",
    "image-scan": "ảnh chụp trang (nhận dạng chữ)",
    "html-body": "nội dung thư",
    "text-body": "nội dung thư",
    "converted": "tệp chuyển đổi từ định dạng cũ",
}


def source_label(source: str | None) -> str:
    return SOURCE_LABELS.get(source or "", "tệp đính kèm")


# MIME types as the sniffer names them (ingest/mime.py), and the usual declared ones.
_WORD = "tài liệu Word"
TYPE_LABELS: Final = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": f"{_WORD} (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template": f"{_WORD} (.dotx)",
    "application/msword": f"{_WORD} cũ (.doc)",
    "application/vnd.ms-word": f"{_WORD} cũ (.doc)",
    "application/x-encrypted-office": "tài liệu có mật khẩu",
    "application/vnd.oasis.opendocument.text": "văn bản (.odt)",
    "application/vnd.oasis.opendocument.text-template": "văn bản mẫu (.ott)",
    "application/rtf": "văn bản (.rtf)",
    "text/rtf": "văn bản (.rtf)",
    "application/pdf": "tài liệu PDF (.pdf)",
    "application/x-pdf": "tài liệu PDF (.pdf)",
    "application/vnd.ms-excel": "bảng tính Excel (.xls)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "bảng tính Excel (.xlsx)",
    "application/vnd.ms-powerpoint": "bản trình chiếu (.ppt)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "bản trình chiếu (.pptx)"
    ),
    "application/zip": "tệp nén (.zip)",
    "application/x-zip-compressed": "tệp nén (.zip)",
    "application/x-zip": "tệp nén (.zip)",
    "application/x-7z-compressed": "tệp nén (.7z)",
    "application/vnd.rar": "tệp nén (.rar)",
    "application/gzip": "tệp nén (.gz)",
    "application/x-ooxml-package": "tệp văn phòng không rõ loại",
    "application/x-odf-package": "tệp văn phòng không rõ loại",
    "application/x-ole-storage": "tệp văn phòng cũ không rõ loại",
    "application/x-msdownload": "tệp chương trình (không mở)",
    "application/x-executable": "tệp chương trình (không mở)",
    "application/octet-stream": "tệp không rõ loại",
    "application/pkcs7-signature": "chữ ký số",
    "application/x-pkcs7-signature": "chữ ký số",
    "application/pgp-signature": "chữ ký số",
    "application/ics": "lịch họp",
    "application/xhtml+xml": "trang mạng (.html)",
    "image/jpeg": "ảnh (.jpg)",
    "image/jpg": "ảnh (.jpg)",
    "image/pjpeg": "ảnh (.jpg)",
    "image/png": "ảnh (.png)",
    "image/gif": "ảnh (.gif)",
    "image/bmp": "ảnh (.bmp)",
    "image/tiff": "ảnh (.tif)",
    "image/webp": "ảnh (.webp)",
    "image/wmf": "hình vẽ (.wmf)",
    "image/emf": "hình vẽ (.emf)",
    "text/plain": "văn bản thuần",
    "text/html": "trang mạng (.html)",
    "text/calendar": "lịch họp",
    "message/rfc822": "thư đính kèm",
    "message/global": "thư đính kèm",
    "message/delivery-status": "báo cáo gửi thư",
    "message/disposition-notification": "báo đã đọc",
}
_TYPE_FAMILIES: Final = {
    "image": "ảnh",
    "text": "văn bản",
    "audio": "âm thanh",
    "video": "đoạn phim",
    "message": "thư đính kèm",
    "multipart": "phần thư",
}


def type_label(ctype: str | None) -> str:
    """A MIME type as an editor says it ("tài liệu Word (.docx)"), by its family when the
    exact type has no label."""
    ctype = (ctype or "").split(";", 1)[0].strip().lower()
    if not ctype:
        return "tệp không rõ loại"
    return TYPE_LABELS.get(ctype) or _TYPE_FAMILIES.get(ctype.split("/", 1)[0], "tệp khác")


def outcome_label(code: str | None) -> str:
    """An attachment's outcome in Vietnamese."""
    if not code:
        return "chưa ghi nhận"
    return OUTCOME_LABELS.get(code, "chưa rõ")


# --- mailboxes, actors, the audit log -----------------------------------------------------


def mailbox_label(key: str | None) -> str:
    """core.config's mailbox key: "imap:USER@HOST:993/INBOX" or "maildir:/PATH"."""
    key = key or ""
    if key.startswith("imap:"):
        who = key[5:].split("/", 1)[0].rsplit(":", 1)[0]
        return f"hộp thư {who}"
    if key.startswith("maildir:"):
        return f"thư mục thư {key[8:]}"
    return "hộp thư"


# Who acted when no person did (the pipeline's, the slow lane's, the queue's actors).
ACTOR_LABELS: Final = {
    "pipeline": "hệ thống (nhận thư)",
    "slow-lane": "hệ thống (chuyển đổi, nhận dạng chữ)",
    "publish-queue": "hệ thống (đăng bài)",
    "reprocess": "hệ thống (chạy lại thư)",
    "cli": "quản trị viên (dòng lệnh)",
}


def actor_label(actor: str | None) -> str:
    """A login as it is, a system actor by what it is."""
    return ACTOR_LABELS.get(actor or "", actor or "không rõ")


OBJECT_LABELS: Final = {
    "article": "bài",
    "message": "thư",
    "publication": "lượt đăng",
    "user": "tài khoản",
    "draft": "bản chưa lưu của bài",
    "address": "địa chỉ",
}
AUDIT_ACTION_LABELS: Final = {
    "login": "đăng nhập",
    "login-failed": "đăng nhập không thành công",
    "logout": "đăng xuất",
    "user:add": "tạo tài khoản",
    "user:password": "đặt mật khẩu mới",
    "user:role": "đổi vai trò",
    "user:enable": "mở khóa tài khoản",
    "user:disable": "khóa tài khoản",
    "edit": "sửa bài",
    "tags": "sửa nhãn",
    "cover": "chọn ảnh bìa",
    "merge": "gộp bài",
    "save-conflict": "lưu không thành công (người khác đã lưu trước)",
    "reprocess": "chạy lại thư",
    "confirm-no-article": "xác nhận thư không có bài",
    "assign-unit": "gán đơn vị",
    "learn-address": "ghi nhớ địa chỉ người gửi",
    "forget-address": "bỏ ghi nhớ địa chỉ người gửi",
    "deleted": "xóa bài (là văn bản hành chính)",
    "undo": "hoàn tác",
    "use-revision": "dùng bản sửa thay nội dung bài gốc",
    "keep-original": "giữ bản cũ, bản sửa thành bài trùng",
}
_STATE_TABLES: Final = {
    "article": STATE_LABELS,
    "message": MESSAGE_STATE_LABELS,
    "publication": PUBLICATION_STATE_LABELS,
}
ROLE_LABELS: Final = {"admin": "quản trị", "editor": "biên tập"}
_LOGIN_FAILED: Final = {
    "unknown-login": "không có tên đăng nhập này",
    "password": "sai mật khẩu",
    "disabled": "tài khoản đã bị khóa",
}
_CONTENT_FIELDS: Final = {"title": "tiêu đề", "lead": "sapo", "text": "nội dung"}
# Audit reasons an editor typed (shown as written); the others are the pipeline's codes.
_TYPED_REASON_ACTIONS: Final = frozenset({"state:rejected", "confirm-no-article"})


def audit_action_label(action: str | None) -> str:
    action = action or ""
    if action.startswith("state:"):
        return "chuyển trạng thái"
    return AUDIT_ACTION_LABELS.get(action, "thao tác khác")


def _state(object_type: str, code: object) -> str:
    table = _STATE_TABLES.get(object_type, STATE_LABELS)
    return _q(table.get(str(code or ""), "trạng thái khác"))


def _values(field_name: str, values: object, names: Names) -> str:
    items = values if isinstance(values, list) else [values]
    shown = [names.value(field_name, str(v)) for v in items if v]
    return ", ".join(shown) or "không có"


def audit_lines(
    action: str | None,
    object_type: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str | None,
    names: Names = NO_NAMES,
) -> list[str]:
    """What an audit row says, as Vietnamese sentences (never its JSON)."""
    action, kind = action or "", object_type or ""
    b, a = dict(before or {}), dict(after or {})
    lines: list[str] = []
    if action.startswith("state:"):
        line = f"từ {_state(kind, b.get('status'))} sang {_state(kind, action[6:])}"
        if a.get("duplicate_of"):
            line += f", trùng với bài #{a['duplicate_of']}"
        if a.get("was_duplicate_of"):
            line += f" (trước đó trùng với bài #{a['was_duplicate_of']})"
        lines.append(line[:1].upper() + line[1:])
    elif action == "edit":
        fields = [_CONTENT_FIELDS.get(k, "nội dung khác") for k in a]
        lines.append("Sửa " + ", ".join(fields) + "." if fields else "Sửa bài.")
        if "title" in a:
            lines.append(f"Tiêu đề: {_q(b.get('title', ''))} → {_q(a['title'])}")
    elif action == "tags":
        for f in ("campaign", "subject_type", "kind"):
            if f in a:
                lines.append(
                    f"{FIELD_LABELS[f]}: {_values(f, b.get(f), names)} → "
                    f"{_values(f, a.get(f), names)}"
                )
    elif action == "cover":
        lines.append(f"Ảnh bìa mới: ảnh #{a.get('cover_asset_id', '')}")
    elif action == "merge":
        moved = len(a.get("moved_assets") or [])
        lines.append(f"Gộp bài #{a.get('merged_article', '')} vào bài này, chuyển {moved} ảnh.")
        if a.get("campaigns"):
            lines.append("Phong trào: " + _values("campaign", a.get("campaigns"), names))
    elif action == "assign-unit":
        lines.append(f"Đơn vị: {names.unit(b.get('unit'))} → {names.unit(a.get('unit'))}")
    elif action == "learn-address":
        line = f"Địa chỉ {a.get('address', '')}: thư sau tính cho {names.unit(a.get('unit'))}"
        if b.get("unit") and b.get("active"):
            line += f" (trước đó: {names.unit(b.get('unit'))})"
        lines.append(line + ".")
        if a.get("article_id"):
            lines.append(f"Từ bài #{a['article_id']}.")
    elif action == "forget-address":
        lines.append(f"Địa chỉ: {b.get('address', '')}")
        if b.get("unit"):
            lines.append(f"Trước đây tính cho: {names.unit(b.get('unit'))}")
    elif action in ("login", "logout", "login-failed"):
        if action == "login-failed":
            lines.append(
                f"Tên đăng nhập {_q(a.get('login', ''))}: "
                + _LOGIN_FAILED.get(str(a.get("why", "")), "không rõ lý do")
            )
        if a.get("ip"):
            lines.append(f"Địa chỉ IP: {a['ip']}")
    elif action in ("user:add", "user:role"):
        if a.get("login"):
            lines.append(f"Tên đăng nhập: {a['login']}")
        if a.get("role"):
            lines.append("Vai trò: " + ROLE_LABELS.get(str(a["role"]), "khác"))
    elif action == "save-conflict":
        lines.append(
            f"Bạn sửa từ phiên bản {b.get('version_seen', '?')}, "
            f"bài đã ở phiên bản {b.get('version_saved', '?')}."
        )
    elif action in ("reprocess", "confirm-no-article"):
        if b.get("status"):
            lines.append(f"Trạng thái thư lúc đó: {_state('message', b['status'])}")
    elif action == "deleted":
        lines.append("Tệp là văn bản hành chính, không phải bài viết.")
    elif action == "use-revision":
        lines.append(
            f"Nội dung bài được thay bằng bản sửa #{a.get('revision', '?')}; bản cũ được giữ "
            "trong lịch sử của bài."
        )
    elif action == "keep-original":
        lines.append(f"Giữ nội dung bài; bản sửa #{a.get('revision', '?')} thành bài trùng.")
    elif action == "undo":
        what = audit_action_label(str(b.get("undone", "")))
        was, now = _state(kind, b.get("status")), _state(kind, a.get("status"))
        lines.append(
            f"Hoàn tác thao tác #{b.get('audit_id', '?')} ({what}, bài {was}): bài trở về {now}."
        )
    if reason:
        shown = reason if action in _TYPED_REASON_ACTIONS else reason_label(reason)
        lines.append(f"Lý do: {shown}")
    if kind == "publication" and a.get("url"):
        lines.append(f"Địa chỉ bài đăng: {a['url']}")
    return lines


# Where a message's receipt time came from (Message.received_source, ingest.received).
RECEIVED_SOURCE_LABELS = {
    "server": "theo máy chủ thư",
    "received-header": "theo dòng Received của thư",
    "date-header": "theo ngày gửi ghi trong thư",
    "file-mtime": "theo thời gian của tệp thư",
    "clock": "lúc hệ thống lưu thư",
}
