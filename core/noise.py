"""Recognise mail that carries no article: auto-replies, bounces, lists, invitations, questions.

The Board's mailbox receives more than articles. Each kind of noise is one small rule, and the
rules run in the explicit order of :data:`RULES` (a pipeline as data, as in Mailman's
``pipelines/builtin.py``). The first rule that fires gives a :class:`NoiseVerdict` whose
``reason`` an editor reads in the console, so every "no-article" decision says why (Mailman's
rules record ``moderation_reasons`` the same way).

Precision matters more than recall. Losing an article is worse than queueing a question for
an editor, so:

* Only *hard* signals, which a person does not type, mark a message that carries a document
  as noise: auto-reply headers, delivery/read reports and calendar invitations. Subject words,
  list headers and ``Precedence: bulk`` never do, because an article forwarded with "Fwd:" or
  relayed through a mailing list must not be lost.
* The short-question rule also stands aside when the message has any attachment (a scanned
  article may arrive as photos) or a link (an article may be shared on a drive).

Rules look at this message only, never inside messages it carries as ``message/rfc822``: a
forwarded bounce or invitation says nothing about the mail that forwards it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.errors import CharsetError, HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from dienhinh.core.mailwords import is_system_mailbox, signed_by_the_board
from dienhinh.core.text import collapse_ws, fold, has_diacritics, nfc, strip_diacritics
from dienhinh.core.types import MailHeaders

__all__ = [
    "RULES",
    "SHORT_BODY_LIMIT",
    "NoiseRule",
    "NoiseVerdict",
    "classify_noise",
    "is_auto_generated",
]

SHORT_BODY_LIMIT = 400
"""A body shorter than this (own text, whitespace collapsed) cannot hold an article."""

_SUBJECT_SHOWN = 80  # characters of a subject quoted in a reason


@dataclass(frozen=True)
class NoiseVerdict:
    """Why a message was judged to carry no article.

    ``reason`` is English prose for the editor; ``rule`` is the :attr:`NoiseRule.name` that
    fired, stable enough for statistics and tests.
    """

    reason: str
    rule: str

    @property
    def automatic(self) -> bool:
        """Written by a machine (auto-reply, delivery report, receipt, list mail): no
        person at the unit sent it, so it holds no article and needs no editor."""
        return any(r.automatic for r in RULES if r.name == self.rule)


@dataclass(frozen=True)
class _Facts:
    """What the rules look at, computed once per message."""

    msg: Message
    headers: MailHeaders
    subject: str  # NFC, decoded
    subject_key: str  # fold(subject) with reply/forward prefixes removed
    own_text: str  # body without quoted lines, quoted replies and signature; collapsed
    body_text: str  # the body as the extractors read it, lines kept
    content_types: tuple[str, ...]  # every part of this message, not of carried messages
    has_document: bool
    has_attachment: bool

    def header(self, name: str) -> str:
        return _header_str(self.msg, name)

    @functools.cached_property
    def plain_body(self) -> str:
        """The message's own text/plain part as sent (its table's tabs, a forward's header
        lines kept), else the body as the extractors read it; decoded once, for the rules
        that read it. Read as UTF-8 whatever its label says: the rules look at tabs,
        digits and addresses, the same bytes in every charset a body can be in, and a
        label may name a codec that is no text's ("punycode", "idna": tests/fuzz found
        them)."""
        for part in _own_parts(self.msg):
            if part.get_content_type() == "text/plain" and not _is_attachment(part):
                try:
                    payload = part.get_payload(decode=True)
                except (ValueError, LookupError):  # a broken transfer encoding
                    continue
                if isinstance(payload, bytes):
                    return payload.decode("utf-8", errors="replace")
        return self.body_text


@dataclass(frozen=True)
class NoiseRule:
    """One kind of noise.

    ``check`` returns the reason when the rule fires, else ``None``. ``hard`` rules fire even
    when the message carries a document; ``automatic`` rules are evidence that a machine or a
    list sent the message, which :func:`is_auto_generated` uses to withhold acknowledgements.
    """

    name: str
    description: str
    check: Callable[[_Facts], str | None]
    hard: bool
    automatic: bool


# --------------------------------------------------------------------------- helpers


def _header_str(msg: Message, name: str) -> str:
    """A header as text; encoded words decoded, missing or undecodable as ``""``."""
    value = msg.get(name)
    if value is None:
        return ""
    raw = str(value)
    try:
        return nfc(str(make_header(decode_header(raw))))
    # HeaderParseError (broken base64) and CharsetError (8-bit bytes in a charset name)
    # escaped too, stopping the whole message (found by tests/fuzz, regressions
    # noise-from-*.eml).
    except (UnicodeError, LookupError, ValueError, HeaderParseError, CharsetError):
        # An unknown charset or a broken encoded word: the raw text still has the ASCII
        # tokens (auto-replied, bulk, <list.id>) the rules need.
        return raw


def _token(value: str) -> str:
    """The keyword of a structured header value: ``"auto-replied; x=y"`` → ``"auto-replied"``."""
    return value.split(";", 1)[0].strip().lower()


def _shown(text: str) -> str:
    text = collapse_ws(text)
    return text if len(text) <= _SUBJECT_SHOWN else text[: _SUBJECT_SHOWN - 1] + "…"


def _own_parts(msg: Message) -> Iterator[Message]:
    """This message's MIME parts, without descending into carried messages (message/*)."""
    yield msg
    if msg.is_multipart() and msg.get_content_maintype() != "message":
        payload = msg.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _own_parts(sub)


