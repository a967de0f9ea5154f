"""Who never gets an acknowledgement: auto-replies, bounces, lists, no-reply and our own
address. Each message goes through ingest's real extraction (``extract_message`` and
``message_fields``), so the rules see exactly the columns ingest stores."""

from __future__ import annotations

import pytest

from dienhinh.core.config import config_from_mapping
from dienhinh.ingest.apply import message_fields
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.notify.config import NotifyConfig, load
from dienhinh.notify.rules import ack_refusal, is_no_reply
from dienhinh.store.models import Message
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email


@pytest.fixture
def cfg(tmp_path) -> NotifyConfig:
    config = config_from_mapping(
        {
            "mailbox": {"url": "maildir:md"},
            "notify": {"own_addresses": ["vanthu-snv@laocai.gov.vn"]},
        },
        path=tmp_path / "config.toml",
    )
    return load(config, environ={})


def stored(tmp_path, raw: bytes) -> Message:
    """The Message row ingest would write for ``raw``."""
    outcome = extract_message(raw, ExtractContext(blob_root=tmp_path / "blobs"))
    return Message(
        message_id=outcome.headers.message_id,
        message_id_generated=outcome.headers.message_id_generated,
        **message_fields(outcome),
    )


def article_mail(**kw) -> bytes:
    title, paras = article_text(3)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(attachments=[Attach("bai.docx", doc, DOCX_TYPE)], **kw)


def test_an_ordinary_unit_mail_is_acknowledged(tmp_path, cfg):
    assert ack_refusal(stored(tmp_path, article_mail()), cfg) is None


def test_auto_submitted_no_is_a_person(tmp_path, cfg):
    row = stored(tmp_path, article_mail(headers={"Auto-Submitted": "no"}))
    assert ack_refusal(row, cfg) is None


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"headers": {"Auto-Submitted": "auto-replied"}}, "auto-reply"),
        ({"headers": {"Auto-Submitted": "auto-generated"}}, "Auto-Submitted: auto-generated"),
        ({"headers": {"Auto-Submitted": "auto-forwarded"}}, "auto-forwarded"),
        ({"headers": {"X-Autoreply": "yes"}}, "X-Autoreply"),
        ({"headers": {"X-Autorespond": "Vắng mặt"}}, "X-Autorespond"),
        ({"headers": {"Precedence": "bulk"}}, "Precedence: bulk"),
        ({"headers": {"Precedence": "junk"}}, "Precedence: junk"),
        ({"headers": {"Precedence": "list"}}, "Precedence: list"),
        ({"headers": {"List-Id": "<tin-tuc.laocai.gov.vn>"}}, "List-Id"),
        ({"headers": {"List-Unsubscribe": "<mailto:leave@laocai.gov.vn>"}}, "List-Unsubscribe"),
        ({"headers": {"Return-Path": "<>"}}, ""),
        ({"subject": "Vacation: I am away until Monday"}, "auto-reply subject"),
        ({"subject": "Tự động trả lời: Gửi bài viết"}, "auto-reply"),
        ({"subject": "Trả lời tự động: Đang đi công tác"}, "auto-reply"),
        ({"subject": "Nghỉ phép đến hết tuần"}, "auto-reply subject"),
        ({"from_": "Mail Delivery System <MAILER-DAEMON@laocai.gov.vn>"}, "no-reply or system"),
        ({"from_": "postmaster@laocai.gov.vn"}, "no-reply or system"),
        ({"from_": "Cổng thông tin <no-reply@laocai.gov.vn>"}, "no-reply or system"),
        ({"from_": "noreply@zalo.me"}, "no-reply or system"),
        ({"from_": "Do Not Reply <do_not_reply@example.vn>"}, "no-reply or system"),
        ({"from_": "Ban TĐKT <BTDKT-SNV@laocai.gov.vn>"}, "own address"),
        ({"from_": "vanthu-snv@laocai.gov.vn"}, "own address"),
        ({"from_": "undisclosed-recipients:;"}, "no usable sender"),
    ],
)
def test_machine_list_and_own_mail_is_never_acknowledged(tmp_path, cfg, kw, expected):
    """GIVEN a message with an article that a machine, a list or the Board itself sent
    WHEN the ack rules run THEN it is refused, with a reason naming the signal."""
    reason = ack_refusal(stored(tmp_path, article_mail(**kw)), cfg)
    assert reason is not None
    assert expected in reason


DSN = (
    b"From: =?utf-8?b?SOG7hyB0aOG7kW5nIHRoxrA=?= <thongbao@laocai.gov.vn>\r\n"
    b"To: btdkt-snv@laocai.gov.vn\r\n"
    b"Subject: Returned mail\r\n"
    b"Message-ID: <dsn-1@laocai.gov.vn>\r\n"
    b"Date: Thu, 22 Mar 2018 14:05:00 +0700\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Delivery to x@y.vn failed.\r\n"
    b"--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mail.laocai.gov.vn\r\n\r\n"
    b"Final-Recipient: rfc822; x@y.vn\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--b1--\r\n"
)


def test_delivery_report_is_never_acknowledged(tmp_path, cfg):
    """A bounce (multipart/report) from an address that looks like a person's."""
    reason = ack_refusal(stored(tmp_path, DSN), cfg)
    assert reason is not None and "multipart/report" in reason


def test_forged_official_sender_is_not_acknowledged(tmp_path, cfg):
    """Backscatter: an official address whose DMARC failed may be forged."""
    row = stored(tmp_path, article_mail())
    row.sender_verified = False
    reason = ack_refusal(row, cfg)
    assert reason is not None and "SPF/DKIM/DMARC" in reason


def test_require_unit(tmp_path):
    config = config_from_mapping(
        {"mailbox": {"url": "maildir:md"}, "notify": {"ack": {"require_unit": True}}},
        path=tmp_path / "config.toml",
    )
    row = stored(tmp_path, article_mail(from_="Nguyễn Văn A <nva1978@gmail.com>"))
    row.unit = None
    assert "attributed" in (ack_refusal(row, load(config, environ={})) or "")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("no-reply@x.vn", True),
        ("no.reply@x.vn", True),
        ("list-bounces@x.vn", True),
        ("khongtraloi@x.vn", True),
        ("ubnd-batxat@laocai.gov.vn", False),
        ("noreen@x.vn", False),
        ("postmaster-dept@x.vn", False),
    ],
)
def test_no_reply_addresses(address, expected):
    assert is_no_reply(address) is expected
