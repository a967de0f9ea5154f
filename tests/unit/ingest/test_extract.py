"""extract_message: the assembly of one email into articles, cover note and attachments."""

from __future__ import annotations

import pytest

from dienhinh.core.config import IngestConfig
from dienhinh.core.errors import ConfigError
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.extractors import BUILTINS, build_registry
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.store.blobs import BlobStore
from factory import (
    DOCX_TYPE,
    Attach,
    DocImage,
    DocSpec,
    RawPart,
    article_text,
    make_docx,
    make_email,
    make_image_pdf,
    make_jpeg,
    make_pdf,
    make_raw_email,
    mixed_corpus,
    to_cp1258,
)

COVER = "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\nĐơn vị gửi kèm bài viết.\n\nTrân trọng."


def _docx(seed: int, **kw: object) -> bytes:
    title, paras = article_text(seed)
    return make_docx(DocSpec(title=title, paragraphs=paras, **kw))  # type: ignore[arg-type]


def test_docx_with_photos_and_cover_note(ctx: ExtractContext) -> None:
    """GIVEN a cover note, a docx with one embedded picture and two attached photos
    WHEN extracted THEN one article owns the embedded image and then the photos in
    attachment order, and the body is the cover note."""
    title, _ = article_text(1)
    doc = _docx(
        1, letterhead=("UBND HUYỆN BÁT XÁT",), images=[DocImage(make_jpeg(seed=9), "Ảnh: tại vườn")]
    )
    raw = make_email(
        text=COVER,
        attachments=[
            Attach("bai.docx", doc, DOCX_TYPE),
            Attach("anh1.jpg", make_jpeg(seed=1), "image/jpeg"),
            Attach("anh2.jpg", make_jpeg(seed=2), "image/jpeg"),
        ],
    )
    out = extract_message(raw, ctx)
    assert out.status == "ingested" and out.reason is None
    [art] = out.articles
    assert art.title == title and art.source == "docx" and art.origin == "bai.docx"
    assert [(i.role, i.filename, i.position) for i in art.images] == [
        ("embedded-image", "image1.jpg", 0),
        ("photo", "anh1.jpg", 1),
        ("photo", "anh2.jpg", 2),
    ]
    assert out.cover_note == COVER and out.body_text == COVER
    assert [(a.filename, a.used_as) for a in out.attachments] == [
        ("bai.docx", "article"),
        ("anh1.jpg", "photo"),
        ("anh2.jpg", "photo"),
    ]
    store = BlobStore(ctx.blob_root)
    assert all(store.exists(a.sha256) for a in out.attachments)
    assert art.document_sha256 == out.attachments[0].sha256


def test_two_docx_two_articles_photos_paired_by_name(ctx: ExtractContext) -> None:
    raw = make_email(
        attachments=[
            Attach("bai1-homestay.docx", _docx(1), DOCX_TYPE),
            Attach("bai2-tuyenpho.docx", _docx(2), DOCX_TYPE),
            Attach("bai2-tuyenpho-anh.jpg", make_jpeg(seed=5), "image/jpeg"),
        ]
    )
    out = extract_message(raw, ctx)
    assert [a.title for a in out.articles] == [article_text(1)[0], article_text(2)[0]]
    assert [len(a.images) for a in out.articles] == [0, 1]


