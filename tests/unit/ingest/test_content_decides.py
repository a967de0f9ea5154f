"""What the bytes are decides the extractor (never the name or the declared type), and
every attachment ends with an outcome and a coded reason; the message's state follows.

Fixtures are generated here: a minimal OpenDocument text, an RTF, an .xlsx-shaped
package, OLE2 headers, broken images.
"""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from dienhinh.core.config import IngestConfig
from dienhinh.core.labels import reason_label
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import convert_legacy
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.mime import ODT_TYPE, XLSX_TYPE, sniff_type
from factory import (
    DOCX_TYPE,
    Attach,
    DocSpec,
    RawPart,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
    make_odt,
    make_png,
    make_raw_email,
    make_zip,
    mark_zip_encrypted,
    strict_ooxml,
)


def make_rtf(title: str, paragraphs: list[str]) -> bytes:
    def esc(text: str) -> str:
        return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)

    body = "\\par\n".join(esc(t) for t in [title, *paragraphs])
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n" + body + "\\par\n}").encode()


def make_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def _ole(*streams: str) -> bytes:
    """OLE2 magic and a directory naming ``streams`` (what the sniffer reads)."""
    return _OLE2 + b"".join(s.encode("utf-16-le").ljust(64, b"\0") for s in streams)


# --- content decides ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("bai.docx", DOCX_TYPE),  # the bug: the .docx name outbid the sniffed type
        ("bai.docx", "application/octet-stream"),
        ("bai.odt", ODT_TYPE),
        ("bai.bin", "application/octet-stream"),
    ],
)
def test_odt_is_read_as_odt_whatever_its_name(name: str, ctype: str, ctx: ExtractContext) -> None:
    title, paras = article_text(31)
    out = extract_message(
        make_email(attachments=[Attach(name, make_odt(title, paras), ctype)]), ctx
    )
    [art] = out.articles
    assert art.source == "odt" and art.status == "needs-conversion"
    [att] = out.attachments
    assert att.content_type == ODT_TYPE and att.declared_type == ctype
    assert att.used_as == "waiting" and att.error.startswith("needs-conversion: ")
    assert out.status == "ingested"


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("bai.txt", "text/plain"),
        ("bai.bin", "application/octet-stream"),
        ("bai.txt", "application/octet-stream"),
        ("bai.rtf", "application/rtf"),
    ],
)
def test_rtf_is_a_document_even_sent_as_text(name: str, ctype: str, ctx: ExtractContext) -> None:
    title, paras = article_text(32)
    raw = make_email(text="Gửi bài ạ.", attachments=[Attach(name, make_rtf(title, paras), ctype)])
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert art.source == "rtf" and art.status == "needs-conversion"
    assert out.attachments[0].content_type == "application/rtf"
    assert out.status == "ingested"


def test_rtf_as_a_text_plain_part_without_a_name_is_not_the_body(ctx: ExtractContext) -> None:
    """The first text/plain part is the body; a second one that is RTF is a document,
    and a real body is never mistaken for a document."""
    title, paras = article_text(33)
    parts = [
        RawPart(["Content-Type: text/plain; charset=utf-8"], "Em gửi bài ạ.".encode()),
        RawPart(["Content-Type: text/plain; charset=us-ascii"], make_rtf(title, paras)),
    ]
    out = extract_message(make_raw_email(parts), ctx)
    assert [a.source for a in out.articles] == ["rtf"]
    assert out.cover_note == "Em gửi bài ạ."
    plain = extract_message(make_email(text="\n\n".join(paras), subject=title), ctx)
    assert [a.source for a in plain.articles] == ["text-body"]


def test_sniffer_names_packages_by_members() -> None:
    assert sniff_type(make_odt("a", ["b"])) == ODT_TYPE
    assert sniff_type(make_xlsx()).endswith("spreadsheetml.sheet")
    assert sniff_type(make_docx(DocSpec(title="a", paragraphs=["b"]))) == DOCX_TYPE
    assert sniff_type(make_zip([("a.txt", b"x")])) == "application/zip"
    assert sniff_type(_ole("WordDocument", "1Table")) == "application/msword"
    assert sniff_type(make_rtf("a", ["b"])) == "application/rtf"


