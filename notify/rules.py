"""Who must never get an acknowledgement, and why.

An automatic answer to the wrong message does harm: answering an auto-reply can start a
loop that fills both mailboxes, answering a list writes to every subscriber, answering a
bounce or a forged sender is backscatter. The rules run on what ingest stored for the
message (``Message.headers_text``, the decoded From, the SPF/DKIM verdict), and reuse
``core.noise.is_auto_generated``, the same judgement ingest makes, so both sides agree on
what "automatic" means. The first rule that fires gives the reason recorded in the
``skipped`` row.
"""

from __future__ import annotations

import re
from email.message import Message as MimeMessage
from email.parser import HeaderParser
from email.policy import compat32

from dienhinh.core.mailwords import is_system_mailbox
from dienhinh.core.noise import classify_noise, is_auto_generated
from dienhinh.core.text import fold
from dienhinh.core.types import MailHeaders
from dienhinh.notify.config import NotifyConfig
from dienhinh.store.models import Message

__all__ = ["ack_refusal", "auto_reason", "is_no_reply", "parse_stored_headers"]

_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")

# Local parts of addresses nobody reads (folded, separators removed before matching).
# Auto-reply subjects core.noise does not know ("Vacation", "Nghỉ phép", "Vắng mặt"):
# harmless to match widely here, because a false match only withholds a receipt.
_AUTO_SUBJECT = re.compile(
    r"^(?:re\s*:\s*)*(?:vacation|away from (?:the )?office|out of (?:the )?office|auto(?:matic)?"
    r"[- ]?(?:reply|response)|autoreply|tu dong tra loi|tra loi tu dong|thu tu dong"
    r"|nghi phep|vang mat|dang nghi)\b"
)


def parse_stored_headers(headers_text: str) -> MimeMessage:
    """The stored header block as a message object (headers only; the body is not needed
    by the rules and may be megabytes)."""
    return HeaderParser(policy=compat32).parsestr(headers_text or "", headersonly=True)


def is_no_reply(address: str) -> bool:
    """A system's mailbox (core.mailwords): never answered."""
    return is_system_mailbox(address)


def _headers_of(row: Message, mime: MimeMessage) -> MailHeaders:
    def h(name: str) -> str:
        return str(mime.get(name) or "").strip()

    return MailHeaders(
        message_id=row.message_id,
        message_id_generated=row.message_id_generated,
        from_addr=row.from_addr or "",
        from_name=row.from_name or "",
        subject=row.subject or "",
        date=row.date_header,
        auto_submitted=h("Auto-Submitted"),
        precedence=h("Precedence").lower(),
        list_id=h("List-Id"),
        raw_headers=row.headers_text or "",
    )


def auto_reason(row: Message) -> str | None:
    """Why this stored message is machine or list mail (``None``: a person sent it)."""
    mime = parse_stored_headers(row.headers_text)
    headers = _headers_of(row, mime)
    if is_auto_generated(headers, mime):
        verdict = classify_noise(mime, headers, "", has_document=False)
        if verdict is not None:
            return str(verdict.reason)
        auto = str(mime.get("Auto-Submitted") or "").strip()
        if auto and auto.lower() != "no":
            return f"automatic mail (Auto-Submitted: {auto})"
        return "bounce or automatic mail (null Return-Path or MAILER-DAEMON/postmaster sender)"
    if "Return-Path" in mime and str(mime["Return-Path"]).strip() in ("", "<>"):
        return "bounce (empty Return-Path)"
    if mime.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    if _AUTO_SUBJECT.match(fold(row.subject or "")):
        return f"auto-reply subject ({row.subject[:80]!r})"
    return None


def ack_refusal(row: Message, cfg: NotifyConfig) -> str | None:
    """The reason not to acknowledge ``row``, or ``None`` if its sender may get one."""
    sender = (row.from_addr or "").strip().lower()
    if not sender or not _ADDRESS.fullmatch(sender):
        return f"no usable sender address ({sender!r})"
    if cfg.is_own(sender):
        return "sent from the Board's own address (loop prevention)"
    if is_no_reply(sender):
        return f"no-reply or system address ({sender})"
    if row.sender_verified is False:
        return "sender failed SPF/DKIM/DMARC (possibly forged): not acknowledged"
    reason = auto_reason(row)
    if reason is not None:
        return reason
    if cfg.ack.require_unit and not row.unit:
        return "sender not attributed to a unit (notify.ack.require_unit)"
    return None
