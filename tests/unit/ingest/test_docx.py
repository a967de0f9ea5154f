"""The .docx extractor: fast lxml path, python-docx fallback, letterhead, titles, images."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from dienhinh.core.config import IngestConfig
from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsConversion
from dienhinh.core.types import Part
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.docx import DocxExtractor, docx_blocks, salvage_package
from dienhinh.ingest.mime import DOCX_TYPE
from dienhinh.store.blobs import BlobStore
from factory import (
    DocImage,
    DocSpec,
    article_text,
    make_docx,
    make_jpeg,
    strict_ooxml,
)

TITLE, PARAS = article_text(7)


def _part(data: bytes, name: str = "bai.docx") -> Part:
    return Part(path="2", content_type=DOCX_TYPE, payload=data, filename=name)


def _extract(spec: DocSpec, ctx: ExtractContext):
    [article] = DocxExtractor().extract(_part(make_docx(spec)), ctx)
    return article


def test_two_photos_with_captions_in_order(ctx: ExtractContext) -> None:
    img1, img2 = make_jpeg(seed=1), make_jpeg(seed=2)
    spec = DocSpec(
        title=TITLE,
        paragraphs=PARAS,
        images=[
            DocImage(img1, "Ảnh: anh kiểm tra vườn thảo quả", after_paragraph=0),
            DocImage(img2, "Lò sấy của gia đình", after_paragraph=2),
        ],
    )
    art = _extract(spec, ctx)
    assert [(a.role, a.position, a.caption) for a in art.images] == [
        ("embedded-image", 0, "Ảnh: anh kiểm tra vườn thảo quả"),
        ("embedded-image", 1, "Lò sấy của gia đình"),
    ]
    store = BlobStore(ctx.blob_root)
    assert [store.read(a.sha256) for a in art.images] == [img1, img2]
    assert all(a.content_type == "image/jpeg" for a in art.images)
    assert "kiểm tra vườn thảo quả" not in art.text  # captions go with the picture
    assert art.text.split("\n\n") == list(PARAS)


def test_letterhead_goes_to_header_lines(ctx: ExtractContext) -> None:
    letterhead = (
        "UBND TỈNH LÀO CAI",
        "SỞ Y TẾ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/BC-UBND",
        "Bát Xát, ngày 12 tháng 3 năm 2018",
    )
    art = _extract(
        DocSpec(title=TITLE, paragraphs=PARAS, letterhead=letterhead, title_style="bold"), ctx
    )
    assert art.header_lines == list(letterhead)
    assert art.title == TITLE
    assert not any(line in art.text for line in letterhead)
    assert art.lead == PARAS[0]


@pytest.mark.parametrize("style", ["Title", "Heading 1", "bold", "upper"])
def test_title_styles(style: str, ctx: ExtractContext) -> None:
    art = _extract(
        DocSpec(
            title=TITLE, paragraphs=PARAS, title_style=style, letterhead=("UBND HUYỆN BÁT XÁT",)
        ),
        ctx,
    )
    assert art.title == (TITLE.upper() if style == "upper" else TITLE)
    assert art.text.split("\n\n") == list(PARAS)


def test_no_title_line_leaves_title_empty(ctx: ExtractContext) -> None:
    # A document that starts straight with prose: the subject is used later (assembly).
    long_first = PARAS[0] * 3
    buf = io.BytesIO()
    d = docx.Document()
    for p in [long_first, *PARAS[1:]]:
        d.add_paragraph(p)
    d.save(buf)
    [art] = DocxExtractor().extract(_part(buf.getvalue()), ctx)
    assert art.title == ""
    assert art.text.startswith(long_first)
    assert art.lead == ""  # first paragraph too long to be a lead


def test_table_rows_are_joined(ctx: ExtractContext) -> None:
    art = _extract(
        DocSpec(
            title=TITLE, paragraphs=PARAS[:2], table=[["Năm", "Thu nhập"], ["2017", "120 triệu"]]
        ),
        ctx,
    )
    assert "Năm | Thu nhập\n\n2017 | 120 triệu" in art.text


def test_fast_path_text_equals_python_docx(ctx: ExtractContext) -> None:
    spec = DocSpec(
        title=TITLE,
        paragraphs=PARAS,
        letterhead=("SỞ Y TẾ",),
        images=[DocImage(make_jpeg(seed=3), "Ảnh minh họa", 1)],
    )
    data = make_docx(spec)
    fast, _ = docx_blocks(data, ctx, _part(data))
    reference = [
        p.text.strip() for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()
    ]
    assert [b.text for b in fast if b.text] == reference
    slow, _ = docx_blocks(data, ctx, _part(data), force_fallback=True)
    assert [(b.text, b.heading, b.bold, b.italic) for b in slow] == [
        (b.text, b.heading, b.bold, b.italic) for b in fast
    ]
    assert [b.image.sha256 for b in slow if b.image] == [b.image.sha256 for b in fast if b.image]


def test_missing_main_part_uses_python_docx_then_waits_for_libreoffice(
    ctx: ExtractContext,
) -> None:
    """A package neither reader understands is not failed here: LibreOffice reads more
    than we do, so it waits for the slow lane (which fails it if LibreOffice cannot)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/other.xml", "<x/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(NeedsConversion, match="needs LibreOffice"):
        DocxExtractor().extract(_part(buf.getvalue()), ctx)


