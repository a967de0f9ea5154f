"""MIME parsing: headers, file names, type sniffing, limits."""

from __future__ import annotations

import base64
import unicodedata
from datetime import timedelta

from dienhinh.core.config import IngestConfig
from dienhinh.ingest.mime import (
    DOCX_TYPE,
    ENCRYPTED_OFFICE_TYPE,
    SKIPPED_LISTED,
    decode_text,
    parse_message,
    sanitize_filename,
    sniff_type,
)
from factory import (
    DOCX_TYPE as FACTORY_DOCX,
)
from factory import (
    Attach,
    DocSpec,
    RawPart,
    make_docx,
    make_email,
    make_jpeg,
    make_nested_email,
    make_pdf,
    make_raw_email,
    to_cp1258,
)

LIMITS = IngestConfig()
TEXT = RawPart(['Content-Type: text/plain; charset="utf-8"'], "Kính gửi Ban.".encode(), "8bit")


def test_headers_decoded_and_message_id_unbracketed() -> None:
    raw = make_email(
        message_id="<abc.123@laocai.gov.vn>",
        headers={
            "In-Reply-To": "<q1@x>",
            "References": "<r1@x> <q1@x>",
            "Auto-Submitted": "auto-replied",
            "Precedence": "Bulk",
            "List-Id": "<tin.laocai.gov.vn>",
        },
    )
    h = parse_message(raw, LIMITS).headers
    assert h.message_id == "abc.123@laocai.gov.vn"
    assert not h.message_id_generated
    assert h.from_addr == "ubnd-batxat@laocai.gov.vn"
    assert h.from_name == "Phòng Nội vụ huyện Bát Xát"
    assert h.subject == "Gửi bài viết gương điển hình tiên tiến"
    assert h.to == ["btdkt-snv@laocai.gov.vn"]
    assert h.in_reply_to == "q1@x"
    assert h.references == ["r1@x", "q1@x"]
    assert (h.auto_submitted, h.precedence, h.list_id) == (
        "auto-replied",
        "bulk",
        "<tin.laocai.gov.vn>",
    )
    assert h.raw_headers.startswith("From:") and "Subject:" in h.raw_headers


def test_date_keeps_its_own_offset() -> None:
    raw = make_raw_email([TEXT], extra_headers=[])
    raw = raw.replace(
        b"Date: Thu, 22 Mar 2018 14:05:00 +0700", b"Date: Mon, 31 Dec 2018 10:30:00 -0800"
    )
    d = parse_message(raw, LIMITS).headers.date
    assert d is not None
    assert d.utcoffset() == timedelta(hours=-8)
    assert (d.year, d.month, d.day, d.hour) == (2018, 12, 31, 10)


def test_missing_message_id_is_generated_deterministically() -> None:
    raw = make_raw_email([TEXT], message_id=None)
    a = parse_message(raw, LIMITS).headers
    b = parse_message(raw, LIMITS).headers
    other = parse_message(raw + b"\r\n", LIMITS).headers
    assert a.message_id_generated
    assert a.message_id == b.message_id
    assert a.message_id.startswith("generated-") and a.message_id.endswith("@dienhinh.invalid")
    assert len(a.message_id.split("@")[0]) == len("generated-") + 32
    assert other.message_id != a.message_id


def test_subject_windows1258_encoded_word_is_nfc() -> None:
    # "Bài điển hình" in cp1258: tones as combining bytes (EC, D2, CC ...).
    encoded = to_cp1258("Bài điển hình")
    subject = b"=?windows-1258?b?" + base64.b64encode(encoded) + b"?="
    h = parse_message(make_raw_email([TEXT], subject=subject), LIMITS).headers
    assert h.subject == "Bài điển hình"
    assert unicodedata.is_normalized("NFC", h.subject)


def test_folded_subject_keeps_the_spaces_around_plain_words() -> None:
    # Python's own generator folds a long Vietnamese subject into encoded words with the
    # ASCII "3/2018" left plain between them; the spaces around it are part of the text.
    subject = "Gửi bài viết điển hình tháng 3/2018 của huyện Bảo Yên gửi Ban Thi đua"
    h = parse_message(make_email(subject=subject), LIMITS).headers
    assert h.subject == subject
    mixed = b"=?utf-8?q?B=C3=A0i?= 3/2018 =?utf-8?q?c=E1=BB=A7a?=\r\n =?utf-8?q?_huy=E1=BB=87n?="
    assert parse_message(make_raw_email([TEXT], subject=mixed), LIMITS).headers.subject == (
        "Bài 3/2018 của huyện"
    )