def _is_attachment(part: Message) -> bool:
    """A leaf a person attached (a file, a photo, a forwarded message), not a body text."""
    if part.is_multipart() and part.get_content_maintype() != "message":
        return False
    if part.get_filename() or part.get_content_disposition() == "attachment":
        return True
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        return True
    return part.get_content_maintype() in {"image", "application", "audio", "video"}


# Reply and forward prefixes, folded: Re, Fw, Fwd, TL (trả lời), TR/CT (chuyển tiếp),
# and the German/Nordic ones some clients still send. "Re[2]:" and "Re (2):" included.
_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|tl|tr|ct|aw|sv|vs|wg)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+")


def _subject_key(subject: str) -> str:
    return _PREFIX.sub("", fold(subject))


# Where quoted earlier mail begins, on a folded line: Outlook's "-----Original Message-----",
# Zimbra's "----- Tin nhắn gốc -----", "-----Thư gốc-----", Gmail's "On … wrote:" and
# "Vào … đã viết:".
_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:original message|tin nhan goc|thu goc)\s*-{2,}"
    r"|(?:on|vao)\b.{0,200}\b(?:wrote|da viet)\s*:)\s*$"
)
# Outlook's header block: "From: …" followed by "Sent: …" (or "Từ: …" / "Đã gửi: …").
_OUTLOOK_FROM = re.compile(r"^(?:from|tu)\s*:")
_OUTLOOK_SENT = re.compile(r"^(?:sent|da gui|date|ngay)\s*:")


def _own_text(body_text: str) -> str:
    """The sender's own words: quoted lines, quoted replies and the signature removed.

    Forwarded content ("---------- Forwarded message ---------") is kept: an article
    forwarded in the body is the sender's content, not a quotation.
    """
    lines = body_text.splitlines()
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped in {"--", "-- "} or line == "-- ":
            break  # RFC 3676 signature delimiter
        key = fold(stripped)
        if _QUOTE_START.match(key):
            break
        if (
            _OUTLOOK_FROM.match(key)
            and i + 1 < len(lines)
            and _OUTLOOK_SENT.match(fold(lines[i + 1].strip()))
        ):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    return collapse_ws(nfc("\n".join(kept)))


def _facts(msg: Message, headers: MailHeaders, body_text: str, *, has_document: bool) -> _Facts:
    subject = nfc(headers.subject) if headers.subject else _header_str(msg, "Subject")
    parts = tuple(_own_parts(msg))
    return _Facts(
        msg=msg,
        headers=headers,
        subject=subject,
        subject_key=_subject_key(subject),
        own_text=_own_text(body_text),
        body_text=body_text,
        content_types=tuple(p.get_content_type() for p in parts),
        has_document=has_document,
        has_attachment=any(_is_attachment(p) for p in parts[1:]) or _is_attachment(msg),
    )


