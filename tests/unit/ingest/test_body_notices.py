"""What a mail client or a company's server adds to a body (a legal notice under every
mail, the header lines of a forwarded chain) is no article, however long: a body of cover
notes and such a notice beside an attached document gives the document's article only,
and an article pasted in a body loses the notice, not its own words."""

from __future__ import annotations

import pytest

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email

NOTICES = {
    "vi+en": (
        "THÔNG BÁO BẢO MẬT: Thư điện tử này và các tệp đính kèm có thể chứa thông tin bảo "
        "mật, chỉ dành cho người nhận có tên ở trên. Nếu quý vị nhận được thư này do nhầm "
        "lẫn, xin vui lòng thông báo ngay cho người gửi và xóa thư khỏi hệ thống. Mọi hành "
        "vi sao chép, phát tán hoặc sử dụng trái phép nội dung thư đều bị nghiêm cấm.\n"
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and "
        "intended solely for the addressee(s) named above. If you have received it in "
        "error, please notify the sender immediately and delete it from your system."
    ),
    "company": (
        "Lưu ý: Nội dung thư điện tử này và các tệp đính kèm thuộc sở hữu của Công ty, có "
        "thể chứa thông tin nội bộ. Nếu không phải người nhận được chỉ định, quý vị không "
        "được sử dụng, sao chép hay tiết lộ nội dung thư; xin thông báo cho người gửi."
    ),
    "en": (
        "Disclaimer: The information in this message is confidential and may be legally "
        "privileged. It is intended solely for the addressee. Access to this message by "
        "anyone else is unauthorised. If you are not the intended recipient, any disclosure, "
        "copying or distribution is prohibited."
    ),
}

# A chain forwarded twice inside a company, as Outlook leaves it in an HTML body: each
# level's header lines as paragraphs, then its note.
FORWARD_CHAIN = [
    "Từ: Phòng Tổng hợp <tonghop@example.vn>",
    "Đã gửi: Thứ Sáu, 7 tháng 12, 2018 4:52 CH",
    "Đến: Văn phòng <vanphong@example.vn>",
    "Chủ đề: FW: Bài viết điển hình quý IV",
    "Văn phòng gửi Ban Thi đua theo kế hoạch tuyên truyền quý IV giúp chị nhé. Bài đã được "
    "anh Thắng duyệt, chỉ tiêu truyền thông quý này của mình đủ rồi.",
    "Hằng - P.TH",
    "Từ: Hoàng Thị Yến <yenht@example.vn>",
    "Đã gửi: Thứ Tư, 5 tháng 12, 2018 10:17 SA",
    "Đến: Phòng Tổng hợp <tonghop@example.vn>",
    "Chủ đề: Bài viết điển hình quý IV",
    "Dạ em gửi phòng bài viết về tổ để tham gia đợt tuyên truyền điển hình quý IV ạ. Ảnh "
    "của tổ em gửi sau vì dung lượng lớn quá.",
    "Em Yến - Trung tâm Viễn thông",
]


@pytest.mark.parametrize("notice", sorted(NOTICES))
def test_cover_notes_and_a_notice_beside_a_document_are_no_second_article(
    notice: str, ctx: ExtractContext
) -> None:
    title, paras = article_text(61, 6)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    body = "\n\n".join([*FORWARD_CHAIN, NOTICES[notice]])
    mail = make_email(
        subject="FW: Bài viết điển hình quý IV",
        html="".join(f"<p>{p}</p>" for p in body.split("\n\n")),
        text=None,
        attachments=[Attach("bai.docx", doc, DOCX_TYPE)],
    )
    out = extract_message(mail, ctx)
    assert [a.title for a in out.articles] == [title]


@pytest.mark.parametrize("notice", sorted(NOTICES))
def test_an_article_pasted_in_the_body_loses_the_notice_only(
    notice: str, ctx: ExtractContext
) -> None:
    title, paras = article_text(62, 6)
    body = "\n\n".join(["Kính gửi Ban Thi đua - Khen thưởng tỉnh,", title, *paras, NOTICES[notice]])
    out = extract_message(make_email(from_="Lan <lan.sp@gmail.com>", text=body), ctx)
    [art] = out.articles
    assert art.title == title
    assert "người nhận" not in art.text and "intended" not in art.text
    assert paras[-1] in art.text


def test_an_article_about_data_security_keeps_its_paragraphs(ctx: ExtractContext) -> None:
    """Words of a notice in an article's own prose (one or two) do not make it a notice."""
    title = "Chị Lò Thị Hoa và tổ bảo mật thông tin của xã"
    paras = [
        "Chị Lò Thị Hoa phụ trách bảo mật thông tin ở bộ phận một cửa xã từ năm 2019, "
        "hướng dẫn cán bộ không mở tệp đính kèm lạ và kiểm tra người nhận trước khi gửi.",
        *article_text(63, 5)[1],
    ]
    body = "\n\n".join(["Kính gửi Ban Thi đua - Khen thưởng tỉnh,", title, *paras])
    out = extract_message(make_email(from_="Hoa <hoa.lt@gmail.com>", text=body), ctx)
    [art] = out.articles
    assert paras[0] in art.text