def test_garbage_behind_a_zip_signature_raises_malformed(ctx: ExtractContext) -> None:
    with pytest.raises(MalformedDocument):
        DocxExtractor().extract(_part(b"PK\x03\x04" + b"\x00" * 200), ctx)


def _cut_inside(data: bytes, member: str = "word/document.xml") -> bytes:
    """``data`` cut in the middle of ``member``'s packed bytes."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    return data[: info.header_offset + 30 + len(info.filename) + info.compress_size // 2]


def test_docx_cut_inside_its_text_waits_for_libreoffice(ctx: ExtractContext) -> None:
    """A .docx cut short (no central directory) inside word/document.xml: neither reader
    opens it, and it is not refused here: it waits for LibreOffice, the last reader to
    try before it is refused."""
    data = make_docx(DocSpec(title=TITLE, paragraphs=PARAS))
    with pytest.raises(NeedsConversion, match="needs LibreOffice"):
        DocxExtractor().extract(_part(_cut_inside(data)), ctx)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_docx_cut_after_its_text_is_read_from_what_arrived(
    keep: float, ctx: ExtractContext
) -> None:
    """A .docx with a photo, cut short after word/document.xml (a mail truncated in
    transit): the article is read whole from the members that arrived, flagged
    "salvaged" (its picture, cut, is missing)."""
    data = make_docx(
        DocSpec(title=TITLE, paragraphs=PARAS, images=[DocImage(make_jpeg(900, 700, seed=3))])
    )
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    cut = max(int(len(data) * keep), info.header_offset + 30 + 17 + info.compress_size + 1)
    [art] = DocxExtractor().extract(_part(data[:cut]), ctx)
    assert art.title == TITLE and art.text.split("\n\n") == PARAS
    assert "salvaged" in art.flags


def test_salvage_keeps_the_limits(tmp_path) -> None:
    """A truncated package whose member inflates past the limit is not salvaged (a cut
    zip bomb stays refused): the limit holds however the package arrived."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>" + b" " * 2_000_000)
        zf.writestr("word/styles.xml", b"<x/>")
    data = buf.getvalue()
    cut = data[: zipfile.ZipFile(io.BytesIO(data)).getinfo("word/styles.xml").header_offset + 40]
    small = IngestConfig(max_attachment_bytes=1_000_000)
    assert salvage_package(cut, small) is None
    assert salvage_package(cut, IngestConfig()) is not None


def test_docx_with_damaged_xml_waits_for_libreoffice(ctx: ExtractContext) -> None:
    data = make_docx(DocSpec(title=TITLE, paragraphs=PARAS))
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for item in src.infolist():
            body = src.read(item)
            zf.writestr(item, body[:100] if item.filename == "word/document.xml" else body)
    with pytest.raises(NeedsConversion):
        DocxExtractor().extract(_part(buf.getvalue()), ctx)


def test_strict_ooxml_waits_for_libreoffice(ctx: ExtractContext) -> None:
    data = strict_ooxml(make_docx(DocSpec(title=TITLE, paragraphs=PARAS)))
    with pytest.raises(NeedsConversion, match="Strict OOXML"):
        DocxExtractor().extract(_part(data), ctx)


