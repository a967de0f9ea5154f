"""HTML bodies: what must never survive (scripts, handlers, remote URLs, quoted replies,
signatures) and what must (paragraphs, the bold title, cid: images in order)."""

from __future__ import annotations

from dienhinh.core.types import Part
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.html import HtmlExtractor, html_paragraphs
from dienhinh.store.blobs import BlobStore
from factory import make_jpeg, make_png

HOSTILE = """<html><head><title>t</title><style>p{color:red}</style>
<script>alert('head')</script></head><body onload="steal()">
<p>Kính gửi Ban,</p>
<p><b>Chàng trai Tày khởi nghiệp</b></p>
<p>Đoạn một <a href="http://evil.example/x">liên kết</a>.</p>
<img src="http://tracker.example/pixel.gif" onerror="alert(1)">
<img src="cid:photo2@x"><img src="cid:photo1@x"><img src="cid:missing@x">
<p>Đoạn hai<script>document.write('x')</script>.</p>
<div class="gmail_signature">Nguyễn Văn A<br>ĐT 0912</div>
<div class="gmail_quote">Vào Th 2 ... đã viết:<blockquote>Nhắc nộp bài</blockquote></div>
<blockquote>Trích dẫn khác</blockquote>
</body></html>"""


def _related() -> list[Part]:
    return [
        Part("3", "image/jpeg", make_jpeg(seed=1), filename="a.jpg", content_id="photo1@x"),
        Part("4", "image/png", make_png(seed=2), filename="b.png", content_id="photo2@x"),
    ]


def test_hostile_html_cleaned(ctx: ExtractContext) -> None:
    part = Part("2", "text/html", HOSTILE.encode(), charset="utf-8", related=_related())
    [draft] = HtmlExtractor().extract(part, ctx)
    assert draft.text.split("\n\n") == [
        "Kính gửi Ban,",
        "Chàng trai Tày khởi nghiệp",
        "Đoạn một liên kết .",
        "Đoạn hai.",
    ] or draft.text.split("\n\n") == [
        "Kính gửi Ban,",
        "Chàng trai Tày khởi nghiệp",
        "Đoạn một liên kết.",
        "Đoạn hai.",
    ]
    for bad in (
        "alert",
        "steal",
        "http",
        "evil",
        "tracker",
        "document.write",
        "color:red",
        "Nguyễn Văn A",
        "Nhắc nộp bài",
        "Trích dẫn",
        "đã viết",
    ):
        assert bad not in draft.text
    assert draft.title == "Chàng trai Tày khởi nghiệp"
    assert [(i.filename, i.role, i.position) for i in draft.images] == [
        ("b.png", "inline-image", 0),
        ("a.jpg", "inline-image", 1),
    ]
    assert BlobStore(ctx.blob_root).exists(draft.images[0].sha256)


def test_signature_dash_marker_and_outlook_original_message() -> None:
    html = (
        "<div>Nội dung bài.</div><div><br></div>-- <br><div>Tên người gửi</div>"
        "<div>-----Original Message-----<br>From: x</div>"
    )
    paragraphs, _, _ = html_paragraphs(html, [])
    assert paragraphs == ["Nội dung bài."]
    outlook = '<div>Bài viết.</div><div id="divRplyFwdMsg">Từ: Ban</div><div>Nội dung thư cũ</div>'
    assert html_paragraphs(outlook, [])[0] == ["Bài viết."]


def test_heading_title_and_windows1258(ctx: ExtractContext) -> None:
    html = "<h2>Tiêu đề bài</h2><p>Nội dung</p>"
    part = Part("1", "text/html", html.encode("utf-8"), charset="utf-8")
    [draft] = HtmlExtractor().extract(part, ctx)
    assert draft.title == "Tiêu đề bài"
    assert draft.text == "Tiêu đề bài\n\nNội dung"
