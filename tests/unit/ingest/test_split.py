"""Documents that hold several articles are split; one article with sections is not.

Why: some units paste the month's articles into one file, and each must be reviewed,
tagged and published on its own. A wrong split is worse than none (an editor has to glue
fragments back), so a title followed by Heading 2 sections, or numbered section
headings, must stay one article.
"""

from __future__ import annotations

from dienhinh.core.text import fold
from dienhinh.ingest.article import Block
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.split import split_blocks
from factory import (
    DOCX_TYPE,
    Attach,
    Para,
    article_text,
    long_paragraphs,
    make_docx_paragraphs,
    make_email,
    make_jpeg,
)

LETTERHEAD = [Para("UBND HUYỆN BÁT XÁT", bold=True), Para("PHÒNG NỘI VỤ", bold=True)]


def _article(seed: int, style: str, *, image: bytes = b"") -> list[Para]:
    title, _ = article_text(seed)
    body = long_paragraphs(seed, 170)
    paras = [Para(title, style=style), *(Para(p) for p in body[:2])]
    if image:
        paras += [Para(image=image), Para("Ảnh: nhân vật tại vườn", italic=True)]
    return paras + [Para(p) for p in body[2:]]


def _mail(doc: bytes, *extra: Attach) -> bytes:
    return make_email(attachments=[Attach("tong hop bai viet.docx", doc, DOCX_TYPE), *extra])


def test_two_titled_articles_in_one_docx(ctx: ExtractContext) -> None:
    """GIVEN a docx with a letterhead and two Heading 1 titles, each over 150 words, the
    second with a picture WHEN extracted THEN two articles, each with the letterhead and
    its own text, and the picture with the second."""
    img = make_jpeg(seed=4)
    doc = make_docx_paragraphs(
        [*LETTERHEAD, *_article(1, "Heading 1"), *_article(2, "Heading 1", image=img)]
    )
    out = extract_message(_mail(doc), ctx)
    first, second = out.articles
    assert [first.title, second.title] == [article_text(1)[0], article_text(2)[0]]
    assert first.header_lines == second.header_lines == ["UBND HUYỆN BÁT XÁT", "PHÒNG NỘI VỤ"]
    assert article_text(2)[0] not in first.text and article_text(1)[1][0] not in second.text
    assert first.images == []
    assert [(i.role, i.caption) for i in second.images] == [
        ("embedded-image", "Ảnh: nhân vật tại vườn")
    ]
    assert [a.flags for a in out.articles] == [["split:1/2"], ["split:2/2"]]
    assert first.document_sha256 == second.document_sha256 == out.attachments[0].sha256
    assert {a.source for a in out.articles} == {"docx"}


def test_title_with_heading2_sections_is_one_article(ctx: ExtractContext) -> None:
    title, _ = article_text(3)
    paras = [Para(title, style="Title")]
    for n, heading in enumerate(("Hoàn cảnh gia đình", "Vươn lên làm giàu", "Giúp đỡ bà con")):
        paras += [Para(heading, style="Heading 2"), *(Para(p) for p in long_paragraphs(n, 160))]
    out = extract_message(_mail(make_docx_paragraphs([*LETTERHEAD, *paras])), ctx)
    [art] = out.articles
    assert art.title == title and "Vươn lên làm giàu" in art.text


def test_heading1_sections_numbered_or_after_an_opening_stay_one_article() -> None:
    body = [Block(text=p) for p in long_paragraphs(1, 160)]
    numbered = [
        Block(text="Bài viết về gương điển hình", bold=True),
        Block(text="1. Hoàn cảnh", heading=True, level=1),
        *body,
        Block(text="2. Thành tích", heading=True, level=1),
        *body,
    ]
    assert len(split_blocks(numbered)) == 1
    opening = [
        Block(text="Tiêu đề in đậm", bold=True),
        *body,
        Block(text="Hoàn cảnh", heading=True, level=1),
        *body,
        Block(text="Thành tích", heading=True, level=1),
        *body,
    ]
    assert len(split_blocks(opening)) == 1


