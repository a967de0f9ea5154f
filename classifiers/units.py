"""Which unit sent a message: every clue weighed together, each kept as evidence.

Units write from their official mailbox, from a colleague's, from personal webmail, or
forward through someone else; their name turns up in the address, the display name, the
signature, the document's letterhead, the subject and the article itself. No single clue
is reliable, so each becomes an :class:`Evidence` with a weight, the weights are summed per
unit (the strongest clue of each kind counts once), and the unit with the largest total
wins if the total is convincing (``CONVINCING``). The weights, strongest first:

========================  =====  ==========================================================
address / forward-origin   10    the From (or the forwarded original's) address is listed
                                 (a middle hop of a "FW: FW:" chain: x0.6)
learned-address             9    an editor taught the address (``learned``)
body, whose piece           7    the note says whose article it is: "bài ... của X", "gửi
                                 hộ X", "viết cho X", "theo đề nghị của X", "bài ... do X
                                 gửi", "X nhờ tôi gửi"
letterhead                  6    a document's header line ("SỞ Y TẾ"); the lowest line that
                                 names a unit wins ("UBND TỈNH LÀO CAI" / "SỞ Y TẾ"), the
                                 other lines count 1.5
signature                   5    the short lines closing a note ("Phòng Nội vụ huyện X"),
                                 or closing a forwarded original (``ForwardOrigin.signature``)
display-name                4    "UBND huyện Bát Xát" <...>
body, self-identifying      4    "UBND huyện Sa Pa gửi 02 bài ...", "Em là văn thư Công ty
                                 X" in a note's first lines; "Trên đây là bài viết ... của
                                 X" closing an official paper (its "TM. X" block: 5)
subject, signed           3.5    "UBND huyện Sa Pa gửi bài ...", "Bài tháng 3 - Sở Y tế"
domain                    2.5    an unknown address whose words or domain point to a unit
                                 (a webmail box named after its office: 1.5)
signature, article        2.5    the article's last short lines (author, unit), or a
                                 byline / "Đơn vị:" label opening it
body, reminder's addressee 2.5   "Kính gửi X," of the Board's reminder quoted below a reply
subject                     2    a unit merely named in it
body, cover note            1    other mentions in the sender's own note
body, article             0.5    mentions in the article: it is often ABOUT another unit
========================  =====  ==========================================================

Each weight is multiplied by the mention's strength (``directory.STRENGTH_*``): "UBND huyện
Bảo Yên" is surer than "Bảo Yên". A message from personal webmail gets no address evidence
(unless an editor learned the address). In a forward, the original sender takes the
address's place and the forwarder's address, name and note count a tenth (a third for the
note) - when the original sender names a unit as an organisation (``_names_unit``); a
forward from a cooperative's or a person's mailbox is the forwarder's piece, its marks
counted in full. A district's mass-organisation branch ("Huyện đoàn X", "Hội ND huyện X")
is never read as whose piece (it is not the district's People's Committee).
"Bài ... do X gửi" in a note is whose piece it is, as "bài ... của X" is; a subject ending
"bài ... của X" is signed by X. A sender whose SPF/DKIM/DMARC failed is flagged
"unverified sender" and its address and display name count a fifth: not enough alone,
enough with the letterhead.

A district named beside a provincial unit in one signature line ("Điện lực Si Ma Cai -
PC Lào Cai") is the branch's place and counts 0.3. Below ``CONVINCING``, a unit that the
sender's own words name (not only the article) is still given as a guess, flagged "no
convincing evidence", its confidence scaled by 0.75 x total / CONVINCING (under 0.47),
unless an unverified sender is involved.

``confidence`` grows with the winner's total and shrinks with the runner-up's:
``(best - second) / best * (1 - exp(-best / 3))``; address alone ≈ 0.96, letterhead alone
≈ 0.86, a convincing minimum ≈ 0.63. The runner-up reaching ``CONFLICT_RATIO`` of the
winner flags "conflicting evidence".
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final

from dienhinh.classifiers.base import ClassifyContext, TagSuggestion
from dienhinh.classifiers.directory import (
    STRENGTH_ADMIN,
    STRENGTH_BARE,
    STRENGTH_NAME,
    STRENGTH_PLACE_ORG,
    Mention,
    UnitDirectory,
    domain_of,
)
from dienhinh.classifiers.scan import nfc_text
from dienhinh.core.config import WEBMAIL_DOMAINS
from dienhinh.core.errors import ConfigError
from dienhinh.core.evidence import EvidenceKind as EK
from dienhinh.core.evidence import Where, describe, item
from dienhinh.core.mailwords import (
    ADDRESS_IN_TEXT,
    after_the_boards_name,
    is_board_reminder,
    is_forward_subject,
    is_system_mailbox,
    names_the_board,
    signed_by_the_board,
)
from dienhinh.core.text import fold, has_diacritics, nfc, strip_diacritics
from dienhinh.core.types import ArticleDraft, ForwardOrigin, MailHeaders

__all__ = [
    "Evidence",
    "UnitTagger",
    "UnitVerdict",
    "attribute_unit",
    "parse_authentication_results",
    "sender_verified",
]

W_ADDRESS: Final = 10.0
W_FORWARD_ORIGIN: Final = 10.0
W_LEARNED: Final = 9.0
W_LETTERHEAD: Final = 6.0
W_LETTERHEAD_UPPER: Final = 1.5  # a letterhead line above the one that wins
W_SIGNATURE: Final = 5.0
W_BYLINE: Final = 2.5  # the short closing lines of an article (author, unit)
W_SELF_ID: Final = 4.0
W_DISPLAY_NAME: Final = 4.0
W_DOMAIN: Final = 2.5
W_SUBJECT_SIGNED: Final = 3.5  # "X gửi bài ...", "... - X"
W_SUBJECT: Final = 2.0
W_SUBJECT_TOPIC: Final = 0.8  # "bài về mô hình ở Bắc Hà": the story's place
W_COVER: Final = 1.0
W_ARTICLE: Final = 0.5

W_ON_BEHALF: Final = 7.0  # "bài này của X", "gửi hộ X", "viết cho X": whose piece it is
# "Ban tính bài này cho huyện X": the sender asks the Board to count the piece for X, the
# very thing the unit tag decides: above all a forwarder says of itself (address,
# signature, display name).
W_COUNTED_FOR: Final = 30.0
# A newspaper's or broadcaster's name anywhere but in the sender's own address, name and
# signature (units of the "media" group): the publisher of a piece a unit sends.
MEDIA_FACTOR: Final = 0.2
# Words before a newspaper's name saying the piece was published there (folded): "bài đăng
# báo LC", "đã đăng trên Báo Lào Cai", "Nguồn:", "theo".
_PUBLISHED_IN = re.compile(r"\b(?:dang|phat song|nguon|theo)\b(?:\s+tren)?[\s:]*$")
_SENDERS_OWN = frozenset(
    ("address", "learned-address", "display-name", "domain", "signature", "forward-origin")
)
SYSTEM_ORIGIN_FACTOR: Final = 0.2
W_REMINDER_TO: Final = 2.5  # the unit a quoted Board reminder was addressed to
W_WEBMAIL_HINT: Final = 1.5  # a personal mailbox named after its office ("vanthu.pnvbaothang")

FORWARDER_FACTOR: Final = 0.1  # the forwarder's address and name
RELAY_FACTOR: Final = 0.6  # a middle hop of a forward chain (a unit passing a piece on)
BRANCH_PLACE_FACTOR: Final = 0.3  # a district named beside a provincial unit in one line
INFERRED_LETTERHEAD_FACTOR: Final = 0.8  # capitals opening an article, read as letterhead
FORWARDER_NOTE_FACTOR: Final = 0.3  # the forwarder's own note
UNVERIFIED_FACTOR: Final = 0.2  # address and display name of a sender that failed auth

CONVINCING: Final = 3.0  # the least total that names a unit surely enough
# Below CONVINCING, a unit that the sender's own words name (subject, note, signature,
# byline: not only the article's places) is still the best guess: it is given, with a low
# confidence and the "no convincing evidence" flag, so an editor confirms it.
GUESS_MIN: Final = 1.0
GUESS_FACTOR: Final = 0.75  # a guess's confidence is at most 0.75 of a convincing one's
# The confidence of a unit guessed from the organisations an article names, nothing else
# speaking of the sender: the lowest there is (calibration maps it to its observed rate).
ARTICLE_GUESS_CONFIDENCE: Final = 0.05
# Mentions that name an organisation rather than a place (directory.Mention.via).
_ORG_VIAS: Final = frozenset({"name", "alias", "generated", "short", "member"})
CONFLICT_RATIO: Final = 0.35  # runner-up / winner from which the evidence conflicts
CONFLICT_MIN: Final = 2.0  # ... provided the runner-up has at least this much
CONFIDENCE_SCALE: Final = 3.0

SIGNATURE_LINES: Final = 8
SIGNATURE_LINE_MAX: Final = 90  # longer lines are sentences, not a signature
INTRO_LINES: Final = 5  # opening lines of a note searched for "X gửi ..."

FLAG_UNVERIFIED: Final = "unverified sender"
FLAG_NONE: Final = "no convincing evidence"
FLAG_CONFLICT: Final = "conflicting evidence"
# A block that replies write too (an Outlook header block, "Original Message") was read
# as a forward although no subject said "forward": a retyped forward, or a short answer
# above a quoted mail. Its text became the article; an editor confirms which it is.
FLAG_QUOTED_FORWARD: Final = "quoted block taken as a forward"

EvidenceKind = str  # "address", "learned-address", "domain", "display-name", "signature",
# "letterhead", "subject", "forward-origin", "body"


@dataclass(frozen=True)
class Evidence:
    """One clue: ``value`` is what was seen (an address, a line), shown to editors;
    ``where`` says in which part of the mail, when the kind alone does not (a signature
    closing the article rather than the note: ``core.evidence.Where``)."""

    kind: EvidenceKind
    value: str
    unit: str
    weight: float
    where: str = ""

    def as_item(self) -> dict[str, Any]:
        """The stored form (``Tag.evidence``): data the console renders in Vietnamese."""
        return item(EK(self.kind), value=self.value, where=self.where)

    def describe(self) -> str:
        """English, for logs and evaluation reports."""
        return describe(self.as_item())


@dataclass
class UnitVerdict:
    unit: str | None
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    flagged: bool = False
    flag_reasons: list[str] = field(default_factory=list)
    sender_verified: bool | None = None
    scores: dict[str, float] = field(default_factory=dict)  # total per unit, for editors


# --- authentication -----------------------------------------------------------------------

_AUTH_METHOD = re.compile(r"(?:^|[;\s])(spf|dkim|dmarc)\s*=\s*([a-z]+)((?:[^;])*)", re.IGNORECASE)
_AUTH_PROP = re.compile(r"(smtp\.mailfrom|header\.from|header\.d|header\.i)\s*=\s*([^\s;()]+)")


def parse_authentication_results(values: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Authentication-Results header values -> {"spf": [(result, domain)], ...}, in header
    order (the topmost header, written by the receiving server, first). ``domain`` is the
    domain the method vouched for (smtp.mailfrom, header.d/i, header.from), or ""."""
    out: dict[str, list[tuple[str, str]]] = {}
    for value in values:
        unfolded = re.sub(r"\([^)]*\)", " ", " ".join(value.split()))
        for m in _AUTH_METHOD.finditer(unfolded):
            method, result, props = m.group(1).lower(), m.group(2).lower(), m.group(3)
            domain = ""
            prop = _AUTH_PROP.search(props)
            if prop:
                domain = prop.group(2).rpartition("@")[2].lower().strip(".")
            out.setdefault(method, []).append((result, domain))
    return out


