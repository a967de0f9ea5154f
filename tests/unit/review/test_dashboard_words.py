"""The dashboard's words: a mailbox error in Vietnamese, "3 giờ trước", the one date format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dienhinh.core.mailbox_errors import vietnamese_mailbox_error
from dienhinh.review.web import local_time, time_ago

# What the sources store (ingest/sources/imap.py, maildir.py, ingest/pipeline.py).
CASES = [
    (
        "could not reach the mail server mail.laocai.gov.vn:993 ([Errno 111] Connection "
        "refused); check the address and the network",
        "Không kết nối được hộp thư",
    ),
    (
        "could not reach the mail server mail.laocai.gov.vn:993 (timed out); check the "
        "address and the network",
        "Hết thời gian chờ máy chủ thư",
    ),
    (
        "the connection to the mail server dropped during fetch (The read operation timed out)",
        "Hết thời gian chờ máy chủ thư",
    ),
    ("the connection to the mail server dropped during fetch", "Mất kết nối tới máy chủ thư"),
    ("the server refused the login for btdkt-snv: check the password", "Sai mật khẩu hộp thư"),
    ("the folder 'INBOX.Bai' does not exist in the mailbox of btdkt-snv", "Hộp thư không tồn tại"),
    ("the mail folder /srv/mail does not exist or is not a Maildir", "Hộp thư không tồn tại"),
    (
        "could not open a secure connection to mail.laocai.gov.vn: its certificate could not be "
        "verified (self-signed certificate); set mailbox.ca_file to the server's CA",
        "không xác minh được chứng chỉ",
    ),
    (
        "could not open a secure connection to mail.laocai.gov.vn: the TLS handshake failed "
        "([SSL: WRONG_VERSION_NUMBER] wrong version number)",
        "Lỗi TLS: không mở được kết nối bảo mật",
    ),
    (
        "the mail server mail.laocai.gov.vn:143 does not offer STARTTLS, so the password would "
        "travel unencrypted; use imaps:// or a server with STARTTLS",
        "không hỗ trợ STARTTLS",
    ),
    (
        "the mail server mail.laocai.gov.vn refused the connection: BYE too many connections",
        "máy chủ thư từ chối kết nối",
    ),
    (
        "storage error (will retry on the next poll): [Errno 28] No space left on device",
        "Lỗi lưu trữ tệp",
    ),
    (
        "database error (will retry on the next poll): OperationalError: timeout expired",
        "Lỗi cơ sở dữ liệu",
    ),
]


@pytest.mark.parametrize(("stored", "vietnamese"), CASES)
def test_mailbox_errors_read_in_vietnamese(stored: str, vietnamese: str) -> None:
    assert vietnamese in (vietnamese_mailbox_error(stored) or "")


def test_an_unknown_error_is_left_as_stored() -> None:
    assert vietnamese_mailbox_error("something nobody foresaw") is None
    assert vietnamese_mailbox_error("") is None
    assert vietnamese_mailbox_error(None) is None


def test_time_ago() -> None:
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert time_ago(now - timedelta(seconds=20), now) == "vừa xong"
    assert time_ago(now + timedelta(seconds=30), now) == "vừa xong"  # a clock ahead
    assert time_ago(now - timedelta(minutes=5, seconds=59), now) == "5 phút trước"
    assert time_ago(now - timedelta(hours=3, minutes=59), now) == "3 giờ trước"
    assert time_ago(now - timedelta(days=2, hours=5), now) == "2 ngày trước"
    assert time_ago(None, now) == ""


def test_local_time_is_day_month_year_hours_minutes_in_the_zone() -> None:
    moment = datetime(2026, 12, 6, 17, 1, 30, tzinfo=UTC)  # 00:01 on the 7th at +07:00
    assert local_time(moment, "Asia/Ho_Chi_Minh") == "07/12/2026 00:01"
    assert local_time(None, "Asia/Ho_Chi_Minh") == ""
