"""Noise rules: each rule fires on its own shape, and articles are never lost.

Messages are built in code with the stdlib, serialised and parsed back with
``email.message_from_bytes`` (compat32), which is what the pipeline hands to
``classify_noise``. Precision is the point of the negative tests at the end: an article
forwarded with "Fwd:", relayed by a list, or sent as a long body must survive.
"""

from __future__ import annotations

import email
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import parseaddr

import pytest

from dienhinh.core.labels import reason_label
from dienhinh.core.noise import (
    RULES,
    SHORT_BODY_LIMIT,
    NoiseVerdict,
    classify_noise,
    is_auto_generated,
)
from dienhinh.core.text import strip_diacritics
from dienhinh.core.types import MailHeaders

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ARTICLE = (
    "Anh Hoàng Văn Tuân, sinh năm 1991, ở xã Xuân Hòa, huyện Bảo Yên trở về quê với mong "
    "muốn làm ra sản phẩm có giá trị từ chính cây quế của gia đình. Trước đây, lá và cành quế "
    "sau khi bóc vỏ thường bị bỏ lại trên nương hoặc đốt đi. Vì sao lại phải bỏ đi thứ quý "
    "như vậy? Anh tự hỏi và quyết tâm tìm cách làm.\n\n"
    "Năm 2017, Tuân cùng ba đoàn viên trong thôn góp vốn 250 triệu đồng, được kết nối vay "
    "thêm 100 triệu đồng từ chương trình hỗ trợ thanh niên khởi nghiệp, lắp đặt lò chưng cất "
    "tinh dầu mỗi mẻ 2 tấn nguyên liệu. Đến nay, hợp tác xã thu mua lá quế của hơn 200 hộ "
    "dân, mỗi năm cất được khoảng 1,5 tấn tinh dầu, doanh thu đạt 1,8 tỷ đồng, tạo việc làm "
    "cho 12 lao động địa phương với thu nhập 5 triệu đồng mỗi tháng.\n\n"
    "Ban Tuyên giáo Tỉnh đoàn\n"
)


def build(
    subject: str,
    body: str = "Kính gửi Ban Thi đua - Khen thưởng tỉnh.",
    *,
    sender: str = "Văn phòng UBND huyện <vp@laocai.gov.vn>",
    extra: dict[str, str] | None = None,
    docx: bool = False,
) -> Message:
    """An email as the stdlib writes it, parsed back as the pipeline sees it (compat32)."""
    em = EmailMessage()
    em["From"] = sender
    em["To"] = "btdkt-snv@laocai.gov.vn"
    em["Subject"] = subject
    em["Message-ID"] = "<test@laocai.gov.vn>"
    for name, value in (extra or {}).items():
        em[name] = value
    em.set_content(body)
    if docx:
        em.add_attachment(
            b"PK\x03\x04 fake docx",
            maintype="application",
            subtype=DOCX.split("/")[1],
            filename="bai-dien-hinh.docx",
        )
    return email.message_from_bytes(em.as_bytes())


def headers_of(msg: Message) -> MailHeaders:
    """MailHeaders as the pipeline fills them, enough for these rules."""

    def text(name: str) -> str:
        value = msg.get(name)
        return str(make_header(decode_header(str(value)))) if value is not None else ""

    name, addr = parseaddr(text("From"))
    return MailHeaders(
        message_id="test@laocai.gov.vn",
        message_id_generated=False,
        from_addr=addr,
        from_name=name,
        subject=text("Subject"),
        date=None,
        auto_submitted=text("Auto-Submitted"),
        precedence=text("Precedence"),
        list_id=text("List-Id"),
    )


def body_of(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def classify(msg: Message, *, has_document: bool = False) -> NoiseVerdict | None:
    return classify_noise(msg, headers_of(msg), body_of(msg), has_document=has_document)


def report(report_type: str, status_type: str) -> Message:
    """A multipart/report (RFC 6522) with a human part and a machine-readable status part.

    Written out by hand, as MTAs do: the stdlib generator cannot serialise a
    message/delivery-status part built from scratch.
    """
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mail.laocai.gov.vn>\r\n"
        "To: btdkt-snv@laocai.gov.vn\r\n"
        "Subject: =?utf-8?b?VGjDtG5nIGLDoW8=?=\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type="{report_type}"; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "This is the mail system at host mail.laocai.gov.vn.\r\n"
        "--b1\r\n"
        f"Content-Type: {status_type}\r\n"
        "\r\n"
        "Reporting-MTA: dns; mail.laocai.gov.vn\r\n"
        "\r\n"
        "Final-Recipient: rfc822; vanphong.bacha@laocai.gov.vn\r\n"
        "Action: failed\r\n"
        "--b1--\r\n"
    )
    return email.message_from_bytes(raw.encode("ascii"))


# --------------------------------------------------------------------------- the table


def test_rule_names_are_unique_and_hard_rules_come_first() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.description for rule in RULES)
    # A hard signal gives the more telling reason, so no soft rule may shadow one.
    hard = [rule.hard for rule in RULES]
    assert hard == sorted(hard, reverse=True)