def test_package_inflating_past_the_ratio_is_refused(ctx: ExtractContext) -> None:
    """A small .docx whose document.xml inflates 200 times (a 150 kB mail must not become
    a 37 MB document.xml): refused from the central directory, nothing inflated."""
    data = make_docx(DocSpec(title=TITLE, paragraphs=PARAS))
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.replace(
                    b"</w:body>", b"<!--" + b" " * (3 * 1024 * 1024) + b"--></w:body>"
                )
            zf.writestr(item.filename, body)
    with pytest.raises(LimitExceeded, match="max_compression_ratio"):
        DocxExtractor().extract(_part(buf.getvalue()), ctx)


def test_inflated_member_over_limit(tmp_path) -> None:
    data = make_docx(DocSpec(title=TITLE, paragraphs=PARAS))
    small = ExtractContext(blob_root=tmp_path, limits=IngestConfig(max_attachment_bytes=500))
    with pytest.raises(LimitExceeded):
        DocxExtractor().extract(_part(data), small)


def test_score() -> None:
    ex = DocxExtractor()
    assert ex.score(_part(b"PK\x03\x04")) == 100
    # The name does not outbid the content: a zip named .docx is not a .docx.
    assert ex.score(Part("2", "application/zip", b"PK\x03\x04", filename="a.docx")) is None
    assert ex.score(Part("2", "application/pdf", b"%PDF")) is None


def test_heading_found_by_style_name_when_id_is_localised(ctx: ExtractContext) -> None:
    """Localised Word writes style ids such as "TieuDe"; only styles.xml names them."""
    data = make_docx(DocSpec(title=TITLE, paragraphs=PARAS, title_style="Title"))
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.replace(b'w:pStyle w:val="Title"', b'w:pStyle w:val="TieuDe"')
            elif item.filename == "word/styles.xml":
                body = body.replace(b'w:styleId="Title"', b'w:styleId="TieuDe"')
            zf.writestr(item, body)
    blocks, _ = docx_blocks(buf.getvalue(), ctx, _part(buf.getvalue()))
    assert [b.text for b in blocks if b.heading] == [TITLE]


def _with_page_header(lines: tuple[str, ...]) -> bytes:
    """A .docx whose letterhead lives in Word's page header, outside the body."""
    d = docx.Document()
    header = d.sections[0].header
    header.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        header.add_paragraph(line)
    d.add_paragraph(TITLE).runs[0].bold = True
    for p in PARAS:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_letterhead_in_the_page_header(ctx: ExtractContext) -> None:
    """GIVEN the letterhead typed in Word's page header (the body has none) WHEN extracted
    THEN its letterhead lines become header_lines, for the unit tagger; the text is the
    body's only. A page header of page numbers or a slogan is no letterhead."""
    lines = ("CÔNG TY TNHH MTV APATIT VIỆT NAM", "PHÒNG TỔ CHỨC LAO ĐỘNG")
    [art] = DocxExtractor().extract(_part(_with_page_header(lines)), ctx)
    assert art.header_lines == list(lines)
    assert art.title == TITLE and lines[0] not in art.text
    [plain] = DocxExtractor().extract(_part(_with_page_header(("Trang 1", "Mừng Xuân"))), ctx)
    assert plain.header_lines == []
    # a letterhead in the body is the one kept
    body_head = make_docx(DocSpec(title=TITLE, paragraphs=PARAS, letterhead=("SỞ Y TẾ",)))
    [own] = DocxExtractor().extract(_part(body_head), ctx)
    assert own.header_lines == ["SỞ Y TẾ"]


def test_page_header_fields_are_read_apart(ctx: ExtractContext) -> None:
    """GIVEN a page header line of several fields, set apart by a drawn bar or by Word's
    tabs ("TRUNG TÂM ... HUYỆN X | Chuyên mục: ...") WHEN extracted THEN the field that is
    a letterhead is one, though the whole line (mixed case, long) is none."""
    centre = "TRUNG TÂM VĂN HÓA - THỂ THAO VÀ TRUYỀN THÔNG HUYỆN BÁT XÁT"
    barred = (f"{centre}  |  Chuyên mục: Gương sáng bản làng",)
    [art] = DocxExtractor().extract(_part(_with_page_header(barred)), ctx)
    assert art.header_lines == [centre]
    d = docx.Document()
    run = d.sections[0].header.paragraphs[0].add_run("UBND HUYỆN BẢO YÊN")
    run.add_tab()
    run.add_text("Bản tin thi đua số 3")
    d.add_paragraph(TITLE).runs[0].bold = True
    for p in PARAS:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    [tabbed] = DocxExtractor().extract(_part(buf.getvalue()), ctx)
    assert tabbed.header_lines == ["UBND HUYỆN BẢO YÊN"]