@pytest.mark.parametrize(
    ("name", "ctype", "data", "code"),
    [
        ("bang-diem.docx", DOCX_TYPE, make_xlsx(), "unsupported: "),
        ("setup.exe", "application/octet-stream", b"MZ\x90\0" + b"\0" * 200, "unsupported: "),
        ("bai.doc", "application/msword", b"just some bytes", "unreadable: "),
    ],
)
def test_what_is_not_read_is_refused_with_the_reason(
    name: str, ctype: str, data: bytes, code: str, ctx: ExtractContext
) -> None:
    out = extract_message(
        make_email(text="Gửi anh chị.", attachments=[Attach(name, data, ctype)]), ctx
    )
    [att] = out.attachments
    assert att.used_as == "refused" and att.error.startswith(code), att.error
    assert att.declared_type == ctype
    # No article and a refused part: the message fails, naming the part and the cause.
    assert out.status == "failed"
    assert (out.reason or "").startswith(f"no article: {name}: {code}")


@pytest.mark.parametrize(
    ("name", "ctype", "data"),
    [
        ("bang-diem.xlsx", "application/octet-stream", make_xlsx()),
        ("Bieu 01 tuyen truyen.xlsx", XLSX_TYPE, make_xlsx()),
        ("bang.xls", "application/vnd.ms-excel", _ole("Workbook")),
    ],
)
def test_a_spreadsheet_is_a_table_not_a_refused_document(
    name: str, ctype: str, data: bytes, ctx: ExtractContext
) -> None:
    """A unit's tally or KPI sheet sent alone is no article and nothing went wrong: the
    message ends `no-article` (not `failed`), its reason names the sheet, and the console
    says a spreadsheet came (not "no attachment"). Beside an article it is not refused."""
    out = extract_message(
        make_email(text="Gửi anh chị.", attachments=[Attach(name, data, ctype)]), ctx
    )
    [att] = out.attachments
    assert att.used_as == "not-article", att.error
    assert att.error.startswith("not-article: a spreadsheet, a table of figures")
    assert reason_label(att.error) == "bảng tính số liệu, không phải bài viết"
    assert out.status == "no-article"
    assert f"attached, not an article: {name}: not-article: a spreadsheet" in (out.reason or "")
    label = reason_label(out.reason)
    assert label.startswith("không có bài viết") and label.endswith("(gửi kèm bảng tính số liệu)")
    title, paras = article_text(35)
    with_article = extract_message(
        make_email(
            attachments=[
                Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE),
                Attach(name, data, ctype),
            ]
        ),
        ctx,
    )
    assert with_article.status == "ingested" and len(with_article.articles) == 1
    assert "refused" not in (with_article.reason or "")


def test_encrypted_office_file_named_docx_is_refused_as_encrypted(ctx: ExtractContext) -> None:
    data = _ole("EncryptionInfo", "EncryptedPackage") + b"\0" * 4096
    out = extract_message(make_email(attachments=[Attach("bai.docx", data, DOCX_TYPE)]), ctx)
    [att] = out.attachments
    assert att.used_as == "refused"
    assert att.error == "encrypted: bai.docx: password-protected document"
    assert out.status == "failed" and "bai.docx" in (out.reason or "")
    assert "password-protected" in (out.reason or "")


# --- archives ---------------------------------------------------------------------------------


def test_password_protected_zip_fails_the_message_naming_it(ctx: ExtractContext) -> None:
    title, paras = article_text(34)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    data = mark_zip_encrypted(make_zip([("bai.docx", doc)]), "bai.docx")
    out = extract_message(
        make_email(attachments=[Attach("bai-viet.zip", data, "application/zip")]), ctx
    )
    assert out.articles == []
    zip_att, member = out.attachments
    assert zip_att.used_as == "refused" and zip_att.error.startswith("encrypted: ")
    assert member.filename == "bai.docx" and member.used_as == "refused"
    assert out.status == "failed"
    assert (out.reason or "").startswith("no article: ")
    assert "bai-viet.zip: encrypted: password-protected zip" in (out.reason or "")


