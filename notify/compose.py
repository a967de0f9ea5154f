"""The mails themselves: Vietnamese text, UTF-8, proper MIME headers.

Every mail carries what keeps other robots quiet (RFC 3834 and Microsoft's extension):
``Auto-Submitted`` (``auto-replied`` for an acknowledgement, ``auto-generated`` for the
rest) so a well-behaved responder never answers it, ``X-Auto-Response-Suppress: All`` so
Exchange sends no out-of-office reply, and a Message-ID in the Board's own domain. An
acknowledgement also names the original in ``In-Reply-To``/``References`` so it threads
under the unit's own mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from dienhinh.notify.config import NotifyConfig

__all__ = [
    "DigestData",
    "PendingItem",
    "ack_mail",
    "alert_mail",
    "digest_mail",
    "local_text",
    "reminder_mail",
]

# Replies are welcome (they reach the Board's mailbox, where ingest reads them), so the
# footer only says the mail was automatic.
_FOOTER = (
    "\n\n--\n{name}\n{address}\n"
    "(Thư gửi tự động từ hệ thống tiếp nhận bài viết gương điển hình tiên tiến.)"
)
_SUBJECT_MAX = 160


def local_text(dt: datetime, cfg: NotifyConfig) -> str:
    """ "14:05 ngày 22/03/2018", in the province's time."""
    local = dt.astimezone(cfg.tz)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _short(text: str, limit: int = _SUBJECT_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _base(
    cfg: NotifyConfig,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    now: datetime,
    kind: str,
    auto: str = "auto-generated",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((cfg.from_name, cfg.from_address))
    msg["To"] = ", ".join(to)
    msg["Subject"] = _short(subject)
    msg["Date"] = format_datetime(now.astimezone(cfg.tz))
    # Short enough to stay on one line (make_msgid's form folds): random, kind, our domain.
    msg["Message-ID"] = f"<{uuid.uuid4().hex}.dienhinh-{kind}@{cfg.domain}>"
    msg["Auto-Submitted"] = auto
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Dienhinh-Notification"] = kind
    msg["Content-Language"] = "vi"
    footer = _FOOTER.format(name=cfg.from_name, address=cfg.from_address)
    msg.set_content(body + footer, charset="utf-8", cte="quoted-printable")
    return msg


def ack_mail(
    cfg: NotifyConfig,
    *,
    to: str,
    greeting: str,
    subject: str,
    received_at: datetime,
    titles: Sequence[str],
    message_id: str,
    message_id_generated: bool,
    references: Sequence[str],
    now: datetime,
) -> EmailMessage:
    """ "Ban Thi đua - Khen thưởng đã nhận bài ..." to the sender of one message."""
    shown = _short(subject, 120) if subject else "(không có tiêu đề)"
    lines = [f"Kính gửi {greeting},", ""]
    lines.append(
        f"Ban Thi đua - Khen thưởng đã nhận được thư của đơn vị gửi lúc "
        f"{local_text(received_at, cfg)}, tiêu đề “{shown}”, gồm "
        + (f"{len(titles)} bài viết:" if len(titles) > 1 else "bài viết:")
    )
    for i, title in enumerate(titles, 1):
        lines.append(f"  {i}. {title}")
    lines += [
        "",
        "Bài viết sẽ được biên tập viên xem xét trước khi đăng tải. "
        "Nếu cần bổ sung hoặc sửa bài, đơn vị vui lòng gửi lại bản sửa (ghi rõ “bản sửa”) "
        f"về địa chỉ {cfg.from_address}.",
        "",
        "Trân trọng cảm ơn đơn vị.",
    ]
    msg = _base(
        cfg,
        to=[to],
        subject=f"Ban Thi đua - Khen thưởng đã nhận bài: {shown}"
        if subject
        else "Ban Thi đua - Khen thưởng đã nhận bài của đơn vị",
        body="\n".join(lines),
        now=now,
        kind="ack",
        auto="auto-replied",
    )
    if not message_id_generated:
        # A generated id names nothing the sender's client knows: no threading then.
        msg["In-Reply-To"] = f"<{message_id}>"
        refs = [*[r for r in references if r != message_id][-10:], message_id]
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    return msg


def reminder_mail(
    cfg: NotifyConfig,
    *,
    to: Sequence[str],
    unit_name: str,
    period_label: str,
    last_day: datetime,
    now: datetime,
) -> EmailMessage:
    """A reminder to a unit that has sent nothing in the period about to end."""
    body = "\n".join(
        [
            f"Kính gửi {unit_name},",
            "",
            "Theo Kế hoạch tuyên truyền các phong trào thi đua yêu nước, mỗi kỳ đơn vị gửi "
            "ít nhất một bài viết về gương điển hình tiên tiến.",
            f"Đến {local_text(now, cfg)}, Ban Thi đua - Khen thưởng chưa nhận được bài viết "
            f"nào của đơn vị trong kỳ {period_label.lower()} (kỳ này kết thúc ngày "
            f"{last_day.astimezone(cfg.tz):%d/%m/%Y}).",
            "",
            f"Đề nghị đơn vị gửi bài (tệp .docx, .pdf hoặc nội dung trong thư) về địa chỉ "
            f"{cfg.from_address} trước ngày {last_day.astimezone(cfg.tz):%d/%m/%Y}.",
            "Nếu đơn vị đã gửi bài, xin vui lòng trả lời thư này để Ban kiểm tra lại.",
            "",
            "Trân trọng.",
        ]
    )
    return _base(
        cfg,
        to=to,
        subject=f"Nhắc gửi bài gương điển hình tiên tiến {period_label.lower()} – {unit_name}",
        body=body,
        now=now,
        kind="reminder",
    )


@dataclass(frozen=True)
class PendingItem:
    title: str
    unit: str  # the unit's name (or "chưa rõ đơn vị")
    note: str = ""  # why it is flagged, or the error


@dataclass(frozen=True)
class DigestData:
    """What the editors' digest says; empty lists are left out of the mail."""

    article_counts: dict[str, int]  # state label -> count
    new_today: int
    flagged: list[PendingItem]
    failed: list[PendingItem]
    newest: list[PendingItem]
    pending_total: int
    flagged_total: int
    failed_total: int

    @property
    def empty(self) -> bool:
        return not (self.pending_total or self.flagged_total or self.failed_total)


def _items(items: Sequence[PendingItem], total: int) -> list[str]:
    lines = [f"  - {it.title} ({it.unit})" + (f": {it.note}" if it.note else "") for it in items]
    if total > len(items):
        lines.append(f"  ... và {total - len(items)} mục khác")
    return lines


def digest_mail(
    cfg: NotifyConfig, *, to: Sequence[str], day: str, data: DigestData, now: datetime
) -> EmailMessage:
    """The editors' daily digest."""
    lines = ["Kính gửi các biên tập viên,", "", f"Tình hình bài viết đến {local_text(now, cfg)}:"]
    lines += [f"  - {label}: {n}" for label, n in data.article_counts.items()]
    lines.append(f"  - Bài mới nhận trong 24 giờ qua: {data.new_today}")
    if data.flagged:
        lines += ["", f"Bài cần kiểm tra kỹ (bị gắn cờ): {data.flagged_total}"]
        lines += _items(data.flagged, data.flagged_total)
    if data.failed:
        lines += ["", f"Thư hoặc bài xử lý lỗi: {data.failed_total}"]
        lines += _items(data.failed, data.failed_total)
    if data.newest:
        lines += ["", f"Bài chờ duyệt mới nhất (tổng số {data.pending_total}):"]
        lines += _items(data.newest, data.pending_total)
    if cfg.console_url:
        lines += ["", f"Duyệt bài tại: {cfg.console_url}"]
    return _base(
        cfg,
        to=to,
        subject=f"Bản tin ngày {day}: {data.pending_total} bài chờ duyệt, "
        f"{data.flagged_total} bài gắn cờ, {data.failed_total} lỗi",
        body="\n".join(lines),
        now=now,
        kind="digest",
    )


def alert_mail(
    cfg: NotifyConfig, *, to: Sequence[str], subject: str, body: str, now: datetime
) -> EmailMessage:
    """An operational alert to the admins (the worker's words)."""
    return _base(cfg, to=to, subject=f"[dienhinh] {subject}", body=body, now=now, kind="alert")
