"""Forwarded articles keep their original sender.

Why: a unit often mails its article to a colleague or a personal address, and that person
forwards it to the Board. Tagging must attribute the article to the unit that wrote it,
not to the forwarder, so the original From/date/subject are kept, and the forwarder's
own short note becomes the cover note.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dienhinh.core.config import IngestConfig
from dienhinh.core.mailwords import is_board_reminder, is_forward_subject, is_reply_subject
from dienhinh.core.types import ForwardOrigin
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.forward import (
    forwards_kept,
    header_field,
    parse_forward_date,
    reply_line_end,
    separator_kind,
    split_sections,
)
from dienhinh.ingest.mime import parse_message
from factory import (
    DOCX_TYPE,
    Attach,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_forward_email,
)

ICT = timezone(timedelta(hours=7))
UNIT = "Phòng Nội vụ huyện Bảo Yên <ubnd-baoyen@laocai.gov.vn>"
NOTE = "Chị chuyển tiếp bài của huyện gửi nhầm vào hộp thư cũ, em nhận giúp chị nhé."


def _original(seed: int = 1, **kw: object) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        from_=UNIT,
        subject="Bảo Yên gửi bài mô hình mới tháng 4/2019",
        date=datetime(2019, 4, 29, 16, 40, tzinfo=ICT),
        attachments=[Attach("BaoYen_T4.docx", doc, DOCX_TYPE)],
        **kw,  # type: ignore[arg-type]
    )


def test_rfc822_attachment_with_docx_is_forwarded_docx(ctx: ExtractContext) -> None:
    """GIVEN a personal address forwarding the unit's mail as an attached .eml WHEN
    extracted THEN the docx inside is a "forwarded-docx" article attributed to the unit,
    and the forwarder's note is the cover note."""
    out = extract_message(make_forward_email(_original(), note=NOTE), ctx)
    [art] = out.articles
    assert art.source == "forwarded-docx" and art.title == article_text(1)[0]
    [origin] = art.forwarded_from
    assert (origin.from_name, origin.from_addr, origin.via) == (
        "Phòng Nội vụ huyện Bảo Yên",
        "ubnd-baoyen@laocai.gov.vn",
        "rfc822",
    )
    assert origin.subject == "Bảo Yên gửi bài mô hình mới tháng 4/2019"
    assert origin.date == datetime(2019, 4, 29, 16, 40, tzinfo=ICT)
    assert out.forwarded_from == art.forwarded_from
    assert out.cover_note == NOTE
    assert out.headers.from_addr == "thuhang_ngo@yahoo.com.vn"  # the mail itself is unchanged


def test_forward_of_a_forward_keeps_the_chain(ctx: ExtractContext) -> None:
    middle = make_forward_email(_original(2), from_=b"Ban <ban@laocai.gov.vn>")
    out = extract_message(make_forward_email(middle), ctx)
    [art] = out.articles
    assert [o.from_addr for o in art.forwarded_from] == [
        "ban@laocai.gov.vn",
        "ubnd-baoyen@laocai.gov.vn",
    ]


def test_rfc822_forward_depth_bound() -> None:
    raw = _original(3)
    for i in range(4):
        raw = make_forward_email(raw, from_=f"F{i} <f{i}@x.vn>".encode())
    parsed = parse_message(raw, IngestConfig(max_forward_depth=2))
    assert len(parsed.forwards) == 2
    assert any("max_forward_depth" in d for d in parsed.defects)


GMAIL_TEXT = """Em gửi Ban bài của xã ạ.

---------- Forwarded message ---------
From: {unit}
Date: Mon, Apr 29, 2019 at 4:40 PM
Subject: Bài viết mô hình mới
To: <thuhang@gmail.com>


{title}

{body}
"""

GMAIL_VI_TEXT = """Em chuyển tiếp ạ.

---------- Thư đã chuyển tiếp ---------
Từ: {unit}
Ngày: Th 2, 29 thg 4, 2019 vào lúc 16:40
Tiêu đề: Bài viết mô hình mới
Tới: <thuhang@gmail.com>


{title}

{body}
"""