# --------------------------------------------------------------------------- positives


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("auto-replied", "auto-reply (Auto-Submitted: auto-replied)"),
        ("auto-generated", "automatically generated message (Auto-Submitted: auto-generated)"),
        ("Auto-Replied; owner-email=x@y", "auto-reply (Auto-Submitted: auto-replied)"),
    ],
)
def test_auto_submitted(value: str, reason: str) -> None:
    msg = build("Re: V/v gửi bài", "Tôi đang đi công tác.", extra={"Auto-Submitted": value})
    assert classify(msg) == NoiseVerdict(reason, "auto-submitted")


def test_auto_submitted_no_is_not_noise() -> None:
    msg = build("Gửi bài điển hình", ARTICLE, extra={"Auto-Submitted": "no"})
    assert classify(msg) is None


def test_auto_submitted_auto_forwarded_is_kept_but_never_acknowledged() -> None:
    """GIVEN a unit's mailbox that forwards everything here WHEN it forwards an article
    THEN the article is kept, and no acknowledgement goes back to the forwarder."""
    msg = build("Gửi bài", "Xin gửi bài.", extra={"Auto-Submitted": "auto-forwarded"}, docx=True)
    assert classify(msg, has_document=True) is None
    assert is_auto_generated(headers_of(msg), msg)


@pytest.mark.parametrize(
    ("extra", "subject", "reason"),
    [
        ({"X-Autoreply": "yes"}, "Vắng", "auto-reply (X-Autoreply: yes)"),
        ({"X-Autorespond": "Out of office"}, "Re: bài", "auto-reply (X-Autorespond header)"),
        (
            {"X-Auto-Response-Suppress": "All"},
            "Automatic reply: Gửi bài",
            "auto-reply (X-Auto-Response-Suppress: All; subject “Automatic reply: Gửi bài”)",
        ),
    ],
)
def test_autoreply_headers(extra: dict[str, str], subject: str, reason: str) -> None:
    msg = build(subject, "Tôi vắng mặt đến thứ Hai.", extra=extra)
    assert classify(msg, has_document=True) == NoiseVerdict(reason, "autoreply-header")


def test_x_auto_response_suppress_alone_is_not_noise() -> None:
    """Outlook stamps X-Auto-Response-Suppress on ordinary mail too."""
    msg = build("Gửi bài điển hình", ARTICLE, extra={"X-Auto-Response-Suppress": "All"})
    assert classify(msg) is None


def test_precedence_auto_reply() -> None:
    msg = build("Re: Gửi bài", "Tôi đang đi công tác.", extra={"Precedence": "auto_reply"})
    assert classify(msg) == NoiseVerdict(
        "auto-reply (Precedence: auto_reply)", "precedence-auto-reply"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("bulk", "bulk mail (Precedence: bulk)"),
        ("junk", "junk mail (Precedence: junk)"),
        ("list", "mailing list (Precedence: list)"),
    ],
)
def test_precedence_bulk(value: str, reason: str) -> None:
    msg = build("Bản tin tháng 9", ARTICLE, extra={"Precedence": value})
    assert classify(msg) == NoiseVerdict(reason, "precedence-bulk")


@pytest.mark.parametrize(
    "subject",
    [
        "Trả lời tự động: V/v gửi bài điển hình quý III/2018",
        "Trả lời Tự động: Gửi bài",
        "Tự động trả lời: Gửi bài",
        "Out of Office: Gửi bài",
        "Automatic reply: Gửi bài",
        "AUTO: Nguyễn Văn A is out of the office",
        "Vắng mặt: Gửi bài",
        "Re: Tra loi tu dong: gui bai",
    ],
)
def test_auto_reply_subject(subject: str) -> None:
    msg = build(subject, "Tôi đang đi công tác đến hết ngày 20/9.")
    verdict = classify(msg)
    assert verdict is not None
    assert verdict.rule == "auto-reply-subject"
    assert verdict.reason == f"auto-reply (subject “{subject}”)"


def test_dsn_multipart_report() -> None:
    msg = report("delivery-status", "message/delivery-status")
    assert classify(msg, has_document=True) == NoiseVerdict(
        "delivery status notification (multipart/report; report-type=delivery-status)",
        "delivery-report",
    )


def test_delivery_status_part_inside_mixed() -> None:
    raw = report("delivery-status", "message/delivery-status").as_bytes()
    raw = raw.replace(b"multipart/report", b"multipart/mixed")
    msg = email.message_from_bytes(raw)
    assert classify(msg) == NoiseVerdict(
        "delivery status notification (message/delivery-status part)", "delivery-report"
    )


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        (
            "Mail Delivery System <MAILER-DAEMON@mail.laocai.gov.vn>",
            "Undelivered Mail Returned to Sender",
        ),
        ("postmaster@laocai.gov.vn", "Delivery Status Notification (Failure)"),
        ("Mailer-Daemon@gmail.com", "Mail delivery failed: returning message to sender"),
        ("postmaster@laocai.gov.vn", "Không gửi được thư: Gửi bài"),
    ],
)
def test_bounce_sender(sender: str, subject: str) -> None:
    msg = build(subject, "Thư của bạn không gửi được.", sender=sender, docx=True)
    verdict = classify(msg, has_document=True)  # bounces carry the original attachments
    assert verdict is not None
    assert verdict.rule == "bounce-sender"
    assert verdict.reason.startswith("delivery status notification (From: ")


def test_postmaster_without_failure_subject_is_not_a_bounce() -> None:
    msg = build("Gửi bài điển hình", ARTICLE, sender="postmaster@huyen.laocai.gov.vn")
    assert classify(msg) is None