def _aligned(domain: str, from_domain: str) -> bool:
    if not domain or not from_domain:
        return True  # nothing said: do not hold it against the sender
    return (
        domain == from_domain
        or from_domain.endswith("." + domain)
        or domain.endswith("." + from_domain)
    )


def sender_verified(headers: MailHeaders) -> bool | None:
    """True when DMARC passed, or SPF or DKIM passed for the From domain; False when DMARC
    failed or every method that ran failed; None when the headers say nothing useful."""
    results = parse_authentication_results(headers.authentication_results)
    if not results:
        return None
    from_domain = domain_of(headers.from_addr)
    first = {method: found[0] for method, found in results.items()}
    dmarc = first.get("dmarc", ("", ""))[0]
    if dmarc == "pass":
        return True
    if dmarc == "fail":
        return False
    passed = failed = False
    for method in ("spf", "dkim"):
        result, domain = first.get(method, ("", ""))
        if result == "pass" and _aligned(domain, from_domain):
            passed = True
        elif result in ("fail", "softfail", "permerror") or result == "pass":
            failed = True  # a pass for another domain vouches for nothing here
    if passed:
        return True
    return False if failed else None


# --- texts --------------------------------------------------------------------------------

_QUOTE_START = re.compile(
    r"^(-{2,}\s*(original message|tin nhan goc|thu goc)\s*-{2,}|"
    r"on .{4,200} wrote:?|vao .{4,200} da viet:?|"
    r"(from|tu):\s.{0,200}\s(sent|gui|da gui):\s.*|"
    r"-{2,}\s*(forwarded message|thu chuyen tiep|tin nhan chuyen tiep)\s*-{2,}|"
    r"begin forwarded message:?)$"
)
_CLOSING = re.compile(
    r"^(tran trong|tran thanh|xin cam on|cam on|chan thanh cam on|kinh thu|thanks|thank you|"
    r"best regards|regards|tks|thanks & regards)\b"
)
_ADDRESSEE = re.compile(r"^(kinh gui|dong gui|noi nhan|to:|cc:|den:|gui:)")
_TO_WHOM = re.compile(r"\b(gui|gui cho|gui toi|gui den|kinh gui)[\W_]*$")
_SELF_HEAD = re.compile(r"^(don vi|co quan|noi gui|nguoi gui|don vi gui)\b")
_SELF_VERB = re.compile(
    # "X gửi ...", "X xin gửi ...", "X (Phòng Nội vụ) xin gửi ...": an office in brackets;
    # "Sở Lao động - TB&XH xin gửi": the rest of a name written shorter than matched
    r"^[\W_]*(?:\([^)]{0,40}\)[\W_]*)?(?:-[\W_]*[\w&]{1,8}(?:[\W_]*&[\W_]*\w{1,4})?[\W_]+)?"
    r"(?:(?:xin|kinh|tran|trong|da|phep|duoc)[\W_]+){0,3}(?:gui|chuyen(?: tiep)?)\b"
)
# The speaker claiming the piece as its own period's: "Phòng Nội vụ huyện X chuyển tiếp bài
# ... của Trung tâm Y tế huyện, là điển hình tháng 4 của huyện": the unit the line opens
# with says which unit the Board counts it for, whoever wrote it.
# What may open the line before the speaker's name: nothing, or its office ("Phòng Nội vụ").
_SPEAKER_HEAD = re.compile(
    r"^[\W_]*(?:(?:van phong|phong|ban|trung tam|to|cong doan)\b[^.;,!?()]{0,30})?$"
)
_OWN_CLAIM = re.compile(
    r"\b(?:dien hinh|bai|guong|mo hinh|nhan to moi)\b[^.;!?]{0,40}"
    r"\b(?:thang|quy|nam)\s+[\divx]+(?:/\d{2,4})?\s+cua\s+"
    r"(huyen|thanh pho|thi xa|so|don vi|nganh|co quan|truong)"
    r"(?=\s*(?:(?:a|nhe|nha)\b\s*)?(?:[.;,!?)(]|$))"
)
# "Em là văn thư Công ty X", "Tôi là cán bộ Phòng Nội vụ huyện X": the writer's own office.
_SELF_INTRO = re.compile(r"\b(?:em|toi|chung toi|minh|chung em)\s+la\b[^.;!?]{0,50}$")
# Whose piece the note says it is: "bài ... của X", "gửi hộ/giúp X", "viết cho X",
# "thay mặt X", "theo đề nghị của X", "X giao/nhờ ...": the unit the piece counts for,
# even when the writer's own signature names another employer (a stringer, a school).
_ON_BEHALF = re.compile(
    r"(?:\bbai\b[^.;!?]{0,40}\b(?:cua|thuoc)|\bgui\s+(?:ho|giup)|\bviet\s+(?:cho|giup)|"
    r"\bthay\s+mat|\btheo\s+de\s+nghi\s+cua|\btheo\s+yeu\s+cau\s+cua)"
    # then, before the unit, at most an office or the trade union of it ("cho Phòng Văn
    # hóa - Thông tin huyện X", "cho Công đoàn ngành Giáo dục - Sở GD&ĐT")
    r"(?:[\W_]+(?:van phong|phong|ban|trung tam|to|cong doan)\b[^.;!?,()]{0,36})?[\W_]*$"
)