# --------------------------------------------------------------------------- rules


def _report_type(f: _Facts) -> str:
    if f.msg.get_content_type() != "multipart/report":
        return ""
    value = f.msg.get_param("report-type")
    return str(value).strip().lower() if isinstance(value, str) else "unknown"


def _delivery_report(f: _Facts) -> str | None:
    report_type = _report_type(f)
    if report_type and report_type != "disposition-notification":
        return f"delivery status notification (multipart/report; report-type={report_type})"
    if "message/delivery-status" in f.content_types:
        return "delivery status notification (message/delivery-status part)"
    return None


_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|mail delivery failed|delivery failure"
    r"|delivery has failed|returned mail|khong gui duoc thu|khong the gui thu"
)


def _sender_local(f: _Facts) -> str:
    addr = f.headers.from_addr or parseaddr(f.header("From"))[1]
    return addr.partition("@")[0].strip().lower()


def _bounce_sender(f: _Facts) -> str | None:
    if _sender_local(f) not in _BOUNCE_SENDERS:
        return None
    if not _BOUNCE_SUBJECT.search(fold(f.subject)):
        return None
    sender = f.headers.from_addr or parseaddr(f.header("From"))[1]
    return f"delivery status notification (From: {sender}; subject “{_shown(f.subject)}”)"


def _receipt_report(f: _Facts) -> str | None:
    if _report_type(f) == "disposition-notification":
        return "read receipt (multipart/report; report-type=disposition-notification)"
    if "message/disposition-notification" in f.content_types:
        return "read receipt (message/disposition-notification part)"
    return None


def _auto_submitted_value(f: _Facts) -> str:
    return _token(f.headers.auto_submitted or f.header("Auto-Submitted"))


def _auto_submitted(f: _Facts) -> str | None:
    value = _auto_submitted_value(f)
    if value in {"", "no"}:
        return None
    if value.startswith("auto-forwarded"):
        # A unit's mailbox set to forward everything here still delivers its articles;
        # RFC 5230 forwards may say so. Not noise (but never acknowledged: see
        # is_auto_generated).
        return None
    if value == "auto-replied":
        return "auto-reply (Auto-Submitted: auto-replied)"
    return f"automatically generated message (Auto-Submitted: {value})"


_AUTO_REPLY_SUBJECT = re.compile(
    r"^(?:tra loi tu dong|tu dong tra loi|out of (?:the )?office|automatic reply"
    r"|auto[- ]?reply|autoreply|auto\s*:|vang mat\s*(?::|-|$))"
)


def _auto_reply_subject(f: _Facts) -> bool:
    return bool(_AUTO_REPLY_SUBJECT.match(f.subject_key))


def _autoreply_headers(f: _Facts) -> str | None:
    x_autoreply = _token(f.header("X-Autoreply"))
    if x_autoreply and x_autoreply != "no":
        return f"auto-reply (X-Autoreply: {x_autoreply})"
    if f.msg.get("X-Autorespond") is not None:
        return "auto-reply (X-Autorespond header)"
    # Outlook sets X-Auto-Response-Suppress on ordinary mail too, so it counts only with
    # an auto-reply subject.
    suppress = f.header("X-Auto-Response-Suppress")
    if suppress and _auto_reply_subject(f):
        return (
            f"auto-reply (X-Auto-Response-Suppress: {collapse_ws(suppress)}; "
            f"subject “{_shown(f.subject)}”)"
        )
    return None


def _precedence_value(f: _Facts) -> str:
    return _token(f.headers.precedence or f.header("Precedence"))


def _precedence_auto_reply(f: _Facts) -> str | None:
    if _precedence_value(f) in {"auto_reply", "auto-reply"}:
        return f"auto-reply (Precedence: {_precedence_value(f)})"
    return None


def _auto_reply_subject_rule(f: _Facts) -> str | None:
    if _auto_reply_subject(f):
        return f"auto-reply (subject “{_shown(f.subject)}”)"
    return None