def test_read_receipt_report() -> None:
    msg = report("disposition-notification", "message/disposition-notification")
    assert classify(msg) == NoiseVerdict(
        "read receipt (multipart/report; report-type=disposition-notification)",
        "read-receipt-report",
    )


@pytest.mark.parametrize("subject", ["Read: Gửi bài điển hình", "Đã đọc: Gửi bài điển hình"])
def test_read_receipt_subject(subject: str) -> None:
    msg = build(subject, "Thư của bạn đã được đọc lúc 9:15.")
    assert classify(msg) == NoiseVerdict(
        f"read receipt (subject “{subject}”)", "read-receipt-subject"
    )


def test_read_subject_with_attachment_is_not_a_receipt() -> None:
    msg = build("Đã đọc: Gửi bài", "Xin gửi bài.", docx=True)
    assert classify(msg, has_document=False) is None  # the attachment alone stops the rule


def test_list_id_without_document() -> None:
    msg = build(
        "Bản tin Thi đua số 9", ARTICLE, extra={"List-Id": "Ban tin <bantin.laocai.gov.vn>"}
    )
    assert classify(msg) == NoiseVerdict(
        "mailing list (List-Id: Ban tin <bantin.laocai.gov.vn>)", "mailing-list"
    )


def test_list_unsubscribe_without_document() -> None:
    msg = build("Newsletter", ARTICLE, extra={"List-Unsubscribe": "<mailto:unsub@news.vn>"})
    assert classify(msg) == NoiseVerdict(
        "mailing list (List-Unsubscribe: <mailto:unsub@news.vn>)", "mailing-list"
    )


def test_text_calendar_part_even_with_document() -> None:
    em = EmailMessage()
    em["From"] = "vp@laocai.gov.vn"
    em["Subject"] = "Họp sơ kết"
    em.set_content("Mời đồng chí dự họp.")
    em.add_alternative(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        subtype="calendar",
        params={"method": "REQUEST"},
    )
    em.add_attachment(b"PK", maintype="application", subtype="pdf", filename="chuong-trinh.pdf")
    msg = email.message_from_bytes(em.as_bytes())
    assert classify(msg, has_document=True) == NoiseVerdict(
        "meeting invitation (text/calendar)", "calendar"
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Giấy mời họp sơ kết phong trào thi đua",
        "Lịch họp tuần 38",
        "Invitation: Họp giao ban @ Mon 9am",
        "Fwd: GIẤY MỜI dự hội nghị",
        "lich hop tuan 38",
    ],
)
def test_invitation_subject_without_document(subject: str) -> None:
    msg = build(subject, "Kính mời đồng chí tới dự.")
    verdict = classify(msg)
    assert verdict == NoiseVerdict(
        f"meeting invitation (subject “{subject}”)", "invitation-subject"
    )


def test_invitation_subject_with_document_is_kept() -> None:
    msg = build("Giấy mời họp", "Gửi kèm giấy mời.", docx=True)
    assert classify(msg, has_document=True) is None


def test_lich_hop_tac_is_not_a_meeting() -> None:
    msg = build("Lịch hợp tác", "Kính gửi Ban.")
    assert classify(msg) is None


@pytest.mark.parametrize(
    ("body", "cue"),
    [
        ("Cho em hỏi hạn nộp bài quý này là ngày nào ạ", "“cho em hỏi”"),
        ("Kinh gui Ban, cho em hoi han nop bai", "“cho em hỏi”"),
        ("Đơn vị đã gửi bài hôm qua, Ban đã nhận được chưa ạ.", "“đã nhận được chưa”"),
        ("Đề nghị Ban XÁC NHẬN giúp.", "“xác nhận”"),
        ("Bài quý III gửi trước ngày 25 được không?", "question mark"),
        ("Văn phòng muốn hỏi về mẫu bài viết.", "“hỏi”"),
    ],
)
def test_short_question(body: str, cue: str) -> None:
    msg = build("Hỏi về bài viết", body)
    verdict = classify(msg)
    assert verdict is not None
    assert verdict.rule == "short-question"
    assert verdict.reason.startswith("short question without an article (")
    assert cue in verdict.reason


def test_short_question_ignores_quoted_text_and_signature() -> None:
    """GIVEN a one-line question that quotes a whole earlier article WHEN classified THEN
    only the sender's own words count, and they are short."""
    quoted = "\n".join("> " + line for line in ARTICLE.splitlines())
    body = (
        "Ban đã nhận được chưa ạ?\n\n-- \nNguyễn Văn A\nVăn phòng UBND huyện\n\n"
        f"Vào Th 2, 10 thg 6, 2019 lúc 09:15 Ban TĐKT đã viết:\n{quoted}\n"
    )
    assert len(body) > SHORT_BODY_LIMIT
    verdict = classify(build("Re: Gửi bài", body))
    assert verdict is not None
    assert verdict.rule == "short-question"


QUESTION_LETTER = (
    "Chào Ban ạ,\n\nEm là cán bộ phụ trách tuyên truyền của Hội, năm nay lần đầu em được "
    "giao viết bài nên muốn hỏi mấy việc ạ:\n1. Bài có phải theo mẫu không, độ dài bao nhiêu "
    "là vừa ạ?\n2. Bài đã đăng báo huyện rồi thì gửi lại có được tính không ạ?\n3. Ảnh để "
    "trong file hay gửi riêng ạ?\n4. Quý này hạn cuối là ngày nào ạ?\n\nBên em định viết về "
    "một tổ hợp tác trồng chè, sẽ gửi trong tháng này ạ. Em cảm ơn Ban nhiều!"
)