# A district's branch of a mass organisation ("Hội Nông dân huyện Bảo Thắng", "Huyện
# đoàn Bảo Yên", "HND Bao Thang"): matched as the district's place, it is not the
# district's People's Committee, and whose piece it is stays open (the provincial
# organisation passing it on, or the district).
_BRANCH_BEFORE = re.compile(
    r"\b(?:hoi|hnd|hlhpn|hccb|doan|mat tran|mttq|ubmttq|ldld|lien doan|cong doan)\b"
    r"[^.;,()]{0,24}$"
)


def _mass_org_branch(m: Mention, line: str, start: int) -> bool:
    if m.via != "district":
        return False
    if fold(m.matched_text).startswith(("huyen doan", "thanh doan", "thi doan")):
        return True
    return bool(_BRANCH_BEFORE.search(fold(line[max(0, start - 30) : start])))


_ABOUT = re.compile(r"\bbai(?: viet)?\s+(?:ve|gioi thieu)\b")
# "bài viết ... do Công an tỉnh gửi / viết / thực hiện": the piece's agent, named between
# "do" and the verb (the whose-piece of a bloc's head passing a member's article on).
_BY = re.compile(r"\bbai\b[^.;!?]{0,80}\bdo\s*$")
# "Ủy ban MTTQ tỉnh nhờ tôi gửi bài ...", "Phòng Nội vụ giao em chuyển bài": the unit
# asked the writer to send its piece.
_ASKS = re.compile(
    r"^[\W_]*(?:da\s+)?(?:nho|giao|uy quyen(?: cho)?|de nghi)\s+"
    r"(?:toi|em|minh|chung toi|chung em|anh|chi)\s+(?:\w+\s+){0,2}?(?:gui|chuyen|nop)\b"
)
_BY_VERB = re.compile(r"^[\W_]*(?:gui|viet|thuc hien|cung cap|bien soan|soan|chuyen)\b")


# "Ban tính bài này cho huyện Văn Bàn giúp ạ", "Bài tính cho huyện Mường Khương": whom the
# sender asks the Board to count the piece for. Read with diacritics ("tính", count; folded
# it is "tỉnh", the province: "UBND tỉnh cho ..."); the folded form, for a sender who typed
# none, needs "bài" between.
_COUNT_FOR = re.compile(
    r"\btính\s+(?:(?:bài|bài viết|tin bài)(?:\s+(?:này|trên|đó))?\s+)?"
    r"(?:cho|vào(?:\s+chỉ tiêu(?:\s+(?:của|bài))?)?)[\W_]*$"
)
_COUNT_FOR_FOLDED = re.compile(
    r"\btinh\s+(?:bai|bai viet|tin bai)(?:\s+(?:nay|tren|do))?\s+"
    r"(?:cho|vao(?:\s+chi tieu(?:\s+(?:cua|bai))?)?)[\W_]*$"
)


def _counted_for(line: str, start: int) -> bool:
    """Whether the words before ``start`` ask the Board to count the piece for the unit
    named there."""
    before = nfc(line[max(0, start - 60) : start]).casefold()
    if _COUNT_FOR.search(before):
        return True
    return not has_diacritics(before) and bool(_COUNT_FOR_FOLDED.search(before))


def _in_addressee_clause(line: str, start: int) -> bool:
    """Whether a position of a "Kính gửi: ..." line is still in the addressee clause,
    which ends at the first sentence end or comma: "Kính gửi Ban TĐKT tỉnh. Phòng GD
    huyện X giao ..." names the addressee, then the sender."""
    m = re.search(r"[.,;:!?](?:\s|$)", line[12:])
    return m is None or start < 12 + m.start()


_HEADER_LINE = re.compile(
    r"^(from|date|subject|to|cc|sent|tu|ngay|tieu de|chu de|den|gui|da gui|vao|nguoi gui):\s"
)


_FROM_LINE = re.compile(r"^(from|tu|nguoi gui):\s")
_SENT_LINE = re.compile(r"^(sent|date|ngay|da gui|gui|vao):\s")


# The anchored patterns read on a line's opening words (_ADDRESSEE, _SELF_HEAD, _CLOSING)
# look at its first 17 folded characters at most.
_HEAD_READ: Final = 17
_HEAD_CHARS: Final = 40


def _folded_head(line: str) -> str:
    """A prefix of ``fold(line)`` of at least ``_HEAD_READ`` + 1 characters (the whole of
    it when shorter): what the patterns anchored at a line's start read, without folding a
    long line whole. Cut before an ASCII character, the line folds to a prefix of its
    fold: nothing there composes with what precedes it (NFC), the marks table and case
    folding map one character at a time, and the spaces collapse alike."""
    if len(line) > _HEAD_CHARS and line[_HEAD_CHARS].isascii():
        head = fold(line[:_HEAD_CHARS])
        if len(head) > _HEAD_READ:
            return head
    return fold(line)


# What the fold of a line opening a quoted block (_QUOTE_START) or a quoted header
# (_FROM_LINE) starts with, at most as long as _folded_head's least.
_QUOTE_OPENINGS: Final = ("--", "on ", "vao ", "from:", "tu:", "begin forwarded", "nguoi gui:")


def _fold_initials() -> dict[str, str]:
    """The first character of each character's fold ("" when it folds to nothing) below
    U+1F00, folded in one call, a line break between each (nothing composes across it)."""
    chars = list(map(chr, range(0x21, 0x1F00)))
    folded = strip_diacritics("\n".join(chars)).casefold().split("\n")
    return {c: f.lstrip()[:1] for c, f in zip(chars, folded, strict=True)}


_FOLD_INITIALS: Final = _fold_initials()
# Characters (of NFC text) whose fold is a character no such line starts with: a line
# opening with one is read no further (most lines: a capital, a digit, a bracket).
_PLAIN_OPENINGS: Final = frozenset(c for c, f in _FOLD_INITIALS.items() if f and f not in "-ovftbn")


def _opening_fold(line: str) -> str | None:
    """``fold(line)`` when the line may open a quoted block or header, else None (without
    folding the line: its first character, then its opening, tell)."""
    if line[:1] in _PLAIN_OPENINGS or not _folded_head(line).startswith(_QUOTE_OPENINGS):
        return None
    return fold(line)


def _quote_start(line: str) -> bool:
    """Whether ``_QUOTE_START`` matches the folded line."""
    f = _opening_fold(line)
    return f is not None and _QUOTE_START.match(f) is not None


def _quote_at(lines: Sequence[str], i: int) -> bool:
    """Whether line ``i`` opens a quoted or forwarded block: ``_QUOTE_START``, or an
    Outlook-style quoted header ("From: ..." then "Sent:"/"Date:" within 3 lines), read
    on the folded lines."""
    f = _opening_fold(lines[i])
    if f is None:
        return False
    if _QUOTE_START.match(f):
        return True
    return bool(_FROM_LINE.match(f)) and any(
        _SENT_LINE.match(fold(line)) for line in lines[i + 1 : i + 4]
    )


def _forwarded_text(text: str) -> str:
    """The forwarded message inside a body, its header lines dropped ("" if none)."""
    lines = nfc_text(text).splitlines()
    for i in range(len(lines)):
        if _quote_at(lines, i):
            rest = [x.lstrip("> ").rstrip() for x in lines[i + 1 :]]
            j = 0
            while j < len(rest) and (not rest[j] or _HEADER_LINE.match(fold(rest[j]))):
                j += 1
            return "\n".join(rest[j:])
    return ""


def _own_lines(text: str) -> tuple[list[str], list[str]]:
    """The sender's own lines (quoted replies and forwarded headers cut off), and the
    lines after an RFC 3676 "-- " signature separator."""
    own: list[str] = []
    lines = nfc_text(text).splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip(" \xa0") == "--":
            sig = []
            for s in lines[i + 1 :]:
                t = s.strip()
                if t.startswith(">") or _quote_start(s):
                    break
                if t:
                    sig.append(t)
            return own, sig[:SIGNATURE_LINES]
        if stripped.startswith(">"):
            continue
        if _quote_at(lines, i):
            break
        own.append(stripped)
    return own, []


