"""ZIP attachments: members go through the extractors; bombs and tricks are refused.

Why: units send "file nén" (a .zip of the article and its photos), and a zip is the
cheapest way to send something hostile (a bomb, a path-traversal name, an archive
nested forever). The archive must be judged from its directory before anything is
inflated, and a refused archive must fail alone, visibly, with the rest of the mail read.
"""

from __future__ import annotations

import pytest

from dienhinh.core.config import IngestConfig
from dienhinh.core.types import Part
from dienhinh.ingest.archive import ArchiveLimit, expand_archive, is_archive, member_name
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.mime import DOCX_TYPE, ZIP_TYPE, sniff_type
from factory import (
    Attach,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
    make_pdf,
    make_zip,
    mark_zip_encrypted,
    set_zip_declared_size,
    to_cp1258,
)

LIMITS = IngestConfig()


def _docx(seed: int = 1) -> bytes:
    title, paras = article_text(seed)
    return make_docx(DocSpec(title=title, paragraphs=paras))


def _zip_part(data: bytes, name: str = "baiviet.zip") -> Part:
    return Part(path="2", content_type=ZIP_TYPE, payload=data, filename=name)


def _mail_with_zip(
    data: bytes,
    ctype: str = "application/x-zip-compressed",
    name: str = "baiviet.zip",
    extra: tuple[Attach, ...] = (),
) -> bytes:
    return make_email(attachments=[Attach(name, data, ctype), *extra])


def test_zip_with_docx_and_photo_gives_zip_docx_article(ctx: ExtractContext) -> None:
    """GIVEN a zip holding a docx and a photo WHEN extracted THEN one article with source
    "zip-docx" owns the photo, and the members are listed under the zip's path."""
    title, _ = article_text(1)
    data = make_zip([("Gương điển hình.docx", _docx(1)), ("anh1.jpg", make_jpeg(seed=3))])
    out = extract_message(_mail_with_zip(data), ctx)
    [art] = out.articles
    assert (art.source, art.title, art.origin) == ("zip-docx", title, "Gương điển hình.docx")
    assert [(i.role, i.filename) for i in art.images] == [("photo", "anh1.jpg")]
    assert [(a.part_path, a.filename, a.used_as) for a in out.attachments] == [
        ("2", "baiviet.zip", "archive"),
        ("2/zip:1", "Gương điển hình.docx", "article"),
        ("2/zip:2", "anh1.jpg", "photo"),
    ]
    assert out.errors == []


def test_mislabelled_zip_and_pdf_member(ctx: ExtractContext) -> None:
    data = make_zip([("bai.pdf", make_pdf(*article_text(2)))])
    out = extract_message(_mail_with_zip(data, "application/octet-stream", "tep.dat"), ctx)
    assert [a.source for a in out.articles] == ["zip-pdf"]


def test_docx_is_not_taken_for_an_archive() -> None:
    part = Part(path="2", content_type=DOCX_TYPE, payload=_docx(), filename="a.docx")
    assert sniff_type(part.payload) == DOCX_TYPE and not is_archive(part)
    # A docx stored uncompressed inside a zip shows "word/document.xml" in the zip's bytes:
    # the members, not a byte search, decide.
    stored = make_zip([("bai.docx", _docx())], compress=False)
    assert b"word/document.xml" in stored
    assert sniff_type(stored) == ZIP_TYPE


def test_nested_zip_members_are_flattened() -> None:
    inner = make_zip([("bai.docx", _docx(3))])
    outer = make_zip([("trong.zip", inner), ("anh.jpg", make_jpeg(seed=1))])
    got = expand_archive(_zip_part(outer), LIMITS)
    assert [(p.path, p.filename, p.content_type) for p in got.parts] == [
        ("2/zip:1/zip:1", "bai.docx", DOCX_TYPE),
        ("2/zip:2", "anh.jpg", "image/jpeg"),
    ]


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    data = make_zip([("bai.docx", _docx())])
    for level in range(3):
        data = make_zip([(f"lop{level}.zip", data)])
    # 4 archives deep; the default allows 3.
    with pytest.raises(ArchiveLimit, match="max_archive_depth"):
        expand_archive(_zip_part(data), LIMITS)
    assert len(expand_archive(_zip_part(data), IngestConfig(max_archive_depth=4)).parts) == 1


def test_zip_bomb_by_ratio_is_refused_before_inflating(ctx: ExtractContext) -> None:
    """GIVEN a member that inflates 4 MB of zeros from a few KB WHEN the mail is extracted
    THEN the archive fails with a limit error and the PDF beside it is still read."""
    bomb = make_zip([("bai.docx", _docx()), ("rong.txt", b"\0" * (4 * 1024 * 1024))])
    pdf = Attach("bai.pdf", make_pdf(*article_text(4)), "application/pdf")
    out = extract_message(_mail_with_zip(bomb, extra=(pdf,)), ctx)
    assert [a.source for a in out.articles] == ["pdf"]
    zip_att = next(a for a in out.attachments if a.filename == "baiviet.zip")
    assert zip_att.used_as == "refused" and "max_compression_ratio" in zip_att.error
    assert zip_att.error.startswith("over-limit: ")
    assert out.status == "ingested" and "baiviet.zip: over-limit: " in (out.reason or "")
    assert [(e.part_path, e.kind) for e in out.errors] == [("2", "limit")]
    assert not any(a.part_path.startswith("2/zip:") for a in out.attachments)