def test_a_letter_of_questions_is_noise_for_an_editor_to_see() -> None:
    """Longer than a short question (over SHORT_BODY_LIMIT), mostly questions, nothing
    attached: not an article, and not automatic (a person asked)."""
    assert len(QUESTION_LETTER) > SHORT_BODY_LIMIT
    verdict = classify(build("Hoi ve bai viet", QUESTION_LETTER))
    assert verdict is not None and verdict.rule == "question-letter"
    assert verdict.reason.startswith("questions without an article (4 questions in ")
    assert not verdict.automatic


def test_an_article_with_a_few_rhetorical_questions_is_kept() -> None:
    body = ARTICLE + "\n\nVì sao thôn làm được? Ai là người đi đầu? Câu trả lời nằm ở chi bộ."
    assert classify(build("Gửi bài điển hình", body)) is None


def test_short_body_without_question_is_kept() -> None:
    msg = build("Gửi bài", "Hội Nông dân tỉnh gửi bài điển hình quý III.")
    assert classify(msg) is None  # "Hội" is not "hỏi"


def test_short_question_with_link_or_photo_is_kept() -> None:
    link = build(
        "Gửi bài", "Bài ở đây, Ban xem giúp? https://drive.google.com/file/d/x/view?usp=sharing"
    )
    assert classify(link) is None
    em = EmailMessage()
    em["From"] = "vp@laocai.gov.vn"
    em["Subject"] = "Bài scan"
    em.set_content("Ban nhận giúp bài scan?")
    em.add_attachment(b"\xff\xd8\xff", maintype="image", subtype="jpeg", filename="bai.jpg")
    photo = email.message_from_bytes(em.as_bytes())
    assert classify(photo) is None


# --------------------------------------------------------------------------- negatives


def test_forwarded_article_with_docx_is_kept() -> None:
    msg = build(
        "Fwd: Gửi bài điển hình", "---------- Forwarded message ---------\nXin gửi bài.", docx=True
    )
    assert classify(msg, has_document=True) is None
    assert not is_auto_generated(headers_of(msg), msg)


def test_long_article_body_with_question_mark_is_kept() -> None:
    msg = build("Bài điển hình quý II/2019", ARTICLE)
    assert "?" in ARTICLE
    assert classify(msg) is None


def test_list_id_with_docx_article_is_kept() -> None:
    msg = build(
        "[thidua] Gửi bài điển hình",
        "Xin gửi bài.",
        docx=True,
        extra={"List-Id": "<thidua.googlegroups.com>", "Precedence": "list"},
    )
    assert classify(msg, has_document=True) is None
    assert is_auto_generated(headers_of(msg), msg)  # still: never acknowledge a list


def test_reply_subject_with_question_word_and_long_article_is_kept() -> None:
    msg = build("Re: Hỏi về bài viết", ARTICLE)
    assert classify(msg) is None


def test_auto_reply_quoting_an_article_is_noise() -> None:
    quoted = "\n".join("> " + line for line in ARTICLE.splitlines())
    msg = build(
        "Trả lời tự động: Gửi bài điển hình",
        f"Tôi đang đi công tác đến hết ngày 20/9/2018.\n\n{ARTICLE}\n{quoted}",
        extra={"Auto-Submitted": "auto-replied"},
        docx=True,
    )
    assert classify(msg, has_document=True) == NoiseVerdict(
        "auto-reply (Auto-Submitted: auto-replied)", "auto-submitted"
    )


def test_subject_words_alone_never_drop_a_document() -> None:
    for subject in ("Out of Office: bài", "Đã đọc: bài", "Giấy mời viết bài"):
        msg = build(subject, "Xin gửi bài.", docx=True)
        assert classify(msg, has_document=True) is None, subject


# --------------------------------------------------------------------------- is_auto_generated


@pytest.mark.parametrize(
    "msg",
    [
        build("x", extra={"Auto-Submitted": "auto-replied"}),
        build("x", extra={"X-Autoreply": "yes"}),
        build("x", extra={"Precedence": "bulk"}),
        build("x", extra={"List-Unsubscribe": "<mailto:u@x.vn>"}),
        build("x", extra={"Return-Path": "<>"}),
        build("Gửi bài", sender="MAILER-DAEMON@mail.laocai.gov.vn"),
        build("Automatic reply: Gửi bài"),
        report("delivery-status", "message/delivery-status"),
        report("disposition-notification", "message/disposition-notification"),
    ],
    ids=[
        "auto-submitted",
        "x-autoreply",
        "bulk",
        "list",
        "null-sender",
        "mailer-daemon",
        "subject",
        "dsn",
        "receipt",
    ],
)
def test_is_auto_generated(msg: Message) -> None:
    assert is_auto_generated(headers_of(msg), msg)


@pytest.mark.parametrize(
    "msg",
    [
        build("Cho em hỏi hạn nộp bài", "Cho em hỏi hạn nộp bài?"),
        build("Giấy mời họp", "Kính mời."),
        build("Gửi bài điển hình", ARTICLE, extra={"Auto-Submitted": "no"}),
    ],
    ids=["question", "invitation", "article"],
)
def test_people_are_not_auto_generated(msg: Message) -> None:
    assert not is_auto_generated(headers_of(msg), msg)


