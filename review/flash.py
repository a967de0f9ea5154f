"""One-line notices after a redirect ("Đã duyệt bài 12").

The redirect carries a code from a fixed list (``?msg=approved&id=12``), never free text:
a link cannot make the console display words of an attacker's choosing.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["MESSAGES", "flash_message"]

MESSAGES = {
    "saved": "Đã lưu bài {id}.",
    "saved-to-review": "Đã lưu bài {id}. Nội dung đã thay đổi sau khi duyệt nên bài trở lại "
    "hàng chờ duyệt; bài chỉ được đăng (hoặc cập nhật trên cổng) khi được duyệt lại.",
    "unchanged": "Không có gì thay đổi ở bài {id}.",
    "approved": "Đã duyệt bài {id}; bài đã vào hàng đợi đăng.",
    "rejected": "Đã từ chối bài {id}.",
    "restored": "Đã đưa bài {id} về hàng chờ duyệt.",
    "undone": "Đã hoàn tác: bài {id} trở lại hàng chờ duyệt.",
    "duplicate": "Đã đánh dấu bài {id} là bản trùng.",
    "merged": "Đã gộp bài {id} vào bài khác.",
    "cover": "Đã chọn ảnh bìa cho bài {id}.",
    "revision-used": "Bài {id} đã mang nội dung của bản sửa; bản cũ được giữ trong lịch sử "
    "của bài. Hãy xem lại và duyệt.",
    "original-kept": "Đã giữ bản cũ của bài {id}; bản sửa được đánh dấu là bản trùng.",
    "reprocessed": "Đã chạy lại thư {id}.",
    "reprocess-queued": "Đã xếp hàng chạy lại thư {id}; chương trình nền sẽ chạy trong lần tới "
    "(thường trong vài phút).",
    "confirmed-no-article": "Đã xác nhận thư {id} không có bài.",
    "requeued": "Đã đưa thư {id} vào hàng xử lý lại; chương trình nền sẽ xử lý trong lần chạy tới.",
    "retried": "Đã đưa lượt đăng {id} vào hàng đợi để thử lại.",
    "address-learned": "Đã ghi nhớ địa chỉ người gửi của bài {id}: thư sau từ địa chỉ này "
    "được tính cho đơn vị của bài.",
    "address-known": "Không có gì để ghi nhớ: địa chỉ này đã có trong danh bạ hoặc đã được "
    "ghi nhớ cho đơn vị này.",
    "address-forgotten": "Đã bỏ ghi nhớ địa chỉ; thư sau từ địa chỉ này không còn được tự "
    "động tính cho đơn vị đó.",
    "address-not-learned": "Địa chỉ này không còn được ghi nhớ.",
    "user-added": "Đã tạo tài khoản.",
    "user-changed": "Đã cập nhật tài khoản.",
    "end-of-queue": "Hết bài trong hàng chờ theo bộ lọc này.",
    "conflict": "Bài {id} đã được người khác lưu sau khi bạn mở. Thay đổi của bạn CHƯA được "
    "lưu và không ghi đè lên ai: trang dưới đây là bản mới nhất.",
}


def flash_message(request: Request) -> str:
    code = request.query_params.get("msg", "")
    template = MESSAGES.get(code)
    if template is None:
        return ""
    ident = request.query_params.get("id", "")
    return template.format(id=ident if ident.isdigit() else "")
