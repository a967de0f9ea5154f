"""Fuzz each document extractor (``ingest.extractors``: docx, pdf, html, text, legacy)
and the archive opener on mutated documents, called directly so every case reaches the
parser (through a whole message most mutations stop at the MIME layer).

Property (the Extractor contract, ``ingest/extractors/base.py``): ``extract`` returns
drafts or raises an ``ExtractionError`` subclass, nothing else, within the time bound;
drafts are in a known state (with an error when not readable), their text NFC, their
source and image fields within the database's columns.
"""

from __future__ import annotations

from fuzzkit import (
    BYTE_OPS,
    CHARSETS,
    ERROR_KINDS,
    LIMITS,
    ZIP_OPS,
    archive_seeds,
    build,
    cases,
    check_draft,
    docx_seeds,
    fuzz_settings,
    hard_timeout,
    html_seeds,
    legacy_seeds,
    pdf_seeds,
    text_seeds,
)
from hypothesis import given
from hypothesis import strategies as st

from dienhinh.core.errors import ExtractionError, LimitExceeded, MalformedDocument
from dienhinh.core.types import Part
from dienhinh.ingest.archive import expand_archive
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.extractors.html import HtmlExtractor
from dienhinh.ingest.extractors.legacy import LegacyExtractor
from dienhinh.ingest.extractors.pdf import PdfExtractor
from dienhinh.ingest.extractors.text import TextExtractor
from dienhinh.ingest.mime import DOCX_TYPE, MAX_FILENAME_CHARS, sanitize_filename
from factory import make_jpeg

LEGACY_TYPES = [
    "application/msword",
    "application/rtf",
    "application/vnd.oasis.opendocument.text",
    "application/octet-stream",
]


def _run(extractor, part, ctx):
    """Drafts, or None when the extractor refused the document the documented way."""
    with hard_timeout():
        try:
            drafts = extractor.extract(part, ctx)
        except ExtractionError as err:
            assert str(err), type(err)
            return None
    assert isinstance(drafts, list)
    for i, d in enumerate(drafts):
        check_draft(d, f"{extractor.name}[{i}]", controls=False)
    return drafts


@fuzz_settings("docx")
@given(case=st.deferred(lambda: cases(docx_seeds(), ZIP_OPS, max_size=3)))
def test_docx_extractor(case, fuzz_ctx):
    part = Part(
        path="2", content_type=DOCX_TYPE, payload=build(docx_seeds(), case), filename="bai.docx"
    )
    _run(DocxExtractor(), part, fuzz_ctx)


@fuzz_settings("pdf")
@given(case=st.deferred(lambda: cases(pdf_seeds(), BYTE_OPS, max_size=4)))
def test_pdf_extractor(case, fuzz_ctx):
    part = Part(
        path="2",
        content_type="application/pdf",
        payload=build(pdf_seeds(), case),
        filename="bai.pdf",
    )
    _run(PdfExtractor(), part, fuzz_ctx)


_PHOTO = st.deferred(lambda: st.just(make_jpeg(8, 8, seed=9)))


@fuzz_settings("html")
@given(
    case=st.deferred(lambda: cases(html_seeds(), BYTE_OPS, max_size=4)),
    charset=st.sampled_from(CHARSETS),
    photo=_PHOTO,
)
def test_html_extractor(case, charset, photo, fuzz_ctx):
    related = [Part(path="3", content_type="image/jpeg", payload=photo, content_id="anh1@x")]
    part = Part(
        path="1",
        content_type="text/html",
        payload=build(html_seeds(), case),
        charset=charset,
        related=related,
    )
    _run(HtmlExtractor(), part, fuzz_ctx)


@fuzz_settings("text")
@given(
    case=st.deferred(lambda: cases(text_seeds(), BYTE_OPS, max_size=4)),
    charset=st.sampled_from(CHARSETS),
)
def test_text_extractor(case, charset, fuzz_ctx):
    part = Part(
        path="1", content_type="text/plain", payload=build(text_seeds(), case), charset=charset
    )
    drafts = _run(TextExtractor(), part, fuzz_ctx)
    assert drafts, "a body always gives its own text, even empty"


@fuzz_settings("legacy")
@given(
    case=st.deferred(lambda: cases(legacy_seeds(), BYTE_OPS, max_size=3)),
    ctype=st.sampled_from(LEGACY_TYPES),
    name=st.sampled_from(["bai.doc", "bai.rtf", "bai.odt", "", "x." + "d" * 300]),
)
def test_legacy_extractor(case, ctype, name, fuzz_ctx):
    part = Part(path="2", content_type=ctype, payload=build(legacy_seeds(), case), filename=name)
    ex = LegacyExtractor()
    if ex.score(part) is None:
        return
    assert _run(ex, part, fuzz_ctx) is None  # never text without a converter


@fuzz_settings("archive")
@given(case=st.deferred(lambda: cases(archive_seeds(), ZIP_OPS, max_size=3)))
def test_archive_members(case, fuzz_ctx):
    part = Part(
        path="2",
        content_type="application/zip",
        payload=build(archive_seeds(), case),
        filename="bai.zip",
    )
    with hard_timeout():
        try:
            expanded = expand_archive(part, LIMITS)
        except (LimitExceeded, MalformedDocument) as err:
            assert str(err)
            return
    assert len(expanded.parts) <= LIMITS.max_archive_members
    assert sum(p.size for p in expanded.parts) <= LIMITS.max_archive_total_bytes
    for p in expanded.parts:
        assert p.filename == sanitize_filename(p.filename), p.filename
        assert len(p.filename) <= MAX_FILENAME_CHARS
        assert p.path.startswith("2/zip:"), p.path
    for e in expanded.errors:
        assert e.kind in ERROR_KINDS, e