def test_machine_written_verdicts_say_so() -> None:
    """An auto-reply or a bounce is machine-written (it can hold no article, so a unit's one
    calls for no editor); a person's short question or an invitation is not."""
    from dienhinh.core.noise import RULES, NoiseVerdict

    machine = {r.name for r in RULES if r.automatic}
    assert {"auto-submitted", "delivery-report", "mailing-list"} <= machine
    assert NoiseVerdict(reason="x", rule="auto-submitted").automatic
    assert not NoiseVerdict(reason="x", rule="short-question").automatic
    assert not NoiseVerdict(reason="x", rule="invitation-subject").automatic


REPORT_FOR_INFORMATION = (
    "Kính gửi: Ban Thi đua - Khen thưởng tỉnh.\n\n"
    "Văn phòng Sở gửi Ban báo cáo nhanh tình hình trật tự, an toàn giao thông tháng 8 để "
    "Ban nắm, phục vụ công tác tổng hợp. Bài viết quý III Sở sẽ gửi sau.\n\n"
    "Chỉ tiêu | Tháng 8 | So với cùng kỳ\nSố vụ tai nạn | 9 | Giảm 3 vụ\n\nTrân trọng!"
)


@pytest.mark.parametrize(
    "body",
    [
        REPORT_FOR_INFORMATION,
        "Dạ em chào Ban ạ. Tháng này xã đang tổng hợp, em sẽ gửi bài sau ạ.",
        "Kinh gui Ban TDKT, bai viet thang 5 cua xa em xin phep gui bo sung sau a.",
    ],
)
def test_a_notice_saying_the_article_comes_later_is_noise(body: str) -> None:
    """The sender says the article is still to come, nothing attached: not an article
    (an editor's call, not automatic); the reason quotes the sender's words."""
    verdict = classify(build("Báo cáo nhanh tháng 8", body))
    assert verdict is not None and verdict.rule in ("article-later", "short-question")
    if verdict.rule == "article-later":
        assert verdict.reason.startswith("notice without an article (the article is to come: “")
        assert not verdict.automatic


def test_an_article_or_an_attachment_saying_something_comes_later_is_kept() -> None:
    """Pictures to come, an article that says "gửi sau" in its story, or the notice with a
    document attached: not noise."""
    photos = "Em gửi bài tháng 5 ạ, ảnh em sẽ gửi sau.\n\n" + ARTICLE
    assert classify(build("Gửi bài", photos)) is None
    assert classify(build("Gửi bài", REPORT_FOR_INFORMATION, docx=True), has_document=True) is None
    story = (ARTICLE + "\n\n") * 3 + "Bài học kinh nghiệm xã sẽ gửi sau khi tổng kết."
    assert len(story) >= 2000 and classify(build("Gửi bài", story)) is None


# --------------------------------------------------------------------------- requests, mailings

REQUEST = (
    "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
    "Tôi là Lương Văn Hải, phụ trách tuyên truyền của Hội Cựu chiến binh huyện Bảo Thắng. "
    "Hội chúng tôi có mấy việc muốn hỏi Ban để hướng dẫn các chi hội cho thống nhất: bài "
    "của chi hội xã viết về hội viên nếu gửi qua Hội huyện thì được tính cho huyện hay cho "
    "Hội tỉnh, bài đã phát trên đài huyện thì gửi lại có được tính nữa không, và ảnh có "
    "bắt buộc phải gửi kèm theo bài hay không. Mong Ban trả lời sớm để chúng tôi triển khai "
    "trong quý này.\n\nLương Văn Hải\nHội CCB huyện Bảo Thắng\n"
)


def test_a_letter_asking_the_board_without_a_question_mark_is_noise() -> None:
    """GIVEN a letter of questions put as statements ("muốn hỏi Ban ...", no "?"), longer
    than a short question WHEN classified THEN it is a request without an article, which
    a person wrote (an editor answers it)."""
    assert len(REQUEST) > SHORT_BODY_LIMIT and "?" not in REQUEST
    verdict = classify(build("Hỏi về cách tính bài", REQUEST))
    assert verdict is not None and verdict.rule == "request-letter"
    assert verdict.reason == "request without an article (a letter asking the Board: “muốn hỏi”)"
    assert not verdict.automatic
    assert reason_label(verdict.reason) == "thư hỏi hoặc đề nghị Ban, không có bài"


def test_a_favour_asked_of_the_board_is_noise() -> None:
    body = (
        "Kính gửi Ban TĐKT tỉnh,\n\nTrung tâm Văn hóa huyện đang làm cuốn kỷ yếu 10 năm phong "
        "trào thi đua của huyện. Trung tâm xin phép Ban cho mượn bộ ảnh hội nghị biểu dương "
        "điển hình tiên tiến năm 2016 để in vào kỷ yếu, khi in sẽ ghi rõ nguồn ảnh. Cán bộ "
        "của Trung tâm có thể đến Sở Nội vụ chép trực tiếp vào ổ đĩa trong tuần tới.\n\n"
        "Trân trọng cảm ơn Ban.\nTrung tâm Văn hóa - Thể thao huyện Văn Bàn"
    )
    verdict = classify(build("Xin mượn ảnh hội nghị", body))
    assert verdict is not None and verdict.rule == "request-letter"
    assert "“xin phép”" in verdict.reason