# Words every reminder has (ingest.forward's wording), as written and without marks.
_REMINDER_WORDS: Final = ("nhận được", "đề nghị", "nhắc", "nhan duoc", "de nghi", "nhac")


def _reminder_addressee(sc: _Scorer, text: str) -> bool:
    """A reply or forward quoting the Board's reminder: the reminder's own words (its
    sender, the Board, and whatever it names) never count, but whom it was addressed to
    ("Kính gửi UBND huyện X,") is the unit now answering it: a hint, not proof."""
    lower = text.lower()
    if not any(w in lower for w in _REMINDER_WORDS):
        return False  # cheap: most mail quotes no reminder, and folding every line costs
    lines = nfc_text(text).splitlines()
    for i in range(len(lines)):
        if _quote_at(lines, i):
            quoted = [x.lstrip("> ").strip() for x in lines[i + 1 :]]
            # Who wrote the quoted mail: the address in "... <btdkt-snv@...> đã viết:" or
            # in the quoted header's From line.
            said = ADDRESS_IN_TEXT.search(" ".join(lines[i : i + 2]))
            writer = ForwardOrigin(from_name="", from_addr=said[0] if said else "")
            if not is_board_reminder(writer, "\n".join(quoted)):
                return False
            for q in quoted[:12]:
                if fold(q).startswith("kinh gui"):
                    clause = re.split(r"[.;]\s|,\s*$", q, maxsplit=1)[0]
                    found = sc.directory.find_mentions(clause)
                    for m in found:
                        sc.add(
                            "body", clause, m.unit_code, W_REMINDER_TO * m.strength, Where.FORWARDED
                        )
                    return bool(found)
            return False
    return False


# A line that sends something ("em gửi bài ...", "gửi lại bài", "xin gửi file"): the note's
# own sentence, however short, never a signature line.
_SENDS = re.compile(r"\bgui(?: lai| bo sung| kem)? (?:bai|tin|file|anh)\b")


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """(the note, its closing lines): short lines read upwards from the end, stopping at a
    sentence, a closing formula ("Trân trọng"), a salutation or a long line."""
    sig: list[str] = []
    cut = len(lines)
    for idx in range(len(lines) - 1, -1, -1):
        line = lines[idx]
        if not line:
            continue
        sentence = line.endswith((".", "!", "?", ":", ";", ",")) and len(line) > 40
        if (
            len(line) > SIGNATURE_LINE_MAX
            or sentence
            or line.endswith((",", ";"))
            or _CLOSING.match(folded := _folded_head(line))
            or _ADDRESSEE.match(folded)
            or len(sig) >= SIGNATURE_LINES
            or _SENDS.search(fold(line))  # "E gửi bài tháng 4 về đ/c công an xã ạ": the note
        ):
            break
        sig.append(line)
        cut = idx
    sig.reverse()
    return lines[:cut], sig


# How an official paper names its issuer at its end: "Trên đây là bài viết ... của UBND
# huyện X" (the closing sentence), "TM. UBND HUYỆN X", "KT. GIÁM ĐỐC SỞ ...", "TL. ..."
# (on behalf of / signed for: the signature block above the signer's name).
_CLOSING_SENTENCE = re.compile(r"^tren day la\b")
_CLOSING_OWNER = re.compile(r"\b(?:cua|thuoc)[\W_]*$")
_SIGN_BLOCK = re.compile(r"^(?:t/?m|kt|tl|tuq)[.\s/]")
CLOSING_LINES: Final = 14


# A byline or label opening an article: "Bài và ảnh: Lò Mai (Trung tâm VHTT huyện X)",
# "Tác giả: ...", "Đơn vị: Hội Nông dân tỉnh".
_OPENING_LABEL = re.compile(
    r"^(?:bai(?: va anh)?|tac gia|nguoi viet|nhom tac gia|don vi(?: gui)?|co quan)\s*:"
)
OPENING_LINES: Final = 3


# Characters whose fold is a letter other than "t" (or "k"), with which no closing
# sentence (or signature block: "TM.", "KT.", "TL.", "TUQ.") opens.
_NOT_T: Final = frozenset(c for c, f in _FOLD_INITIALS.items() if f and f != "t")
_NOT_TK: Final = frozenset(c for c, f in _FOLD_INITIALS.items() if f and f not in "tk")


def _official_closing(sc: _Scorer, lines: list[str]) -> None:
    """The issuer an official paper names in its closing sentence or signature block, and
    the byline or unit label opening an article (``lines``: its non-blank lines, stripped)."""
    # Only each line's first words are folded: a pasted article is long.
    for line in lines[:OPENING_LINES]:
        if len(line) <= SIGNATURE_LINE_MAX and _OPENING_LABEL.match(fold(line[:24])):
            sc.mentions("signature", line, W_BYLINE, Where.ARTICLE)
    for line in lines[-CLOSING_LINES:]:
        if line[:1] not in _NOT_T and _CLOSING_SENTENCE.match(fold(line[:12])):
            for m in sc.directory.find_mentions(line):
                if _CLOSING_OWNER.search(fold(line[max(0, m.start - 30) : m.start])):
                    sc.add(
                        "signature", line[:120], m.unit_code, W_SELF_ID * m.strength, Where.ARTICLE
                    )
        for cell in line.split("|"):
            cell = cell.strip()
            if cell[:1] not in _NOT_TK and _SIGN_BLOCK.match(fold(cell[:5])):
                sc.mentions("signature", cell, W_SIGNATURE, Where.ARTICLE)


def _nonblank_lines(text: str) -> list[str]:
    return [s.strip() for s in text.splitlines() if s.strip()]


def _article_byline(lines: list[str]) -> list[str]:
    """The article's last short lines (its non-blank lines, stripped)."""
    tail = []
    for line in reversed(lines[-2:]):
        if len(line) > 80 or (line.endswith(".") and len(line) > 40):
            break
        tail.append(line)
    return tail[::-1] if len(lines) > 2 else []


# --- the verdict --------------------------------------------------------------------------