def test_short_sections_under_titles_are_not_split() -> None:
    blocks = [
        Block(text="Tiêu đề một", heading=True, level=1),
        Block(text="Một đoạn ngắn."),
        Block(text="Tiêu đề hai", heading=True, level=1),
        Block(text="Đoạn ngắn khác."),
    ]
    assert len(split_blocks(blocks)) == 1


def test_bai_markers_split_and_name_the_titles(ctx: ExtractContext) -> None:
    t1, _ = article_text(5)
    t2, _ = article_text(6)
    doc = make_docx_paragraphs(
        [
            *LETTERHEAD,
            Para("TUYÊN TRUYỀN GƯƠNG ĐIỂN HÌNH TIÊN TIẾN THÁNG 3", bold=True),
            Para(f"Bài 1: {t1}", bold=True),
            *(Para(p) for p in article_text(5)[1][:2]),
            Para("BÀI VIẾT SỐ 2", bold=True),
            Para(t2, bold=True),
            *(Para(p) for p in article_text(6)[1][:2]),
        ]
    )
    out = extract_message(_mail(doc), ctx)
    assert [a.title for a in out.articles] == [t1, t2]
    assert out.articles[1].text.split("\n\n") == article_text(6)[1][:2]
    assert out.articles[0].header_lines[:2] == ["UBND HUYỆN BÁT XÁT", "PHÒNG NỘI VỤ"]


def test_markers_out_of_order_or_in_prose_do_not_split() -> None:
    body = [Block(text=p) for p in long_paragraphs(1, 60)]
    out_of_order = [Block(text="Bài 2: A"), *body, Block(text="Bài 1: B"), *body]
    assert len(split_blocks(out_of_order)) == 1
    single = [Block(text="Bài 1: A"), *body]
    assert len(split_blocks(single)) == 1


def test_photos_beside_a_split_document_pair_by_name(ctx: ExtractContext) -> None:
    doc = make_docx_paragraphs([*_article(7, "Heading 1"), *_article(8, "Heading 1")])
    out = extract_message(
        _mail(
            doc,
            Attach("bai2-anh1.jpg", make_jpeg(seed=1), "image/jpeg"),
            Attach("bai1-anh1.jpg", make_jpeg(seed=2), "image/jpeg"),
            Attach("bai2-anh2.jpg", make_jpeg(seed=3), "image/jpeg"),
        ),
        ctx,
    )
    first, second = out.articles
    assert [i.filename for i in first.images] == ["bai1-anh1.jpg"]
    assert [i.filename for i in second.images] == ["bai2-anh1.jpg", "bai2-anh2.jpg"]


def test_photos_pair_by_title_words_then_order(ctx: ExtractContext) -> None:
    def doc(seed: int) -> bytes:
        return make_docx_paragraphs(_article(seed, "Title"))

    t1, t2 = article_text(11)[0], article_text(12)[0]
    word = next(w for w in t2.split() if len(w) > 3 and fold(w) not in fold(t1))

    out = extract_message(
        make_email(
            attachments=[
                Attach("x.docx", doc(11), DOCX_TYPE),
                Attach("y.docx", doc(12), DOCX_TYPE),
                Attach(f"{fold(word)}.jpg", make_jpeg(seed=1), "image/jpeg"),
            ]
        ),
        ctx,
    )
    assert [len(a.images) for a in out.articles] == [0, 1]


def test_prose_before_the_title_stays_in_the_text() -> None:
    """Labels, letterheads and greetings before the title go with the letterhead; a
    sentence of running text before a bold line (an oletools test document: its first
    paragraph, then a bold field result taken for the title) is the text's start, not
    moved out of it."""
    from dienhinh.ingest.article import build_article

    prose = "This is a dde test file. The dde auto field is the next line:"
    title = Block("Một người tốt ở bản Sín Chải", bold=True)
    body = Block("Đoạn thứ nhất của bài viết, đủ dài để là thân bài của một bài báo.")
    draft = build_article(
        [Block("BÀI VIẾT"), Block(prose), title, body], source="docx", origin="bai.docx"
    )
    assert draft.title == title.text
    assert draft.text == prose + "\n\n" + body.text
    assert draft.header_lines == ["BÀI VIẾT"]
    greeting = "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai và các đơn vị liên quan"
    draft = build_article([Block(greeting), title, body], source="docx", origin="bai.docx")
    assert draft.title == title.text and draft.text == body.text
    assert draft.header_lines == [greeting]