def test_a_request_typed_without_diacritics_is_noise() -> None:
    body = strip_diacritics(REQUEST)
    verdict = classify(build("hoi ve cach tinh bai", body))
    assert verdict is not None and verdict.rule == "request-letter"
    assert "“muon hoi”" in verdict.reason


def test_a_question_about_the_shape_of_a_piece_is_noise_though_it_folds_like_publishing() -> None:
    """ "dạng bài báo" (a newspaper-style piece) folds to the words of "đăng bài" (publish a
    piece): the sending words are matched with their diacritics."""
    body = (
        "Kính gửi Ban Thi đua - Khen thưởng!\n\nEm là hiệu trưởng một trường tiểu học ở huyện "
        "Mường Khương. Trường em định giới thiệu một cô giáo cắm bản, nhưng em chưa rõ bài nên "
        "viết theo mẫu báo cáo thành tích hay viết dạng bài báo, và có cần Phòng Giáo dục ký "
        "xác nhận trước khi gửi Ban không ạ. Cô giáo ấy đã dạy ở điểm trường Sín Chải mười hai "
        "năm, năm nào lớp cũng đủ học sinh, nên trường rất muốn Ban biết đến cô. Em cảm ơn Ban "
        "nhiều ạ!\n"
    )
    assert len(body) > SHORT_BODY_LIMIT
    verdict = classify(build("Hỏi mẫu bài", body))
    assert verdict is not None and verdict.rule == "request-letter"


def test_a_note_that_sends_the_piece_is_not_a_request() -> None:
    """A cover note asking the Board to publish the piece it sends (pasted below) is kept,
    and so is a pasted article that says "chưa rõ" but is addressed to nobody."""
    note = (
        "Kính gửi Ban TĐKT tỉnh,\nHội CCB huyện xin gửi bài viết quý II, nhờ Ban xem xét đăng "
        "tải giúp ạ.\n\n"
    )
    assert classify(build("Bài quý II", note + ARTICLE)) is None
    pasted = ARTICLE + "\nNăm đầu, giá tinh dầu còn chưa rõ, nhiều hộ còn e ngại.\n"
    assert classify(build("Bài quý II", pasted)) is None


def test_a_request_with_an_attachment_or_a_link_is_kept() -> None:
    assert classify(build("Hỏi", REQUEST, docx=True), has_document=True) is None
    linked = REQUEST + "\nBài ở đây: https://drive.google.com/file/d/abc/view\n"
    assert classify(build("Hỏi", linked)) is None


def _undisclosed(msg: Message) -> Message:
    msg.replace_header("To", "undisclosed-recipients:;")
    return msg


SCHEDULE = (
    "TRUNG TÂM VĂN HÓA - THỂ THAO HUYỆN BẮC HÀ\nTHÔNG BÁO LỊCH CHIẾU PHIM LƯU ĐỘNG THÁNG 5\n\n"
    "Kính gửi các cơ quan, đơn vị,\nTrung tâm trân trọng gửi lịch chiếu phim lưu động tháng 5 "
    "tại các xã: ngày 3 xã Lùng Phình, ngày 10 xã Tả Van Chư, ngày 17 xã Bản Già, ngày 24 xã "
    "Nậm Đét. Mỗi buổi chiếu có một phim tài liệu về gương người tốt việc tốt của huyện.\n"
)


def test_a_mailing_to_undisclosed_recipients_is_noise() -> None:
    """GIVEN a schedule mailed to many offices, everyone blind-copied (To: undisclosed
    recipients) WHEN classified THEN a mass mailing without an article, though its words
    "gửi" something and name exemplars."""
    verdict = classify(_undisclosed(build("Lịch chiếu phim tháng 5", SCHEDULE)))
    assert verdict is not None and verdict.rule == "mass-mailing"
    assert verdict.reason == "mass mailing without an article (To: undisclosed-recipients:;)"
    assert reason_label(verdict.reason) == "thư gửi hàng loạt (người nhận ẩn), không có bài"
    # The same schedule sent to the Board by name is for a person's judgement: not this rule.
    assert classify(build("Lịch chiếu phim tháng 5", SCHEDULE)) is None


def test_a_blind_copied_mail_with_a_document_or_photo_is_kept() -> None:
    with_doc = _undisclosed(build("Bài quý II", SCHEDULE, docx=True))
    assert classify(with_doc, has_document=True) is None
    em = EmailMessage()
    em["From"] = "vp@laocai.gov.vn"
    em["To"] = "undisclosed-recipients:;"
    em["Subject"] = "Bài ảnh"
    em.set_content(ARTICLE)
    em.add_attachment(b"\xff\xd8\xff", maintype="image", subtype="jpeg", filename="anh.jpg")
    assert classify(email.message_from_bytes(em.as_bytes())) is None


TALLY = (
    "Kính gửi: đ/c Phó Trưởng ban; các đồng chí trong Ban\n\n"
    "Em tổng hợp số bài các đơn vị gửi về hộp thư Ban trong quý như sau:\n"
    "1. UBND huyện Bắc Hà: nhận 2, đã đăng 1\n2. Sở Y tế: nhận 1, đã đăng 1\n"
    "3. Hội Nông dân tỉnh: nhận 0, đã đăng 0\n\nĐề nghị đ/c Hoa nhắc các đơn vị chưa gửi.\n\n"
)


