"""TCVN3 and VNI documents keep every letter through LibreOffice and the text fallbacks.

Why: in TCVN3 the letter "ư" is the byte 0xAD, which is also the soft hyphen. A TCVN3
.doc converted by LibreOffice came out as "Phơng", "trởng", "đợc": the converter writes
the character as ``<w:softHyphen/>`` in the .docx and the docx reader dropped that
element; antiword and catdoc drop Word's optional hyphen too. The documents here are
written by hand as RTF (``\\'xx`` escapes for the 8-bit codes, fonts ``.VnTime`` /
``.VnTimeH`` / ``VNI-Times``, "ư" as ``\\'ad`` and as RTF's optional hyphen ``\\-``) and
turned into real .doc and .odt files by LibreOffice in the test, then read through the
product path (``convert_legacy``).
"""

from __future__ import annotations

import shutil
import unicodedata

import pytest
from legacydocs import PARAGRAPHS, SOFFICE, TITLE, WORDS_WITH_U, legacy_rtf, soffice_save

from dienhinh.core.types import Part
from dienhinh.ingest import convert
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import convert_legacy
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.mime import DOCX_TYPE
from factory import Para, make_docx_paragraphs, to_tcvn3, to_vni

needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """TCVN3 and VNI documents: hand-written RTF, and .doc/.odt saved from it by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice missing: run scripts/test-setup")
    out: dict[str, bytes] = {}
    sources = {
        "tcvn3": legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH"),
        "tcvn3-optional-hyphen": legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH", hyphen="\\-"),
        "vni": legacy_rtf(to_vni, "VNI-Times", "VNI-Times"),
        "tcvn3-long": legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH", repeat=12),
    }
    for name, rtf in sources.items():
        out[f"{name}.rtf"] = rtf
        for target in ("doc", "odt"):
            work = tmp_path_factory.mktemp(f"{name}-{target}")
            out[f"{name}.{target}"] = soffice_save(rtf, target, work)
    return out


def _check(text: str, *, title: str | None = None, repeat: int = 1) -> None:
    assert unicodedata.is_normalized("NFC", text)
    for word in WORDS_WITH_U:
        assert word.casefold() in text.casefold(), word
    assert text.split("\n\n") == PARAGRAPHS * repeat
    if title is not None:
        assert title == TITLE.upper()


def test_the_fixtures_hold_the_soft_hyphen_code() -> None:
    """The RTF really carries "ư" as 0xAD (or as RTF's optional hyphen)."""
    assert "\\'ad" in legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH").decode()
    with_hyphen = legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH", hyphen="\\-").decode()
    assert "\\'ad" not in with_hyphen and "Ph\\-\\'acng" in with_hyphen


@needs_soffice
@pytest.mark.parametrize("name", ["tcvn3", "tcvn3-optional-hyphen"])
@pytest.mark.parametrize("kind", ["rtf", "doc", "odt"])
def test_tcvn3_keeps_every_u_through_libreoffice(
    files: dict[str, bytes], name: str, kind: str, ctx: ExtractContext
) -> None:
    """GIVEN a .VnTime document (RTF by hand, .doc and .odt saved by LibreOffice)
    WHEN read through the conversion path
    THEN "Phương", "trưởng", "được", "người" ... are whole and the .VnTimeH title is
    upper case."""
    [article] = convert_legacy(files[f"{name}.{kind}"], f"bai-viet.{kind}", ctx)
    assert "legacy-encoding:tcvn3" in article.flags
    _check(article.text, title=article.title)


@needs_soffice
@pytest.mark.parametrize("kind", ["rtf", "doc", "odt"])
def test_vni_keeps_every_letter_through_libreoffice(
    files: dict[str, bytes], kind: str, ctx: ExtractContext
) -> None:
    [article] = convert_legacy(files[f"vni.{kind}"], f"bai-viet.{kind}", ctx)
    assert "legacy-encoding:vni" in article.flags
    assert article.title.casefold() == TITLE
    _check(article.text)


def _only(monkeypatch: pytest.MonkeyPatch, *tools: str) -> None:
    real = convert._which
    monkeypatch.setattr(convert, "_which", lambda name: real(name) if name in tools else None)


@needs_soffice
@pytest.mark.skipif(shutil.which("catdoc") is None, reason="catdoc missing")
@pytest.mark.parametrize("tools", [("catdoc",), ("antiword", "catdoc")])
def test_tcvn3_doc_without_libreoffice_keeps_u_with_catdoc(
    files: dict[str, bytes], tools: tuple[str, ...], ctx: ExtractContext, monkeypatch
) -> None:
    """GIVEN no LibreOffice WHEN a TCVN3 .doc is read as text THEN catdoc (also when
    antiword is there: antiword drops the soft hyphen) gives every "ư"."""
    _only(monkeypatch, *tools)
    [article] = convert_legacy(files["tcvn3-long.doc"], "bai.doc", ctx)
    assert {"converted-text-only", "legacy-encoding:tcvn3"} <= set(article.flags)
    assert "legacy-letters-lost" not in article.flags
    assert article.title.casefold() == TITLE  # plain text: no H font to say "capitals"
    _check(article.text, repeat=12)


@needs_soffice
@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword missing")
def test_tcvn3_doc_read_by_antiword_alone_says_letters_are_lost(
    files: dict[str, bytes], ctx: ExtractContext, monkeypatch, caplog
) -> None:
    """antiword alone cannot give "ư" back: the article says so (flag, reason, log)."""
    _only(monkeypatch, "antiword")
    [article] = convert_legacy(files["tcvn3-long.doc"], "bai.doc", ctx)
    assert "legacy-letters-lost" in article.flags
    assert "drops the soft hyphen" in article.error
    assert "Phơng" in article.text  # what the editor would otherwise see unexplained
    assert any("drops the soft hyphen" in r.message for r in caplog.records)


@needs_soffice
def test_tcvn3_odt_without_libreoffice_keeps_u(
    files: dict[str, bytes], ctx: ExtractContext, monkeypatch
) -> None:
    _only(monkeypatch)
    [article] = convert_legacy(files["tcvn3.odt"], "bai.odt", ctx)
    assert "legacy-encoding:tcvn3" in article.flags
    assert article.title.casefold() == TITLE  # plain text: no H font to say "capitals"
    _check(article.text)


# --- the docx reader's <w:softHyphen/> ------------------------------------------------------


def _docx_with_soft_hyphens(font: str, text: str) -> bytes:
    """A .docx whose 0xAD codes are ``<w:softHyphen/>`` elements, as LibreOffice writes."""
    import io
    import zipfile

    doc = make_docx_paragraphs([Para(text, font=font)])
    src = zipfile.ZipFile(io.BytesIO(doc))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace("\u00ad".encode(), b"</w:t><w:softHyphen/><w:t>")
                assert b"<w:softHyphen/>" in data
            out.writestr(item, data)
    return buf.getvalue()


def _read_docx(data: bytes, ctx: ExtractContext) -> str:
    [article] = DocxExtractor().extract(
        Part(path="2", content_type=DOCX_TYPE, payload=data, filename="bai.docx"), ctx
    )
    return article.text


@pytest.mark.parametrize(
    ("font", "expected"),
    [
        (".VnTime", PARAGRAPHS[0]),
        # A font name that says nothing: the text-level legacy check decodes it, 0xAD too.
        ("Times New Roman", PARAGRAPHS[0]),
    ],
)
def test_soft_hyphen_elements_in_tcvn3_runs_are_u(
    font: str, expected: str, ctx: ExtractContext
) -> None:
    assert _read_docx(_docx_with_soft_hyphens(font, to_tcvn3(PARAGRAPHS[0])), ctx) == expected


def test_soft_hyphen_elements_in_unicode_text_are_dropped(ctx: ExtractContext) -> None:
    """In a Unicode document a soft hyphen is an invisible hyphenation point."""
    text = "Hội nghị tổng kết phong trào thi đua yêu nước năm nay diễn ra tại hội trường."
    data = _docx_with_soft_hyphens("Times New Roman", text.replace("tổng", "tổng\u00ad"))
    assert _read_docx(data, ctx) == text
