"""A table at the top of a document: letterhead or content (ingest/article.py)?

Why: a 30-row table at the top of a .docx was taken for the letterhead, row by row (every
row of unit names in capitals passed as a letterhead line), and what stood before the
title went with it: the article kept 180 characters of a long document. A letterhead laid
out as a table is a few short rows in two columns (issuing body | national motto, number |
place and date); a table of data (many rows, numbers, several columns) is content. Here
tables of both kinds, of several shapes, are written with python-docx and read through
the .docx extractor.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
import pytest

from dienhinh.core.types import Asset, Part
from dienhinh.ingest.article import (
    Block,
    build_article,
    is_letterhead_line,
    is_letterhead_table,
)
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.split import split_blocks
from factory import DOCX_TYPE, article_text

UNITS = [
    "UBND XÃ Y TÝ",
    "UBND XÃ TẢ VAN",
    "UBND XÃ BẢN VƯỢC",
    "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
    "TRUNG TÂM Y TẾ HUYỆN",
    "HỘI NÔNG DÂN HUYỆN",
    "HUYỆN ĐOÀN BÁT XÁT",
]
BODY, MOTTO = "UBND HUYỆN BÁT XÁT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
OFFICE, FREEDOM = "PHÒNG VĂN HÓA VÀ THÔNG TIN", "Độc lập - Tự do - Hạnh phúc"
NUMBER, DATE = "Số: 12/BC-PVH", "Bát Xát, ngày 5 tháng 6 năm 2024"

# Tables of data, as units put them at the top of a report-like article.
DATA_TABLES = {
    "unit names, one column": [[f"{UNITS[i % 7]} (THÔN {i + 1})"] for i in range(30)],
    "unit names in capitals and numbers": [["TT", "ĐƠN VỊ", "SỐ BÀI", "TỶ LỆ"]]
    + [[str(i), UNITS[i % 7], str(i * 3 % 17), f"{i * 7 % 100}%"] for i in range(1, 30)],
    "two columns of capitals": [[UNITS[i % 7], "ĐẠT" if i % 3 else "CHƯA ĐẠT"] for i in range(30)],
    "short table with numbers": [["ĐƠN VỊ", "SỐ HỘ"], [UNITS[0], "125"], [UNITS[1], "98"]],
    "six rows of capitals": [[UNITS[i], "XUẤT SẮC"] for i in range(6)],
    "four columns": [
        ["XÃ", "THÔN", "HỘ", "KHẨU"],
        ["Y TÝ", "CHOẢN THÈN", "MÓNG SẾN", "NHÌU CỒ SAN"],
    ],
}
# Letterheads laid out as tables: 2 columns x 2-4 rows.
LETTERHEADS = {
    "2x2": [[BODY, MOTTO], [OFFICE, FREEDOM]],
    "2x3": [[BODY, MOTTO], [OFFICE, FREEDOM], [NUMBER, DATE]],
    "2x4 with rules": [[BODY, MOTTO], [OFFICE, FREEDOM], ["———", "———————"], [NUMBER, DATE]],
}


def _docx(tables: Sequence[Sequence[Sequence[str]]], *, seed: int = 5, title: bool = True) -> bytes:
    """Tables at the top (an empty paragraph between two, as Word keeps them apart), then
    a titled article."""
    d = docx.Document()
    for n, rows in enumerate(tables):
        if n:
            d.add_paragraph("")
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    head, paras = article_text(seed)
    if title:
        d.add_paragraph(head, style="Title")
    for p in paras:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _read(data: bytes, tmp_path) -> list:
    part = Part(path="2", content_type=DOCX_TYPE, payload=data, filename="bai.docx")
    return DocxExtractor().extract(part, ExtractContext(blob_root=tmp_path / "blobs"))


def _cells(rows: Sequence[Sequence[str]]) -> list[str]:
    return [c for row in rows for c in row]


@pytest.mark.parametrize("shape", DATA_TABLES)
def test_a_table_of_data_at_the_top_is_content(shape: str, tmp_path) -> None:
    """GIVEN a table of data at the top of a .docx, then a titled article WHEN read THEN
    no row is letterhead: every cell is in the article's text, with the whole article."""
    rows = DATA_TABLES[shape]
    [art] = _read(_docx([rows]), tmp_path)
    head, paras = article_text(5)
    assert art.title == head
    assert art.header_lines == []
    for cell in _cells(rows):
        assert cell in art.text, cell
    for p in paras:
        assert p in art.text
    assert len(art.text) >= sum(map(len, paras)) + sum(map(len, _cells(rows)))