def test_raw_utf8_subject_and_filename() -> None:
    part = RawPart(
        [
            "Content-Type: application/pdf",
            'Content-Disposition: attachment; filename="Bài viết.pdf"',
        ],
        make_pdf("T", ["x"]),
    )
    raw = make_raw_email([TEXT, part], subject="Gửi bài tháng 3".encode())
    parsed = parse_message(raw, LIMITS)
    assert parsed.headers.subject == "Gửi bài tháng 3"
    assert parsed.attachments[0].filename == "Bài viết.pdf"


def test_rfc2231_and_rfc2047_filenames() -> None:
    p2231 = RawPart(
        [
            "Content-Type: application/pdf",
            "Content-Disposition: attachment;",
            " filename*0*=utf-8''B%C3%A0i%20vi%E1%BA%BFt%20g%C6%B0%C6%A1ng;",
            " filename*1*=%20%C4%91i%E1%BB%83n%20h%C3%ACnh.pdf",
        ],
        b"%PDF-1.4 x",
    )
    p2047 = RawPart(
        [
            'Content-Type: application/pdf; name="=?utf-8?b?QsOgaSAyLnBkZg==?="',
            'Content-Disposition: attachment; filename="=?utf-8?b?QsOgaSAyLnBkZg==?="',
        ],
        b"%PDF-1.4 y",
    )
    parsed = parse_message(make_raw_email([TEXT, p2231, p2047]), LIMITS)
    assert [a.filename for a in parsed.attachments] == ["Bài viết gương điển hình.pdf", "Bài 2.pdf"]


def test_filename_path_traversal_and_control_chars_sanitised() -> None:
    assert sanitize_filename("../../etc/passwd") == "passwd"
    assert sanitize_filename("C:\\Windows\\system32\\bai.docx") == "bai.docx"
    assert sanitize_filename("bai\x00\x07viet\u202egpj.exe") == "bai viet gpj.exe"
    assert sanitize_filename("..") == ""
    long = "a" * 500 + ".docx"
    assert len(sanitize_filename(long)) <= 180 and sanitize_filename(long).endswith(".docx")
    nfd = unicodedata.normalize("NFD", "Bài.docx")
    assert sanitize_filename(nfd) == "Bài.docx"
    part = RawPart(
        [
            "Content-Type: application/pdf",
            'Content-Disposition: attachment; filename="../../../etc/cron.d/x\x01.pdf"',
        ],
        b"%PDF-1.4",
    )
    parsed = parse_message(make_raw_email([TEXT, part]), LIMITS)
    assert parsed.attachments[0].filename == "x .pdf"


def test_octet_stream_and_wrong_extension_docx_sniffed() -> None:
    doc = make_docx(DocSpec(title="T", paragraphs=["p"]))
    raw = make_email(
        attachments=[
            Attach("bai.bin", doc, "application/octet-stream"),
            Attach("bai.doc", doc, "application/msword"),
            Attach("anh.pdf", make_jpeg(), "application/pdf"),
        ]
    )
    atts = parse_message(raw, LIMITS).attachments
    assert [a.content_type for a in atts] == [DOCX_TYPE, DOCX_TYPE, "image/jpeg"]
    assert [a.declared_type for a in atts] == [
        "application/octet-stream",
        "application/msword",
        "application/pdf",
    ]
    assert FACTORY_DOCX == DOCX_TYPE


def test_sniff_types() -> None:
    assert sniff_type(b"%PDF-1.7") == "application/pdf"
    assert sniff_type(make_jpeg()) == "image/jpeg"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"
    assert sniff_type(ole + "WordDocument".encode("utf-16-le")) == "application/msword"
    assert sniff_type(ole + "EncryptedPackage".encode("utf-16-le")) == ENCRYPTED_OFFICE_TYPE
    assert sniff_type(ole + "Workbook".encode("utf-16-le")) == "application/vnd.ms-excel"
    assert sniff_type(ole) == "application/x-ole-storage"
    assert sniff_type(b"\xef\xbb\xbf {\\rtf1\\ansi hello}") == "application/rtf"
    assert sniff_type(b"PK\x03\x04 other.xml") == "application/zip"
    assert sniff_type(b"hello") is None


