"""Official documents (giấy mời, công văn, quyết định, ...) are recorded as such, never
counted as articles; units' articles with a letterhead stay articles.

The documents are generated here in many shapes (issuers, numbers, layouts, .docx and
PDF): the classifier must work on the administrative form, not on one document's words.
"""

from __future__ import annotations

import io
import random

import pytest

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.official import classify_lines
from factory import DOCX_TYPE, Attach, article_text, make_email, make_pdf

ISSUERS = [
    ("UBND HUYỆN BẢO THẮNG", "UBND"),
    ("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "SVHTTDL"),
    ("HỘI NÔNG DÂN TỈNH LÀO CAI", "HND"),
    ("BAN THI ĐUA - KHEN THƯỞNG", "BTĐKT"),
    ("ĐẢNG ỦY KHỐI CƠ QUAN", "ĐUK"),
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT"),
]
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
PLACES = ["Lào Cai", "Bảo Thắng", "Sa Pa", "Bát Xát", "Mường Khương"]


def _header(rnd: random.Random, code: str) -> tuple[str, list[str]]:
    issuer, short = rnd.choice(ISSUERS)
    number = f"{rnd.randint(1, 2999)}/{code}-{short}" if code else f"{rnd.randint(1, 2999)}/{short}"
    place = rnd.choice(PLACES)
    lines = [
        "UBND TỈNH LÀO CAI" if rnd.random() < 0.5 else "TỈNH ỦY LÀO CAI",
        issuer,
        *MOTTO,
        f"Số: {number}" if rnd.random() < 0.7 else f"Số {number}",
        f"{place}, ngày {rnd.randint(1, 28)} tháng {rnd.randint(1, 12)} "
        f"năm 20{rnd.randint(18, 25)}",
    ]
    return number, lines


def _closing(rnd: random.Random) -> list[str]:
    return [
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
        rnd.choice(["TM. ỦY BAN NHÂN DÂN", "KT. GIÁM ĐỐC", "TM. BAN THƯỜNG VỤ"]),
        rnd.choice(["CHỦ TỊCH", "PHÓ GIÁM ĐỐC", "PHÓ BÍ THƯ"]),
        rnd.choice(["Nguyễn Văn Hùng", "Lò Thị Mai", "Giàng A Páo"]),
    ]


def invitation(seed: int) -> tuple[str, list[str]]:
    rnd = random.Random(seed)
    number, head = _header(rnd, "GM")
    topic = rnd.choice(
        [
            "Hội nghị sơ kết phong trào thi đua 6 tháng đầu năm",
            "Hội nghị tập huấn công tác thi đua, khen thưởng",
            "Lễ trao giải cuộc thi viết gương điển hình tiên tiến",
        ]
    )
    body = [
        "GIẤY MỜI",
        f"Dự {topic}",
        f"Thực hiện Kế hoạch số {rnd.randint(10, 300)}/KH-UBND ngày {rnd.randint(1, 28)}/"
        f"{rnd.randint(1, 12)}/2024, {rnd.choice(ISSUERS)[0].title()} tổ chức {topic.lower()}.",
        "Trân trọng kính mời: "
        + rnd.choice(["Đồng chí Chủ tịch UBND các xã", "Đại diện lãnh đạo các phòng, ban"]),
        f"Thời gian: {rnd.randint(7, 14)} giờ 00 phút, "
        f"ngày {rnd.randint(1, 28)}/{rnd.randint(1, 12)}/2024.",
        f"Địa điểm: Hội trường {rnd.choice(['tầng 3', 'UBND huyện', 'Nhà văn hóa'])}.",
        "Đề nghị các đại biểu đến dự đúng thành phần, thời gian./.",
        *_closing(rnd),
    ]
    return number, head + body


def decision(seed: int) -> tuple[str, list[str]]:
    rnd = random.Random(seed)
    number, head = _header(rnd, "QĐ")
    body = [
        "QUYẾT ĐỊNH",
        "Về việc khen thưởng các tập thể, cá nhân có thành tích xuất sắc",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Xét đề nghị của Trưởng phòng Nội vụ,",
        "QUYẾT ĐỊNH:",
        f"Điều 1. Tặng Giấy khen cho {rnd.randint(3, 30)} tập thể và cá nhân "
        "(có danh sách kèm theo).",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        *_closing(rnd),
    ]
    return number, head + body


def plan(seed: int) -> tuple[str, list[str]]:
    rnd = random.Random(seed)
    number, head = _header(rnd, "KH")
    _title, paras = article_text(seed + 500, 3)
    body = [
        "KẾ HOẠCH",
        "Tổ chức phong trào thi đua yêu nước năm 2025",
        "Căn cứ Chỉ thị số 19/CT-UBND của Ủy ban nhân dân tỉnh;",
        "I. MỤC ĐÍCH, YÊU CẦU",
        # Some prose: a plan explains itself; it is still a plan.
        *paras,
        "II. NỘI DUNG THỰC HIỆN",
        f"1. Thời gian: từ tháng {rnd.randint(1, 6)} đến tháng 12 năm 2025.",
        *_closing(rnd),
    ]
    return number, head + body


def dispatch(seed: int) -> tuple[str, list[str]]:
    """A công văn: no heading, a V/v line, recipients, a few paragraphs."""
    rnd = random.Random(seed)
    number, head = _header(rnd, "")
    body = [
        "V/v đôn đốc báo cáo kết quả phong trào thi đua quý III",
        "Kính gửi: Các phòng, ban, đơn vị trực thuộc",
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc tổng hợp kết quả phong trào thi "
        "đua, đề nghị các đơn vị báo cáo kết quả thực hiện quý III trước ngày 25 tháng 9.",
        "Báo cáo gửi về Ban Thi đua - Khen thưởng qua hộp thư điện tử để tổng hợp./.",
        *_closing(rnd),
    ]
    return number, head + body


KINDS = {"invitation": invitation, "decision": decision, "plan": plan, "official letter": dispatch}


def _docx(lines: list[str], *, table_letterhead: bool) -> bytes:
    """A .docx as departments write them: the issuer and the motto side by side in a
    borderless table (or stacked paragraphs), then the body."""
    import docx

    d = docx.Document()
    rest = lines
    if table_letterhead:
        left, right = [lines[0], lines[1], lines[4]], [lines[2], lines[3], lines[5]]
        t = d.add_table(rows=3, cols=2)
        for i in range(3):
            t.cell(i, 0).text, t.cell(i, 1).text = left[i], right[i]
        rest = lines[6:]
    for line in rest:
        p = d.add_paragraph()
        p.add_run(line).bold = line.isupper()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(lines: list[str]) -> bytes:
    return make_pdf(lines[0], lines[1:])


CASES = [
    (kind, seed, fmt)
    for kind in KINDS
    for seed in range(4)
    for fmt in ("docx-table", "docx", "pdf")
]


@pytest.mark.parametrize(("kind", "seed", "fmt"), CASES)
def test_official_documents_are_not_articles(
    kind: str, seed: int, fmt: str, ctx: ExtractContext
) -> None:
    number, lines = KINDS[kind](seed * 31 + len(kind))
    if fmt == "pdf":
        data, ctype, name = _pdf(lines), "application/pdf", f"van-ban-{seed}.pdf"
    else:
        data = _docx(lines, table_letterhead=fmt == "docx-table")
        ctype, name = DOCX_TYPE, f"van-ban-{seed}.docx"
    raw = make_email(
        subject="Gửi văn bản",
        text="Kính gửi Ban Thi đua, đơn vị gửi văn bản.",
        attachments=[Attach(name, data, ctype)],
    )
    out = extract_message(raw, ctx)
    assert out.articles == []
    assert out.status == "no-article"
    assert (out.reason or "").startswith(f"not an article: official document ({kind}: {name}")
    [att] = out.attachments
    assert att.used_as == "official-document"
    assert att.error.startswith("official-document: ")
    assert number.split("/")[0] in att.error  # "Số 12/GM-UBND" is named


def test_reason_names_the_kind_and_number() -> None:
    _, lines = invitation(7)
    verdict = classify_lines(lines)
    assert verdict.official and verdict.kind == "giay-moi"
    assert verdict.reason().startswith("official-document: giấy mời, Số ")
    assert "/GM-" in verdict.reason()


def _article_with_letterhead(seed: int, *, number: bool, vv: bool) -> list[str]:
    """A unit's real article: letterhead, motto, often "Số:", sometimes a V/v line, then a
    title and article prose."""
    rnd = random.Random(seed)
    title, paras = article_text(seed, 6)
    head = [rnd.choice(ISSUERS)[0], *MOTTO]
    if number:
        head.append(f"Số: {rnd.randint(1, 500)}/BC-UBND")
    if vv:
        head.append("V/v gửi bài viết gương điển hình tiên tiến")
    head.append(f"{rnd.choice(PLACES)}, ngày 5 tháng 6 năm 2024")
    return [
        *head,
        title.upper() if rnd.random() < 0.5 else title,
        *paras,
        "Người viết: Lò Văn Thanh",
    ]


@pytest.mark.parametrize("seed", range(12))
def test_articles_with_a_letterhead_stay_articles(seed: int, ctx: ExtractContext) -> None:
    lines = _article_with_letterhead(seed, number=seed % 2 == 0, vv=seed % 3 == 0)
    assert not classify_lines(lines).official
    data = _docx(lines[:0] + lines, table_letterhead=False)
    out = extract_message(make_email(attachments=[Attach("bai.docx", data, DOCX_TYPE)]), ctx)
    assert out.status == "ingested" and len(out.articles) == 1
    assert out.attachments[0].used_as == "article"


def test_article_behind_a_cover_dispatch_in_the_same_file_is_the_article(
    ctx: ExtractContext,
) -> None:
    """A công văn "V/v gửi bài viết" as the first page, the article after it: the file
    carries an article (its prose), so it is not an official document."""
    _, cover = dispatch(3)
    cover = [ln if not ln.startswith("V/v") else "V/v gửi bài viết gương điển hình" for ln in cover]
    title, paras = article_text(21, 6)
    data = _docx([*cover, title.upper(), *paras], table_letterhead=True)
    out = extract_message(make_email(attachments=[Attach("bai.docx", data, DOCX_TYPE)]), ctx)
    assert out.status == "ingested" and out.articles
    assert out.attachments[0].used_as == "article"


def test_article_with_a_cover_dispatch_beside_it(ctx: ExtractContext) -> None:
    """The article and its công văn gửi kèm as two files: the article is the article, the
    công văn its cover letter (recorded, not counted)."""
    number, cover = dispatch(5)
    cover = [ln if not ln.startswith("V/v") else "V/v gửi bài viết tuyên truyền" for ln in cover]
    title, paras = article_text(22, 5)
    art = _docx([title.upper(), *paras], table_letterhead=False)
    raw = make_email(
        attachments=[
            Attach("cong-van.docx", _docx(cover, table_letterhead=True), DOCX_TYPE),
            Attach("bai-viet.docx", art, DOCX_TYPE),
        ]
    )
    out = extract_message(raw, ctx)
    assert out.status == "ingested" and [a.origin for a in out.articles] == ["bai-viet.docx"]
    cv = out.attachments[0]
    assert cv.used_as == "cover-letter"
    assert cv.error == f"cover-letter: công văn, Số {number}"


def test_invitation_beside_an_article_is_an_official_document(ctx: ExtractContext) -> None:
    _, inv = invitation(11)
    title, paras = article_text(23, 5)
    raw = make_email(
        attachments=[
            Attach("giay-moi.docx", _docx(inv, table_letterhead=True), DOCX_TYPE),
            Attach("bai.docx", _docx([title, *paras], table_letterhead=False), DOCX_TYPE),
        ]
    )
    out = extract_message(raw, ctx)
    assert out.status == "ingested" and len(out.articles) == 1
    assert [a.used_as for a in out.attachments] == ["official-document", "article"]


def test_invitation_pasted_in_the_body_is_not_an_article(ctx: ExtractContext) -> None:
    _, lines = invitation(13)
    # A neutral subject: the noise rules would catch "Giấy mời ..." in the subject alone.
    out = extract_message(make_email(subject="Gửi Ban Thi đua", text="\n\n".join(lines)), ctx)
    assert out.articles == [] and out.status == "no-article"
    assert (out.reason or "").startswith("not an article: official document (invitation")


def test_invitation_document_under_an_invitation_subject_names_the_document(
    ctx: ExtractContext,
) -> None:
    """The subject alone would make it noise; the document says more (kind and number)."""
    number, lines = invitation(17)
    raw = make_email(
        subject="Giấy mời dự hội nghị sơ kết",
        text="Kính gửi các đơn vị.",
        attachments=[Attach("GM.docx", _docx(lines, table_letterhead=True), DOCX_TYPE)],
    )
    out = extract_message(raw, ctx)
    assert out.status == "no-article"
    assert out.reason == f"not an article: official document (invitation: GM.docx, Số {number})"
    assert out.attachments[0].error == f"official-document: giấy mời, Số {number}"


def test_article_laid_out_as_a_report_stays_an_article(ctx: ExtractContext) -> None:
    """A unit's exemplar written as "BÁO CÁO" with a letterhead, recipients and a signer,
    but whose body is article prose (no recitals, no meeting): an article."""
    rnd = random.Random(5)
    _, head = _header(rnd, "BC")
    title, paras = article_text(42, 8)
    lines = [*head, "BÁO CÁO", f"Gương điển hình tiên tiến: {title}", *paras, *_closing(rnd)]
    assert not classify_lines(lines).official
    out = extract_message(
        make_email(attachments=[Attach("bc.docx", _docx(lines, table_letterhead=True), DOCX_TYPE)]),
        ctx,
    )
    assert out.status == "ingested" and out.attachments[0].used_as == "article"


def test_article_under_a_report_number_without_a_heading_stays_an_article(
    ctx: ExtractContext,
) -> None:
    """Offices number their exemplar articles as reports ("Số: 41/BC-NV") with recipients
    and a signer, but head them with the article's own title, not "BÁO CÁO": the number's
    kind code alone does not make article prose an official document."""
    rnd = random.Random(8)
    _, head = _header(rnd, "BC")
    title, paras = article_text(43, 8)
    lines = [*head, title.upper(), *paras, *_closing(rnd)]
    verdict = classify_lines(lines)
    assert "kind-code" in verdict.signals and not verdict.official
    out = extract_message(
        make_email(attachments=[Attach("bc.docx", _docx(lines, table_letterhead=True), DOCX_TYPE)]),
        ctx,
    )
    assert out.status == "ingested" and out.attachments[0].used_as == "article"


def test_short_report_under_a_number_only_is_an_official_document() -> None:
    """The same form with a report's few lines and no heading stays an official document."""
    rnd = random.Random(9)
    number, head = _header(rnd, "BC")
    lines = [
        *head,
        "Kết quả thực hiện phong trào thi đua quý II",
        "Trong quý II, đơn vị đã tổ chức 3 hội nghị và khen thưởng 12 cá nhân.",
        *_closing(rnd),
    ]
    verdict = classify_lines(lines)
    assert verdict.official and verdict.kind == "bao-cao" and verdict.number == number


def test_short_report_with_recipients_is_an_official_document() -> None:
    rnd = random.Random(6)
    number, head = _header(rnd, "BC")
    lines = [
        *head,
        "BÁO CÁO",
        "Kết quả thực hiện phong trào thi đua quý II",
        "Trong quý II, đơn vị đã tổ chức 3 hội nghị và khen thưởng 12 cá nhân.",
        *_closing(rnd),
    ]
    verdict = classify_lines(lines)
    assert verdict.official and verdict.kind == "bao-cao" and verdict.number == number


def test_odt_invitation_is_recognised_before_it_would_wait_for_libreoffice(
    ctx: ExtractContext,
) -> None:
    from factory import make_odt

    number, lines = invitation(19)
    data = make_odt(lines[0], lines[1:])
    out = extract_message(
        make_email(attachments=[Attach("gm.odt", data, "application/octet-stream")]), ctx
    )
    assert out.articles == [] and out.status == "no-article"
    assert out.attachments[0].used_as == "official-document"
    assert out.attachments[0].error == f"official-document: giấy mời, Số {number}"
    # An .odt article still waits for the converter.
    title, paras = article_text(43, 5)
    art = extract_message(
        make_email(
            attachments=[Attach("bai.odt", make_odt(title, paras), "application/octet-stream")]
        ),
        ctx,
    )
    assert [a.status for a in art.articles] == ["needs-conversion"]


def test_official_document_sent_as_a_text_file(ctx: ExtractContext) -> None:
    number, lines = decision(23)
    data = "\n\n".join(lines).encode()
    out = extract_message(make_email(attachments=[Attach("qd.txt", data, "text/plain")]), ctx)
    assert out.articles == [] and out.attachments[0].used_as == "official-document"
    assert out.attachments[0].error == f"official-document: quyết định, Số {number}"


@pytest.mark.parametrize(
    "issuer",
    ["SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "Phòng Tài chính – Kế hoạch huyện"],
)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_issuer_whose_name_holds_a_heading_sends_an_article(
    issuer: str, fmt: str, ctx: ExtractContext
) -> None:
    """ "KẾ HOẠCH" in the department's own name is no plan's heading, and a law the article
    cites ("Nghị định số 78/2015/NĐ-CP") gives the document no number: an article whose
    lead reads "Căn cứ ..." under such a letterhead stays an article (it was recorded as a
    plan, 'no article', and lost from the queue)."""
    _title, paras = article_text(41, 6)
    lines = [
        "UBND TỈNH LÀO CAI",
        issuer,
        "PHÒNG ĐĂNG KÝ KINH DOANH: HỒ SƠ ĐI TRÊN MẠNG, KẾT QUẢ VỀ TẬN NƠI",
        "Căn cứ Luật Doanh nghiệp năm 2014 và Nghị định số 78/2015/NĐ-CP của Chính phủ về "
        "đăng ký doanh nghiệp, từ năm 2016 phòng đã đưa việc tiếp nhận hồ sơ lên mạng.",
        *paras,
    ]
    verdict = classify_lines(lines)
    assert not verdict.official and verdict.number == ""
    if fmt == "pdf":
        data, ctype, name = _pdf(lines), "application/pdf", "bai-viet.pdf"
    else:
        data, ctype, name = _docx(lines, table_letterhead=False), DOCX_TYPE, "bai-viet.docx"
    out = extract_message(make_email(attachments=[Attach(name, data, ctype)]), ctx)
    assert out.status == "ingested" and len(out.articles) == 1
    if fmt == "docx":
        assert out.articles[0].title.startswith("PHÒNG ĐĂNG KÝ KINH DOANH: HỒ SƠ")


def test_a_plan_of_the_planning_department_is_still_a_plan() -> None:
    """The same letterhead over a real plan: its own heading and number decide."""
    _, lines = plan(5)
    lines = [
        ln.replace(lines[1], "SỞ KẾ HOẠCH VÀ ĐẦU TƯ") if i == 1 else ln
        for i, ln in enumerate(lines)
    ]
    verdict = classify_lines(lines)
    assert verdict.official and verdict.kind == "ke-hoach" and "/KH-" in verdict.number


def test_a_cong_van_printed_without_its_motto_is_still_one() -> None:
    """A department's công văn printed to PDF, the motto's column lost: its number, V/v
    line, "Kính gửi" and signer block together make it one (it was an article titled
    "2020"); an article behind such a page stays an article (the tests above)."""
    lines = [
        "UBND TỈNH LÀO CAI",
        "SỞ DU LỊCH",
        "Số: 215/SDL-QLDL",
        "V/v hưởng ứng Chương trình kích cầu du lịch nội địa năm",
        "2020",
        "Kính gửi: Các doanh nghiệp lữ hành, cơ sở lưu trú du lịch trên địa bàn tỉnh.",
        "Thực hiện chỉ đạo của Bộ Văn hóa, Thể thao và Du lịch về Chương trình kích cầu du lịch "
        "nội địa, Sở Du lịch đề nghị các doanh nghiệp tích cực tham gia, xây dựng các gói sản "
        "phẩm giảm giá từ 30 đến 50%.",
        "Các đơn vị đăng ký gói sản phẩm kích cầu về Sở Du lịch trước ngày 25/5/2020.",
        "KT. GIÁM ĐỐC - PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Hùng",
    ]
    verdict = classify_lines(lines)
    assert verdict.official and verdict.kind == "cong-van" and verdict.number == "215/SDL-QLDL"
    # Without its signer, three marks are not enough.
    assert not classify_lines([ln for ln in lines if not ln.startswith("KT.")]).official


def test_a_reports_table_of_figures_is_an_annex_not_an_article() -> None:
    """A district mails its report's summary table ("BIỂU TỔNG HỢP ... (Kèm theo Báo cáo
    số ...)", rows of figures): no article, whatever exemplar words its rows hold. A list
    of exemplars each with a paragraph is an article; a list attached to nothing is left
    to the other tests (it may be a list of names sent beside an article)."""
    rows = [
        "STT | Nội dung | Kế hoạch | Thực hiện | Tỷ lệ (%)",
        "1 | Bài viết giới thiệu gương điển hình gửi Ban TĐKT tỉnh | 12 | 9 | 75",
        "2 | Tập thể được khen thưởng | - | 148 | -",
        "3 | Điển hình tiên tiến được biểu dương | - | 24 | -",
    ]
    for heading in ("BIỂU TỔNG HỢP KẾT QUẢ CÔNG TÁC THI ĐUA, KHEN THƯỞNG 9 THÁNG NĂM 2020",
                    "PHỤ LỤC SỐ LIỆU THI ĐUA NĂM 2021"):  # fmt: skip
        lines = ["UBND HUYỆN BÁT XÁT", heading, "(Kèm theo Báo cáo số 405/BC-UBND)", *rows]
        v = classify_lines(lines)
        assert v.official and v.kind in {"bieu-tong-hop", "phu-luc"}
    listed = ["UBND HUYỆN BÁT XÁT", "DANH SÁCH TRÍCH NGANG", *rows]
    assert not classify_lines(listed).official
    _, paras = article_text(3)
    profiles = ["HỘI LHPN TỈNH", "DANH SÁCH GƯƠNG ĐIỂN HÌNH QUÝ III", "(Kèm theo Công văn số 12)"]
    assert not classify_lines([*profiles, *paras]).official