@pytest.mark.parametrize("shape", LETTERHEADS)
def test_a_letterhead_table_stays_letterhead(shape: str, tmp_path) -> None:
    """GIVEN a letterhead laid out as a table (2 columns x 2-4 rows) WHEN read THEN its
    cells are the letterhead (evidence of the unit), not article text."""
    rows = LETTERHEADS[shape]
    [art] = _read(_docx([rows]), tmp_path)
    assert art.header_lines == _cells(rows)
    assert BODY not in art.text and MOTTO not in art.text
    assert art.title == article_text(5)[0]


def test_letterhead_table_then_a_table_of_data(tmp_path) -> None:
    """GIVEN a letterhead table, then a 30-row table of data, then the article WHEN read
    THEN the first is the letterhead, the second is content."""
    data = DATA_TABLES["unit names in capitals and numbers"]
    [art] = _read(_docx([LETTERHEADS["2x3"], data]), tmp_path)
    assert art.header_lines == _cells(LETTERHEADS["2x3"])
    for cell in _cells(data):
        assert cell in art.text


def test_a_table_of_data_with_no_title_after_it(tmp_path) -> None:
    """GIVEN a table of data and paragraphs, no title style anywhere WHEN read THEN the
    table and the paragraphs are all text."""
    rows = DATA_TABLES["two columns of capitals"]
    [art] = _read(_docx([rows], title=False), tmp_path)
    assert art.header_lines == []
    for cell in _cells(rows) + article_text(5)[1]:
        assert cell in art.text or cell == art.title


def test_letterhead_table_rule_on_blocks() -> None:
    """The rule on blocks as extractors give them: one block per row, cells joined " | "."""

    def rows(table: Sequence[Sequence[str]]) -> list[Block]:
        return [Block(text=" | ".join(r), table=True) for r in table]

    for table in LETTERHEADS.values():
        assert is_letterhead_table(rows(table))
    for table in DATA_TABLES.values():
        assert not is_letterhead_table(rows(table))
    # A table alone gives an article whose text is its rows.
    art = build_article(rows(DATA_TABLES["unit names, one column"]), source="docx", origin="x")
    assert art.header_lines == [] and len(art.text.split("\n\n")) >= 29


def test_a_table_of_data_before_two_articles_goes_with_the_first_only() -> None:
    """GIVEN a document of two titled articles with a table of data before the first WHEN
    split THEN the table's rows are in the first article only (they were copied into
    every article as shared letterhead)."""
    data = DATA_TABLES["short table with numbers"]
    table = [Block(text=" | ".join(r), table=True) for r in data]
    blocks = [Block(text=BODY), *table]
    for seed in (11, 12):
        head, paras = article_text(seed, n_paragraphs=8)
        blocks.append(Block(text=head, heading=True, level=1))
        blocks += [Block(text=p) for p in paras]
    groups = split_blocks(blocks)
    assert len(groups) == 2
    assert sum(b.table for b in groups[0]) == len(table)
    assert not any(b.table for b in groups[1])
    assert groups[1][0].text == BODY  # the letterhead paragraph goes with both


# --- what stands before the title ------------------------------------------------------------