@pytest.mark.parametrize("template", [GMAIL_TEXT, GMAIL_VI_TEXT])
def test_inline_gmail_forward_in_plain_text(template: str, ctx: ExtractContext) -> None:
    title, paras = article_text(4)
    text = template.format(unit=UNIT, title=title, body="\n\n".join(paras))
    out = extract_message(make_email(subject="Fwd: Bài viết mô hình mới", text=text), ctx)
    [art] = out.articles
    assert art.source == "text-body" and art.title == title
    assert art.text == "\n\n".join(paras)
    [origin] = art.forwarded_from
    assert (origin.from_addr, origin.subject, origin.via) == (
        "ubnd-baoyen@laocai.gov.vn",
        "Bài viết mô hình mới",
        "inline",
    )
    assert origin.date == datetime(2019, 4, 29, 16, 40, tzinfo=ICT)
    assert out.cover_note == text.split("\n\n")[0]


def test_inline_gmail_forward_in_html(ctx: ExtractContext) -> None:
    title, paras = article_text(5)
    html = (
        '<div dir="ltr">Em gửi Ban ạ.<br><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        'From: <strong class="gmail_sendername" dir="auto">Phòng Nội vụ huyện Bảo Yên</strong> '
        '<span dir="auto">&lt;ubnd-baoyen@laocai.gov.vn&gt;</span><br>'
        "Date: Mon, Apr 29, 2019 at 4:40 PM<br>Subject: Bài viết<br>"
        "To: &lt;thuhang@gmail.com&gt;<br></div><br><br>"
        f'<div dir="ltr"><p><b>{title}</b></p>'
        + "".join(f"<p>{p}</p>" for p in paras)
        + '<div class="gmail_quote">On Mon, Apr 1 Ban wrote:<blockquote>Nhắc nộp bài</blockquote>'
        "</div></div></div></div>"
    )
    out = extract_message(make_email(subject="Fwd: Bài viết", text=None, html=html), ctx)
    [art] = out.articles
    assert art.source == "html-body" and art.title == title
    assert art.text.split("\n\n") == paras
    assert "Nhắc nộp bài" not in out.body_text
    assert art.forwarded_from[0].from_name == "Phòng Nội vụ huyện Bảo Yên"
    assert out.cover_note == "Em gửi Ban ạ."


OUTLOOK = """Chuyển Ban bài của Phòng.

________________________________
From: Nguyen Van A [mailto:ubnd-baoyen@laocai.gov.vn]
Sent: Monday, April 29, 2019 4:40 PM
To: Ngo Thu Hang
Subject: Bai viet mo hinh

{title}

{body}
"""


def test_outlook_header_block_is_a_forward_when_the_subject_says_so(ctx: ExtractContext) -> None:
    title, paras = article_text(6)
    text = OUTLOOK.format(title=title, body="\n\n".join(paras))
    out = extract_message(make_email(subject="FW: Bai viet mo hinh", text=text), ctx)
    [art] = out.articles
    assert art.title == title
    [origin] = art.forwarded_from
    assert (origin.from_name, origin.from_addr, origin.via) == (
        "Nguyen Van A",
        "ubnd-baoyen@laocai.gov.vn",
        "inline-quoted",
    )
    assert origin.date == datetime(2019, 4, 29, 16, 40, tzinfo=ICT)


def test_outlook_header_block_in_a_reply_is_a_quotation(ctx: ExtractContext) -> None:
    """The same block under "RE:" is the quoted history of a reply: cut, as before."""
    title, paras = article_text(6)
    text = OUTLOOK.format(title=title, body="\n\n".join(paras))
    out = extract_message(make_email(subject="RE: Bai viet mo hinh", text=text), ctx)
    assert out.articles == [] and out.forwarded_from == []
    assert title not in out.body_text