def _calendar(f: _Facts) -> str | None:
    for ctype in ("text/calendar", "application/ics"):
        if ctype in f.content_types:
            return f"meeting invitation ({ctype})"
    return None


_RECEIPT_SUBJECT = re.compile(r"^(?:read|not read|da doc|chua doc)\s*:|^(?:read|return) receipt\b")


def _receipt_subject(f: _Facts) -> str | None:
    if f.has_attachment:
        return None
    # Matched on the bare folded subject: "Read:" is itself the prefix, never after "Re:".
    if _RECEIPT_SUBJECT.match(fold(f.subject)):
        return f"read receipt (subject “{_shown(f.subject)}”)"
    return None


def _list_headers(f: _Facts) -> str | None:
    list_id = f.headers.list_id or f.header("List-Id")
    if list_id:
        return f"mailing list (List-Id: {_shown(list_id)})"
    unsubscribe = f.header("List-Unsubscribe")
    if unsubscribe:
        return f"mailing list (List-Unsubscribe: {_shown(unsubscribe)})"
    return None


_BULK = {"bulk": "bulk mail", "junk": "junk mail", "list": "mailing list"}


def _precedence_bulk(f: _Facts) -> str | None:
    value = _precedence_value(f)
    if value in _BULK:
        return f"{_BULK[value]} (Precedence: {value})"
    return None


_INVITATION_PREFIX = re.compile(
    r"^(?:updated invitation|invitation|loi moi|loi moi da cap nhat|cap nhat loi moi)\b[^:]{0,30}:"
)


def _invitation_subject(f: _Facts) -> str | None:
    key = f.subject_key
    exact = nfc(f.subject).casefold()
    found = (
        bool(_INVITATION_PREFIX.match(key))
        or re.search(r"\bgiay moi\b", key) is not None
        # "lịch họp" folds to the same key as "lịch hợp (tác)": match with diacritics
        # unless the sender typed none at all.
        or (
            re.search(r"\blịch họp\b", exact) is not None
            if has_diacritics(f.subject)
            else re.search(r"\blich hop\b", key) is not None
        )
    )
    if found:
        return f"meeting invitation (subject “{_shown(f.subject)}”)"
    return None


_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ADDRESS = re.compile(r"\S+@\S+\.\S+")
# Folded cues, with the form shown to the editor.
_QUESTION_CUES: tuple[tuple[str, str], ...] = (
    ("cho em hoi", "cho em hỏi"),
    ("cho toi hoi", "cho tôi hỏi"),
    ("xin hoi", "xin hỏi"),
    ("han nop", "hạn nộp"),
    ("da nhan duoc chua", "đã nhận được chưa"),
    ("xac nhan", "xác nhận"),
)


def _question_cue(text: str) -> str | None:
    key = fold(text)
    for cue, shown in _QUESTION_CUES:
        if re.search(rf"\b{cue}\b", key):
            return f"“{shown}”"
    # A bare "hoi" folds "hỏi" (ask) together with "hội" (association), which opens many
    # cover notes ("Hội Nông dân gửi ..."); match the accented word unless the sender
    # typed no diacritics at all.
    if has_diacritics(text):
        if re.search(r"\bhỏi\b", nfc(text).casefold()):
            return "“hỏi”"
    elif re.search(r"\bhoi\b", key):
        return "“hỏi”"
    if "?" in text:
        return "question mark"
    return None


def _short_question(f: _Facts) -> str | None:
    text = f.own_text
    if not text or len(text) >= SHORT_BODY_LIMIT:
        return None
    if f.has_attachment or _LINK.search(text):
        # Photos may be a scanned article and a link may point to one: let an editor see it.
        return None
    cue = _question_cue(_ADDRESS.sub(" ", text))
    if cue is None:
        return None
    return f"short question without an article ({len(text)} characters; {cue})"


# A letter of questions: longer than a short question, but most of what it says is asked.
QUESTION_LETTER_LIMIT = 2000
QUESTION_LETTER_MIN = 3