def test_a_sentence_before_the_title_stays_in_the_text() -> None:
    """Only labels ("BÀI VIẾT", a few words) before the title go with the letterhead; a
    sentence there is article text (oletools' dde-test-from-office2016.doc lost its first
    sentence: a bold field result further down was taken for the title)."""
    head, paras = article_text(21)
    lead = "This is a dde test file. The dde auto field is:"
    blocks = [Block(text=lead), Block(text=head, bold=True), *(Block(text=p) for p in paras)]
    art = build_article(blocks, source="doc", origin="x.doc")
    assert art.title == head and art.header_lines == []
    assert art.text.split("\n\n") == [lead, *paras]
    for label in ("BÀI VIẾT", "Bài dự thi", "Tin bài"):
        blocks = [Block(text=label), Block(text=head, bold=True), *(Block(text=p) for p in paras)]
        art = build_article(blocks, source="doc", origin="x.doc")
        assert (art.header_lines, art.title) == ([label], head)
        assert art.text.split("\n\n") == paras


def test_a_bold_label_saying_what_kind_of_piece_is_not_the_title() -> None:
    """A radio newsroom's script: under its letterhead, "KỊCH BẢN PHÓNG SỰ" in bold
    capitals, then the real title in bold. The label says what kind of piece follows and
    goes with the letterhead; a bold title in capitals that is not such a label stays the
    title."""
    head, paras = article_text(21)
    for label in (
        "KỊCH BẢN PHÓNG SỰ",
        "BÀI PHÁT THANH",
        "Tin bài:",
        "KỊCH BẢN",
        # what the piece is for, in the plan's words only
        "BÀI VIẾT GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN",
        "Bài tuyên truyền mô hình mới quý IV/2017",
    ):
        blocks = [
            Block(text="ĐÀI PHÁT THANH VÀ TRUYỀN HÌNH LÀO CAI", bold=True),
            Block(text=label, bold=True),
            Block(text=head, bold=True),
            *(Block(text=p) for p in paras),
        ]
        art = build_article(blocks, source="docx", origin="x.docx")
        assert art.title == head, label
        assert label in art.header_lines
        assert art.text.split("\n\n") == paras
    for title in ("NGÔI NHÀ SÀN ĐÓN KHÁCH BÊN SUỐI", "BÀI HỌC TỪ MÔ HÌNH NUÔI CÁ LỒNG"):
        blocks = [Block(text=title, bold=True), *(Block(text=p) for p in paras)]
        assert build_article(blocks, source="docx", origin="x.docx").title == title


def test_a_page_number_above_the_letterhead() -> None:
    """A PDF's running header ("Trang 1") above the letterhead: passed over, so the
    letterhead is read as one (not taken for the title) and the title is the article's."""
    blocks = [
        Block(text="Trang 1"),
        Block(text="HỘI NÔNG DÂN TỈNH LÀO CAI"),
        Block(text="BAN TUYÊN HUẤN"),
        Block(text="———————"),
        Block(text="Hợp tác xã chè hữu cơ Bản Liền: mô hình mới", bold=True),
        Block(text=BODY),
    ]
    art = build_article(blocks, source="pdf", origin="x")
    assert art.header_lines == ["HỘI NÔNG DÂN TỈNH LÀO CAI", "BAN TUYÊN HUẤN", "———————"]
    assert art.title == "Hợp tác xã chè hữu cơ Bản Liền: mô hình mới"
    assert "Trang 1" not in art.text