def _domain_in(domain: str, domains: Sequence[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


class _Scorer:
    def __init__(self, directory: UnitDirectory) -> None:
        self.directory = directory
        self.evidence: list[Evidence] = []
        self.best: dict[tuple[str, str], float] = {}  # (kind, unit) -> max weight
        # Organisations (not places) the articles name, and how often: the last resort
        # when nothing else names the sender (see _verdict).
        self.article_orgs: dict[str, int] = {}
        # Places (a district, its communes and towns) the articles name, and how often:
        # the guess after that (see _place_guess).
        self.article_places: dict[str, int] = {}
        # The sender's own note: the units it says a piece is of ("bài ... của LĐLĐ tỉnh")
        # and its claim of a piece for its own unit, unnamed ("bài quý II của đơn vị"):
        # the line and the unit's kind of word (see _own_piece).
        self.behalf: dict[str, str] = {}
        self.own_claim: tuple[str, str] | None = None

    def add(self, kind: str, value: str, unit: str, weight: float, where: str = "") -> None:
        if weight <= 0 or unit not in self.directory:
            return
        if kind not in _SENDERS_OWN and self._group(unit) == "media":
            # A newspaper or broadcaster named in a mail ("đã đăng Báo Lào Cai", its
            # masthead, "[Báo Lào Cai]" in a shared link's subject, "Nguồn: ..."): where
            # the piece was published, not who sends it, unless the mail is its own (its
            # address, name or signature).
            weight *= MEDIA_FACTOR
        self.evidence.append(Evidence(kind, value, unit, round(weight, 3), where))
        key = (kind, unit)
        self.best[key] = max(self.best.get(key, 0.0), weight)

    def mentions(self, kind: str, text: str, weight: float, where: str = "") -> list[Mention]:
        """Units named in one short line (a signature line, a display name, a byline). A
        line naming a provincial unit and a district ("Điện lực Si Ma Cai - PC Lào Cai",
        "Đồn BP Y Tý, BĐBP Lào Cai", "TTYT huyện X - Sở Y tế") is the provincial unit's
        branch in that district: the district there is a place and counts little."""
        if _FORMER.search(nfc(text)):
            return []  # "(nguyên Phó Hiệu trưởng Trường X)": where the writer once served
        found: list[Mention] = [
            m for m in self.directory.find_mentions(text) if not _boards_department(text, m)
        ]
        groups = {m.unit_code: self._group(m.unit_code) for m in found}
        parent = any(g not in ("district", None) for g in groups.values())
        for m in found:
            factor = BRANCH_PLACE_FACTOR if parent and groups[m.unit_code] == "district" else 1.0
            if groups[m.unit_code] == "media" and _PUBLISHED_IN.search(fold(text[: m.start])):
                factor = MEDIA_FACTOR  # "bài đăng báo LC": where it was published
            self.add(kind, m.matched_text, m.unit_code, weight * m.strength * factor, where)
        return found

    def _group(self, code: str) -> str | None:
        return _group(self.directory, code)

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for (_, unit), w in self.best.items():
            out[unit] = out.get(unit, 0.0) + w
        return out


def _boards_department(text: str, m: Mention, start: int | None = None) -> bool:
    """A unit named right after the Board's own name ("Chuyên viên Ban Thi đua - Khen
    thưởng, Sở Nội vụ tỉnh Lào Cai"): the department the Board sits in, in the signature
    of the Board's staff, who pass on other units' pieces."""
    at = m.start if start is None else start
    return after_the_boards_name(text[max(0, at - 48) : at])


# A line saying where its writer served before: "nguyên Phó Giám đốc Sở X", "(cựu giáo
# viên ...)", "cán bộ hưu trí ...". A retired cadre's own piece names no sending unit by it.
# "Nguyên" as a name stands before another capitalised name, not before a title.
_FORMER = re.compile(
    r"(?:^|[(\[,;:\-\u2013]\s*)(?:[Nn]guyên|[Cc]ựu)\s+(?:[a-zđ]|Phó|Trưởng|Giám|Chủ|Bí|Hiệu"
    r"|Giảng|Cán|Chánh|Chính|Thư|Tổng|Ủy|Uỷ|Giáo|Kỹ|Chuyên|Thanh|Trợ|(?:P?GĐ|P?CT|BT|HT|TP|PP)\b)"
    r"|\b(?i:cán bộ hưu trí|đã nghỉ hưu|nghỉ hưu)\b"
)

# The parts of a display name: "Lò Văn Minh - Bảo Yên", "Bắc Hà (Phạm Đức Anh)".
_NAME_PARTS = re.compile(r"[-\u2013\u2014|,;/()\[\]]")


def _display_name(sc: _Scorer, kind: str, name: str, weight: float, where: str = "") -> None:
    """A sender's display name. A district named bare ("Bắc Hà") counts as surely as
    "huyện Bắc Hà" when it is a whole part of the name: a mailbox named "Bắc Hà" or
    "Bảo Yên (Lò Văn Minh)" is the district's, as a unit's staff name a personal
    Gmail/Yahoo box; inside a longer part it stays a mere mention."""
    found = sc.mentions(kind, name, weight, where)
    parts = {fold(p).strip() for p in _NAME_PARTS.split(nfc(name)) if p.strip()}
    for m in found:
        if m.via == "district" and m.strength == STRENGTH_BARE and fold(m.matched_text) in parts:
            sc.add(kind, m.matched_text, m.unit_code, weight * STRENGTH_ADMIN, where)


def _address_evidence(
    sc: _Scorer,
    address: str,
    *,
    kind_known: str,
    factor: float,
    learned: Mapping[str, str],
    official_domains: Sequence[str],
    webmail_domains: Sequence[str],
) -> None:
    address = address.strip().strip("<>").lower()
    if not address:
        return
    unit = sc.directory.by_address(address)
    if unit is not None:
        sc.add(kind_known, address, unit.code, W_ADDRESS * factor)
    code = learned.get(address)
    if code is not None:
        kind = "learned-address" if kind_known == "address" else kind_known
        sc.add(kind, address, code, W_LEARNED * factor)
    if unit is not None or code is not None:
        return
    domain = domain_of(address)
    if not domain:
        return
    if _domain_in(domain, webmail_domains):
        # Personal webmail: the domain says nothing, but a shared office mailbox is often
        # named after its office ("vanthu.pnvbaothang@gmail.com"): a weak hint.
        hint = sc.directory.address_hint(address, local_only=True)
        if hint is not None:
            sc.add("domain", address, hint.code, W_WEBMAIL_HINT * factor)
        return
    hint = sc.directory.address_hint(address)
    if hint is not None:
        sc.add("domain", address, hint.code, W_DOMAIN * factor)
    elif not _domain_in(domain, official_domains):
        owners = sc.directory.by_domain(domain)
        if len(owners) == 1:  # a domain only this unit uses (its company mail)
            sc.add("domain", address, owners[0].code, W_DOMAIN * factor)


_MOTTO = re.compile(r"^(cong hoa xa hoi|doc lap|so:|so\s+\d)")


def _inferred_header(text: str) -> list[str]:
    """The capitals lines opening an article before the national motto or a number line
    ("UBND HUYỆN X / PHÒNG NỘI VỤ / Số: 44/BC-NV | CỘNG HÒA ..."): an official paper's
    letterhead that the extractor left in the text (a table it did not read as one)."""
    out = []
    for line in text.lstrip().splitlines()[:4]:
        line = line.split("|")[0].strip()
        if not line or _MOTTO.match(_folded_head(line)):
            break
        letters = list(filter(str.isalpha, line))
        if len(letters) < 4 or not all(map(str.isupper, letters)):
            break
        out.append(line)
    return out


def _letterhead_rank(found: tuple[int, str, Mention]) -> tuple[bool, float, float]:
    pos, m = found[0], found[2]
    if m.strength >= STRENGTH_ADMIN:
        return (True, pos, m.strength)
    return (False, m.strength, pos)


def _letterhead(sc: _Scorer, articles: Sequence[ArticleDraft]) -> None:
    """The lowest line that names a unit by its name or its district is the most
    specific ("UBND TỈNH LÀO CAI" then "SỞ Y TẾ"); a line naming only a place or a short
    form wins only where no line names a unit so surely (``_letterhead_rank``)."""
    for art in articles:
        lines, factor = art.header_lines, 1.0
        if not lines:
            lines, factor = _inferred_header(art.text), INFERRED_LETTERHEAD_FACTOR
        found: list[tuple[int, str, Mention]] = []
        for pos, line in enumerate(lines):
            for m in sc.directory.find_mentions(line):
                found.append((pos, line, m))
        if not found:
            continue
        # Lines naming a unit by its name or its district rank by position: the lower line
        # of "HỘI NÔNG DÂN TỈNH / BCH HỘI NÔNG DÂN HUYỆN BẢO YÊN" is who issues the
        # document, as "SỞ Y TẾ" is under "UBND TỈNH LÀO CAI". Places and short forms, by
        # strength first.
        winner = max(found, key=_letterhead_rank)
        for pos, line, m in found:
            weight = W_LETTERHEAD if (pos, m) == (winner[0], winner[2]) else W_LETTERHEAD_UPPER
            sc.add("letterhead", line, m.unit_code, weight * m.strength * factor)


# A unit after "ở", "tại", "về" in a subject is where the story happens, not who sends it.
_TOPIC_BEFORE = re.compile(r"\b(?:o|tai|ve|cua xa|thuoc)\s*$")
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:fwd?|tr|re|tl|vv|v/v)\s*:)*\s*")


_OF_END = re.compile(r"\bbai\b.*\b(?:cua|thuoc)\s*$")


def _subject(sc: _Scorer, subject: str) -> None:
    """A unit that signs its subject ("Bảo Yên gửi bài ...", "Bài tháng 3 - huyện Bát
    Xát") says who sends; one merely named in it ("bài về Bắc Hà") says less."""
    subject = nfc(subject)
    for m in sc.directory.find_mentions(subject):
        after = fold(subject[m.end : m.end + 40])
        before = subject[: m.start]
        signed = (
            bool(_SELF_VERB.match(after))
            # "V/v chuyển bài viết quý IV của Công an tỉnh": whose piece, at the end
            or (not after.strip(" .") and bool(_OF_END.search(fold(before))))
            or (not after.strip(" .") and bool(re.search(r"[-–:(]\s*$", before)))
            # "TP Lào Cai - bài tháng 7", "Fwd: HOI CCB TINH: bai quy II": the unit heads it
            or (
                not _SUBJECT_PREFIX.sub("", fold(before)).strip()
                and bool(re.match(r"\s*[-–:|]\s", subject[m.end :]))
            )
        )
        weight = W_SUBJECT_SIGNED if signed else W_SUBJECT
        if not signed and _TOPIC_BEFORE.search(fold(before)):
            weight = W_SUBJECT_TOPIC  # "bài về mô hình chè ở Bắc Hà": the article's place
        sc.add("subject", subject, m.unit_code, weight * m.strength)