def test_subject_fallback_title(ctx: ExtractContext) -> None:
    raw = make_email(
        subject="Fwd: TL: Bài điển hình tháng 3",
        attachments=[Attach("scan.pdf", make_image_pdf(), "application/pdf")],
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert art.status == "needs-ocr" and art.title == "Bài điển hình tháng 3"
    assert [e.kind for e in out.errors] == ["needs-ocr"]


def test_truncated_docx_waits_for_libreoffice_alone(ctx: ExtractContext) -> None:
    """A .docx cut short beside a good PDF: the PDF is the article at once; the .docx is
    not refused before LibreOffice has tried it (the slow lane), and the message says it
    waits."""
    good = make_pdf(*article_text(3))
    raw = make_email(
        attachments=[
            Attach("hong.docx", _docx(2)[:3000], DOCX_TYPE),
            Attach("tot.pdf", good, "application/pdf"),
        ]
    )
    out = extract_message(raw, ctx)
    assert out.status == "ingested"
    waiting, ok = out.articles
    assert waiting.status == "needs-conversion" and "hong.docx" in waiting.error
    assert waiting.source == "docx"
    assert ok.status == "pending-review" and ok.title == article_text(3)[0]
    assert [(a.filename, a.used_as) for a in out.attachments] == [
        ("hong.docx", "waiting"),
        ("tot.pdf", "article"),
    ]
    assert out.attachments[0].error.startswith("needs-conversion: ")
    assert out.reason == "waiting: hong.docx (needs-conversion)"
    assert [(e.filename, e.kind) for e in out.errors] == [("hong.docx", "needs-conversion")]


def test_octet_stream_docx_and_inline_pdf(ctx: ExtractContext) -> None:
    raw = make_email(
        attachments=[
            Attach("bai viet.bin", _docx(4), "application/octet-stream"),
            Attach("bai.pdf", make_pdf(*article_text(5)), "application/pdf", disposition="inline"),
        ]
    )
    out = extract_message(raw, ctx)
    assert [a.source for a in out.articles] == ["docx", "pdf"]


def test_html_body_article_with_cid_images(ctx: ExtractContext) -> None:
    title, paras = article_text(6)
    html = (
        "<p>Kính gửi Ban,</p><p>Đơn vị gửi bài như dưới đây.</p>"
        f"<p><b>{title}</b></p>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + '<img src="cid:img1@x"><img src="https://remote.example/a.png">'
        + '<div class="gmail_quote">Vào hôm qua Ban đã viết:<blockquote>Nhắc</blockquote></div>'
    )
    raw = make_email(
        text=None,
        html=html,
        attachments=[
            Attach(
                "a.jpg", make_jpeg(seed=1), "image/jpeg", disposition="inline", content_id="img1@x"
            )
        ],
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert art.source == "html-body" and art.title == title
    assert art.text.split("\n\n") == paras
    assert [(i.role, i.filename) for i in art.images] == [("inline-image", "a.jpg")]
    assert out.attachments[0].used_as == "photo"
    # The sender's lines above the article are the message's cover note (the unit
    # tagger reads whose piece it is there), not the article's.
    assert out.cover_note == "Kính gửi Ban,\n\nĐơn vị gửi bài như dưới đây."


def test_windows1258_text_body_article(ctx: ExtractContext) -> None:
    title, paras = article_text(8)
    body = "\n\n".join(["Kính gửi Ban Thi đua,", title, *paras])
    raw = make_raw_email(
        [
            RawPart(
                ['Content-Type: text/plain; charset="windows-1258"'],
                to_cp1258(body),
                "quoted-printable",
            )
        ],
        subtype="single",
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert art.source == "text-body" and art.title == title
    assert art.text == "\n\n".join(paras)


def test_short_question_is_no_article(ctx: ExtractContext) -> None:
    raw = make_email(text="Kính gửi Ban,\n\nXin hỏi hạn gửi bài tháng này là ngày nào ạ?\n")
    out = extract_message(raw, ctx)
    assert out.status == "no-article" and out.articles == []
    assert out.reason.startswith("not an article: short question")
    assert "Xin hỏi" in out.body_text


def test_missing_message_id_generated(ctx: ExtractContext) -> None:
    raw = make_email(message_id="")
    a, b = extract_message(raw, ctx), extract_message(raw, ctx)
    assert a.headers.message_id_generated and a.headers.message_id == b.headers.message_id


def test_message_over_limit_fails_with_reason(tmp_path) -> None:
    small = ExtractContext(blob_root=tmp_path, limits=IngestConfig(max_message_bytes=1000))
    out = extract_message(
        make_email(attachments=[Attach("a.jpg", make_jpeg(), "image/jpeg")]), small
    )
    assert out.status == "failed" and "max_message_bytes" in (out.reason or "")


def test_oversize_attachment_listed_as_failed(tmp_path) -> None:
    small = ExtractContext(blob_root=tmp_path, limits=IngestConfig(max_attachment_bytes=3000))
    raw = make_email(attachments=[Attach("big.jpg", make_jpeg(400, 400), "image/jpeg")])
    out = extract_message(raw, small)
    assert out.attachments[0].used_as == "refused" and out.errors[0].kind == "limit"
    assert out.attachments[0].error.startswith("over-limit: ")
    # Nothing else in the message: it fails, naming the part and the cause.
    assert out.status == "failed"
    assert out.reason.startswith("no article: big.jpg: over-limit: ")


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        (b"", "failed", "empty message: 0 bytes, no headers and no body"),
        (b" \r\n\r\n", "failed", "empty message: 5 bytes, no headers and no body"),
        (b"\x00\xff" * 100, "no-article", "no article: body too short and no document attached"),
        (
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x",
            "no-article",
            "no article: body too short and no document attached",
        ),
        (
            b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!",
            "failed",
            # The part's name once, then the reader's cause (it was "part 1: part 1: ...").
            "no readable article: part 1: cannot open PDF: ",
        ),
    ],
    ids=["empty", "blank", "binary", "unclosed-multipart", "bad-base64-pdf"],
)
def test_garbage_never_raises(ctx: ExtractContext, data: bytes, status: str, reason: str) -> None:
    out = extract_message(data, ctx)
    assert out.status == status
    assert (out.reason or "").startswith(reason), out.reason


def test_registry_rejects_duplicate_names() -> None:
    with pytest.raises(ConfigError, match="duplicate"):
        build_registry([*BUILTINS, DocxExtractor])


def test_mixed_corpus_all_ingested(ctx: ExtractContext) -> None:
    outs = [extract_message(m, ctx) for m in mixed_corpus(8)]
    assert [o.status for o in outs] == ["ingested"] * 8
    assert [o.articles[0].source for o in outs[:4]] == ["docx", "pdf", "html-body", "text-body"]


_PASTED = "\n\n".join(
    f"Đoạn {i}: chị Tẩn Thị Mẩy ở thôn Sả Xéng giữ nghề lá thuốc của người Dao đỏ, "
    "đón khách về tắm lá và giúp nhiều hộ trong thôn có thêm thu nhập ổn định."
    for i in range(8)
)


@pytest.mark.parametrize("delimiter_in_html", [True, False])
def test_signature_of_a_pasted_article_sent_as_text_and_html(
    tmp_path, delimiter_in_html: bool
) -> None:
    """GIVEN an article pasted into a body sent as text and HTML (as Gmail sends it), the
    unit named only in the closing lines ("Trân trọng!" then name and office), the text
    part without a "-- " line; WHEN extracted; THEN the signature is kept for the unit
    tagger, though the article's text ends before it."""
    closing = ["Trân trọng!", "Lý Thị Sử", "Phòng Văn hóa và Thông tin thị xã Sa Pa"]
    text = "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n" + _PASTED + "\n\n" + "\n".join(closing)
    html_sig = ("<div>--</div>" if delimiter_in_html else "") + "".join(
        f"<div>{line}</div>" for line in closing
    )
    html = "<html><body>" + "".join(f"<p>{p}</p>" for p in _PASTED.split("\n\n")) + html_sig
    raw = make_email(from_="Sử <su.lt@gmail.com>", text=text, html=html + "</body></html>")
    outcome = extract_message(raw, ExtractContext(blob_root=tmp_path))
    assert "Phòng Văn hóa và Thông tin thị xã Sa Pa" in outcome.signature
    assert "Trân trọng" not in outcome.articles[0].text