def test_vietnamese_outlook_web_forward_in_html(ctx: ExtractContext) -> None:
    title, paras = article_text(7)
    html = (
        '<div>Gửi Ban bài viết.</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg"><b>Từ:</b> Trường PTDTBT Sín Chải '
        "&lt;thcs-sinchai@laocai.gov.vn&gt;"
        "<br><b>Đã gửi:</b> Thứ Hai, 29 tháng 4, 2019 16:40<br><b>Đến:</b> Hằng<br>"
        "<b>Chủ đề:</b> Bài viết</div>"
        f"<div><p>{title}</p>" + "".join(f"<p>{p}</p>" for p in paras) + "</div>"
    )
    out = extract_message(make_email(subject="FW: Bài viết", text=None, html=html), ctx)
    [art] = out.articles
    assert art.forwarded_from[0].from_addr == "thcs-sinchai@laocai.gov.vn"
    assert art.forwarded_from[0].date == datetime(2019, 4, 29, 16, 40, tzinfo=ICT)
    assert art.text.split("\n\n") == paras
    assert out.cover_note == "Gửi Ban bài viết."


def test_outlook_header_block_written_as_one_paragraph_per_header(ctx: ExtractContext) -> None:
    """An Outlook block rebuilt as one <p> per header line (a rule, "Từ:", "Đã gửi:",
    "Đến:", "Chủ đề:") reaches the reader with blank lines between the headers: still a
    forward, its original sender kept (it was read as the forwarder's own text)."""
    title, paras = article_text(9)
    p = '<p class="MsoNormal">{}<o:p></o:p></p>'.format
    html = (
        p("Văn phòng Sở Tư pháp kính chuyển bài viết của đơn vị thành viên Khối.")
        + p("Trân trọng!")
        + p("<o:p>&nbsp;</o:p>")
        + p("________________________________")
        + p("Từ: Phòng Tham mưu - Công an tỉnh Lào Cai &lt;congan@laocai.gov.vn&gt;")
        + p("Đã gửi: Thứ Ba, 26 tháng 3, 2019 16:47")
        + p("Đến: Van phong So Tu phap &lt;stp@laocai.gov.vn&gt;")
        + p("Chủ đề: Gửi bài giới thiệu gương điển hình")
        + p("<o:p>&nbsp;</o:p>")
        + p("Phòng Tham mưu Công an tỉnh gửi bài viết đính kèm.")
    )
    raw = make_email(
        subject="FW: Gửi bài giới thiệu gương điển hình",
        text=None,
        html=html,
        attachments=[
            Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE)
        ],
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    [origin] = art.forwarded_from
    assert origin.from_addr == "congan@laocai.gov.vn"
    assert origin.date == datetime(2019, 3, 26, 16, 47, tzinfo=ICT)
    assert "congan@" not in out.cover_note and "Sở Tư pháp" in out.cover_note
    # Header-looking lines far apart are no block: a note that says "Từ: ..." once.
    lines = ["Từ: năm 2015 đến nay", "", "", "", "", "", "Chủ đề: bảo vệ rừng", "x"]
    assert [s.kind for s in split_sections(lines, max_depth=3)] == ["own"]


def test_inline_forward_with_reattached_docx(ctx: ExtractContext) -> None:
    """Gmail forwards re-attach the original's files: the docx is the forwarded article."""
    title, paras = article_text(8)
    text = GMAIL_TEXT.format(unit=UNIT, title="Kính gửi Ban,", body="Huyện gửi bài kèm theo.")
    raw = make_email(
        subject="Fwd: Bài viết",
        text=text,
        attachments=[
            Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE)
        ],
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert art.source == "forwarded-docx"
    assert art.forwarded_from[0].from_addr == "ubnd-baoyen@laocai.gov.vn"
    assert out.cover_note == "Em gửi Ban bài của xã ạ."


def test_inline_forward_depth_bound() -> None:
    lines: list[str] = ["Ghi chú."]
    for i in range(4):
        lines += [
            "---------- Forwarded message ---------",
            f"From: F{i} <f{i}@x.vn>",
            "",
            f"Lớp {i}.",
        ]
    sections = split_sections(lines, max_depth=2)
    assert [s.origin.from_addr for s in sections[1:]] == ["f0@x.vn", "f1@x.vn"]
    assert "---------- Forwarded message ---------" in sections[-1].lines  # left as text


