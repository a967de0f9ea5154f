"""The last poll's error, as one Vietnamese sentence an editor can act on.

The mail sources store a plain English ``user_message`` (``ingest/sources/imap.py``,
``maildir.py``; the pipeline adds storage and database errors): it is what `dienhinh
status` and the log show, and it stays stored and logged as it is. The console's dashboard
shows the sentence this module maps it to, with the original beneath, smaller, and the
"mailbox not polled" alert (``review/health.py``: the dashboard and the admins' mail) gives
the sentence with the original after it.
One table of patterns, checked in order (the more specific first); a message no pattern
knows gives None and the dashboard shows the stored text alone.
"""

from __future__ import annotations

import re

__all__ = ["vietnamese_mailbox_error"]

# A timeout shows in the socket's text the source quotes ("timed out", "_ssl.c:980: The
# handshake operation timed out").
_TIMEOUT = re.compile(r"timed out|timeout", re.IGNORECASE)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE | re.DOTALL), vi)
    for p, vi in (
        (
            r"^the server refused the login for ",
            "Sai mật khẩu hộp thư: máy chủ thư từ chối đăng nhập. Hãy kiểm tra tên đăng nhập "
            "và mật khẩu trong cấu hình.",
        ),
        (
            r"could not check the login .*temporary",
            "Máy chủ thư tạm thời không kiểm tra được đăng nhập; sẽ thử lại ở lần quét sau.",
        ),
        (
            r"^the folder .* does not exist in the mailbox",
            "Hộp thư không tồn tại: không có thư mục thư đã cấu hình trên máy chủ.",
        ),
        (
            r"^the mail folder .* does not exist or is not a Maildir",
            "Hộp thư không tồn tại: thư mục thư đã cấu hình không có hoặc không phải Maildir.",
        ),
        (
            r"^the folder .* could not be opened",
            "Không mở được thư mục thư trên máy chủ.",
        ),
        (
            r"certificate could not be verified",
            "Lỗi TLS: không xác minh được chứng chỉ bảo mật của máy chủ thư (cần cấu hình "
            "mailbox.ca_file).",
        ),
        (
            r"^could not open a secure connection",
            "Lỗi TLS: không mở được kết nối bảo mật tới máy chủ thư.",
        ),
        (
            r"does not offer STARTTLS",
            "Lỗi TLS: máy chủ thư không hỗ trợ STARTTLS nên không gửi mật khẩu (hãy dùng "
            "imaps://).",
        ),
        (
            r"^the secure connection to the mail server broke",
            "Lỗi TLS: kết nối bảo mật tới máy chủ thư bị ngắt giữa chừng; sẽ thử lại ở lần "
            "quét sau.",
        ),
        (
            r"^could not reach the mail server",
            "Không kết nối được hộp thư: máy chủ thư không trả lời. Hãy kiểm tra địa chỉ máy "
            "chủ và mạng.",
        ),
        (
            r"^the mail server .* refused the connection",
            "Không kết nối được hộp thư: máy chủ thư từ chối kết nối.",
        ),
        (
            r"^the connection to the mail server dropped",
            "Mất kết nối tới máy chủ thư giữa chừng; sẽ thử lại ở lần quét sau.",
        ),
        (
            r"does not allow the keyword|cannot move mail safely|processed_folder must differ",
            "Cấu hình xử lý thư sau khi lấy (post_action) không dùng được với máy chủ thư này.",
        ),
        (
            r"^could not (move|flag|delete) processed mail",
            "Không đánh dấu hoặc chuyển được thư đã lấy trong hộp thư.",
        ),
        (
            r"^the mail server refused ",
            "Máy chủ thư từ chối một thao tác khi lấy thư.",
        ),
        (
            r"^storage error",
            "Lỗi lưu trữ tệp (đĩa đầy hoặc không ghi được); sẽ thử lại ở lần quét sau.",
        ),
        (
            r"^database error",
            "Lỗi cơ sở dữ liệu; sẽ thử lại ở lần quét sau.",
        ),
    )
)

# The sentences of a connection that can end in a timeout: a timeout is told as such.
_CONNECTION = frozenset(
    sentence
    for pattern, sentence in _PATTERNS
    if pattern.pattern.startswith(
        (
            "^could not reach",
            "^could not open a secure",
            "^the secure connection",
            "^the connection to the mail server",
            "^the mail server refused ",
        )
    )
)

_TIMEOUT_VI = (
    "Hết thời gian chờ máy chủ thư: máy chủ không trả lời kịp. Sẽ thử lại ở lần quét sau; "
    "nếu lặp lại, hãy kiểm tra mạng và địa chỉ máy chủ."
)


def vietnamese_mailbox_error(error: str | None) -> str | None:
    """The Vietnamese sentence for a stored poll error, or None when none fits (or no
    error)."""
    text = (error or "").strip()
    if not text:
        return None
    for pattern, sentence in _PATTERNS:
        if pattern.search(text):
            if sentence in _CONNECTION and _TIMEOUT.search(text):
                return _TIMEOUT_VI
            return sentence
    return None