def test_inline_pdf_is_an_attachment_not_a_body() -> None:
    raw = make_email(
        attachments=[
            Attach("bai.pdf", make_pdf("T", ["p"]), "application/pdf", disposition="inline")
        ]
    )
    parsed = parse_message(raw, LIMITS)
    assert [a.content_type for a in parsed.attachments] == ["application/pdf"]
    assert parsed.attachments[0].disposition == "inline"
    assert parsed.bodies[0].plain is not None


def test_forwarded_message_parts_are_walked() -> None:
    inner = make_email(
        subject="Bài gốc",
        attachments=[
            Attach("bai.docx", make_docx(DocSpec(title="T", paragraphs=["p"])), FACTORY_DOCX)
        ],
    )
    raw = make_raw_email([TEXT, RawPart(["Content-Type: message/rfc822"], inner, "8bit")])
    parsed = parse_message(raw, LIMITS)
    assert [a.content_type for a in parsed.attachments] == [DOCX_TYPE]
    assert [b.scope for b in parsed.bodies] == ["", "2"]


def test_depth_limit() -> None:
    parsed = parse_message(make_nested_email(30), IngestConfig(max_mime_depth=10))
    assert [e.kind for e in parsed.errors] == ["limit"]
    assert "nesting" in parsed.errors[0].error
    assert parse_message(make_nested_email(5), IngestConfig(max_mime_depth=10)).errors == []


def test_parts_limit() -> None:
    parts = [TEXT] + [RawPart(["Content-Type: image/jpeg"], make_jpeg(seed=i)) for i in range(8)]
    parsed = parse_message(make_raw_email(parts), IngestConfig(max_mime_parts=5))
    assert len(parsed.attachments) == 4
    assert [e.kind for e in parsed.errors] == ["limit"]
    # The four parts past the limit are listed, refused, so the message can name them.
    assert [a.part_path for a in parsed.skipped] == ["6", "7", "8", "9"]
    assert all(a.used_as == "refused" for a in parsed.skipped)
    assert all(
        a.error.startswith("over-limit: the message has more than 5") for a in parsed.skipped
    )


def test_parts_far_past_the_limit_are_listed_in_bounded_space() -> None:
    parts = [TEXT] + [RawPart(["Content-Type: image/jpeg"], b"x") for _ in range(60)]
    parsed = parse_message(make_raw_email(parts), IngestConfig(max_mime_parts=5))
    assert len(parsed.skipped) == SKIPPED_LISTED + 1
    assert "every later part not read" in parsed.skipped[-1].error


def test_parts_nested_too_deep_are_listed_refused() -> None:
    parsed = parse_message(make_nested_email(30), IngestConfig(max_mime_depth=5))
    assert [a.used_as for a in parsed.skipped] == ["refused"]
    assert parsed.skipped[0].error.startswith("over-limit: MIME nesting deeper than 5")


def test_attachment_size_limit() -> None:
    big = RawPart(
        ["Content-Type: application/pdf", 'Content-Disposition: attachment; filename="a.pdf"'],
        b"%PDF" + b"x" * 5000,
    )
    parsed = parse_message(make_raw_email([TEXT, big]), IngestConfig(max_attachment_bytes=1000))
    assert parsed.attachments == []
    assert parsed.errors[0].kind == "limit" and parsed.errors[0].filename == "a.pdf"
    assert parsed.skipped[0].used_as == "refused"
    assert parsed.skipped[0].error.startswith("over-limit: ")
    assert parsed.skipped[0].declared_type == "application/pdf"


def test_message_and_header_size_limits() -> None:
    raw = make_raw_email([TEXT])
    assert "max_message_bytes" in parse_message(raw, IngestConfig(max_message_bytes=100)).fatal
    huge = make_raw_email([TEXT], extra_headers=[b"X-Junk: " + b"a" * 3000])
    parsed = parse_message(huge, IngestConfig(max_header_bytes=1000))
    assert "max_header_bytes" in parsed.fatal
    assert parsed.headers.message_id == "raw-1@laocai.gov.vn"


def test_decode_text_falls_back_and_composes() -> None:
    cp = to_cp1258("Tiếng Việt")
    assert decode_text(cp, "windows-1258") == "Tiếng Việt"
    assert decode_text("Việt".encode(), "x-unknown") == "Việt"
    assert decode_text(cp, "utf-8") == "Tiếng Việt"