def test_zip_bomb_alone_fails_the_message_naming_it(ctx: ExtractContext) -> None:
    bomb = make_zip([("rong.txt", b"\0" * (4 * 1024 * 1024))])
    out = extract_message(
        make_email(attachments=[Attach("tai-lieu.zip", bomb, "application/zip")]), ctx
    )
    assert out.status == "failed"
    assert (out.reason or "").startswith("no article: tai-lieu.zip: over-limit: ")
    assert "max_compression_ratio" in (out.reason or "")


def test_docx_inflating_past_the_ratio_is_refused_over_limit(tmp_path) -> None:
    """The archive limits bound a .docx's own parts too."""
    title, paras = article_text(35)
    src = zipfile.ZipFile(io.BytesIO(make_docx(DocSpec(title=title, paragraphs=paras))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.replace(b"<w:body>", b"<w:body><!--" + b"a" * 3_000_000 + b"-->")
            zf.writestr(item.filename, body)
    ctx = ExtractContext(blob_root=tmp_path, limits=IngestConfig())
    out = extract_message(
        make_email(attachments=[Attach("bai.docx", buf.getvalue(), DOCX_TYPE)]), ctx
    )
    [att] = out.attachments
    assert att.used_as == "refused" and att.error.startswith("over-limit: ")
    assert "max_compression_ratio" in att.error
    assert out.status == "failed"


# --- images -----------------------------------------------------------------------------------


def _doc() -> Attach:
    title, paras = article_text(36)
    return Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE)


def test_photo_must_decode(ctx: ExtractContext) -> None:
    good = make_jpeg(seed=4)
    raw = make_email(
        attachments=[
            _doc(),
            Attach("anh1.jpg", good, "image/jpeg"),
            Attach("anh2.jpg", good[: len(good) // 3], "image/jpeg"),  # truncated
            Attach("anh3.jpg", b"not an image at all", "image/jpeg"),
        ]
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert [i.filename for i in art.images if i.role == "photo"] == ["anh1.jpg"]
    outcomes = {a.filename: (a.used_as, a.error) for a in out.attachments}
    assert outcomes["anh1.jpg"] == ("photo", "")
    for name in ("anh2.jpg", "anh3.jpg"):
        used, error = outcomes[name]
        assert used == "refused" and error.startswith("unreadable: not a decodable image"), error
    assert out.status == "ingested"
    assert "anh2.jpg: unreadable" in (out.reason or "") and "anh3.jpg" in (out.reason or "")


def test_small_images_and_signature_images_are_logos(ctx: ExtractContext) -> None:
    title, paras = article_text(37)
    html = (
        "<p>" + "</p><p>".join([title, *paras]) + "</p>"
        '<p><img src="cid:photo@x"></p>'
        '<div class="gmail_signature">Phòng Văn hóa<br><img src="cid:sig@x"></div>'
    )
    raw = make_email(
        subject=title,
        html=html,
        attachments=[
            Attach("anh.jpg", make_jpeg(seed=5), "image/jpeg", "inline", "photo@x"),
            Attach("logo.png", make_png(400, 300, seed=6), "image/png", "inline", "sig@x"),
            Attach("icon.png", make_png(32, 32, seed=7), "image/png"),
        ],
    )
    out = extract_message(raw, ctx)
    [art] = out.articles
    assert [i.filename for i in art.images] == ["anh.jpg"]
    outcomes = {a.filename: (a.used_as, a.error) for a in out.attachments}
    assert outcomes["anh.jpg"] == ("photo", "")
    assert outcomes["logo.png"] == ("logo", "logo: an image in the sender's signature")
    assert outcomes["icon.png"] == ("logo", "logo: small image (32x32 px)")
    assert out.status == "ingested" and out.reason is None


# --- every attachment accounted for ------------------------------------------------------------


def test_noise_message_attachments_are_not_articles_with_the_reason(ctx: ExtractContext) -> None:
    raw = make_email(
        subject="Tự động trả lời: Gửi bài",
        text="Tôi đang đi công tác, sẽ trả lời sau.",
        headers={"Auto-Submitted": "auto-replied"},
        attachments=[_doc()],
    )
    out = extract_message(raw, ctx)
    assert out.status == "no-article" and (out.reason or "").startswith("not an article: ")
    [att] = out.attachments
    assert att.used_as == "not-article" and att.error.startswith("not-article: auto-reply")


def test_no_outcome_is_left_empty_or_old(ctx: ExtractContext) -> None:
    """Across shapes of mail, every attachment has an outcome of the shared vocabulary,
    and a reason for every outcome but article and photo."""
    from dienhinh.core.types import AttachmentOutcome

    title, paras = article_text(38)
    shapes = [
        [_doc(), Attach("a.jpg", make_jpeg(seed=8), "image/jpeg")],
        [Attach("a.jpg", make_jpeg(seed=9), "image/jpeg")],
        [Attach("a.txt", "\n\n".join([title, *paras]).encode(), "text/plain")],
        [Attach("ghi-chu.txt", b"ghi chu", "text/plain")],
        [Attach("lich.ics", b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "text/calendar")],
        [Attach("b.zip", make_zip([("bai.odt", make_odt(title, paras))]), "application/zip")],
    ]
    values = {o.value for o in AttachmentOutcome}
    for attachments in shapes:
        out = extract_message(make_email(attachments=attachments), ctx)
        for att in out.attachments:
            assert att.used_as in values, (att.filename, att.used_as)
            if att.used_as not in ("article", "photo"):
                assert att.error, (att.filename, att.used_as)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_strict_ooxml_waits_then_libreoffice_reads_it(ctx: ExtractContext) -> None:

    title, paras = article_text(39)
    data = strict_ooxml(make_docx(DocSpec(title=title, paragraphs=paras)))
    out = extract_message(make_email(attachments=[Attach("bai.docx", data, DOCX_TYPE)]), ctx)
    [art] = out.articles
    assert art.status == "needs-conversion" and out.attachments[0].used_as == "waiting"
    [converted] = convert_legacy(data, "bai.docx", ctx)
    assert converted.title == title and "converted" in converted.flags


def test_odt_inflating_past_the_ratio_is_refused_before_waiting(ctx: ExtractContext) -> None:
    title, paras = article_text(40)
    data = make_odt(title, [*paras, " " * 3_000_000])
    out = extract_message(make_email(attachments=[Attach("bai.odt", data, ODT_TYPE)]), ctx)
    [att] = out.attachments
    assert att.used_as == "refused" and att.error.startswith("over-limit: ")
    assert "content.xml" in att.error and out.status == "failed"


@pytest.mark.parametrize("start", ["BMW", "MZ", "PK", "GIF", "{rtf"])
def test_text_bodies_starting_like_a_magic_number_stay_bodies(
    start: str, ctx: ExtractContext
) -> None:
    title, paras = article_text(41)
    body = "\n\n".join([f"{start} {paras[0]}", *paras[1:]])
    out = extract_message(make_email(subject=title, text=body), ctx)
    assert [a.source for a in out.articles] == ["text-body"] and out.attachments == []


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels: what a decompression bomb's
    header looks like (Pillow judges the size before decoding)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_image_declaring_a_huge_size_is_refused_over_limit(ctx: ExtractContext) -> None:
    raw = make_email(
        attachments=[_doc(), Attach("anh.png", _png_header(30000, 30000), "image/png")]
    )
    out = extract_message(raw, ctx)
    att = next(a for a in out.attachments if a.filename == "anh.png")
    assert att.used_as == "refused" and att.error.startswith("over-limit: image too large")
    assert out.status == "ingested" and "anh.png: over-limit" in (out.reason or "")


# --- broken structure and signatures (found on CPython's and mail-parser's test mail) -------


def _raw(head: str, body: str) -> bytes:
    return (
        "From: Van phong <vanphong@example.org>\nTo: btdkt@example.org\n"
        "Subject: thu\nDate: Mon, 2 Dec 2019 09:00:00 +0700\nMessage-ID: <b@example.org>\n"
        f"MIME-Version: 1.0\n{head}\n\n{body}"
    ).encode()


def test_multipart_without_its_boundary_is_refused_as_broken_not_as_a_kind(
    ctx: ExtractContext,
) -> None:
    """A multipart/mixed whose boundary never appears: its text is not read, and the reason
    says the structure is broken (not "multipart/mixed is not a document kind")."""
    raw = _raw('Content-Type: multipart/mixed; boundary="BOUNDARY"', "Gửi anh chị bài viết.\n")
    out = extract_message(raw, ctx)
    [att] = out.attachments
    assert att.used_as == "refused"
    assert att.error.startswith("unreadable: a multipart/mixed part whose boundary is not found")
    assert "not a document kind" not in att.error
    assert out.status == "failed" and "boundary is not found" in (out.reason or "")


def test_empty_nested_multipart_reusing_its_parents_boundary_loses_nothing(
    ctx: ExtractContext,
) -> None:
    """A nested multipart/alternative that reuses its parent's boundary (a spam kit's
    mail): its parts are read as the parent's, the empty container is no refusal."""
    b = "----=Part_1"
    body = (
        f'--{b}\nContent-Type: multipart/alternative;\n boundary="{b}"\n\n'
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\nCảm ơn anh.\n"
        f"--{b}--\n"
    )
    out = extract_message(_raw(f'Content-Type: multipart/mixed; boundary="{b}"', body), ctx)
    [att] = [a for a in out.attachments if a.declared_type.startswith("multipart/")]
    assert att.used_as == "not-article" and att.error.startswith("not-article: an empty ")
    assert out.status == "no-article"


@pytest.mark.parametrize(
    ("ctype", "name"),
    [("application/pkcs7-signature", "smime.p7s"), ("application/pgp-signature", "sig.asc")],
)
def test_a_signed_note_is_no_article_not_failed(ctype: str, name: str, ctx: ExtractContext) -> None:
    b = "sig-b"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\nCảm ơn anh.\n"
        f'--{b}\nContent-Type: {ctype}; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        "Content-Transfer-Encoding: base64\n\nMIIBAgMEBQYHCAkK\n"
        f"--{b}--\n"
    )
    head = f'Content-Type: multipart/signed; protocol="{ctype}"; boundary="{b}"'
    out = extract_message(_raw(head, body), ctx)
    [att] = out.attachments
    assert att.used_as == "not-article" and att.error == f"not-article: a signature ({ctype})"
    assert out.status == "no-article"


def test_no_article_names_what_was_attached(ctx: ExtractContext) -> None:
    """A short note with a photo (no page of text): no-article, and the reason names the
    photo and what it was instead of only "no document attached"; a logo stays unnamed."""
    raw = make_email(
        text="Gửi anh ảnh.",
        attachments=[
            Attach("anh hoi nghi.jpg", make_jpeg(640, 480, seed=3), "image/jpeg"),
            Attach("logo.png", make_png(40, 40, seed=4), "image/png"),
        ],
    )
    out = extract_message(raw, ctx)
    assert out.status == "no-article"
    reason = out.reason or ""
    assert reason.startswith("no article: ")
    assert "attached, not an article: anh hoi nghi.jpg: not-article: a picture" in reason
    assert "logo.png" not in reason
    # Nothing attached: the reason as before.
    bare = extract_message(make_email(text="Cảm ơn anh.", attachments=[]), ctx)
    assert bare.status == "no-article" and "attached, not an article" not in (bare.reason or "")