@pytest.mark.parametrize(
    "signature",
    [
        "Lê Thị Hoa\nChuyên viên Ban Thi đua - Khen thưởng\nSở Nội vụ tỉnh Lào Cai",
        "--\nPhạm Văn Tú\nPhó Trưởng ban Ban TĐKT",
        "Ngọc\nBan Thi đua - Khen thưởng, Sở Nội vụ Lào Cai",
    ],
)
def test_the_boards_own_short_mail_is_internal_not_an_article(signature: str) -> None:
    """GIVEN a tally of submissions a Board specialist sends the Board's box, signed as
    the Board, nothing attached WHEN classified THEN the Board's internal mail, though it
    names units and exemplar words."""
    verdict = classify(build("Tổng hợp bài quý I", TALLY + signature))
    assert verdict is not None and verdict.rule == "board-internal"
    assert reason_label(verdict.reason) == "thư nội bộ của Ban, không gửi kèm bài"


def test_a_unit_letter_to_the_board_or_a_staff_forward_with_a_piece_is_kept() -> None:
    """The Board named as the addressee ("Kính gửi: Ban Thi đua - Khen thưởng tỉnh") is a
    unit's letter; a staff member's forward carrying a piece (attached, linked, or pasted
    at an article's length) is kept."""
    to_board = "Kính gửi: Ban Thi đua - Khen thưởng tỉnh\nBan TĐKT tỉnh Lào Cai\n\n" + ARTICLE
    assert classify(build("Bài quý II", to_board)) is None
    sig = "\nLê Thị Hoa\nChuyên viên Ban Thi đua - Khen thưởng\n"
    assert classify(build("Fwd: bài", TALLY + sig, docx=True), has_document=True) is None
    linked = TALLY + "Bài: https://drive.google.com/file/d/abc/view\n" + sig
    assert classify(build("Fwd: bài", linked)) is None
    pasted = "Em chuyển bài của huyện Bắc Hà ạ.\n\n" + ARTICLE * 4 + sig
    assert len(pasted) >= 2500 and classify(build("Fwd: bài", pasted)) is None


NEWSLETTER = (
    "BẢN TIN ĐIỆN TỬ HỘI NÔNG DÂN TỈNH - SỐ 3/2021\n\n1. Hội thi nhà nông đua tài cấp tỉnh\n"
    "Hội thi diễn ra ngày 12/4 tại Nhà văn hóa tỉnh với 9 đội thi của các huyện, thành phố, "
    "giới thiệu mô hình kinh tế của hội viên nông dân sản xuất kinh doanh giỏi.\n\n"
    "2. Lịch công tác tháng 4\n- Kiểm tra công tác Hội tại Bắc Hà, Si Ma Cai.\n"
)


def _to_many(msg: Message, n: int) -> Message:
    msg.replace_header("To", ", ".join(f"office{k}@laocai.gov.vn" for k in range(n)))
    return msg


def test_a_bulletin_to_several_offices_is_a_circular() -> None:
    """GIVEN a mass organisation's e-newsletter sent to the Board and two other offices,
    nothing attached WHEN classified THEN a circular without an article; to the Board
    alone, or to two addresses, it is left to a person's judgement."""
    verdict = classify(_to_many(build("[Bản tin Hội ND tỉnh] Số 3/2021", NEWSLETTER), 3))
    assert verdict is not None and verdict.rule == "circular"
    assert reason_label(verdict.reason) == "bản tin, thông báo gửi nhiều cơ quan, không có bài"
    assert classify(_to_many(build("[Bản tin Hội ND tỉnh] Số 3/2021", NEWSLETTER), 2)) is None
    # a unit's piece with two colleagues copied, under its own subject: kept
    assert classify(_to_many(build("Bài tháng 4 huyện Bắc Hà", ARTICLE * 3), 3)) is None


def test_asking_the_board_for_its_form_is_a_request() -> None:
    body = (
        "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\nBan Tuyên giáo đang chuẩn bị cuộc thi "
        "viết về người lao động giỏi. Để thống nhất cách đánh giá, chúng tôi đề nghị Ban cho "
        "xin mẫu phiếu chấm điểm bài viết mà Ban đang dùng; nếu được xin Ban gửi cả file "
        "Word để đơn vị chỉnh sửa cho phù hợp.\n\nXin cảm ơn Ban!"
    )
    verdict = classify(build("Xin mẫu phiếu chấm điểm", body))
    assert verdict is not None and verdict.rule == "request-letter"


def _with_pictures(msg: Message, *names: str) -> Message:
    em = email.message_from_bytes(msg.as_bytes(), _class=EmailMessage)
    em.make_mixed()
    for name in names:
        part = EmailMessage()
        part.set_content(b"\x89PNG\r\n", maintype="image", subtype="png", filename=name)
        em.attach(part)
    return email.message_from_bytes(em.as_bytes())