def _note(
    sc: _Scorer,
    text: str,
    *,
    factor: float,
    article: bool,
    where: str,
    known: Sequence[str] = (),
) -> None:
    """A mail body or cover note: its signature, its self-identification, other mentions.
    ``known``: the articles' texts, which a body may repeat (their lines are not read
    again)."""
    own, marked_sig = _own_lines(text)
    note, sig = _split_signature(own)
    signature = marked_sig or sig
    for k, line in enumerate(signature):
        if k and signed_by_the_board(signature[k - 1]):
            continue  # "Chuyên viên Ban TĐKT" / "Sở Nội vụ tỉnh Lào Cai": the Board's department
        sc.mentions("signature", line, W_SIGNATURE * factor, where)
    lines = [line for line in note if line]
    # One search over the whole note (a pasted article has hundreds of lines: those the
    # article's own text has are not read twice), each mention then read in its own line.
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    # Each line's folded opening (its first words: whom it is addressed to, what it
    # heads), folded once per line that holds a mention.
    heads: dict[int, str] = {}
    claimed: set[int] = set()  # lines whose speaker counts the piece for itself
    if where == Where.NOTE and not article and sc.own_claim is None:
        for line in lines[:INTRO_LINES]:
            claim = _OWN_CLAIM.search(fold(line))
            if claim:
                sc.own_claim = (line[:120], claim[1])
                break
    found = sorted(sc.directory.find_mentions_in_lines(lines, known), key=lambda m: m.start)
    for m in found:
        if "\n" in m.matched_text:
            continue  # words of two lines are not one name
        idx = bisect.bisect_right(starts, m.start) - 1
        line, off = lines[idx], starts[idx]
        start, end = m.start - off, m.end - off
        head = heads.get(idx)
        if head is None:
            head = heads[idx] = _folded_head(line)
        if _boards_department(line, m, start) or (idx and signed_by_the_board(lines[idx - 1])):
            continue  # "Ban Thi đua - Khen thưởng, Sở Nội vụ": the Board's own staff
        if _ADDRESSEE.match(head) and _in_addressee_clause(line, start):
            continue  # "Kính gửi Sở Nội vụ": whom it is for, not who sent it
        if _TO_WHOM.search(fold(line[max(0, start - 16) : start])):
            continue  # "Em gửi Sở Nội vụ ...": the addressee
        intro = idx < INTRO_LINES
        behalf = not article and m.via != "place" and not _mass_org_branch(m, line, start)
        # What comes before the mention is read for whose piece it is, or in an intro.
        before = fold(line[max(0, start - 60) : start]) if behalf or intro else ""
        # whose piece it is: an organisation, never a place ("bài về anh A của xã Y Tý"
        # names where the story is), and not what a "bài về ..." is about
        if behalf and _counted_for(line, start):
            weight, own = W_COUNTED_FOR, 1.0
        elif (
            intro
            and _SPEAKER_HEAD.match(fold(line[:start]))
            and m.via != "place"
            and _SELF_VERB.match(fold(line[end : end + 40]))
            and _OWN_CLAIM.search(fold(line[end:]))
        ):
            # The line's speaker counting the piece for itself: above what it forwards.
            weight, own = W_COUNTED_FOR, 1.0
            claimed.add(idx)
        elif (
            behalf
            and idx not in claimed
            and (
                (_ON_BEHALF.search(before) and not _ABOUT.search(before))
                or (_BY.search(before) and _BY_VERB.match(fold(line[end : end + 30])))
                or _ASKS.match(fold(line[end : end + 40]))
            )
        ):
            # Whose piece it is, said by the sender: a forwarder's word as much as an
            # author's ("đề nghị Ban tổng hợp là bài viết quý IV của Hội LHPN tỉnh").
            weight, own = W_ON_BEHALF, 1.0
            if where == Where.NOTE:
                sc.behalf.setdefault(m.unit_code, line[:120])
        elif intro and (
            _SELF_VERB.match(fold(line[end : end + 40]))
            or _SELF_HEAD.match(head)
            or _SELF_INTRO.search(before)
        ):
            weight, own = W_SELF_ID, factor
        else:
            weight, own = (W_ARTICLE if article else W_COVER), factor
        sc.add("body", line[:120], m.unit_code, weight * own * m.strength, where)


def attribute_unit(
    headers: MailHeaders,
    articles: Sequence[ArticleDraft],
    cover_note: str,
    body_text: str,
    forwarded_from: Sequence[ForwardOrigin],
    directory: UnitDirectory,
    *,
    learned: Mapping[str, str] | None = None,
    official_domains: Sequence[str] = ("laocai.gov.vn",),
    webmail_domains: Sequence[str] = WEBMAIL_DOMAINS,
    quoted_text: str = "",
) -> UnitVerdict:
    """The unit that sent a message, with every clue as evidence. See the module docstring.
    ``quoted_text`` is the body with its quoted history (``Outcome.quoted_text``): read only
    for whom a quoted Board reminder was addressed to."""
    learned = {k.strip().lower(): v for k, v in (learned or {}).items()}
    official = tuple(d.lower() for d in official_domains)
    webmail = tuple(d.lower() for d in webmail_domains)
    sc = _Scorer(directory)
    verified = sender_verified(headers)
    flags: list[str] = []

    origins: list[ForwardOrigin] = []
    relays: list[ForwardOrigin] = []  # middle hops: a unit's mailbox passing a piece on
    for chain in (forwarded_from, *(a.forwarded_from for a in articles)):
        if chain and chain[-1] not in origins:
            origins.append(chain[-1])
        relays += [o for o in chain[:-1] if o not in relays]
    # The original senders of a forward (and the middle hops) first: when none of them
    # names a unit as an organisation (a cooperative's Gmail named after its commune, a
    # person's own box, the Board's quoted reminder), the forwarder is the one presenting
    # the piece, and its own address, name, signature and note count in full.
    _origins(sc, origins, relays, learned, official, webmail)
    # The forwarded message inside each note, read once (also for its own mentions below).
    inner_of = (
        {t: _forwarded_text(t) for t in (cover_note, body_text) if t.strip()} if origins else {}
    )
    # (a system's mailbox forwarded on, "noreply@...", is a machine's envelope: the
    # forwarder presents the piece)
    senders = [o for o in (*origins, *relays) if not is_system_mailbox(o.from_addr)]
    forwarded = bool(origins) and (
        _names_unit(sc.directory, senders, learned)
        or any(_signature_names_unit(sc.directory, inner) for inner in inner_of.values())
    )
    if _quoted_as_forward(headers.subject, [forwarded_from, *(a.forwarded_from for a in articles)]):
        flags.append(FLAG_QUOTED_FORWARD)
    # The Board's own staff (signed "Chuyên viên Ban Thi đua - Khen thưởng"), passing on
    # what a unit sent them or writing to their own box: the Board sends no pieces, so
    # their address, name and note weigh as a forwarder's.
    board_staff = any(
        names_the_board(t) and any(map(signed_by_the_board, t.splitlines()))
        for t in (cover_note, body_text)
    )

    # The From header: the sender, or only the forwarder.
    factor = FORWARDER_FACTOR if forwarded or board_staff else 1.0
    if verified is False:
        factor *= UNVERIFIED_FACTOR
    from_addr = headers.from_addr.strip().lower()
    from_domain = domain_of(from_addr)
    _address_evidence(
        sc,
        from_addr,
        kind_known="address",
        factor=factor,
        learned=learned,
        official_domains=official,
        webmail_domains=webmail,
    )
    if headers.from_name and fold(headers.from_name) != fold(from_addr):
        _display_name(sc, "display-name", headers.from_name, W_DISPLAY_NAME * factor)
    if verified is False and (
        _domain_in(from_domain, official)
        or directory.by_address(from_addr) is not None
        or from_addr in learned
    ):
        flags.append(FLAG_UNVERIFIED)

    _subject(sc, headers.subject)

    # The notes: the cover note is the sender's (the forwarder's, in a forward); a body
    # that is more than the cover note holds a pasted article or a forwarded message.
    # In a forward, the text below the forward marker is the original sender's own.
    own_factor = FORWARDER_NOTE_FACTOR if forwarded or board_staff else 1.0
    texts = [cover_note]
    if body_text.strip() and body_text.strip() != cover_note.strip():
        texts.append(body_text)
    known = [art.text for art in articles]
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        pasted = i > 0 and len(text) > 2 * max(len(cover_note), 400)
        _note(sc, text, factor=own_factor, article=pasted, where=Where.NOTE, known=known)
        inner = inner_of.get(text, "") if forwarded else ""
        if inner.strip():
            _note(
                sc,
                inner,
                factor=1.0,
                article=len(inner) > 1200,
                where=Where.FORWARDED,
                known=known,
            )

    if not (body_text.strip() and _reminder_addressee(sc, body_text)) and quoted_text:
        _reminder_addressee(sc, quoted_text)

    _own_piece(sc)
    _letterhead(sc, articles)
    for art in articles:
        lines = _nonblank_lines(art.text)
        for line in _article_byline(lines):
            sc.mentions("signature", line, W_BYLINE, Where.ARTICLE)
        _official_closing(sc, lines)
        for text in (art.title, art.text):
            for m in sc.directory.find_mentions(text):
                sc.add("body", m.matched_text, m.unit_code, W_ARTICLE * m.strength, Where.ARTICLE)
                # Named as an organisation, written as a proper noun ("Sở Tài chính", not
                # the "sở y tế" of "cơ sở y tế", a health facility).
                if m.matched_text[:1].isupper() and _organisation(m):
                    sc.article_orgs[m.unit_code] = sc.article_orgs.get(m.unit_code, 0) + 1
                elif m.via not in _ORG_VIAS:
                    sc.article_places[m.unit_code] = sc.article_places.get(m.unit_code, 0) + 1

    return _verdict(sc, flags, verified)