def _question_letter(f: _Facts) -> str | None:
    """A body of several questions and little else ("1. Bài viết có cần theo mẫu không ạ?
    2. ... 4. Hạn cuối gửi bài quý I là ngày nào ạ?"), with no document, attachment or
    link. An article asks a rhetorical question now and then, never mostly questions."""
    text = f.own_text
    if not text or len(text) < SHORT_BODY_LIMIT or len(text) >= QUESTION_LETTER_LIMIT:
        return None
    if f.has_attachment or _LINK.search(text):
        return None
    asked = text.count("?")
    if asked < QUESTION_LETTER_MIN:
        return None
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 3]
    # Asked of the Board: half the sentences are questions, or two or more end with the
    # polite "ạ?" a unit's officer puts to the Board (an article's rhetorical questions
    # are a few among many sentences, and never "ạ?").
    polite = len(re.findall(r"ạ\s*\?", nfc(text)))
    if asked * 2 < len(sentences) and polite < 2:
        return None
    return f"questions without an article ({asked} questions in {len(text)} characters)"


# "Bài viết quý III Sở sẽ gửi sau", "em sẽ gửi bài sau ạ": the sender says the article
# is still to come. Folded; "bài" a few words before "gửi sau", in the same clause (not
# "gửi bài tháng 5 ạ, ảnh em sẽ gửi sau": the photos are what comes later).
_ARTICLE_LATER = re.compile(
    r"\bbai(?: viet)?\b(?:\s+[^\s,.;:!?]+){0,8}?\s+(?:se\s+)?(?:gui|nop)(?:\s+bo\s+sung)?"
    r"\s+sau\b"
    r"|\bse\s+(?:gui|nop)\s+bai(?: viet)?\b(?:\s+[^\s,.;:!?]+){0,4}?\s+sau\b"
)


def _article_later(f: _Facts) -> str | None:
    """A notice or report in the body, no document nor attachment, whose sender says the
    article will be sent later ("Bài viết quý III/2020 Sở sẽ gửi sau"): nothing here to
    publish yet. Only a body of a letter's length (an article is longer)."""
    text = f.own_text
    if not text or len(text) >= QUESTION_LETTER_LIMIT or f.has_attachment:
        return None
    key = fold(text)
    m = _ARTICLE_LATER.search(key)
    if m is None:
        return None
    # The sender's own words when folding kept the offsets (it does for NFC text).
    said = text[m.start() : m.end()] if len(key) == len(text) else m.group(0)
    return f"notice without an article (the article is to come: “{_shown(said)}”)"


# A letter asking the Board for something (an answer, a favour) and sending nothing: "Tôi
# muốn hỏi Ban mấy việc ...", "Em chưa rõ bài viết làm theo mẫu nào ạ", "Em xin phép Ban cho
# Đài mượn file video". Written with diacritics (folded, "hỏi" would be "hội", an
# association); the folded form is for a sender who typed none.
_ASKS_MARKED = (
    r"\b(?:muốn hỏi|xin hỏi|hỏi ý kiến|cho (?:em|tôi|chúng tôi|mình) (?:được |xin )?hỏi"
    r"|xin phép|xin mượn|muốn mượn|chưa rõ|nhờ ban|ban cho xin|xin ban gửi"
    r"|(?:mong|đề nghị|kính đề nghị|xin) ban (?:sớm )?(?:trả lời|hướng dẫn|cho biết|giải đáp"
    r"|giúp|xem xét cho)"
    r"|ban (?:trả lời|hướng dẫn|cho biết|giải đáp) (?:giúp|sớm|cho))\b"
)
_ASKS = re.compile(_ASKS_MARKED)
_ASKS_FOLDED = re.compile(strip_diacritics(_ASKS_MARKED))
# The letter sends or publishes something after all (a cover note). Matched with
# diacritics too: folded, "dạng bài" (a kind of piece) is "đăng bài" (publish a piece).
_SENDS_MARKED = (
    r"\b(?:xin gửi|trân trọng gửi|(?:em|tôi|chúng tôi|mình) gửi|đính kèm"
    r"|gửi kèm theo (?:thư|email|mail)|(?:nhờ|đề nghị|mong) ban (?:đăng|đưa|xem xét đăng)"
    r"|đăng tải giúp|gửi (?:lại |bổ sung |đến |về |tới |lên )?(?:ban |quý ban )?(?:bài|tin bài"
    r"|file bài))\b"
)
_SENDS = re.compile(_SENDS_MARKED)
_SENDS_FOLDED = re.compile(strip_diacritics(_SENDS_MARKED))
_TO_THE_BOARD = re.compile(r"\b(?:kinh gui|chao ban|thua ban|gui ban)\b")
REQUEST_LETTER_LIMIT = 1500