# --- pieces one per page ---------------------------------------------------------------------


def _paged(seed: int, *, words: int = 170, label: str = "", **title: bool) -> list[Para]:
    head, _ = article_text(seed)
    body = [Para(p) for p in long_paragraphs(seed, words)]
    return [*([Para(label)] if label else []), Para(head, bold=True, **title), *body]


def _read(doc: bytes, ctx: ExtractContext) -> list:
    return extract_message(_mail(doc), ctx).articles


def test_pieces_one_per_page_are_split(ctx: ExtractContext) -> None:
    """GIVEN a docx with a letterhead, a label line, a bold title and its text, then a
    page break and a second bold title with its text WHEN extracted THEN two articles,
    each with the letterhead, the label with the first; Word's "page break before"
    property splits the same way."""
    label = "Bài viết gương người tốt, việc tốt quý II/2020"
    for second in (_paged(2, page_break=True), _paged(2, break_before=True)):
        arts = _read(make_docx_paragraphs([*LETTERHEAD, *_paged(1, label=label), *second]), ctx)
        assert [a.title for a in arts] == [article_text(1)[0], article_text(2)[0]]
        assert all("PHÒNG NỘI VỤ" in a.header_lines for a in arts)
        assert [f for f in arts[1].flags if f.startswith("split:")] == ["split:2/2"]


def test_a_page_break_inside_one_article_does_not_split(ctx: ExtractContext) -> None:
    """A page break before prose (the text goes on), before a page of photos, before a
    numbered section heading, or before a piece too short to stand alone: one article."""
    head, _ = article_text(3)
    body = [Para(p) for p in long_paragraphs(3, 300)]
    img = make_jpeg(seed=2)
    shapes = {
        "prose": [Para(head, bold=True), *body[:3], Para(body[3].text, page_break=True), *body[4:]],
        "photos": [
            Para(head, bold=True),
            *body,
            Para(image=img, page_break=True),
            Para("Ảnh: nhân vật tại vườn", italic=True),
        ],
        "numbered section": [
            Para(head, bold=True),
            *body[:3],
            Para("2. Kết quả đạt được", bold=True, page_break=True),
            *body[3:],
        ],
        "short second piece": [
            *_paged(3),
            *_paged(4, words=40, page_break=True)[:2],
        ],
    }
    for name, paras in shapes.items():
        arts = _read(make_docx_paragraphs([*LETTERHEAD, *paras]), ctx)
        assert len(arts) == 1, name
        assert arts[0].title == head, name


# --- collections of titled pieces (round 13's compilations of two) ---------------------

_ESSAY = (
    "Năm giờ chiều, khi cái nắng tháng Sáu đã dịu bớt trên những mái nhà thị trấn, dưới "
    "gốc nhãn già trong sân nhà văn hóa lại vang lên tiếng trẻ con đọc bài. "
) * 9  # about 270 words


def _titles(groups: list[list[Block]]) -> list[str]:
    return [next(b.text for b in g if b.heading) for g in groups]


def test_numbered_pieces_under_a_collection_title_are_split() -> None:
    """ "Những người gieo hạt ..." and "(Bút ký - hai bài)", then "1. LỚP HỌC ..." and
    "2. NGÔI NHÀ ...": two essays, each titled by its own line, the collection's title
    kept in the first one's text."""
    blocks = [
        Block(text="Những người gieo hạt trên đất Bảo Thắng", bold=True),
        Block(text="(Bút ký - hai bài)", italic=True),
        Block(text="1. LỚP HỌC TIẾNG ANH DƯỚI GỐC NHÃN PHỐ LU", bold=True),
        Block(text=_ESSAY),
        Block(text="2. NGÔI NHÀ BÊN ĐỒI DỨA SƠN HẢI", bold=True),
        Block(text=_ESSAY),
    ]
    groups = split_blocks(blocks)
    assert _titles(groups) == [
        "LỚP HỌC TIẾNG ANH DƯỚI GỐC NHÃN PHỐ LU",
        "NGÔI NHÀ BÊN ĐỒI DỨA SƠN HẢI",
    ]
    assert "Những người gieo hạt trên đất Bảo Thắng" in [b.text for b in groups[0]]


