"""Inline forwards and replies as each mail client writes them, in English and Vietnamese.

Why: units forward their article from a colleague's or a personal mailbox, with whatever
client and interface language that person uses; the forwarded text is the article and its
original sender (address, name, signature) names the unit. An article pasted into an
Outlook forward in Vietnamese (a "____" rule, then "Từ:", "Đã gửi:", "Đến:", "Chủ đề:")
was once lost as "no article" together with its unit.

Every case below is generated: one original message (a unit's article, signed), written
into a forward the way one client writes it (Outlook desktop and web, Gmail web and phone,
Yahoo, Zimbra, Thunderbird, Apple Mail), in one interface language, as text/plain or
text/html; then read through ``extract_message`` and through the tagging stage. The
client formats follow ``ingest/forward.py``'s sources (Thunderbird's Vietnamese
localisation, talon's fixtures, published examples of Gmail's Vietnamese lines).
"""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dienhinh.classifiers.tagging import tag_outcome
from dienhinh.classifiers.units import FLAG_QUOTED_FORWARD
from dienhinh.core.config import TaggingConfig
from dienhinh.core.types import Outcome
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.extractors.html import html_sections
from dienhinh.notify.compose import reminder_mail
from dienhinh.notify.config import NotifyConfig
from factory import article_text, make_email

ROOT = Path(__file__).resolve().parents[3]
ICT = timezone(timedelta(hours=7))
WHEN = datetime(2026, 12, 6, 9, 15, tzinfo=ICT)
FORWARDER = "Ngô Thu Hằng <thuhang.ngo@gmail.com>"
NOTE = "Em chuyển tiếp bài của huyện gửi Ban ạ."


@dataclass(frozen=True)
class Original:
    """The unit's message that gets forwarded."""

    name: str
    addr: str
    unit: str  # the unit code it must be attributed to
    subject: str
    title: str
    paras: tuple[str, ...]
    signature: tuple[str, ...]  # closing lines under "Trân trọng!"

    @property
    def sender(self) -> str:
        return f"{self.name} <{self.addr}>"

    def plain_body(self) -> str:
        return "\n\n".join([self.title, *self.paras, "Trân trọng!\n" + "\n".join(self.signature)])

    def html_body(self, *, gmail_signature: bool = False) -> str:
        e = htmllib.escape
        parts = [f"<div><b>{e(self.title)}</b></div><div><br></div>"]
        parts += [f"<div>{e(p)}</div><div><br></div>" for p in self.paras]
        sig = "<br>".join(e(x) for x in self.signature)
        if gmail_signature:
            parts.append(
                '<div>Trân trọng!</div><div><br></div>-- <br><div dir="ltr" '
                f'class="gmail_signature" data-smartmail="gmail_signature">{sig}</div>'
            )
        else:
            parts.append(f"<div>Trân trọng!</div><div>{sig}</div>")
        return "".join(parts)


def _original(seed: int, *, personal: bool) -> Original:
    title, paras = article_text(seed)
    if personal:  # a personal Gmail: only the signature names the unit
        return Original(
            "Nguyễn Thị Lan",
            "lan.nguyen88@gmail.com",
            "bao-yen",
            "Bài viết gương điển hình tháng 12",
            title,
            tuple(paras),
            ("Nguyễn Thị Lan", "Phòng Nội vụ - UBND huyện Bảo Yên", "ĐT: 0214 3876 123"),
        )
    return Original(
        "Phòng Nội vụ huyện Bát Xát",
        "ubnd-batxat@laocai.gov.vn",
        "bat-xat",
        "Bài viết gương điển hình tháng 12",
        title,
        tuple(paras),
        ("Lò Văn Minh", "Chuyên viên Phòng Nội vụ"),
    )


# --- the clients: (subject prefix, plain body, html body) for a locale ----------------------

E = htmllib.escape