def test_quoted_markers_never_split() -> None:
    lines = ["Nội dung.", "> ---------- Forwarded message ---------", "> From: A <a@x.vn>"]
    assert len(split_sections(lines, max_depth=5)) == 1
    reply = ["Cảm ơn.", "Vào Th 2, Ban <b@x.vn> đã viết:", "---------- Forwarded message ---------"]
    assert len(split_sections(reply, max_depth=5)) == 1


@pytest.mark.parametrize(
    ("subject", "forward"),
    [
        ("Fwd: Bài", True),
        ("FW: Bài", True),
        ("TR: Bài", True),
        ("Re: Fwd: Bài", True),
        ("RE: Bài", False),
        ("Bài viết", False),
        ("TL: Bài", False),
    ],
)
def test_forward_subjects(subject: str, forward: bool) -> None:
    assert is_forward_subject(subject) is forward


@pytest.mark.parametrize(
    "text",
    [
        "Mon, Apr 29, 2019 at 4:40 PM",
        "Th 2, 29 thg 4, 2019 vào lúc 16:40",
        "Thứ Hai, 29 tháng 4, 2019 4:40 CH",
        "Monday, April 29, 2019 4:40 PM",
        "29/04/2019 16:40",
        "Mon, 29 Apr 2019 16:40:00 +0700",
    ],
)
def test_forward_dates(text: str) -> None:
    assert parse_forward_date(text) == datetime(2019, 4, 29, 16, 40, tzinfo=ICT)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("---------- Forwarded message ---------", "forward"),
        ("---------- Thư đã chuyển tiếp ---------", "forward"),
        ("----- Forwarded Message -----", "forward"),
        ("----- Tin nhắn đã chuyển tiếp -----", "forward"),
        ("-------- Forwarded Message --------", "forward"),
        ("Begin forwarded message:", "forward"),
        ("Bắt đầu thư được chuyển tiếp:", "forward"),
        ("----- Forwarded message from Lan <lan@x.vn> -----", "forward"),
        ("-----Original Message-----", "quoted"),
        ("-----Thư gốc-----", "quoted"),
        ("-------- Thư Gốc --------", "quoted"),
        ("----- Original Message -----", "quoted"),
        ("Thư đã chuyển tiếp cho anh Bình.", None),
        ("-----", None),
    ],
)
def test_client_separators(line: str, kind: str | None) -> None:
    assert separator_kind(line) == kind


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Từ: Lan <lan@x.vn>", "from"),
        ("Đã gửi: Thứ Hai, 6 tháng 12, 2026 9:15 SA", "date"),
        ("Chủ đề: Bài viết", "subject"),
        ("Tiêu đề: \tBài viết", "subject"),
        ("Tới: Hằng", "to"),
        ("Đến: Hằng", "to"),
        ("Trả lời Tới: a@b.vn", "reply-to"),
        ("*From:* Lan", "from"),
        ("Sent: Monday", "date"),
        ("Từ đó đến nay: xã đã làm", None),
        ("Kính gửi: Ban Thi đua", None),
    ],
)
def test_header_words(line: str, field: str | None) -> None:
    found = header_field(line)
    assert (found[0] if found else None) == field


@pytest.mark.parametrize(
    ("lines", "end"),
    [
        (["Vào Th 2, 6 thg 12, 2026 vào lúc 09:15 Ban <b@x.vn> đã viết:"], 1),
        (["Vào 14:24 8 tháng 6, 2017, Hùng Nguyễn <h@x.com> đã viết:"], 1),
        (["On Sun, Dec 6, 2026 at 9:15 AM Ban Thi đua <", "b@x.vn> wrote:"], 2),
        (["Vào ngày 6 tháng 12, cả xã đã viết", "nên trang sử mới."], None),
        (["Vào dịp này, anh đã viết:", "", "Từ: x"], 1),
        (["Vào năm 2019", "Từ: Lan", "đã viết:"], None),
    ],
)
def test_reply_lines(lines: list[str], end: int | None) -> None:
    assert reply_line_end(lines, 0) == end


def _quoted(subject: str = "") -> ForwardOrigin:
    return ForwardOrigin(from_addr="a@x.vn", subject=subject, via="inline-quoted")