# The words a note names its own unit by, unnamed, and the unit groups each fits.
_OWN_NOUN_GROUPS = {"huyen": ("district",), "thanh pho": ("district",), "thi xa": ("district",)}
_OWN_MARKS = frozenset(("address", "learned-address", "display-name", "domain"))
OWN_MARKS_MIN = 1.0  # the sender's own marks must say who it is at least this much ...
OWN_MARKS_LEAD = 1.5  # ... and this many times more than for any other unit
# A signature line's unit named as an organisation ("Bảo tàng tỉnh", "Ban Dân tộc tỉnh"),
# not a place of a postal address ("Tổ 12, phường Kim Tân, TP Lào Cai"). Folded.
_ORG_WORDS = re.compile(
    r"(?:ubnd|uy ban|so|ban|hoi|phong|van phong|cong ty|trung tam|bao tang|thu vien|"
    r"truong|don|lien doan|tinh doan|huyen doan|thanh doan|doan|cong an|bo chi huy|bchqs|"
    r"dien luc|benh vien|chi cuc|cuc|dai|bao|mat tran|mttq|cong doan|hop tac xa|htx|"
    r"vien kiem sat|toa an|kho bac|ngan hang|chi nhanh|vnpt|viettel|buu dien)\b"
)


def _own_piece(sc: _Scorer) -> None:
    """A sender whose own marks (its address, display name, the signature of its note)
    name one unit, and whose note says the piece is that unit's ("Chuyển Ban bài ... của
    LĐLĐ tỉnh" from the federation's box; "Em gửi bài quý II/2020 của đơn vị ạ" signed
    "Ban Dân tộc tỉnh"): the piece counts for it, above the office that wrote it or
    forwarded it first (a company union's letterhead, a district office's Gmail)."""
    if not sc.behalf and sc.own_claim is None:
        return
    # each kind of mark once per unit, at its strongest (as the totals count them)
    best: dict[tuple[str, str], float] = {}
    for e in sc.evidence:
        signed = e.kind == "signature" and e.where == Where.NOTE
        if e.kind in _OWN_MARKS or (signed and _ORG_WORDS.match(fold(e.value))):
            best[(e.kind, e.unit)] = max(best.get((e.kind, e.unit), 0.0), e.weight)
    marks: dict[str, float] = {}
    for (_, unit), w in best.items():
        marks[unit] = marks.get(unit, 0.0) + w
    ranked = sorted(marks.values(), reverse=True)
    if not ranked or ranked[0] < OWN_MARKS_MIN:
        return
    if len(ranked) > 1 and ranked[0] < OWN_MARKS_LEAD * ranked[1]:
        return  # the sender's marks disagree: who "đơn vị" is stays open
    own = max(marks, key=lambda u: marks[u])
    line = sc.behalf.get(own)
    if line is None and sc.own_claim is not None:
        claim_line, noun = sc.own_claim
        groups = _OWN_NOUN_GROUPS.get(noun)
        if groups is None or sc._group(own) in groups:
            line = claim_line
    if line is not None:
        sc.add("body", line, own, W_COUNTED_FOR, Where.NOTE)


def _organisation(m: Mention) -> bool:
    """A mention naming a unit as an organisation (its name, alias, short form or member
    office, or "UBND huyện X"), not a place it is about."""
    return m.via in _ORG_VIAS or (m.via == "district" and m.strength >= STRENGTH_NAME)


def _organisation_in(directory: UnitDirectory, texts: Iterable[str]) -> bool:
    """Whether ``texts`` name a unit as an organisation, a commune's People's Committee
    ("UBND xã Y", counting for its district) included."""
    return any(
        _organisation(m) or (m.via == "place" and m.strength >= STRENGTH_PLACE_ORG)
        for text in texts
        if text.strip()
        for m in directory.find_mentions(text)
    )


def _names_unit(
    directory: UnitDirectory, senders: Sequence[ForwardOrigin], learned: Mapping[str, str]
) -> bool:
    """Whether a forward's original sender (or a middle hop) names a unit as an
    organisation: a listed or learned address, or a unit's name, alias, short form or
    member office ("UBND huyện X", "Sở Y tế", "Trung tâm Y tế huyện", "UBND xã Y") in its
    display name or signature. A place alone ("HTX ... Tả Van Chư", "HND Bao Thang": a
    commune, a district's mass-organisation branch) names none."""
    for sender in senders:
        addr = sender.from_addr.strip().lower()
        if addr and (directory.by_address(addr) is not None or addr in learned):
            return True
        if _organisation_in(
            directory, [sender.from_name, *sender.signature.splitlines()[:SIGNATURE_LINES]]
        ):
            return True
    return False


def _signature_names_unit(directory: UnitDirectory, forwarded: str) -> bool:
    """Whether the closing lines of a forwarded message's text (its sender's own
    signature, "Văn phòng HĐND-UBND huyện X") name a unit as an organisation."""
    if not forwarded.strip():
        return False
    own, marked = _own_lines(forwarded)
    return _organisation_in(directory, (marked or _split_signature(own)[1])[:SIGNATURE_LINES])


def _origins(
    sc: _Scorer,
    origins: Sequence[ForwardOrigin],
    relays: Sequence[ForwardOrigin],
    learned: Mapping[str, str],
    official: Sequence[str],
    webmail: Sequence[str],
) -> None:
    # The middle hops of a forward chain ("FW: FW:"): a unit's own mailbox that passed the
    # piece on to the Board adopted it as its article (a district centre writes to its
    # department, the department forwards it), so its address counts, less than the origin.
    for relay in relays:
        _address_evidence(
            sc,
            relay.from_addr,
            kind_known="forward-origin",
            factor=RELAY_FACTOR,
            learned=learned,
            official_domains=official,
            webmail_domains=webmail,
        )
        if relay.from_name:
            _display_name(
                sc,
                "forward-origin",
                relay.from_name,
                W_DISPLAY_NAME * RELAY_FACTOR,
                Where.FROM_NAME,
            )

    # The original senders of a forward. A system's mailbox ("Báo Lào Cai điện tử"
    # <noreply@...>: a newspaper's "send this article to a friend") wrote the envelope,
    # not the piece: its name and address count a fifth.
    for origin in origins:
        factor = SYSTEM_ORIGIN_FACTOR if is_system_mailbox(origin.from_addr) else 1.0
        _address_evidence(
            sc,
            origin.from_addr,
            kind_known="forward-origin",
            factor=factor,
            learned=learned,
            official_domains=official,
            webmail_domains=webmail,
        )
        if origin.from_name:
            _display_name(
                sc, "forward-origin", origin.from_name, W_DISPLAY_NAME * factor, Where.FROM_NAME
            )
        # The original's own signature (a personal address names its unit only there).
        for line in origin.signature.splitlines()[:SIGNATURE_LINES]:
            if 0 < len(line.strip()) <= SIGNATURE_LINE_MAX:
                sc.mentions("forward-origin", line, W_SIGNATURE, Where.ORIGIN_SIGNATURE)
        if origin.subject:
            _subject(sc, origin.subject)