def _outlook_desktop(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        h = ("Từ", "Đã gửi", "Đến", "Chủ đề")
        date = "Chủ Nhật, 6 tháng 12, 2026 9:15 SA"
        sender = o.sender
    else:
        h = ("From", "Sent", "To", "Subject")
        date = "Sunday, December 6, 2026 9:15 AM"
        sender = f"{o.name} [mailto:{o.addr}]"
    plain = (
        f"{NOTE}\n\n________________________________\n{h[0]}: {sender}\n{h[1]}: {date}\n"
        f"{h[2]}: Ngô Thu Hằng\n{h[3]}: {o.subject}\n\n{o.plain_body()}\n"
    )
    # Word's HTML: the header block under a border-top div, source lines wrapped mid-value.
    wrapped_date = date.replace(" 9:15", "\n9:15")
    html = (
        '<div class="WordSection1"><p class="MsoNormal">' + E(NOTE) + "<o:p></o:p></p>"
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">'
        f'<p class="MsoNormal"><b>{h[0]}:</b> {E(sender)}<br>\n<b>{h[1]}:</b> {wrapped_date}'
        f"<br>\n<b>{h[2]}:</b> Ngô Thu Hằng<br>\n<b>{h[3]}:</b> {E(o.subject)}<o:p></o:p></p>"
        "</div>" + o.html_body() + "</div>"
    )
    return ("CT: " if vi else "FW: "), plain, html


def _outlook_web(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        h = ("Từ", "Đã gửi", "Đến", "Chủ đề")
        date = "Chủ Nhật, ngày 6 tháng 12 năm 2026 09:15"
    else:
        h = ("From", "Sent", "To", "Subject")
        date = "Sunday, December 6, 2026 9:15 AM"
    plain = (
        f"{NOTE}\n\n________________________________\n{h[0]}: {o.sender}\n{h[1]}: {date}\n"
        f"{h[2]}: Ngô Thu Hằng <thuhang.ngo@gmail.com>\n{h[3]}: {o.subject}\n\n"
        f"{o.plain_body()}\n"
    )
    html = (
        f"<div>{E(NOTE)}</div>"
        '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" color="#000000">'
        f"<b>{h[0]}:</b> {E(o.sender)}<br><b>{h[1]}:</b> {date}<br>"
        f"<b>{h[2]}:</b> Ngô Thu Hằng<br><b>{h[3]}:</b> {E(o.subject)}</font><div>&nbsp;</div>"
        f"</div><div>{o.html_body()}</div>"
    )
    return "", plain, html  # a subject the forwarder retyped: no FW:


def _fields(head: str) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in (x.partition(":") for x in head.split("\n"))]


def _outlook_2003(o: Original, vi: bool) -> tuple[str, str, str]:
    sep = "-----Thư gốc-----" if vi else "-----Original Message-----"
    h = ("Từ", "Đã gửi", "Đến", "Chủ đề") if vi else ("From", "Sent", "To", "Subject")
    date = "06 Tháng Mười Hai 2026 09:15" if vi else "Sunday, December 06, 2026 9:15 AM"
    head = f"{h[0]}: {o.sender}\n{h[1]}: {date}\n{h[2]}: Ngô Thu Hằng\n{h[3]}: {o.subject}"
    plain = f"{NOTE}\n\n{sep}\n{head}\n\n{o.plain_body()}\n"
    html = (
        f"<p>{E(NOTE)}</p><div><font face=Tahoma size=2>{E(sep)}<br>"
        + "<br>".join(
            f"<b>{E(x.split(':', 1)[0])}:</b>{E(x.split(':', 1)[1])}" for x in head.split("\n")
        )
        + "</font></div><br>"
        + o.html_body()
    )
    return "FW: ", plain, html


def _gmail_over_outlook(o: Original, vi: bool) -> tuple[str, str, str]:
    """Gmail forwarding (Fwd:) mail that came in from Outlook: the Outlook original's
    "-----Original Message-----" block opens Gmail's quote container, with no Gmail
    forward marker of its own (a colleague's personal Gmail relaying a department's mail)."""
    sep = "-----Thư gốc-----" if vi else "-----Original Message-----"
    h = ("Từ", "Đã gửi", "Đến", "Chủ đề") if vi else ("From", "Sent", "To", "Subject")
    date = "06 Tháng Mười Hai 2026 09:15" if vi else "Sunday, December 6, 2026 9:15 AM"
    head = [f"{h[0]}: {o.sender}", f"{h[1]}: {date}", f"{h[2]}: thuhang.ngo@gmail.com"]
    head.append(f"{h[3]}: {o.subject}")
    plain = f"{NOTE}\n\n{sep}\n" + "\n".join(head) + f"\n\n{o.plain_body()}\n"
    html = (
        f'<div dir="ltr"><p>{E(NOTE)}</p><p>&nbsp;</p><div class="gmail_quote">'
        f"<p>{E(sep)}</p>"
        + "".join(f"<p>{E(x)}</p>" for x in head)
        + "<p>&nbsp;</p>"
        + o.html_body()
        + "</div></div>"
    )
    return "Fwd: ", plain, html


def _gmail_web(o: Original, vi: bool) -> tuple[str, str, str]:
    # Gmail's Vietnamese interface translates the separator and "From", keeps the rest.
    sep = (
        "---------- Thư đã chuyển tiếp ---------"
        if vi
        else "---------- Forwarded message ---------"
    )
    frm = "Từ" if vi else "From"
    date = "Th 2, 6 thg 12, 2026 vào lúc 09:15" if vi else "Sun, Dec 6, 2026 at 9:15 AM"
    plain = (
        f"{NOTE}\n\n{sep}\n{frm}: {o.sender}\nDate: {date}\nSubject: {o.subject}\n"
        f"To: <thuhang.ngo@gmail.com>\n\n\n{o.plain_body()}\n"
    )
    html = (
        f'<div dir="ltr">{E(NOTE)}<br><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">{sep}<br>{frm}: <strong class="gmail_sendername" dir="auto">'
        f'{E(o.name)}</strong> <span dir="auto">&lt;<a href="mailto:{o.addr}">{o.addr}</a>'
        f"&gt;</span><br>Date: {date}<br>Subject: {E(o.subject)}<br>To: &lt;"
        'thuhang.ngo@gmail.com&gt;<br></div><br><br><div dir="ltr">'
        + o.html_body(gmail_signature=True)
        + "</div></div></div>"
    )
    return "Fwd: ", plain, html


def _gmail_phone(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        sep = "---------- Thư đã chuyển tiếp ---------"
        head = (
            f"Từ: {o.sender}\nNgày: Th 2, 6 thg 12, 2026 09:15\nTiêu đề: {o.subject}\n"
            "Tới: <thuhang.ngo@gmail.com>"
        )
    else:
        sep = "---------- Forwarded message ---------"
        head = (
            f"From: {o.sender}\nDate: Sun, Dec 6, 2026, 09:15\nSubject: {o.subject}\n"
            "To: <thuhang.ngo@gmail.com>"
        )
    plain = f"{NOTE}\n\n{sep}\n{head}\n\n\n{o.plain_body()}\n"
    html = (
        f'<div dir="auto">{E(NOTE)}<br><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">{sep}<br>' + E(head).replace("\n", "<br>") + "<br></div>"
        '<br><br><div dir="ltr">' + o.html_body() + "</div></div></div>"
    )
    return "Fwd: ", plain, html


def _yahoo(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        sep = "----- Thư đã chuyển tiếp -----"
        head = (
            f"Từ: {o.sender}\nTới: Ngô Thu Hằng <thuhang.ngo@gmail.com>\n"
            f"Đã gửi: Chủ Nhật, 6 tháng 12, 2026, 09:15:00 GMT+7\nChủ đề: {o.subject}"
        )
    else:
        sep = "----- Forwarded Message -----"
        head = (
            f"From: {o.sender}\nTo: Ngô Thu Hằng <thuhang.ngo@gmail.com>\n"
            f"Sent: Sunday, December 6, 2026, 09:15:00 AM GMT+7\nSubject: {o.subject}"
        )
    plain = f"{NOTE}\n\n\n{sep}\n{head}\n\n{o.plain_body()}\n"
    rows = "".join(
        f"<div><b>{E(x.split(':', 1)[0])}:</b>{E(x.split(':', 1)[1])}</div>"
        for x in head.split("\n")
    )
    html = (
        f'<div class="ydp6a1f yahoo-style-wrap"><div>{E(NOTE)}</div><div><br></div>'
        '<div id="ydp9c2eyahoo_quoted_4411" class="ydp9c2eyahoo_quoted">'
        f'<div style="font-size:13px"><div>{sep}</div>{rows}<div><br></div>'
        + o.html_body()
        + "</div></div></div>"
    )
    return "Fwd: ", plain, html


def _zimbra(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        sep = "----- Tin nhắn đã chuyển tiếp -----"
        head = (
            f'Từ: "{o.name}" <{o.addr}>\nĐến: "Ngô Thu Hằng" <thuhang.ngo@gmail.com>\n'
            f"Đã gửi: Chủ Nhật, 6 Tháng 12 2026 9:15:00\nChủ đề: {o.subject}"
        )
    else:
        sep = "----- Forwarded Message -----"
        head = (
            f'From: "{o.name}" <{o.addr}>\nTo: "Ngô Thu Hằng" <thuhang.ngo@gmail.com>\n'
            f"Sent: Sunday, December 6, 2026 9:15:00 AM\nSubject: {o.subject}"
        )
    plain = f"{NOTE}\n\n{sep}\n{head}\n\n{o.plain_body()}\n"
    # Zimbra's HTML forward: a divider and a header div, no "Forwarded" words at all.
    rows = "".join(
        f"<b>{E(x.split(':', 1)[0])}: </b>{E(x.split(':', 1)[1].strip())}<br>"
        for x in head.split("\n")
    )
    html = (
        f'<div style="font-family: arial"><div>{E(NOTE)}</div><div><br></div>'
        '<hr id="zwchr" data-marker="__DIVIDER__">'
        f'<div data-marker="__HEADERS__">{rows}</div><br>'
        f'<div data-marker="__QUOTED_TEXT__">{o.html_body()}</div></div>'
    )
    return "Fwd: ", plain, html


def _thunderbird(o: Original, vi: bool) -> tuple[str, str, str]:
    # Thunderbird's Vietnamese localisation: mime.properties 1041 and 1000-1012.
    sep = "-------- Thư Gốc --------" if vi else "-------- Forwarded Message --------"
    names = ("Tiêu đề", "Ngày", "Từ", "Tới") if vi else ("Subject", "Date", "From", "To")
    values = (o.subject, "Sun, 6 Dec 2026 09:15:00 +0700", o.sender, "thuhang.ngo@gmail.com")
    plain = (
        f"{NOTE}\n\n\n{sep}\n"
        + "".join(f"{n}: \t{v}\n" for n, v in zip(names, values, strict=True))
        + f"\n\n\n{o.plain_body()}\n"
    )
    rows = "".join(
        f'<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">{n}: </th><td>{E(v)}</td></tr>'
        for n, v in zip(names, values, strict=True)
    )
    html = (
        f'<p>{E(NOTE)}</p><br><div class="moz-forward-container"><br><br>{sep}'
        f'<table class="moz-email-headers-table" border="0" cellspacing="0" cellpadding="0">'
        f"<tbody>{rows}</tbody></table><br><br>{o.html_body()}</div>"
    )
    return "Fwd: ", plain, html


def _apple(o: Original, vi: bool) -> tuple[str, str, str]:
    if vi:
        intro = "Bắt đầu thư được chuyển tiếp:"
        names = ("Từ", "Chủ đề", "Ngày", "Đến")
        date = "6 tháng 12, 2026 lúc 09:15:00 GMT+7"
    else:
        intro = "Begin forwarded message:"
        names = ("From", "Subject", "Date", "To")
        date = "December 6, 2026 at 9:15:00 AM GMT+7"
    values = (o.sender, o.subject, date, "Ngô Thu Hằng <thuhang.ngo@gmail.com>")
    plain = (
        f"{NOTE}\n\n{intro}\n\n"
        + "".join(f"{n}: {v}\n" for n, v in zip(names, values, strict=True))
        + f"\n{o.plain_body()}\n"
    )
    rows = "".join(
        f'<div style="margin: 0px"><span><b>{n}: </b></span><span>{E(v)}<br></span></div>'
        for n, v in zip(names, values, strict=True)
    )
    html = (
        f'<div dir="auto">{E(NOTE)}<br><div><br><div>{intro}</div>'
        '<br class="Apple-interchange-newline"><blockquote type="cite">'
        f"{rows}<br><div>{o.html_body()}</div></blockquote></div></div>"
    )
    return "Fwd: ", plain, html


def _apple_quoted(o: Original, vi: bool) -> tuple[str, str, str]:
    """Apple Mail's text part renders the forward's blockquote with "> ", headers too."""
    prefix, plain, html = _apple(o, vi)
    head, _, rest = plain.partition(":\n\n")
    quoted = "\n".join(f"> {ln}" if ln else ">" for ln in rest.split("\n"))
    return prefix, f"{head}:\n\n{quoted}\n", html


IPHONE_SIGNATURE = {True: "Được gửi từ iPhone của tôi", False: "Sent from my iPhone"}


def _apple_ios(o: Original, vi: bool) -> tuple[str, str, str]:
    """The iPhone's Mail: the intro line in the sender's div, the header lines in one
    ``<blockquote type="cite">`` and the forwarded body in a second one beside it (the
    shape public test suites record for iOS Mail forwards); the text part quotes both
    with "> "."""
    if vi:
        intro = "Bắt đầu thư được chuyển tiếp:"
        names = ("Từ", "Chủ đề", "Ngày", "Đến")
        date = "6 tháng 12, 2026 lúc 09:15:00 GMT+7"
    else:
        intro = "Begin forwarded message:"
        names = ("From", "Subject", "Date", "To")
        date = "December 6, 2026 at 9:15:00 AM GMT+7"
    values = (o.sender, o.subject, date, "Ngô Thu Hằng <thuhang.ngo@gmail.com>")
    sent_from = IPHONE_SIGNATURE[vi]
    head = "".join(f"> {n}: {v}\n" for n, v in zip(names, values, strict=True))
    quoted = "\n".join(f"> {ln}" if ln else ">" for ln in o.plain_body().split("\n"))
    plain = f"{NOTE}\n\n{sent_from}\n\n{intro}\n\n{head}>\n{quoted}\n"
    rows = "<br>".join(
        f"<b>{n}:</b> " + (f"<b>{E(v)}</b>" if i == 1 else E(v))
        for i, (n, v) in enumerate(zip(names, values, strict=True))
    )
    html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8">'
        f'</head><body dir="auto"><div dir="ltr">{E(NOTE)}</div><div dir="ltr"><br></div>'
        f'<div dir="ltr">{E(sent_from)}</div><div dir="ltr"><br>{E(intro)}<br><br></div>'
        f'<blockquote type="cite"><div dir="ltr">{rows}<br></div></blockquote>'
        f'<blockquote type="cite"><div dir="ltr">{o.html_body()}</div></blockquote>'
        "</body></html>"
    )
    return "Fwd: ", plain, html


CLIENTS: dict[str, Callable[[Original, bool], tuple[str, str, str]]] = {
    "outlook-desktop": _outlook_desktop,
    "outlook-web": _outlook_web,
    "outlook-2003": _outlook_2003,
    "gmail-web": _gmail_web,
    "gmail-over-outlook": _gmail_over_outlook,
    "gmail-phone": _gmail_phone,
    "yahoo": _yahoo,
    "zimbra": _zimbra,
    "thunderbird": _thunderbird,
    "apple-mail": _apple,
    "apple-mail-quoted": _apple_quoted,
    "apple-ios": _apple_ios,
}
CASES = [
    pytest.param(client, locale, fmt, id=f"{client}-{locale}-{fmt}")
    for client in CLIENTS
    for locale in ("vi", "en")
    for fmt in ("plain", "html")
]


def _forward(client: str, locale: str, fmt: str, o: Original) -> bytes:
    prefix, plain, html = CLIENTS[client](o, locale == "vi")
    return make_email(
        from_=FORWARDER,
        subject=f"{prefix}{o.subject}" if prefix else "Gửi Ban bài viết của huyện",
        text=plain if fmt == "plain" else None,
        html=html if fmt == "html" else None,
    )


@pytest.fixture(scope="module")
def tagging(tmp_path_factory: pytest.TempPathFactory) -> TaggingConfig:
    """The shipped unit directory and campaigns; rules only (no learned model)."""
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path_factory.mktemp("model") / "absent.pkl",
    )


def _check_article(out: Outcome, o: Original) -> None:
    assert out.status == "ingested", out.reason
    [art] = out.articles
    assert art.title == o.title
    assert art.text.split("\n\n") == list(o.paras)
    origin = art.forwarded_from[-1]
    assert (origin.from_addr, origin.from_name) == (o.addr, o.name)
    assert origin.subject == o.subject
    assert origin.date is not None and origin.date.replace(second=0) == WHEN
    assert o.signature[1] in origin.signature
    # the iPhone signs the forwarder's note ("Sent from my iPhone")
    assert out.cover_note in (NOTE, *(f"{NOTE}\n\n{x}" for x in IPHONE_SIGNATURE.values()))


@pytest.mark.parametrize(("client", "locale", "fmt"), CASES)
def test_forward_from_an_official_address(
    client: str, locale: str, fmt: str, ctx: ExtractContext, tagging: TaggingConfig
) -> None:
    """GIVEN a unit's article forwarded inline by a personal Gmail WHEN extracted THEN
    the forwarded text is the article, with the unit's sender as its origin, AND the
    tagging stage attributes it to that unit, not to the forwarder."""
    o = _original(11, personal=False)
    out = extract_message(_forward(client, locale, fmt, o), ctx)
    _check_article(out, o)
    tags = tag_outcome(out, tagging)
    assert tags.unit is not None and tags.unit.value == o.unit, tags.unit
    # A reply's kind of block under a retyped subject is a forward, but an editor checks.
    retyped = CLIENTS[client](o, locale == "vi")[0] == ""
    assert (FLAG_QUOTED_FORWARD in tags.flags) == retyped, tags.flags
    assert all(a.flagged for a in tags.articles) or not retyped


@pytest.mark.parametrize(("client", "locale", "fmt"), CASES)
def test_forward_from_a_personal_address_signed_by_the_unit(
    client: str, locale: str, fmt: str, ctx: ExtractContext, tagging: TaggingConfig
) -> None:
    """GIVEN the original sent from a personal Gmail whose signature names the unit WHEN
    forwarded THEN the signature travels with the origin and attributes the unit."""
    o = _original(12, personal=True)
    out = extract_message(_forward(client, locale, fmt, o), ctx)
    _check_article(out, o)
    tags = tag_outcome(out, tagging)
    assert tags.unit is not None and tags.unit.value == o.unit, tags.unit
    assert any("Bảo Yên" in str(e.get("value", "")) for e in tags.unit.evidence)


# --- a forward of a forward -----------------------------------------------------------------

MIDDLE = "Trần Văn Bình <tranbinh.bx@gmail.com>"


def _nested_plain(o: Original, middle_subject: str) -> str:
    return (
        f"{NOTE}\n\n---------- Thư đã chuyển tiếp ---------\nTừ: {MIDDLE}\n"
        f"Date: Th 2, 7 thg 12, 2026 vào lúc 08:00\nSubject: {middle_subject}\n"
        "To: <thuhang.ngo@gmail.com>\n\n\nChị Hằng chuyển giúp em bài của Phòng nhé.\n\n"
        f"________________________________\nTừ: {o.sender}\n"
        "Đã gửi: Chủ Nhật, 6 tháng 12, 2026 9:15 SA\nĐến: Trần Văn Bình\n"
        f"Chủ đề: {o.subject}\n\n{o.plain_body()}\n"
    )


def _nested_html(o: Original, middle_subject: str) -> str:
    return (
        f'<div dir="ltr">{E(NOTE)}<br><br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">---------- Forwarded message ---------<br>From: '
        '<strong class="gmail_sendername">Trần Văn Bình</strong> &lt;tranbinh.bx@gmail.com'
        f"&gt;<br>Date: Mon, Dec 7, 2026 at 8:00 AM<br>Subject: {E(middle_subject)}<br>"
        "To: &lt;thuhang.ngo@gmail.com&gt;<br></div><br><br>"
        "<div>Chị Hằng chuyển giúp em bài của Phòng nhé.</div>"
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg" dir="ltr">'
        f"<b>Từ:</b> {E(o.sender)}<br><b>Đã gửi:</b> Chủ Nhật, ngày 6 tháng 12 năm 2026 09:15"
        f"<br><b>Đến:</b> Trần Văn Bình<br><b>Chủ đề:</b> {E(o.subject)}</div>"
        f"<div>{o.html_body()}</div></div></div>"
    )


@pytest.mark.parametrize("fmt", ["plain", "html"])
@pytest.mark.parametrize("middle_subject", ["CT: Bài viết", "Bài của Phòng Nội vụ"])
def test_forward_of_a_forward(
    fmt: str, middle_subject: str, ctx: ExtractContext, tagging: TaggingConfig
) -> None:
    """GIVEN Gmail forwarding an Outlook (Vietnamese) forward of the unit's article, the
    middle subject marked CT: or retyped WHEN extracted THEN the innermost text is the
    article, the chain runs forwarder → original, and the unit is the original's."""
    o = _original(13, personal=False)
    body = (_nested_plain if fmt == "plain" else _nested_html)(o, middle_subject)
    raw = make_email(
        from_=FORWARDER,
        subject="Fwd: " + middle_subject,
        text=body if fmt == "plain" else None,
        html=body if fmt == "html" else None,
    )
    out = extract_message(raw, ctx)
    _check_article(out, o)
    [art] = out.articles
    assert [x.from_addr for x in art.forwarded_from] == ["tranbinh.bx@gmail.com", o.addr]
    assert [x.via for x in art.forwarded_from] == ["inline", "inline-quoted"]
    tags = tag_outcome(out, tagging)
    assert tags.unit is not None and tags.unit.value == o.unit


# --- a reply quoting the Board's reminder: never the article ---------------------------------

BOARD = "Ban Thi đua - Khen thưởng tỉnh <btdkt-snv@laocai.gov.vn>"
ANSWER = "Đơn vị xin gửi bài viết vào tuần sau ạ."


def _reminder() -> list[str]:
    # As long as an article, so taking it for one would show.
    return ["Kính gửi các đơn vị,", *article_text(21)[1]]


def _quoted(lines: list[str]) -> str:
    return "\n".join(f"> {p}\n>" for p in lines)


def _reply_cases() -> dict[str, tuple[str, str | None, str | None]]:
    rem = _reminder()
    unquoted = "\n\n".join(rem)
    html_rem = "".join(f"<div>{E(p)}</div>" for p in rem)
    return {
        "gmail-vi-plain": (
            "Re: Nhắc nộp bài tháng 12",
            f"{ANSWER}\n\nVào Th 2, 6 thg 12, 2026 vào lúc 09:15 {BOARD} đã viết:\n\n"
            f"{_quoted(rem)}\n",
            None,
        ),
        # Gmail wraps a long attribution line; a flattening that lost the quote marks.
        "gmail-vi-wrapped-unquoted": (
            "Re: Nhắc nộp bài tháng 12",
            f"{ANSWER}\n\nVào Th 2, 6 thg 12, 2026 vào lúc 09:15 Ban Thi đua - Khen thưởng "
            f"tỉnh <\nbtdkt-snv@laocai.gov.vn> đã viết:\n\n{unquoted}\n",
            None,
        ),
        "talon-style-vi": (
            "Re: Nhắc nộp bài tháng 12",
            f"{ANSWER}\n\nVào 09:15 6 tháng 12, 2026, {BOARD} đã viết:\n\n{_quoted(rem)}\n",
            None,
        ),
        "yahoo-vi-plain": (
            "Re: Nhắc nộp bài tháng 12",
            f"{ANSWER}\n\nVào Chủ Nhật, 6 tháng 12, 2026, 09:15:11 GMT+7, {BOARD} đã viết:"
            f"\n\n\n{_quoted(rem)}\n",
            None,
        ),
        "outlook-vi-plain-TL": (
            "TL: Nhắc nộp bài tháng 12",
            f"{ANSWER}\n\n________________________________\nTừ: {BOARD}\n"
            "Đã gửi: Chủ Nhật, 6 tháng 12, 2026 9:15 SA\nĐến: Phòng Nội vụ\n"
            f"Chủ đề: Nhắc nộp bài tháng 12\n\n{unquoted}\n",
            None,
        ),
        "gmail-vi-html": (
            "Re: Nhắc nộp bài tháng 12",
            None,
            f'<div dir="ltr">{E(ANSWER)}</div><br><div class="gmail_quote"><div dir="ltr" '
            f'class="gmail_attr">Vào Th 2, 6 thg 12, 2026 vào lúc 09:15 {E(BOARD)} đã viết:'
            f'<br></div><blockquote class="gmail_quote">{html_rem}</blockquote></div>',
        ),
        # A reply from Gmail to mail that came from Outlook: the quote container opens
        # with Outlook's separator; the subject says reply, so it is history.
        "gmail-over-outlook-html-Re": (
            "Re: Nhắc nộp bài tháng 12",
            None,
            f'<div dir="ltr">{E(ANSWER)}</div><div class="gmail_quote"><p>-----Original '
            f"Message-----</p><p>From: {E(BOARD)}</p><p>Sent: Sunday, December 6, 2026 9:15 "
            f"AM</p><p>Subject: Nhắc nộp bài tháng 12</p>{html_rem}</div>",
        ),
        "outlook-web-vi-html-RE": (
            "RE: Nhắc nộp bài tháng 12",
            None,
            f'<div>{E(ANSWER)}</div><div id="appendonsend"></div><hr>'
            f'<div id="divRplyFwdMsg"><b>Từ:</b> {E(BOARD)}<br><b>Đã gửi:</b> Chủ Nhật, '
            "ngày 6 tháng 12 năm 2026 09:15<br><b>Đến:</b> Phòng Nội vụ<br><b>Chủ đề:</b> "
            f"Nhắc nộp bài tháng 12</div><div>{html_rem}</div>",
        ),
        "zimbra-vi-html-Re": (
            "Re: Nhắc nộp bài tháng 12",
            None,
            f'<div>{E(ANSWER)}</div><hr id="zwchr" data-marker="__DIVIDER__"><div '
            f'data-marker="__HEADERS__"><b>Từ: </b>{E(BOARD)}<br><b>Đến: </b>Phòng Nội vụ<br>'
            "<b>Đã gửi: </b>Chủ Nhật, 6 Tháng 12 2026 9:15:00<br><b>Chủ đề: </b>Nhắc nộp bài"
            f'</div><br><div data-marker="__QUOTED_TEXT__">{html_rem}</div>',
        ),
    }


@pytest.mark.parametrize("case", list(_reply_cases()))
def test_reply_quoting_the_reminder_is_not_an_article(case: str, ctx: ExtractContext) -> None:
    """GIVEN a unit's short answer above the Board's own reminder, quoted the way each
    client quotes WHEN extracted THEN no article comes out of the reminder, it is no
    forward, and the body is the answer alone."""
    subject, text, html = _reply_cases()[case]
    raw = make_email(subject=subject, text=text, html=html)
    out = extract_message(raw, ctx)
    assert out.articles == [] and out.status == "no-article", out.reason
    assert out.forwarded_from == []
    assert out.body_text == ANSWER


def test_reply_with_the_article_above_the_quote(ctx: ExtractContext) -> None:
    """GIVEN the article pasted above the quoted reminder WHEN extracted THEN the pasted
    text is the article, with no forward origin."""
    title, paras = article_text(22)
    text = (
        "\n\n".join([title, *paras])
        + f"\n\nVào Th 2, 6 thg 12, 2026 vào lúc 09:15 {BOARD} đã viết:\n\n"
        + _quoted(_reminder())
    )
    out = extract_message(make_email(subject="Re: Nhắc nộp bài", text=text), ctx)
    [art] = out.articles
    assert art.title == title and art.text.split("\n\n") == paras
    assert art.forwarded_from == [] and out.forwarded_from == []


def test_retyped_subject_article_above_an_outlook_quote(ctx: ExtractContext) -> None:
    """GIVEN a subject that says neither reply nor forward, the article written above an
    Outlook (Vietnamese) header block quoting the Board's reminder WHEN extracted THEN the
    sender's own text is the article and the block is history, not a forward; the same
    block under a short note is a forward (see the outlook-web cases above)."""
    title, paras = article_text(23)
    text = (
        "\n\n".join([title, *paras]) + f"\n\n________________________________\nTừ: {BOARD}\n"
        "Đã gửi: Chủ Nhật, 6 tháng 12, 2026 9:15 SA\nĐến: Phòng Nội vụ\n"
        "Chủ đề: Nhắc nộp bài tháng 12\n\n" + "\n\n".join(_reminder())
    )
    out = extract_message(make_email(subject="Bài viết tháng 12", text=text), ctx)
    [art] = out.articles
    assert art.title == title and art.text.split("\n\n") == paras
    assert art.forwarded_from == [] and out.forwarded_from == []


def test_marked_signatures_leave_the_text_and_sign_the_forward() -> None:
    """GIVEN HTML signatures (Gmail's div, a "signature" class) WHEN flattened THEN their
    lines leave the text, the text after them stays, and a forwarded message's marked
    signature becomes its origin's signature even without a "-- " line."""
    own = html_sections(
        '<div>Đoạn một.</div><div class="signature">Nguyễn Văn A<br>Phòng Nội vụ</div>'
        "<div>Đoạn hai.</div>",
        [],
    )
    assert own[0].paragraphs == ["Đoạn một.", "Đoạn hai."]
    forwarded = html_sections(
        '<div>Em gửi ạ.</div><div class="gmail_quote"><div class="gmail_attr">---------- '
        "Forwarded message ---------<br>From: Lan &lt;lan.nguyen88@gmail.com&gt;<br>"
        "Date: Sun, Dec 6, 2026 at 9:15 AM<br>Subject: Bài</div><div>Nội dung bài.</div>"
        '<div class="gmail_signature">Nguyễn Thị Lan<br>UBND huyện Bảo Yên</div></div>',
        [],
    )
    [_, section] = forwarded
    assert section.paragraphs == ["Nội dung bài."]
    assert section.forwarded_from[-1].signature == "Nguyễn Thị Lan\nUBND huyện Bảo Yên"


def test_source_line_breaks_are_spaces_except_in_pre() -> None:
    """Word's HTML wraps its source mid-value; a browser shows those breaks as spaces,
    while <pre> keeps its lines."""
    [own] = html_sections(
        "<p>Một câu viết\ntrên hai dòng nguồn.</p><pre>Dòng một\nDòng hai</pre>", []
    )
    assert own.paragraphs == ["Một câu viết trên hai dòng nguồn.", "Dòng một\nDòng hai"]


# --- the Board's own reminder under a retyped subject: never the article ---------------------


def _board_reminder(kind: str) -> Original:
    """The Board's reminder as a unit receives it: ``"address"`` sent from the Board's
    mailbox (a long text, so an article if taken for one), ``"wording"`` the reminder
    the product itself composes (notify/compose.py), relayed by a Board staffer's
    personal address."""
    if kind == "address":
        return Original(
            "Ban Thi đua - Khen thưởng tỉnh",
            "btdkt-snv@laocai.gov.vn",
            "",
            "Nhắc nộp bài tháng 12",
            "Kính gửi các đơn vị,",
            tuple(_reminder()[1:]),
            ("Ban Thi đua - Khen thưởng tỉnh Lào Cai",),
        )
    mail = reminder_mail(
        NotifyConfig(),
        to=["ubnd-baoyen@laocai.gov.vn"],
        unit_name="Phòng Nội vụ huyện Bảo Yên",
        period_label="Tháng 12/2026",
        last_day=datetime(2026, 12, 31, tzinfo=ICT),
        now=datetime(2026, 12, 20, 8, 0, tzinfo=ICT),
    )
    text, _, footer = mail.get_content().partition("\nTrân trọng.\n")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return Original(
        "Trần Minh Tâm",
        "minhtam.tdkt@gmail.com",
        "",
        str(mail["Subject"]),
        lines[0],
        tuple(lines[1:]),
        tuple(ln for ln in footer.split("\n") if ln.strip() and ln.strip() != "--"),
    )


@pytest.mark.parametrize("kind", ["address", "wording"])
@pytest.mark.parametrize(("client", "locale", "fmt"), CASES)
def test_retyped_subject_over_the_boards_reminder_is_not_an_article(
    client: str, locale: str, fmt: str, kind: str, ctx: ExtractContext
) -> None:
    """GIVEN a unit's short note above the Board's reminder, quoted or forwarded the way
    each client does, under a subject that says neither reply nor forward (the forward
    rule would take the block for a forwarded article) WHEN extracted THEN the reminder
    is no article and no forward origin: the message is "no-article" with the note as
    its body, for the editors' review, never counted as the unit's article."""
    reminder = _board_reminder(kind)
    _prefix, plain, html = CLIENTS[client](reminder, locale == "vi")
    raw = make_email(
        from_="Phòng Nội vụ huyện Bảo Yên <ubnd-baoyen@laocai.gov.vn>",
        subject="Gửi Ban Thi đua",
        text=plain if fmt == "plain" else None,
        html=html if fmt == "html" else None,
    )
    out = extract_message(raw, ctx)
    assert out.articles == [] and out.status == "no-article", (out.status, out.reason)
    assert out.forwarded_from == []
    assert out.body_text.startswith(NOTE)


# --- header block and forwarded body in sibling elements ------------------------------------


def _sibling_layouts(o: Original) -> dict[str, str]:
    """Forwards whose header lines and body sit in sibling elements, as clients nest
    them (the iPhone's two blockquotes, also wrapped in a div; a gmail_attr header div
    beside a quoted body; Outlook on the web's divRplyFwdMsg beside the body div;
    Thunderbird's header table beside the body inside moz-forward-container)."""
    e = E
    heads = (
        f"<b>From:</b> {e(o.sender)}<br><b>Subject:</b> <b>{e(o.subject)}</b><br>"
        "<b>Date:</b> December 6, 2026 at 9:15:00 AM GMT+7<br><b>To:</b> Ngô Thu Hằng<br>"
    )
    body = o.html_body()
    gmail_head = (
        '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        f"From: {e(o.sender)}<br>Date: Sun, Dec 6, 2026 at 9:15 AM<br>"
        f"Subject: {e(o.subject)}<br>To: &lt;thuhang.ngo@gmail.com&gt;<br></div>"
    )
    return {
        "ios": f'<div dir="ltr">{e(NOTE)}<br><br>Begin forwarded message:<br><br></div>'
        f'<blockquote type="cite"><div dir="ltr">{heads}</div></blockquote>'
        f'<blockquote type="cite"><div dir="ltr">{body}</div></blockquote>',
        "ios-wrapped": f'<div dir="ltr">{e(NOTE)}</div><div dir="ltr">Begin forwarded '
        f'message:</div><div><blockquote type="cite"><div dir="ltr">{heads}</div>'
        f'</blockquote></div><blockquote type="cite">{body}</blockquote>',
        "gmail-attr-beside-quote": f'<div dir="ltr">{e(NOTE)}<br><br><div class="gmail_quote">'
        f'{gmail_head}<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
        f"{body}</blockquote></div></div>",
        "outlook-web": f'<div>{e(NOTE)}</div><div id="appendonsend"></div><hr>'
        f'<div id="divRplyFwdMsg" dir="ltr"><b>Từ:</b> {e(o.sender)}<br><b>Đã gửi:</b> '
        "Chủ Nhật, ngày 6 tháng 12 năm 2026 09:15<br><b>Đến:</b> Ngô Thu Hằng<br>"
        f"<b>Chủ đề:</b> {e(o.subject)}</div><div>{body}</div>",
        "thunderbird": f'<p>{e(NOTE)}</p><div class="moz-forward-container">-------- '
        'Forwarded Message --------<table class="moz-email-headers-table"><tbody>'
        f"<tr><th>Subject: </th><td>{e(o.subject)}</td></tr><tr><th>Date: </th><td>Sun, 6 "
        f"Dec 2026 09:15:00 +0700</td></tr><tr><th>From: </th><td>{e(o.sender)}</td></tr>"
        f'</tbody></table><div class="moz-text-html">{body}</div></div>',
    }


@pytest.mark.parametrize("layout", list(_sibling_layouts(_original(14, personal=True))))
def test_header_block_and_body_in_sibling_elements(layout: str) -> None:
    """GIVEN a forward whose header lines and body are sibling elements WHEN flattened
    THEN the body is the forwarded section, with the original sender and signature."""
    o = _original(14, personal=True)
    sections = html_sections(_sibling_layouts(o)[layout], [])
    assert len(sections) == 2, [s.paragraphs[:1] for s in sections]
    own, fwd = sections
    assert own.paragraphs == [NOTE]
    origin = fwd.forwarded_from[-1]
    assert (origin.from_addr, origin.from_name) == (o.addr, o.name)
    assert fwd.title == o.title and fwd.paragraphs[: len(o.paras) + 1] == [o.title, *o.paras]
    assert o.signature[1] in origin.signature


@pytest.mark.parametrize(
    "html",
    [
        # Gmail: the reply's attribution beside the quoted message
        f'<div dir="ltr">{E(NOTE)}</div><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">On Sun, Dec 6, 2026 at 9:15 AM {E(BOARD)} wrote:<br></div>'
        '<blockquote class="gmail_quote"><div>Kính gửi các đơn vị.</div></blockquote></div>',
        # the iPhone's reply
        f'<div dir="ltr">{E(NOTE)}</div><div dir="ltr"><br>On 6 Dec 2026, at 09:15, '
        f"{E(BOARD)} wrote:<br><br></div><blockquote "
        'type="cite"><div dir="ltr">Kính gửi các đơn vị.</div></blockquote>',
        # Thunderbird's reply
        f'<p>{E(NOTE)}</p><div class="moz-cite-prefix">On 06/12/2026 09:15, Ban wrote:<br>'
        '</div><blockquote type="cite">Kính gửi các đơn vị.</blockquote>',
    ],
    ids=["gmail-reply", "ios-reply", "thunderbird-reply"],
)
def test_a_replys_quote_beside_its_attribution_is_dropped(html: str) -> None:
    """GIVEN a reply whose attribution line and quote are siblings WHEN flattened THEN
    only the sender's own text is left."""
    [own] = html_sections(html, [])
    assert own.paragraphs == [NOTE]
