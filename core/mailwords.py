"""What a subject or a quoted block says about the mail: forwarded, a reply, the Board's
own reminder. Plain text rules over folded text, shared by ingest (``ingest/forward.py``
splits inline forwards) and the unit tagger (``classifiers/units.py``), so both layers
judge the same mail the same way without the tagger importing ingest.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dienhinh.core.config_sections import BOARD_ADDRESS
from dienhinh.core.text import collapse_ws, fold
from dienhinh.core.types import ForwardOrigin

__all__ = [
    "ADDRESS_IN_TEXT",
    "BOARD_ADDRESS",
    "BOARD_ADDRESSES",
    "BOARD_NAME",
    "after_the_boards_name",
    "is_board_reminder",
    "is_forward_subject",
    "is_reply_subject",
    "names_the_board",
    "signed_by_the_board",
]


# An e-mail address written in a line of text ("Nguyễn A <a@x.vn> đã viết:", "Từ: a@x.vn").
ADDRESS_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# A system's mailbox, by its local part (dots and underscores read as hyphens): no-reply,
# bounces, a booking's, an alert or notification service's. What comes from it a machine
# wrote: the ingest's noise rules read it in a forward, the notifications never answer it.
_SYSTEM_MAILBOX = re.compile(
    r"^(?:no-?reply|noreply|do-?not-?reply|donotreply|no-?response|mailer-?daemon|postmaster"
    r"|bounces?|bounce-.*|.*-bounces?|auto-?reply|autoresponder|notifications?|khong-?tra-?loi"
    r"|khongtraloi|nobody|reservations?|bookings?|alerts?|system|automailer)$"
)


def is_system_mailbox(address: str) -> bool:
    """Whether ``address`` is a system's mailbox (no-reply@, reservation@, MAILER-DAEMON@)."""
    local = address.strip().strip("<>").lower().rpartition("@")[0]
    return bool(_SYSTEM_MAILBOX.match(local.replace("_", "-").replace(".", "-")))


_REPLY_SUBJECT = re.compile(r"^\s*(?:re|tl|tra loi|aw|sv|antw|odp)\s*(?:\[\d+\])?\s*:")
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|tl|aw|sv)\s*:\s*)*(?:fw|fwd|tr|ct|chuyen tiep|wg|rv)\s*(?:\[\d+\])?\s*:",
)


def is_forward_subject(subject: str) -> bool:
    """Whether a subject says "forwarded" (Fwd:, FW:, TR:, CT:, "Chuyển tiếp:")."""
    return bool(_FORWARD_SUBJECT.match(fold(subject)))


def is_reply_subject(subject: str) -> bool:
    """Whether a subject says "reply" (RE:, TL:, "Trả lời:", AW:, SV:)."""
    return bool(_REPLY_SUBJECT.match(fold(subject)))


# The Board's own mail, quoted or forwarded back to it, is never a unit's article: its
# mailbox (the address its reminders are sent from, notify.from_address), and the wording
# of its reminder (notify/compose.py: "chưa nhận được bài viết nào của đơn vị", "Đề nghị
# đơn vị gửi bài"; the subject "Nhắc gửi bài ..."). Matched on folded text.
BOARD_ADDRESSES: frozenset[str] = frozenset({BOARD_ADDRESS})
_REMINDER = re.compile(
    r"\b(?:nhac (?:nho )?(?:cac don vi )?(?:nop|gui) bai"
    r"|chua nhan duoc (?:bai viet|bai)"
    r"|de nghi (?:cac )?don vi (?:khan truong )?(?:gui|nop) bai"
    # a Board letter's own wording: "đề nghị Quý cơ quan, đơn vị gửi bài viết giới thiệu"
    r"|de nghi (?:quy |cac )?(?:co quan|don vi)(?:,? (?:don vi|co quan))? (?:khan truong )?"
    r"(?:gui|nop) bai (?:viet )?(?:gioi thieu|tuyen truyen))"
)
_REMINDER_REACH = 2000  # characters of a quoted block read for the reminder's wording


def is_board_reminder(
    origin: ForwardOrigin, text: str, board: Collection[str] = BOARD_ADDRESSES
) -> bool:
    """Whether a forwarded or quoted message is the Board's own mail (sent from its
    address) or its reminder to send articles (the reminder's wording in the text)."""
    if origin.from_addr and origin.from_addr.lower() in board:
        return True
    return bool(_REMINDER.search(collapse_ws(fold(text[:_REMINDER_REACH]))))


# The Board's own name, folded: "Ban Thi đua - Khen thưởng", "Ban TĐKT", "BTĐKT".
BOARD_NAME = r"(?:ban thi dua\s*[-\u2013]?\s*khen thuong|ban tdkt|btdkt|ban td\s*-\s*kt)"
# What every form of the Board's name holds, as written (with or without marks, in any
# case): found in C, it spares folding the lines and mentions that cannot name the Board.
_BOARD_WORDS = re.compile(r"thi\s*(?:đ|d)ua|t(?:đ|d)\s*-?\s*kt", re.IGNORECASE)
_AFTER_BOARD = re.compile(
    BOARD_NAME + r"(?:\s+tinh)?(?:\s+lao cai)?\s*[,(\-\u2013\u2014]?\s*(?:(?:truc )?thuoc\s+)?$"
)


def names_the_board(text: str) -> bool:
    """Whether ``text`` (as written) may name the Board at all: a cheap test first."""
    return _BOARD_WORDS.search(text) is not None


def after_the_boards_name(before: str) -> bool:
    """Whether text (as written) ends with the Board's own name: what follows it names
    the department the Board sits in ("Ban Thi đua - Khen thưởng, Sở Nội vụ Lào Cai"), the
    signature of its own staff, not a unit that sends articles."""
    return names_the_board(before) and _AFTER_BOARD.search(fold(before)) is not None


# The Board's own staff sign as the Board: "Chuyên viên Ban Thi đua - Khen thưởng", "Phó
# Trưởng ban Ban TĐKT", or the Board with the department it sits in ("Ban Thi đua - Khen
# thưởng, Sở Nội vụ Lào Cai"). A unit's letter names the Board as its addressee
# ("Kính gửi: Ban Thi đua - Khen thưởng tỉnh"), never so.
_BOARD_SIGNS = re.compile(
    r"^(?:(?:chuyen vien|can bo|pho truong ban|truong ban|van thu|ke toan|cv)\s+"
    + BOARD_NAME
    + r"\b|"
    + BOARD_NAME
    + r"\s*[,(\u2013-]\s*so noi vu\b)"
)
SIGNATURE_LINE_MAX = 90


def signed_by_the_board(line: str) -> bool:
    """Whether a line (as written) is the signature line of the Board's own staff."""
    line = line.strip()
    return (
        0 < len(line) <= SIGNATURE_LINE_MAX
        and names_the_board(line)
        and _BOARD_SIGNS.match(fold(line)) is not None
    )
