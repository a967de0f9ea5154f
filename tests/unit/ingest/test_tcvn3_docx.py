"""A .docx typed in a legacy Vietnamese font encoding is read as Unicode.

Why: district offices still send documents from old templates typed in .VnTime (TCVN3)
or VNI-Times. Word keeps the 8-bit codes, so the text reads "Lµo Cai" unless each run is
decoded by its font. H fonts (.VnTimeH) draw lower-case codes as capitals, so a heading
must be decoded *and* upper-cased. A run's font may come from the run, its style or the
document defaults; text whose font says nothing is repaired only if detection says so.
"""

from __future__ import annotations

import unicodedata

from dienhinh.core.types import Part
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.mime import DOCX_TYPE
from factory import (
    Attach,
    Para,
    make_docx_paragraphs,
    make_email,
    to_tcvn3,
    to_vni,
)

TITLE = "mô hình camera an ninh ở xã khánh yên hạ"
BODY = [
    "Từ tháng 10 năm 2019, Công an xã Khánh Yên Hạ, huyện Văn Bàn phối hợp với Ban công tác "
    "Mặt trận các thôn vận động nhân dân lắp đặt hệ thống camera giám sát an ninh.",
    "Hình ảnh từ camera được truyền về màn hình đặt tại trụ sở Công an xã và điện thoại "
    "của trưởng thôn; mỗi thôn thành lập một tổ an ninh tự quản.",
]
LETTERHEAD = ["ubnd huyện văn bàn", "công an xã khánh yên hạ"]


def _extract(data: bytes, ctx: ExtractContext):
    return DocxExtractor().extract(
        Part(path="2", content_type=DOCX_TYPE, payload=data, filename="bai.docx"), ctx
    )


def test_tcvn3_runs_with_vntime_and_vntimeh(ctx: ExtractContext) -> None:
    """GIVEN letterhead and title in .VnTimeH and the body in .VnTime WHEN extracted THEN
    the text is NFC Unicode, the title and letterhead are upper case, and the article is
    flagged and named "docx-tcvn3"."""
    doc = make_docx_paragraphs(
        [
            *(Para(to_tcvn3(x), font=".VnTimeH", bold=True) for x in LETTERHEAD),
            Para(to_tcvn3(TITLE), font=".VnTimeH", bold=True),
            *(Para(to_tcvn3(p), font=".VnTime") for p in BODY),
        ]
    )
    [art] = _extract(doc, ctx)
    assert art.header_lines == [x.upper() for x in LETTERHEAD]
    assert art.title == TITLE.upper() == "MÔ HÌNH CAMERA AN NINH Ở XÃ KHÁNH YÊN HẠ"
    assert art.text.split("\n\n") == BODY
    assert unicodedata.is_normalized("NFC", art.text)
    assert art.source == "docx-tcvn3" and art.flags == ["legacy-encoding:tcvn3"]


def test_unicode_body_under_a_tcvn3_letterhead(ctx: ExtractContext) -> None:
    doc = make_docx_paragraphs(
        [
            *(Para(to_tcvn3(x), font=".VnTimeH", bold=True) for x in LETTERHEAD),
            Para("Mô hình camera an ninh", font="Times New Roman", bold=True),
            *(Para(p, font="Times New Roman") for p in BODY),
        ]
    )
    [art] = _extract(doc, ctx)
    assert art.header_lines == [x.upper() for x in LETTERHEAD]
    assert art.title == "Mô hình camera an ninh"
    assert art.text.split("\n\n") == BODY  # Unicode runs are never decoded
    assert art.flags == ["legacy-encoding:tcvn3"]


def test_vni_docx(ctx: ExtractContext) -> None:
    doc = make_docx_paragraphs(
        [
            Para(to_vni("Mô hình camera an ninh"), font="VNI-Times", bold=True),
            *(Para(to_vni(p), font="VNI-Times") for p in BODY),
        ]
    )
    [art] = _extract(doc, ctx)
    assert art.title == "Mô hình camera an ninh"
    assert art.text.split("\n\n") == BODY
    assert art.source == "docx-vni" and art.flags == ["legacy-encoding:vni"]


def test_font_from_the_normal_style(ctx: ExtractContext) -> None:
    """Runs without a font of their own take the Normal style's (.VnTime)."""
    doc = make_docx_paragraphs(
        [Para(to_tcvn3("Mô hình camera"), bold=True), *(Para(to_tcvn3(p)) for p in BODY)],
        normal_font=".VnTime",
    )
    [art] = _extract(doc, ctx)
    assert art.title == "Mô hình camera"
    assert art.text.split("\n\n") == BODY
    assert art.source == "docx-tcvn3"
    # An H font inherited from the style: only the font can say "upper case" (text
    # detection cannot tell lower-case .VnTimeH text from .VnTime).
    doc = make_docx_paragraphs(
        [Para(to_tcvn3(TITLE)), Para(to_tcvn3(BODY[0]), font=".VnTime")], normal_font=".VnTimeH"
    )
    [art] = _extract(doc, ctx)
    assert art.title == TITLE.upper()


def test_unknown_font_repaired_only_on_evidence(ctx: ExtractContext) -> None:
    legacy = make_docx_paragraphs(
        [Para(to_tcvn3("Mô hình camera"), bold=True), *(Para(to_tcvn3(p)) for p in BODY)]
    )
    [art] = _extract(legacy, ctx)
    assert art.text.split("\n\n") == BODY and art.flags == ["legacy-encoding:tcvn3"]
    # Unicode with a few Latin-1 signs («», ×, ½) and a German name stays as it is.
    prose = "Ông Müller nói: «Sản lượng tăng ½ so với năm trước, diện tích 3 × 4 mét.»"
    unicode_doc = make_docx_paragraphs([Para("Tiêu đề", bold=True), Para(prose), Para(BODY[0])])
    [art] = _extract(unicode_doc, ctx)
    assert art.text.split("\n\n") == [prose, BODY[0]] and art.flags == []


def test_tcvn3_docx_in_a_mail(ctx: ExtractContext) -> None:
    doc = make_docx_paragraphs(
        [Para(to_tcvn3(TITLE), font=".VnTimeH"), *(Para(to_tcvn3(p), font=".VnTime") for p in BODY)]
    )
    out = extract_message(make_email(attachments=[Attach("a.docx", doc, DOCX_TYPE)]), ctx)
    [art] = out.articles
    assert art.source == "docx-tcvn3" and "trụ sở Công an xã" in art.text