def _quoted_as_forward(subject: str, chains: Iterable[Sequence[ForwardOrigin]]) -> bool:
    """Whether a chain holds a quoted block (``via == "inline-quoted"``) kept as a
    forward under a subject (the mail's, or the enclosing forward's) that does not say
    "forward" (see ``ingest.forward.forwards_kept``)."""
    for chain in chains:
        context = subject
        for origin in chain:
            if origin.via == "inline-quoted" and not is_forward_subject(context):
                return True
            context = origin.subject
    return False


def _verdict(sc: _Scorer, flags: list[str], verified: bool | None) -> UnitVerdict:
    totals = sc.totals()
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    best_unit, best = ranked[0] if ranked else (None, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    evidence = _dedupe(sc.evidence)
    unit: str | None = best_unit
    confidence = 0.0
    if best < CONVINCING:
        flags.append(FLAG_NONE)
        own = sum(w for (kind, u), w in sc.best.items() if u == best_unit and kind != "body")
        own += sum(
            e.weight
            for e in sc.evidence
            if e.unit == best_unit and e.kind == "body" and e.where != Where.ARTICLE
        )
        if (
            best < GUESS_MIN
            or own < GUESS_MIN / 2
            or (second >= best / 2 and not _outranks(sc, best_unit, ranked[1][0]))
            or FLAG_UNVERIFIED in flags  # a spoofed address must not name a unit at all
        ):
            unit = None
    org_guess = _organisation_guess(sc.article_orgs) if unit is None else None
    if unit is None and org_guess is None:
        org_guess = _place_guess(sc.article_places, sc.directory)
    if org_guess is not None and FLAG_UNVERIFIED not in flags:
        unit, confidence = org_guess, ARTICLE_GUESS_CONFIDENCE
    elif unit is not None:
        confidence = (best - second) / best * (1 - math.exp(-best / CONFIDENCE_SCALE))
        if best < CONVINCING:
            # A guess stays well under any review threshold, ordered by its total.
            confidence *= GUESS_FACTOR * best / CONVINCING
        if second >= CONFLICT_MIN and second >= CONFLICT_RATIO * best:
            flags.append(FLAG_CONFLICT)
    return UnitVerdict(
        unit=unit,
        confidence=round(confidence, 3),
        evidence=evidence,
        flagged=bool(flags),
        flag_reasons=flags,
        sender_verified=verified,
        scores={u: round(w, 3) for u, w in ranked},
    )


# What names the sender itself, as opposed to what names the story's places and people.
_SENDER_KINDS: Final = frozenset(
    {"address", "learned-address", "domain", "display-name", "signature", "letterhead",
     "forward-origin"}
)  # fmt: skip


def _outranks(sc: _Scorer, best: str | None, runner_up: str) -> bool:
    """A guess whose unit the sender's own marks name (a signature, a letterhead, an
    address, a forward's original sender) against a runner-up named only where stories
    are told (a subject's or an article's place): still the guess, however close."""
    kinds = {u: set() for u in (best, runner_up)}
    for kind, unit in sc.best:
        if unit in kinds:
            kinds[unit].add(kind)
    return bool(kinds[best] & _SENDER_KINDS) and not kinds[runner_up] & _SENDER_KINDS


def _organisation_guess(orgs: Mapping[str, int]) -> str | None:
    """When nothing but the articles speaks of the sender: the one organisation they name
    most (a department, association, company, member school or "UBND huyện X"; never a
    place: a story happens in communes, but a unit writes about its own people, "chị X,
    Phó Trưởng phòng ..., Sở Tài chính"). None on a tie. Given with the lowest confidence
    and the "no convincing evidence" flag: an editor confirms it."""
    if not orgs:
        return None
    ranked = sorted(orgs.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def _place_guess(places: Mapping[str, int], directory: UnitDirectory) -> str | None:
    """When nothing speaks of the sender and the articles name no organisation: the
    district whose places (itself, its communes and towns) they name clearly most, twice
    at least and more than twice any other's. A commune's officer writing from a phone
    names the commune, and a commune reports through its district. Given like an
    organisation's guess, with the lowest confidence: an editor confirms it."""
    ranked = sorted(
        ((code, n) for code, n in places.items() if _group(directory, code) == "district"),
        key=lambda kv: -kv[1],
    )
    if not ranked or ranked[0][1] < 2:
        return None
    if len(ranked) > 1 and ranked[0][1] <= 2 * ranked[1][1]:
        return None
    return ranked[0][0]


def _group(directory: UnitDirectory, code: str) -> str | None:
    unit = directory.get(code)
    return unit.group if unit is not None else None


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: dict[tuple[str, str, str, str], Evidence] = {}
    for ev in evidence:
        key = (ev.kind, ev.unit, ev.value, ev.where)
        if key not in seen or seen[key].weight < ev.weight:
            seen[key] = ev
    return sorted(seen.values(), key=lambda e: -e.weight)


# --- the tagger ---------------------------------------------------------------------------

_DIRECTORIES: dict[tuple[str, float], UnitDirectory] = {}


def _directory(settings: Mapping[str, Any]) -> UnitDirectory:
    found = settings.get("unit_directory")
    if isinstance(found, UnitDirectory):
        return found
    tagging = settings.get("tagging")
    path = settings.get("units_file") or getattr(tagging, "units_file", None)
    if path is None:
        raise ConfigError("tagging.units_file", "the unit tagger needs a unit directory")
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _DIRECTORIES:
        _DIRECTORIES[key] = UnitDirectory.load(path)
    return _DIRECTORIES[key]


class UnitTagger:
    """The "unit" tagger. Reads from ``ClassifyContext.settings``: ``unit_directory`` (a
    UnitDirectory) or ``units_file`` (a path, loaded once per file version) or ``tagging``
    (the TaggingConfig: its units_file and domains); optionally ``learned_addresses``
    (address -> unit code), ``official_domains``, ``webmail_domains``, and the message's
    ``body_text`` and ``forwarded_from``. Suggests nothing when no unit is convincing."""

    name: ClassVar[str] = "unit"
    level: ClassVar[str] = "message"

    def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]:
        verdict = self.verdict(article, ctx)
        if verdict.unit is None:
            return []
        lines = [e.as_item() for e in verdict.evidence if e.unit == verdict.unit]
        lines += [
            item(EK.AGAINST, unit=e.unit, clue=e.as_item())
            for e in verdict.evidence
            if e.unit != verdict.unit and e.weight >= 1.0
        ]
        lines += [item(EK.FLAG, flag=r) for r in verdict.flag_reasons]
        return [TagSuggestion("unit", verdict.unit, verdict.confidence, lines, self.name)]

    def verdict(self, article: ArticleDraft, ctx: ClassifyContext) -> UnitVerdict:
        s = ctx.settings
        tagging = s.get("tagging")
        official = s.get("official_domains") or getattr(tagging, "official_domains", None)
        webmail = s.get("webmail_domains") or getattr(tagging, "webmail_domains", None)
        kwargs: dict[str, Any] = {"learned": s.get("learned_addresses") or {}}
        if official:
            kwargs["official_domains"] = tuple(official)
        if webmail:
            kwargs["webmail_domains"] = tuple(webmail)
        return attribute_unit(
            ctx.headers,
            [article],
            ctx.cover_note,
            str(s.get("body_text", "")),
            list(s.get("forwarded_from", ())),
            _directory(s),
            **kwargs,
        )