def test_a_blind_copied_bulletin_with_its_logo_and_photos_is_a_mass_mailing() -> None:
    """GIVEN a centre's monthly e-newsletter to undisclosed recipients, its logo and
    photos attached WHEN classified THEN a mass mailing; a blind-copied mail with photos
    under its own subject (a piece, its pictures) stays a person's to judge."""
    bulletin = _with_pictures(
        _undisclosed(build("[Bản tin XTDL] Tháng 10/2020 - Kích cầu du lịch", NEWSLETTER)),
        "logo_xtdl.png",
        "famtrip.png",
    )
    verdict = classify(bulletin)
    assert verdict is not None and verdict.rule == "mass-mailing"
    piece = _with_pictures(_undisclosed(build("Bài ảnh thôn Bản Dền", NEWSLETTER)), "a.png")
    assert classify(piece) is None


FIGURES = (
    "Kính gửi Ban Thi đua - Khen thưởng tỉnh. Sở gửi số liệu tiến độ làm đường GTNT đến "
    "30/9/2019 để Ban tổng hợp chấm điểm thi đua khối.\n\n"
    "TT\tHuyện/TP\tKH 2019 (km)\tĐã thực hiện (km)\tTỷ lệ %\n"
    "1\tBát Xát\t62\t48,5\t78,2\n2\tMường Khương\t55\t41,2\t74,9\n"
    "3\tSi Ma Cai\t40\t33,6\t84,0\n4\tBắc Hà\t58\t51,3\t88,4\n5\tBảo Thắng\t45\t39,0\t86,7\n"
)


def test_a_body_that_is_a_table_of_figures_is_not_an_article() -> None:
    verdict = classify(build("So lieu tien do duong GTNT den 30/9/2019", FIGURES))
    assert verdict is not None and verdict.rule == "figures-table"
    assert reason_label(verdict.reason) == "bảng số liệu, không có bài"
    # an article whose prose carries a small table of its own figures is kept
    assert classify(build("Bài tháng 9 Bản Liền", ARTICLE * 2 + FIGURES)) is None


BOOKING = (
    "Chị Hằng ơi, em chuyển chị xác nhận phòng cho đoàn famtrip nhé.\n\n"
    "---------- Forwarded message ---------\n"
    "From: Sapa Cloud Valley Hotel <reservation@sapacloudvalley.vn>\n"
    "Date: Thu, Oct 3, 2019 at 5:12 PM\nSubject: Booking confirmation #SCV-19-10427\n\n"
    "Dear Ms. Trang, thank you for choosing Sapa Cloud Valley Hotel. We are pleased to "
    "confirm your reservation as follows. Booking number: SCV-19-10427. Guest name: đoàn "
    "famtrip Sở Du lịch Hà Giang (12 pax). Check-in: 18/10/2019 (14:00), check-out: "
    "20/10/2019 (12:00). Room type: 6 x deluxe twin, mountain view, breakfast included. "
    "Rate: 1.150.000 VND/room/night. Cancellation: free of charge before 15/10/2019.\n"
)


def test_a_forwarded_message_from_a_systems_mailbox_is_not_an_article() -> None:
    verdict = classify(build("Fwd: Booking confirmation #SCV-19-10427", BOOKING))
    assert verdict is not None and verdict.rule == "forwarded-notice"
    assert reason_label(verdict.reason).startswith("thư do máy tự động gửi được chuyển tiếp")
    # a unit's piece forwarded from a person's mailbox is kept
    person = BOOKING.replace("reservation@sapacloudvalley.vn", "lanhoang.bx@gmail.com")
    piece = person[: person.index("Dear")].replace(BOOKING.split("\n")[0], "Em chuyển bài ạ.")
    piece += ARTICLE
    assert classify(build("Fwd: bai thang 10", piece)) is None


def test_a_newspapers_send_to_a_friend_mail_forwarded_with_its_article_is_kept() -> None:
    """GIVEN a newspaper's "send this article to a friend" mail (From: noreply@...) that a
    colleague forwards to the Board, the article's paragraphs in it THEN not noise: the
    machine wrote the envelope, not the piece (an article lost as "no-article" before)."""
    share = (
        "Em chuyển bài của Phòng Văn hóa gửi Ban ạ.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Báo Lào Cai điện tử <noreply@baolaocai.vn>\n"
        "Subject: [Báo Lào Cai] Homestay nhà Giáy\n\n"
        "Phòng Văn hóa và Thông tin huyện Sa Pa đã gửi cho bạn bài viết này.\n\n" + ARTICLE
    )
    assert classify(build("Fwd: [Báo Lào Cai] Homestay nhà Giáy", share)) is None
    # the notice alone, forwarded the same way, is still one
    notice = share[: share.index(ARTICLE)] + "Bạn có thể đọc bài tại baolaocai.vn.\n"
    verdict = classify(build("Fwd: [Báo Lào Cai] Homestay nhà Giáy", notice))
    assert verdict is not None and verdict.rule == "forwarded-notice"


@pytest.mark.parametrize("charset", ["punycode", "idna", "x-unknown", "utf-8"])
def test_a_body_labelled_with_any_codec_is_read_without_raising(charset: str) -> None:
    """The table and forward rules read the text part as sent: a label naming a codec
    that is no text's ("punycode", "idna": tests/fuzz found them) must not raise."""
    raw = (
        "From: a@b.vn\r\nTo: btdkt-snv@laocai.gov.vn\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + "Từ: Hệ thống <noreply@x.vn>\r\nTT\tXã\tSố\r\n1\tA\t2\r\n".encode()
    msg = email.message_from_bytes(raw)
    # the verdict may be anything; reading the body may not fail
    classify_noise(msg, headers_of(msg), "", has_document=False)