@pytest.mark.parametrize(
    ("subject", "texts", "kept"),
    [
        ("FW: Bài", ["Chuyển Ban."], 1),
        ("CT: Bài", ["x" * 900], 1),  # said forward: kept whatever the note above
        ("RE: Bài", ["Cảm ơn."], 0),
        ("TL: Bài", ["Cảm ơn."], 0),
        ("Trả lời: Bài", ["Cảm ơn."], 0),
        ("Gửi bài viết", ["Em gửi ạ."], 1),  # retyped subject, a note above: a forward
        ("Gửi bài viết", ["x" * 900], 0),  # retyped subject, an article above: history
    ],
)
def test_quoted_blocks_kept_as_forwards(subject: str, texts: list[str], kept: int) -> None:
    assert forwards_kept([_quoted()], subject, texts=texts, min_chars=400) == kept


def test_nested_quoted_block_follows_its_own_subject() -> None:
    """Inside a forward, a quoted block is judged by the forwarded message's subject."""
    chain = [ForwardOrigin(subject="RE: Nhắc nộp bài"), _quoted()]
    assert forwards_kept(chain, "Fwd: RE: Nhắc nộp bài") == 1
    chain = [ForwardOrigin(subject="CT: Bài"), _quoted()]
    assert forwards_kept(chain, "Fwd: Bài") == 2


BOARD_ADDR = "btdkt-snv@laocai.gov.vn"
REMINDER = (
    "Kính gửi Phòng Nội vụ huyện Bảo Yên,\n\nĐến 08:00 ngày 20/12/2026, Ban Thi đua - Khen "
    "thưởng chưa nhận được bài viết nào của đơn vị trong kỳ tháng 12/2026.\n\nĐề nghị đơn "
    "vị gửi bài về địa chỉ btdkt-snv@laocai.gov.vn trước ngày 31/12/2026."
)


def test_the_boards_reminder_is_never_kept_as_a_forward() -> None:
    """The Board's own mail (its address, or its reminder's wording from another
    address) ends the kept forwards, whatever the subject says; a unit's message that
    only answered it (forwarded with the reminder quoted beneath) stays."""
    board = ForwardOrigin(from_addr=BOARD_ADDR, subject="Nhắc nộp bài", via="inline-quoted")
    relayed = ForwardOrigin(from_addr="minhtam.tdkt@gmail.com", subject="Thông báo")
    unit = ForwardOrigin(from_addr="ubnd-baoyen@laocai.gov.vn", subject="Re: Nhắc nộp bài")
    article = "x" * 900
    assert forwards_kept([board], "Gửi Ban", texts=["Em gửi.", "Bài."]) == 0
    assert forwards_kept([board], "Fwd: Nhắc nộp bài", texts=["Em gửi.", "Bài."]) == 0
    assert forwards_kept([relayed], "Fwd: Thông báo", texts=["Em gửi.", REMINDER]) == 0
    assert forwards_kept([relayed], "Fwd: Thông báo", texts=["Em gửi.", article]) == 1
    chain = [unit, board]
    assert forwards_kept(chain, "Fwd: Re: Nhắc nộp bài", texts=["", article, REMINDER]) == 1
    # another Board address, as a deployment configures it
    other = ForwardOrigin(from_addr="tdkt@example.gov.vn", via="inline-quoted")
    assert forwards_kept([other], "Gửi", texts=["a", "b"], board={"tdkt@example.gov.vn"}) == 0
    assert is_board_reminder(ForwardOrigin(), REMINDER)
    assert not is_board_reminder(ForwardOrigin(from_addr="a@gmail.com"), article)


@pytest.mark.parametrize(
    ("subject", "reply"),
    [("RE: Bài", True), ("TL: Bài", True), ("Trả lời: Bài", True), ("Fwd: Bài", False)],
)
def test_reply_subjects(subject: str, reply: bool) -> None:
    assert is_reply_subject(subject) is reply


def test_outlook_vietnamese_month_words() -> None:
    assert parse_forward_date("06 Tháng Mười Hai 2026 09:15") == datetime(
        2026, 12, 6, 9, 15, tzinfo=ICT
    )