def _request_letter(f: _Facts) -> str | None:
    """A short letter to the Board that asks it something or asks a favour, and sends
    nothing: no document, attachment or link, no words sending or publishing a piece. A
    pasted article is longer, or comes under a note that sends it."""
    text = f.own_text
    if not text or len(text) >= REQUEST_LETTER_LIMIT or f.has_attachment or _LINK.search(text):
        return None
    key = fold(text)
    if not _TO_THE_BOARD.search(key[:200]):
        return None
    marked = has_diacritics(text)
    said_in = nfc(text).casefold() if marked else key
    if (_SENDS if marked else _SENDS_FOLDED).search(said_in):
        return None
    m = (_ASKS if marked else _ASKS_FOLDED).search(said_in)
    if m is None:
        return None
    said = m.group(0)
    return f"request without an article (a letter asking the Board: “{_shown(said)}”)"


_UNDISCLOSED = re.compile(r"undisclosed[- ]recipients", re.IGNORECASE)


def _mass_mailing(f: _Facts) -> str | None:
    """Sent to undisclosed recipients (everyone blind-copied: a bulletin, a schedule, an
    announcement mailed to many offices) with nothing attached, or only pictures under a
    bulletin's subject ("[Bản tin XTDL] Tháng 10/2020": its logo, its photos). A unit
    sends its article to the Board, not to a hidden list."""
    to = f.header("To")
    if not _UNDISCLOSED.search(to):
        return None
    if f.has_attachment and not (
        _CIRCULAR_SUBJECT.match(f.subject_key) and _only_pictures_attached(f)
    ):
        return None
    return f"mass mailing without an article (To: {_shown(to)})"


def _only_pictures_attached(f: _Facts) -> bool:
    parts = [p for p in _own_parts(f.msg) if _is_attachment(p)]
    return all(p.get_content_maintype() == "image" for p in parts)


# A table of figures pasted as the body ("TT | Huyện | KH 2019 (km) | Đã thực hiện"):
# rows of cells (tabs or bars) holding numbers. A piece has prose; a report of progress
# for the scoring has a sentence or two and its table.
_TABLE_ROW = re.compile(r"\S[^\t|]*(?:[\t|][^\t|]*){2,}")
FIGURES_MIN_ROWS = 4
FIGURES_MAX_PROSE_WORDS = 120


def _figures_table(f: _Facts) -> str | None:
    """A body that is mostly a table of figures (four rows or more of three cells, most
    holding digits) with little prose around it, nothing attached: a progress or tally
    report for the scoring, not an exemplar."""
    if f.has_attachment:
        return None
    rows = prose = 0
    for line in f.plain_body.splitlines():
        line = line.strip()
        if not line:
            continue
        if _TABLE_ROW.fullmatch(line) and sum(c.isdigit() for c in line) >= 2:
            rows += 1
        else:
            prose += len(line.split())
    if rows < FIGURES_MIN_ROWS or prose > FIGURES_MAX_PROSE_WORDS:
        return None
    return f"a table of figures without an article ({rows} rows, {prose} words of text)"


