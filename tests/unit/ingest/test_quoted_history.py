"""Outcome.quoted_text: the body's whole text, quoted history included, kept for the unit
tagger when the body holds an addressed letter ("Kính gửi: ..."), which the body cleaners
drop from a reply (issue 14: a quoted Board reminder names the unit answering it)."""

from __future__ import annotations

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from factory import make_email

REMINDER = (
    "Kính gửi: UBND huyện Văn Bàn\n"
    "Ban Thi đua - Khen thưởng tỉnh đề nghị quý cơ quan, đơn vị gửi bài viết giới thiệu "
    "gương điển hình tiên tiến tháng 3/2019.\nTrân trọng./.\n"
)
GMAIL_REPLY = (
    '<div dir="ltr">Dạ em gửi bài tháng 3 ạ.</div><br><div class="gmail_quote">'
    '<div class="gmail_attr">Vào Th 2, 18 thg 3, 2019 vào lúc 08:02 Ban Thi đua - Khen '
    "thưởng tỉnh &lt;btdkt-snv@laocai.gov.vn&gt; đã viết:<br></div>"
    '<blockquote class="gmail_quote">'
    + "".join(f"<div>{line}</div>" for line in REMINDER.splitlines())
    + "</blockquote></div>"
)


def test_a_reply_keeps_the_quoted_letter_for_the_tagger(ctx: ExtractContext) -> None:
    raw = make_email(
        from_="Thu Lo <lothu@gmail.com>",
        subject="Re: Nhắc gửi bài",
        text=None,
        html=GMAIL_REPLY,
    )
    out = extract_message(raw, ctx)
    assert "Kính gửi" not in out.body_text  # the cleaners dropped the quote
    assert "Kính gửi: UBND huyện Văn Bàn" in out.quoted_text
    assert "btdkt-snv@laocai.gov.vn" in out.quoted_text


def test_mail_without_an_addressed_letter_keeps_nothing(ctx: ExtractContext) -> None:
    raw = make_email(text="Dạ em gửi bài tháng 3 ạ.\n\nThu\n")
    assert extract_message(raw, ctx).quoted_text == ""
