"""An article pasted in the body beside an attached document is an article too (issue 14's
outside writers: "one saved as .docx, one pasted below"); a cover note, however polite, and
a document's own text pasted again are not."""

from __future__ import annotations

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email

DOC_TITLE, DOC_PARAS = article_text(3)
BODY_TITLE = "Chi đoàn thôn Nà Khun, điểm sáng mới trong mùa mưa lũ"
BODY_PARAS = [
    "Mùa mưa lũ năm 2019, khi con suối Nà Khun dâng cao, mười hai đoàn viên của chi đoàn "
    "thôn đã thay nhau trực ở đầu cầu tạm suốt nhiều đêm liền để đưa học sinh qua suối an "
    "toàn, không để em nào phải nghỉ học vì nước lũ."
] * 4 + [
    "Bí thư chi đoàn Hoàng Văn Tình cho biết, sau mùa lũ, chi đoàn đã vận động bà con góp "
    "công, góp gỗ làm lại cây cầu chắc chắn hơn, lắp thêm tay vịn và biển báo mực nước để "
    "người dân và các cháu học sinh đi lại yên tâm trong những ngày mưa lớn."
] * 3


def _mail(text: str) -> bytes:
    docx = make_docx(DocSpec(title=DOC_TITLE, paragraphs=DOC_PARAS))
    return make_email(
        from_="Hạnh <hanh.vb@gmail.com>",
        subject="Bai thang 12 huyen Van Ban",
        text=text,
        attachments=[Attach("bai1.docx", docx, DOCX_TYPE)],
    )


def test_an_article_pasted_below_the_note_beside_a_docx(ctx: ExtractContext) -> None:
    note = "dạ e gửi 2 bài tháng 12 ạ, bài hợp tác xã e gửi file word, bài chi đoàn e dán bên dưới"
    body = "\n\n".join([note, BODY_TITLE, *BODY_PARAS, "Hạnh"])
    out = extract_message(_mail(body), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE, BODY_TITLE]
    assert out.articles[1].source == "text-body"
    assert note not in out.articles[1].text
    assert BODY_PARAS[-1] in out.articles[1].text


def test_a_long_cover_note_beside_a_docx_is_no_article(ctx: ExtractContext) -> None:
    note = (
        "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\nThực hiện Kế hoạch tuyên truyền, UBND "
        "huyện Văn Bàn trân trọng gửi kèm bài viết giới thiệu gương điển hình tháng 12.\n\n"
        "Trân trọng./."
    )
    out = extract_message(_mail(note), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE]


def test_the_documents_text_pasted_again_is_no_second_article(ctx: ExtractContext) -> None:
    body = "\n\n".join(["Em gửi bài ạ, em dán cả vào đây:", DOC_TITLE, *DOC_PARAS, *DOC_PARAS])
    out = extract_message(_mail(body), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE]


def test_a_signature_with_a_long_disclaimer_is_no_article(ctx: ExtractContext) -> None:
    """Microsoft 365 signatures end with a confidentiality notice of a hundred English
    words: a long body, no article."""
    disclaimer = (
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended only for the "
        "addressee(s) and may contain confidential information. If you have received it in "
        "error, please notify the sender and delete it. "
    ) * 6
    body = "\n\n".join(
        [
            "File đính kèm gồm bài viết (Word) và 02 ảnh minh họa đã chèn trong bài.",
            "Trân trọng./.",
            "ThS. Nguyễn Thị Minh Nguyệt",
            "Phó Trưởng phòng Công tác HSSV – Thanh tra – Khảo thí",
            "TRƯỜNG CAO ĐẲNG LÀO CAI | LAO CAI COLLEGE",
            disclaimer,
        ]
    )
    out = extract_message(_mail(body), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE]


LETTER = [
    "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.",
    "Thực hiện Kế hoạch tuyên truyền các phong trào thi đua yêu nước của UBND tỉnh và văn "
    "bản chỉ đạo của UBND huyện về việc tuyên truyền gương điển hình tiên tiến hằng tháng, "
    "Phòng Văn hóa và Thông tin huyện Văn Bàn xin trân trọng gửi kèm theo đây bài viết "
    f"giới thiệu gương điển hình tiên tiến tháng 12 của huyện, nhan đề: “{DOC_TITLE}”.",
    "Bài viết do đồng chí Hoàng Văn Thịnh, cộng tác viên lâu năm của Phòng thực hiện sau "
    "chuyến đi thực tế tại xã vào cuối tháng 11 vừa qua, nhân dịp huyện chuẩn bị các hoạt "
    "động tổng kết năm. Bài có dung lượng tương đối dài, có 02 ảnh do tác giả chụp đã được "
    "chèn trong file. Trường hợp Ban thấy cần rút gọn, Phòng xin được biên tập lại.",
    "Trong quá trình tiếp nhận, nếu file đính kèm bị lỗi phông chữ hoặc không mở được, đề "
    "nghị Ban thông tin lại để Phòng gửi bản khác (Phòng có cả bản in đã ký gửi qua đường "
    "văn thư theo quy định hiện hành của tỉnh).",
    "Trân trọng cảm ơn./.",
    "Phòng Văn hóa và Thông tin huyện Văn Bàn",
]


def test_a_formal_letter_of_several_paragraphs_beside_a_docx_is_no_article(
    ctx: ExtractContext,
) -> None:
    """A district office's letter sending the attached piece ("Kính gửi ... xin trân trọng
    gửi kèm theo đây bài viết ...") runs to four paragraphs of prose: still the cover note,
    not a second article; the same letter pasting a piece below it keeps that piece."""
    body = "\n\n".join(LETTER)
    assert len(body.split()) > 150
    out = extract_message(_mail(body), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE]
    pasting = [*LETTER[:2], "Bài chi đoàn Phòng dán dưới đây:", BODY_TITLE, *BODY_PARAS]
    pasting[1] = pasting[1].replace("gửi kèm theo đây", "gửi kèm file word và dán dưới đây")
    out = extract_message(_mail("\n\n".join(pasting)), ctx)
    assert len(out.articles) == 2 and out.articles[0].title == DOC_TITLE
    assert BODY_PARAS[-1] in out.articles[1].text


def test_a_short_piece_the_note_says_is_pasted_below_is_an_article(ctx: ExtractContext) -> None:
    """ "... bài ngắn về mô hình của chi đoàn em dán ngay dưới đây": one paragraph of a
    hundred words under its title is believed to be the second piece; unannounced, a
    single paragraph beside a document is still no article."""
    story = " ".join(BODY_PARAS[:1] + BODY_PARAS[-1:])
    assert 100 <= len(story.split()) < 150
    note = (
        "Kính gửi Ban Thi đua - Khen thưởng tỉnh, Tỉnh đoàn gửi Ban 02 bài: bài về đồng chí "
        "Vinh trong file đính kèm; bài ngắn về chi đoàn thôn Nà Khun em dán ngay dưới đây ạ."
    )
    body = "\n\n".join([note, BODY_TITLE.upper(), story, "Trân trọng!"])
    out = extract_message(_mail(body), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE, BODY_TITLE.upper()]
    plain = note.replace("; bài ngắn về chi đoàn thôn Nà Khun em dán ngay dưới đây ạ", "")
    out = extract_message(_mail("\n\n".join([plain, BODY_TITLE.upper(), story])), ctx)
    assert [a.title for a in out.articles] == [DOC_TITLE]