def test_pieces_set_apart_by_stars_in_a_document_are_split() -> None:
    blocks = [
        Block(text="NHỮNG NGƯỜI LÍNH QUÂN HÀM XANH Ở BẢN LẦU", bold=True),
        Block(text="Đại úy quân y Nguyễn Văn Hào: chín năm làm bác sĩ của bản", bold=True),
        Block(text=_ESSAY),
        Block(text="* * *"),
        Block(text="Thượng úy Lý Văn Tiến và hai đứa con nuôi ở Bản Lầu", bold=True),
        Block(text=_ESSAY),
    ]
    groups = split_blocks(blocks)
    assert _titles(groups) == [
        "Đại úy quân y Nguyễn Văn Hào: chín năm làm bác sĩ của bản",
        "Thượng úy Lý Văn Tiến và hai đứa con nuôi ở Bản Lầu",
    ]


def test_a_verse_after_an_essays_scene_break_does_not_split() -> None:
    blocks = [
        Block(text="Người giữ lửa trên đỉnh Y Tý", bold=True),
        Block(text=_ESSAY),
        Block(text="* * *"),
        Block(text="Mây trắng về ngang lưng núi Y Tý"),  # a verse line, plain type
        Block(text=_ESSAY),
    ]
    assert len(split_blocks(blocks)) == 1


def test_pieces_each_headed_by_the_plans_words_are_split() -> None:
    blocks = [
        Block(text="TỔNG HỢP GƯƠNG ĐIỂN HÌNH THÁNG 11/2019", bold=True),
        Block(text="Gương sáng Thôn đội trưởng Pờ Hừ Xá, thôn Lao Chải, xã Y Tý", bold=True),
        Block(text=_ESSAY),
        Block(text="Gương sáng gia đình chị Phu Mỳ Xe làm homestay ở Choản Thèn", bold=True),
        Block(text=_ESSAY),
    ]
    groups = split_blocks(blocks)
    assert len(groups) == 2
    assert _titles(groups)[1].startswith("Gương sáng gia đình chị Phu Mỳ Xe")


def test_numbered_sections_and_one_persons_parts_stay_one_article() -> None:
    sections = [
        Block(text="Bài viết về gương điển hình", bold=True),
        Block(text="1. Hoàn cảnh gia đình và quê hương", bold=True),
        Block(text=_ESSAY),
        Block(text="2. Thành tích đạt được", bold=True),
        Block(text=_ESSAY),
    ]
    assert len(split_blocks(sections)) == 1
    parts = [Block(text="CHÂN DUNG", bold=True)]
    for what in ["những năm đầu đứng lớp", "đổi mới cách dạy học"]:
        parts += [Block(text=f"Gương sáng cô Lò Thị Hương – {what}", bold=True), Block(text=_ESSAY)]
    assert len(split_blocks(parts)) == 1


def test_sections_each_on_a_model_stay_one_article() -> None:
    blocks = [
        Block(text="Xã Bản Phố với những mô hình mới", bold=True),
        Block(text="Mô hình chè hữu cơ của thôn Bản Phố 1", bold=True),
        Block(text=_ESSAY),
        Block(text="Mô hình nuôi bò vỗ béo của thôn Bản Phố 2", bold=True),
        Block(text=_ESSAY),
    ]
    assert len(split_blocks(blocks)) == 1


# --- an official letter's annex of exemplars (round 15) ---------------------------------