# A forwarded message a machine wrote: the forward says From: a system's mailbox (a
# booking's confirmation, a quota warning, a password reset).
_FORWARDED_FROM = re.compile(r"\b(?:from|tu)\s*:[^@:]{0,120}?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
FORWARDED_NOTICE_LIMIT = 4000


def _forwarded_notice(f: _Facts) -> str | None:
    """A message a machine wrote (a booking's confirmation, a mailbox warning) forwarded
    with a line or two, nothing attached: the forwarded sender is a system's mailbox. A
    unit's piece is forwarded from a person."""
    if f.has_attachment or len(body := f.plain_body) > FORWARDED_NOTICE_LIMIT:
        return None
    system = next(
        (m[1] for m in _FORWARDED_FROM.finditer(fold(body)) if is_system_mailbox(m[1])), None
    )
    if system is None:
        return None
    if _prose_words(body) >= NOTICE_MAX_PROSE_WORDS:
        # A newspaper's "send this article to a friend" mail (noreply@...) forwarded on:
        # the machine wrote the envelope, the article is in it.
        return None
    return f"a forwarded automatic message without an article (from “{_shown(system)}”)"


# Paragraphs of this many words are prose (an article's), not a notice's lines; this many
# words of them make an article's body.
PROSE_LINE_WORDS = 25
NOTICE_MAX_PROSE_WORDS = 150


def _prose_words(text: str) -> int:
    """The words of ``text``'s long lines (paragraphs of prose)."""
    counts = (len(line.split()) for line in text.splitlines())
    return sum(n for n in counts if n >= PROSE_LINE_WORDS)


# A bulletin or notice mailed to several offices at once: its subject names it ("[Bản tin
# Hội LHPN tỉnh] Số 10/2019", "Thông báo ...", "Lịch công tác ...") or its opening says
# whom it goes to ("gửi các cơ quan, đơn vị"). Folded.
_CIRCULAR_SUBJECT = re.compile(
    r"^(?:\[[^\]]{0,40}\]\s*)?\[?\s*(?:ban tin|thong bao|thong tin|lich cong tac"
    r"|e-?newsletter|newsletter)\b"
)
_TO_OFFICES = re.compile(r"\bgui (?:toi |den )?cac (?:co quan|don vi|so|ban|nganh)\b")
CIRCULAR_RECIPIENTS = 3


def _recipients(f: _Facts) -> int:
    values = [f.header("To"), f.header("Cc")]
    return len({a.lower() for _n, a in getaddresses([v for v in values if v]) if "@" in a})


def _circular(f: _Facts) -> str | None:
    """A bulletin or notice addressed to several offices (three or more recipients), with
    nothing attached, whose subject or opening says so. A unit's piece goes to the Board
    (a colleague or two copied), under its own subject."""
    if f.has_attachment or _recipients(f) < CIRCULAR_RECIPIENTS:
        return None
    if not (_CIRCULAR_SUBJECT.match(f.subject_key) or _TO_OFFICES.search(fold(f.own_text[:400]))):
        return None
    return f"circular to several offices without an article (“{_shown(f.subject)}”)"


BOARD_NOTE_LIMIT = 2500  # a unit's piece pasted or forwarded in the body is longer


def _board_internal(f: _Facts) -> str | None:
    """Mail the Board's own staff send its mailbox (a tally of submissions, a notice or a
    reminder passed on for the record): signed as the Board, short, with nothing attached
    and no link. A piece a staff member forwards from a unit comes attached, linked, or
    pasted at its length."""
    body = f.body_text
    if f.has_attachment or len(body) >= BOARD_NOTE_LIMIT or _LINK.search(body):
        return None
    for line in body.splitlines():
        if signed_by_the_board(line):
            return f"the Board's internal mail (signed “{_shown(line.strip())}”), nothing attached"
    return None


RULES: tuple[NoiseRule, ...] = (
    # Reports first: a bounce often also says Auto-Submitted, and "delivery status
    # notification" tells the editor more than "auto-generated".
    NoiseRule("delivery-report", "multipart/report or message/delivery-status part",
              _delivery_report, hard=True, automatic=True),
    NoiseRule("bounce-sender", "From MAILER-DAEMON/postmaster with a delivery-failure subject",
              _bounce_sender, hard=True, automatic=True),
    NoiseRule("read-receipt-report", "multipart/report; report-type=disposition-notification",
              _receipt_report, hard=True, automatic=True),
    NoiseRule("auto-submitted", "Auto-Submitted other than no (RFC 3834)",
              _auto_submitted, hard=True, automatic=True),
    NoiseRule("autoreply-header", "X-Autoreply, X-Autorespond, or X-Auto-Response-Suppress "
              "with an auto-reply subject", _autoreply_headers, hard=True, automatic=True),
    NoiseRule("precedence-auto-reply", "Precedence: auto_reply",
              _precedence_auto_reply, hard=True, automatic=True),
    NoiseRule("calendar", "text/calendar or application/ics part",
              _calendar, hard=True, automatic=False),
    NoiseRule("auto-reply-subject", "auto-reply subject in Vietnamese or English",
              _auto_reply_subject_rule, hard=False, automatic=True),
    NoiseRule("read-receipt-subject", "Read:/Đã đọc: subject without attachments",
              _receipt_subject, hard=False, automatic=True),
    NoiseRule("mailing-list", "List-Id or List-Unsubscribe without a document",
              _list_headers, hard=False, automatic=True),
    NoiseRule("precedence-bulk", "Precedence: bulk, junk or list without a document",
              _precedence_bulk, hard=False, automatic=True),
    NoiseRule("invitation-subject", "Giấy mời/Lịch họp/Invitation: subject without a document",
              _invitation_subject, hard=False, automatic=False),
    # What the mail is, said by its shape, before what its few own words ask.
    NoiseRule("figures-table", "a body that is mostly a table of figures, little prose, "
              "nothing attached", _figures_table, hard=False, automatic=False),
    NoiseRule("forwarded-notice", "a forwarded message from a system's mailbox (no-reply, "
              "reservation, notification ...), nothing attached", _forwarded_notice,
              hard=False, automatic=False),
    NoiseRule("short-question", "short question or notice without a document, attachment "
              "or link", _short_question, hard=False, automatic=False),
    NoiseRule("question-letter", "a letter of three or more questions (half its sentences, "
              "or two put politely to the Board) without a document, attachment or link",
              _question_letter,
              hard=False, automatic=False),
    NoiseRule("article-later", "a notice or report saying the article will be sent later, "
              "without a document or attachment", _article_later, hard=False, automatic=False),
    NoiseRule("request-letter", "a short letter asking the Board something, sending nothing, "
              "without a document, attachment or link", _request_letter,
              hard=False, automatic=False),
    NoiseRule("mass-mailing", "To: undisclosed recipients (everyone blind-copied) without an "
              "attachment", _mass_mailing, hard=False, automatic=False),
    NoiseRule("board-internal", "short mail signed by the Board's own staff, nothing "
              "attached or linked", _board_internal, hard=False, automatic=False),
    NoiseRule("circular", "a bulletin or notice to three or more offices (its subject or "
              "opening says so), nothing attached", _circular, hard=False, automatic=False),
)  # fmt: skip


# --------------------------------------------------------------------------- public API


def classify_noise(
    msg: Message, headers: MailHeaders, body_text: str, *, has_document: bool
) -> NoiseVerdict | None:
    """The first rule of :data:`RULES` that fires, or ``None`` if the mail may hold an article.

    ``msg`` is the parsed message (compat32 is fine), ``body_text`` the body as the extractors
    read it, and ``has_document`` whether a document attachment (docx, pdf, ...) was found.
    """
    facts = _facts(msg, headers, body_text, has_document=has_document)
    for rule in RULES:
        if has_document and not rule.hard:
            continue
        reason = rule.check(facts)
        if reason is not None:
            return NoiseVerdict(reason=reason, rule=rule.name)
    return None


def is_auto_generated(headers: MailHeaders, msg: Message) -> bool:
    """True for mail that must never get an acknowledgement.

    Auto-replies, bounces, receipts and list mail, whether or not they carry a document:
    answering a list would write to every subscriber, answering an auto-reply can loop.
    Following RFC 3834, any Auto-Submitted other than ``no`` (``auto-forwarded`` included)
    and a null return path (``Return-Path: <>``) count too.
    """
    facts = _facts(msg, headers, "", has_document=False)
    if _auto_submitted_value(facts) not in {"", "no"}:
        return True
    return_path = facts.header("Return-Path").strip()
    if return_path == "<>":
        return True
    if _sender_local(facts) in _BOUNCE_SENDERS:
        return True
    return any(rule.automatic and rule.check(facts) is not None for rule in RULES)