def test_a_party_letterhead_with_its_star_under_the_name() -> None:
    """A Party body's letterhead ("TỈNH ỦY LÀO CAI / TRƯỜNG CHÍNH TRỊ / *", the star bold
    and centred like the title below it): the star is the letterhead's, never the title;
    a block of symbols only is no title anywhere."""
    blocks = [
        Block(text="TỈNH ỦY LÀO CAI", bold=True),
        Block(text="TRƯỜNG CHÍNH TRỊ", bold=True),
        Block(text="*", bold=True),
        Block(text="NGƯỜI THẦY HAI MƯƠI NĂM BÁM LỚP VÙNG CAO", bold=True),
        Block(text=BODY),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.header_lines == ["TỈNH ỦY LÀO CAI", "TRƯỜNG CHÍNH TRỊ", "*"]
    assert art.title == "NGƯỜI THẦY HAI MƯƠI NĂM BÁM LỚP VÙNG CAO"
    no_letterhead = build_article(
        [Block(text="* * *", bold=True), Block(text="Người thầy bám lớp", bold=True), *blocks[4:]],
        source="docx",
        origin="x",
    )
    assert no_letterhead.title == "Người thầy bám lớp"


def test_a_company_trade_union_letterhead() -> None:
    """ "CÔNG ĐOÀN NHÀ MÁY ..." opening a document is its letterhead, not its title."""
    blocks = [
        Block(text="CÔNG ĐOÀN NHÀ MÁY TUYỂN QUẶNG APATIT LÀO CAI"),
        Block(text="Người thợ vận hành máy nghiền bi 26 năm không để xảy ra sự cố", bold=True),
        Block(text=BODY),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.header_lines == ["CÔNG ĐOÀN NHÀ MÁY TUYỂN QUẶNG APATIT LÀO CAI"]
    assert art.title.startswith("Người thợ vận hành")


def test_a_military_command_letterhead_in_its_short_form() -> None:
    """ "BỘ CHQS TỈNH LÀO CAI" over "PHÒNG CHÍNH TRỊ": the provincial military command's
    letterhead as it is usually written, not the article's title."""
    assert is_letterhead_line("BỘ CHQS TỈNH LÀO CAI")
    assert is_letterhead_line("BỘ CH BĐBP TỈNH LÀO CAI")
    assert not is_letterhead_line("Bộ CHQS tỉnh tặng quà cho học sinh nghèo")
    blocks = [
        Block(text="BỘ CHQS TỈNH LÀO CAI"),
        Block(text="PHÒNG CHÍNH TRỊ"),
        Block(text="Đại úy y sĩ Lò Văn Thắm, người thầy thuốc áo lính nơi biên giới", bold=True),
        Block(
            text="Mười hai năm khoác áo lính, anh đã có mặt ở hầu hết các xã biên giới của "
            "tỉnh trong những đợt khám bệnh, cấp thuốc miễn phí cho nhân dân."
        ),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.header_lines == ["BỘ CHQS TỈNH LÀO CAI", "PHÒNG CHÍNH TRỊ"]
    assert art.title.startswith("Đại úy y sĩ Lò Văn Thắm")


_COVER_LETTER = [
    Block(text="Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai (Sở Nội vụ)."),
    Block(
        text="Thực hiện Kế hoạch của UBND tỉnh, UBND thị xã Sa Pa gửi Ban Thi đua - Khen "
        "thưởng tỉnh 02 bài viết tuyên truyền tháng 8/2020, gồm:"
    ),
    Block(text="1. Tổ hợp tác thêu thổ cẩm Bản Hồ (kèm theo văn bản này);"),
    Block(text="UBND thị xã Sa Pa trân trọng đề nghị Ban quan tâm, tổng hợp./."),
    Block(
        text="Nơi nhận:\n- Như trên;\n- Lưu: VT. | TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", table=True
    ),
]
_ARTICLE_TITLE = "Tổ hợp tác thêu thổ cẩm Bản Hồ - mô hình mới của phụ nữ Tày"
_ARTICLE_PARAS = [
    "Tổ hợp tác có mười hai thành viên, đều là phụ nữ Tày ở thôn Bản Hồ, thành lập từ "
    "tháng 3/2020 với sự hỗ trợ của Hội LHPN xã.",
    "Mỗi tháng tổ làm ra hơn hai trăm sản phẩm thêu tay, bán cho các cửa hàng ở thị xã và "
    "cho khách du lịch, thu nhập của mỗi chị em tăng thêm gần hai triệu đồng.",
    "Chị Hoàng Thị Lan, tổ trưởng, cho biết tổ đang học cách bán hàng qua mạng để mở rộng "
    "thị trường cho sản phẩm của chị em.",
]


def test_a_cover_letter_opening_the_document_is_not_the_article() -> None:
    """A unit's dispatch ("Kính gửi", "gửi 02 bài viết, gồm: ...", "Nơi nhận" and its
    signer) on the first page, then the article: the article's own title and text; the
    dispatch's letterhead stays its letterhead."""
    blocks = [
        Block(text="ỦY BAN NHÂN DÂN"),
        Block(text="THỊ XÃ SA PA"),
        Block(text="Số: 1462/UBND-VHTT"),
        *_COVER_LETTER,
        Block(text=_ARTICLE_TITLE, bold=True),
        *(Block(text=p) for p in _ARTICLE_PARAS),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.title == _ARTICLE_TITLE
    assert art.text.split("\n\n") == _ARTICLE_PARAS
    assert art.header_lines[:2] == ["ỦY BAN NHÂN DÂN", "THỊ XÃ SA PA"]


def test_a_letter_that_sends_no_article_keeps_its_text() -> None:
    """An invitation's "Kính gửi ... Nơi nhận" followed by an appendix is no cover letter:
    nothing of it is dropped (the official-document check reads it whole)."""
    letter = [
        Block(text="Kính gửi: Các sở, ban, ngành tỉnh."),
        Block(text="Ban Thi đua - Khen thưởng tỉnh kính mời đại diện lãnh đạo dự hội nghị."),
        Block(text="Nơi nhận:\n- Như trên;\n- Lưu: VT. | KT. TRƯỞNG BAN", table=True),
    ]
    blocks = [*letter, Block(text="PHỤ LỤC", bold=True), *(Block(text=p) for p in _ARTICLE_PARAS)]
    art = build_article(blocks, source="docx", origin="x")
    assert "Ban Thi đua - Khen thưởng tỉnh kính mời" in art.text


def test_a_bold_greeting_is_not_a_body_articles_title() -> None:
    """An article pasted in an HTML body under "Kính gửi Ban ...!" in bold and "... trân
    trọng gửi Ban bài viết ...": the title is the article's own line after them."""
    from dienhinh.core.types import ArticleDraft
    from dienhinh.ingest.article import split_body_article

    greeting = "Kính gửi Ban Thi đua - Khen thưởng tỉnh!"
    cover = "Sở Văn hóa trân trọng gửi Ban bài viết giới thiệu nhân tố mới tháng 3/2017 ạ!"
    title = "NHỮNG ĐẠI SỨ DU LỊCH ÁO XANH Ở GA LÀO CAI"
    draft = ArticleDraft(
        title=greeting,
        text="\n\n".join([greeting, cover, title, *_ARTICLE_PARAS]),
        source="html-body",
        origin="body",
    )
    art, reason = split_body_article(draft, subject="Bai viet thang 3", min_chars=200)
    assert art is not None and not reason
    assert art.title == title
    assert art.text.split("\n\n") == _ARTICLE_PARAS


def _picture(name: str) -> Block:
    asset = Asset(
        sha256=name, size=1, content_type="image/jpeg", filename=name, role="embedded-image"
    )
    return Block(image=asset)


def test_a_photo_right_after_the_cover_letters_signer_stays_with_the_article() -> None:
    """The dispatch's closing runs over short lines and pictures; a photo placed between the
    signer and the article's title is the article's, not the letter's: it must not be lost
    with the letter (nor may a scanned seal inside the closing: the editor removes it)."""
    seal, photo = _picture("seal"), _picture("photo")
    blocks = [
        *_COVER_LETTER[:-1],
        Block(text="Nơi nhận:\n- Như trên;\n- Lưu: VT."),
        Block(text="KT. CHỦ TỊCH"),
        seal,
        Block(text="Nguyễn Văn Hùng"),
        photo,
        Block(text=_ARTICLE_TITLE, bold=True),
        *(Block(text=p) for p in _ARTICLE_PARAS),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.title == _ARTICLE_TITLE
    assert art.text.split("\n\n") == _ARTICLE_PARAS
    assert [a.filename for a in art.images] == ["seal", "photo"]


@pytest.mark.parametrize(
    "office",
    [
        "VĂN PHÒNG HĐND - UBND",
        "THANH TRA SỞ",
        "BQLDA ĐTXD CÁC CÔNG TRÌNH DÂN DỤNG VÀ CÔNG NGHIỆP",
        "ĐỒN BIÊN PHÒNG Y TÝ",
        "TẬP ĐOÀN BƯU CHÍNH VIỄN THÔNG VIỆT NAM",
        "VNPT LÀO CAI",
        "HẠT KIỂM LÂM HUYỆN VĂN BÀN",
        "CƠ QUAN CỦA ĐẢNG BỘ ĐẢNG CỘNG SẢN VIỆT NAM TỈNH LÀO CAI",
    ],
)
def test_an_office_named_over_the_title_is_letterhead(office: str) -> None:
    """The district's office, an inspectorate, a project board, a border post, a group or
    a newspaper's masthead, in capitals over a title in plain type, named who sends the
    piece; it was taken for the title (the editor saw "VĂN PHÒNG HĐND - UBND" in the queue
    and the subject and kind rules read it)."""
    blocks = [
        Block(text=office),
        Block(text="Trưởng thôn Hoàng Văn Lừu và những thửa ruộng về chung một bờ", bold=True),
        Block(
            text="Giữa những ngày tháng Năm, khi nước đã về đầy các con mương nội đồng, "
            "những cánh ruộng ở thôn Nà Khưa đã được san thành từng ô vuông vức."
        ),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.header_lines == [office]
    assert art.title.startswith("Trưởng thôn Hoàng Văn Lừu")


def test_a_headline_opening_with_an_office_is_still_a_headline() -> None:
    assert not is_letterhead_line("THANH TRA SỞ XÂY DỰNG: MƯỜI NĂM GIỮ TRẬT TỰ ĐÔ THỊ")
    assert not is_letterhead_line("Văn phòng HĐND - UBND huyện với cải cách hành chính")


_PROSE = (
    "Giữa những ngày tháng Năm, khi nước đã về đầy các con mương nội đồng, những cánh "
    "ruộng ở thôn Nà Khưa, xã Khánh Yên Hạ đã được san thành từng ô vuông vức, thẳng tắp "
    "như những trang vở mới, và bà con đã bắt đầu xuống giống vụ mùa."
)


def test_a_title_in_plain_type_over_prose_is_the_title() -> None:
    """A document typed without styles: its first short line, without a closing stop,
    over a paragraph of prose, is its title (the mail subject "e gửi a" was shown)."""
    title = "Ông Lý Seo Chúng và đồi chè Shan tuyết trên đỉnh Y Tý"
    blocks = [Block(text=title), Block(text=_PROSE)]
    art = build_article(blocks, source="docx", origin="x")
    assert art.title == "Ông Lý Seo Chúng và đồi chè Shan tuyết trên đỉnh Y Tý"


@pytest.mark.parametrize(
    "first",
    [
        "Năm 2019, thôn Nà Khưa dồn điền đổi thửa.",  # a sentence
        "Bà con thôn Nà Khưa kể lại rằng từ ngày có con mương mới, ruộng nào cũng đủ nước, "
        "vụ nào cũng được mùa, nhà nào cũng có của ăn của để",  # too long for a title
    ],
)
def test_a_first_sentence_is_not_a_plain_title(first: str) -> None:
    art = build_article([Block(text=first), Block(text=_PROSE)], source="docx", origin="x")
    assert art.title == ""


@pytest.mark.parametrize(
    "label",
    [
        "GƯƠNG ĐIỂN HÌNH TIÊN TIẾN THÁNG 11/2019",
        "GIỚI THIỆU MÔ HÌNH MỚI",
        "THÔNG CÁO BÁO CHÍ | PRESS RELEASE",
        "CHUYÊN MỤC GƯƠNG SÁNG ĐỜI THƯỜNG",
        "CHƯƠNG TRÌNH PHÁT THANH - PHÁT SÓNG 05/3/2020",
        "1. Bối cảnh",
        "I. SƠ LƯỢC LÝ LỊCH",
    ],
)
def test_a_label_programme_or_section_heading_is_never_the_title(label: str) -> None:
    blocks = [
        Block(text=label, bold=True),
        Block(text="Người thủ thư 16 năm mang sách lên vùng cao"),
        Block(text=_PROSE),
    ]
    art = build_article(blocks, source="docx", origin="x")
    assert art.title == "Người thủ thư 16 năm mang sách lên vùng cao"


def test_a_fanpage_headline_loses_the_emoji_around_it() -> None:
    from dienhinh.ingest.article import tidy_title

    assert tidy_title("🎥 CÔ GÁI MÔNG “KỂ CHUYỆN SA PA” 🎥") == "CÔ GÁI MÔNG “KỂ CHUYỆN SA PA”"
    assert tidy_title("👩🏽‍🌾 Chị Lan và vườn mận 🌿🌿") == "Chị Lan và vườn mận"
    assert tidy_title("Tuổi trẻ 💪 Kim Tân") == "Tuổi trẻ 💪 Kim Tân"  # inside: kept
    assert tidy_title("★ ★ ★") == ""  # nothing but symbols: the subject stands in


_PASTED = (
    "Đến thôn Lao Chải, xã Y Tý, huyện Bát Xát, hỏi nhà ông Lý Seo Chúng thì ai cũng biết. "
    "Người Hà Nhì, người Mông ở đây gọi ông là người mở đường cho cây chè Shan tuyết lên núi, "
    "bởi hơn mười năm trước, khi bà con còn trồng ngô trên nương dốc, ông đã mang giống về."
)


@pytest.mark.parametrize(
    "note",
    ["e gui a", "Ngọc gửi Ban Thi đua giúp phòng bài nhân tố mới quý I nhé.", "Em gửi bài ạ"],
)
def test_a_senders_line_over_a_pasted_piece_is_the_cover_not_the_title(note: str) -> None:
    """A phone's short line over the piece it pastes: the piece's own title line (a
    capital, no closing stop, prose under it) is the title; the line goes to the cover."""
    from dienhinh.core.types import ArticleDraft
    from dienhinh.ingest.article import split_body_article

    title = "Ông Lý Seo Chúng và đồi chè Shan tuyết trên đỉnh Y Tý"
    draft = ArticleDraft(
        title="",
        text=f"{note}\n\n{title}\n\n{_PASTED}\n\n{_PASTED}",
        source="text-body",
        origin="x",
    )
    article, _ = split_body_article(draft, subject="e gui a", min_chars=200)
    assert article is not None and article.title == title and article.cover == note


def test_a_pasted_piece_opening_on_its_title_and_a_subtitle_keeps_its_title() -> None:
    from dienhinh.core.types import ArticleDraft
    from dienhinh.ingest.article import split_body_article

    title = "Người gieo chữ trên đỉnh mây"
    draft = ArticleDraft(
        title="",
        text=f"{title}\n\nBút ký\n\n{_PASTED}\n\n{_PASTED}",
        source="text-body",
        origin="x",
    )
    article, _ = split_body_article(draft, subject="bai but ky", min_chars=200)
    assert article is not None and article.title == title