def test_member_declared_over_the_size_limit() -> None:
    data = make_zip([("anh.jpg", make_jpeg(200, 200, seed=1))])
    with pytest.raises(ArchiveLimit, match="max_attachment_bytes"):
        expand_archive(_zip_part(data), IngestConfig(max_attachment_bytes=1000))


def test_total_declared_size_over_the_limit() -> None:
    data = make_zip([(f"anh{i}.jpg", make_jpeg(64, 64, seed=i)) for i in range(4)])
    with pytest.raises(ArchiveLimit, match="max_archive_total_bytes"):
        expand_archive(_zip_part(data), IngestConfig(max_archive_total_bytes=3000))


def test_member_understating_its_size_is_not_read_past_the_cap(ctx: ExtractContext) -> None:
    """A header that declares 100 bytes for a 40 KB member: reading stops at the cap and
    the archive is refused (never inflated to its real size)."""
    data = set_zip_declared_size(
        make_zip([("anh.jpg", make_jpeg(200, 200, seed=2))]), "anh.jpg", 100
    )
    out = extract_message(_mail_with_zip(data), ctx)
    [zip_att] = out.attachments
    assert zip_att.used_as == "refused" and zip_att.error.startswith(
        ("over-limit: ", "unreadable: ")
    )
    assert out.errors[0].part_path == "2"


def test_too_many_members() -> None:
    data = make_zip([(f"anh{i}.jpg", make_jpeg(8, 8, seed=i)) for i in range(6)])
    with pytest.raises(ArchiveLimit, match="max_archive_members"):
        expand_archive(_zip_part(data), IngestConfig(max_archive_members=5))
    # Members of nested archives count against the same budget.
    nested = make_zip(
        [
            ("a.zip", make_zip([("1.jpg", make_jpeg(seed=1)), ("2.jpg", make_jpeg(seed=2))])),
            ("3.jpg", make_jpeg(seed=3)),
        ]
    )
    with pytest.raises(ArchiveLimit):
        expand_archive(_zip_part(nested), IngestConfig(max_archive_members=3))


def test_encrypted_member_is_refused_the_rest_goes_on(ctx: ExtractContext) -> None:
    data = mark_zip_encrypted(
        make_zip([("bai.docx", _docx(5)), ("mat.docx", _docx(6))]), "mat.docx"
    )
    got = expand_archive(_zip_part(data), LIMITS)
    assert [p.filename for p in got.parts] == ["bai.docx"]
    [err] = got.errors
    assert err.part_path == "2/zip:2" and "encrypted" in err.error
    out = extract_message(_mail_with_zip(data), ctx)
    assert [a.title for a in out.articles] == [article_text(5)[0]]
    assert [e.kind for e in out.errors] == ["failed"]


def test_traversal_and_control_characters_in_member_names() -> None:
    data = make_zip(
        [
            ("../../etc/bai.docx", _docx()),
            ("C:\\Windows\\anh.jpg", make_jpeg(seed=1)),
            ("anh\x07\u202egpj.exe", make_jpeg(seed=2)),
            ("__MACOSX/._anh.jpg", b"junk"),
            ("thu muc/", b""),
        ]
    )
    names = [p.filename for p in expand_archive(_zip_part(data), LIMITS).parts]
    assert names == ["bai.docx", "anh.jpg", "anh gpj.exe"]
    assert all("/" not in n and "\\" not in n for n in names)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bài viết điển hình.docx", "Bài viết điển hình.docx"),  # UTF-8 flag set
        ("Bài viết.docx".encode(), "Bài viết.docx"),  # UTF-8 without the flag (7-Zip)
        (to_cp1258("Bài viết.docx"), "Bài viết.docx"),  # windows-1258 (old Windows tools)
        (b"bai viet.docx", "bai viet.docx"),
    ],
)
def test_member_names_decoded(raw: str | bytes, expected: str) -> None:
    import io
    import zipfile

    data = make_zip([(raw, _docx())])
    [info] = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert member_name(info) == expected
    [part] = expand_archive(_zip_part(data), LIMITS).parts
    assert part.filename == expected


def test_damaged_zip_fails_alone(ctx: ExtractContext) -> None:
    data = make_zip([("bai.docx", _docx())])[:200]
    pdf = Attach("b.pdf", make_pdf(*article_text(7)), "application/pdf")
    out = extract_message(_mail_with_zip(data, extra=(pdf,)), ctx)
    assert [a.source for a in out.articles] == ["pdf"]
    assert out.attachments[0].used_as == "refused"
    assert out.attachments[0].error.startswith("unreadable: ")