def test_an_annex_of_exemplars_is_one_article_each(ctx: ExtractContext) -> None:
    """GIVEN a công văn (letterhead, "Kính gửi", its few lines, "Nơi nhận") then "PHỤ LỤC",
    "(Kèm theo Công văn số ...)" and "1. Gương điển hình tiên tiến" / "2. Mô hình mới",
    each over its piece's title and text WHEN extracted THEN one article per exemplar,
    titled by its own line (not "PHỤ LỤC"), the letter in neither, the letterhead in both."""
    letter = [
        Para("Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai."),
        Para("Thực hiện Kế hoạch số 39/KH-UBND, Hội Cựu chiến binh tỉnh báo cáo như sau."),
        Para("Nơi nhận:"),
        Para("- Như trên;"),
    ]
    annex = [
        Para("PHỤ LỤC", bold=True),
        Para("(Kèm theo Công văn số 214/CV-CCB ngày 17/12/2019)", italic=True),
    ]
    pieces = []
    for n, (kind, seed) in enumerate((("Gương điển hình tiên tiến", 5), ("Mô hình mới", 6)), 1):
        pieces += [Para(f"{n}. {kind}", bold=True), *_paged(seed)]
    head = [Para("HỘI CỰU CHIẾN BINH TỈNH LÀO CAI", bold=True)]
    arts = _read(make_docx_paragraphs([*head, *letter, *annex, *pieces]), ctx)
    assert [a.title for a in arts] == [article_text(5)[0], article_text(6)[0]]
    assert all("Kính gửi" not in a.text and "PHỤ LỤC" not in a.text for a in arts)
    assert all(a.header_lines == ["HỘI CỰU CHIẾN BINH TỈNH LÀO CAI"] for a in arts)
    assert arts[1].text.startswith("2. Mô hình mới")
    # the kind's words after a colon title the piece themselves
    named = [Para("1. Gương điển hình: " + article_text(7)[0], bold=True), *_paged(7)[1:]]
    named += [Para("2. Nhân tố mới: " + article_text(8)[0], bold=True), *_paged(8)[1:]]
    arts = _read(make_docx_paragraphs([*head, *letter, *annex, *named]), ctx)
    assert [a.title for a in arts] == [article_text(7)[0], article_text(8)[0]]


# --- lists of short exemplars, one paragraph each (round 16) -----------------------------

_SHORT = (
    "sinh năm 1978, dân tộc Tày. Những năm qua anh vận động bà con trong thôn hiến đất "
    "làm đường bê tông, tự bỏ công đổ 300 mét đường vào bản. Gia đình anh trồng 5 ha quế, "
    "mỗi năm thu hơn 200 triệu đồng, tạo việc làm cho 6 lao động trong thôn. Anh còn nhận "
    "hướng dẫn kỹ thuật cho 12 hộ nghèo trồng quế, đến nay 8 hộ đã thoát nghèo."
)


def test_a_list_of_short_exemplars_is_one_article_each() -> None:
    """GIVEN a list's heading, then "Gương 1: Anh X, thôn ...: what he did" and "Gương 2:
    Chị Y ...: ..." (one paragraph each, a few sentences) THEN one article each, titled
    by whom it is about, its text what follows the colon; "1)" and "2)" the same. A
    numbered list of a portrait's achievements ("1) Năm 2018: ...") stays one article."""
    for marker in ("Gương {n}: ", "{n}) "):
        blocks = [
            Block(text="GƯƠNG ĐIỂN HÌNH TIÊN TIẾN QUÝ II/2019", bold=True),
            Block(
                text=marker.format(n=1)
                + "Anh Hoàng Văn Thắm, thôn Khuổi Phường: Anh Thắm "
                + _SHORT
            ),
            Block(text=marker.format(n=2) + "Chị Lương Thị Hoa, thôn Bản Mo: Chị Hoa " + _SHORT),
        ]
        groups = split_blocks(blocks)
        assert _titles(groups) == [
            "Anh Hoàng Văn Thắm, thôn Khuổi Phường",
            "Chị Lương Thị Hoa, thôn Bản Mo",
        ], marker
        assert groups[1][-1].text.startswith("Chị Hoa sinh năm 1978")
    record = [
        Block(text="Anh Hoàng Văn Thắm làm giàu từ cây quế", bold=True),
        Block(text="1) Năm 2018: anh " + _SHORT),
        Block(text="2) Năm 2019: anh " + _SHORT),
    ]
    assert len(split_blocks(record)) == 1
