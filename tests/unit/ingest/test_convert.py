"""Legacy .doc/.odt/.rtf → articles (ingest/convert.py).

The fixtures are made here: the .doc by LibreOffice from a python-docx document (one
~1.5 s run per module), the .odt and .rtf written by hand. The LibreOffice tests are
few on purpose: each conversion costs 1-2 s, nearly all of it LibreOffice starting.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsConversion
from dienhinh.core.text import fold
from dienhinh.ingest import convert
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import (
    OLE2_MAGIC,
    available_converters,
    convert_legacy,
    detect_legacy_kind,
)
from factory import DocImage, DocSpec, make_docx, make_jpeg

HAS_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))
HAS_ANTIWORD = shutil.which("antiword") is not None
HAS_CATDOC = shutil.which("catdoc") is not None
needs_soffice = pytest.mark.skipif(
    not HAS_SOFFICE, reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup"
)

LETTERHEAD = "UBND HUYỆN BÁT XÁT"
TITLE = "Bà Lò Thị Hoà ở xã Mường Hum nuôi ong lấy mật để thoát nghèo"
PARAGRAPHS = [
    "Nhiều năm qua, bà Lò Thị Hoà được bà con trong bản biết đến là người đi đầu trong "
    "việc nuôi ong lấy mật dưới tán rừng. Từ hai bàn tay trắng, gia đình đã vươn lên.",
    "Năm 2019, sau khi tham gia lớp tập huấn do xã tổ chức, bà mạnh dạn vay 50 triệu đồng "
    "vốn ưu đãi để mua 40 đàn ong. Đến nay mỗi năm thu nhập đạt trên 200 triệu đồng.",
    "Không chỉ làm giàu cho bản thân, bà còn hướng dẫn cho 15 hộ trong thôn cùng làm theo, "
    "góp phần xây dựng nông thôn mới ở địa phương.",
]


def _nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


def _docx() -> bytes:
    return make_docx(
        DocSpec(
            title=TITLE,
            paragraphs=PARAGRAPHS,
            letterhead=(LETTERHEAD,),
            images=[DocImage(make_jpeg(120, 90, seed=3), "Ảnh: bà Hoà bên đàn ong", 0)],
        )
    )


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A Word 97 .doc made by LibreOffice from a python-docx document."""
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice missing: run scripts/test-setup")
    work = tmp_path_factory.mktemp("mkdoc")
    (work / "in.docx").write_bytes(_docx())
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(work),
            str(work / "in.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (work / "in.doc").read_bytes()


def _odt() -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        "<office:body><office:text>"
        f"<text:p>{LETTERHEAD}</text:p>"
        f'<text:h text:outline-level="1">{TITLE}</text:h>'
        + "".join(f"<text:p>{p}</text:p>" for p in PARAGRAPHS)
        + "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _rtf_escape(text: str) -> str:
    # RTF is 7-bit: every non-ASCII character is \uN followed by a one-character fallback.
    return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)


def _rtf() -> bytes:
    body = [f"\\pard {_rtf_escape(LETTERHEAD)}\\par", f"\\pard\\b {_rtf_escape(TITLE)}\\b0\\par"]
    body += [f"\\pard {_rtf_escape(p)}\\par" for p in PARAGRAPHS]
    rtf = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\uc1\n"
    return (rtf + "\n".join(body) + "\n}").encode("ascii")


def _fake_doc() -> bytes:
    """Bytes that pass for a Word 97 .doc by their magic and stream names only."""
    return (
        OLE2_MAGIC
        + b"\0" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\0" * 10
        + "1Table".encode("utf-16-le")
        + b"\0" * 1024
    )


def _hide(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    real = convert._which
    monkeypatch.setattr(convert, "_which", lambda name: None if name in missing else real(name))


def _check_article(article_title: str, text: str) -> None:
    assert _nfc(article_title) and _nfc(text)
    assert fold(article_title) == fold(TITLE)
    for para in PARAGRAPHS:
        assert fold(para) in fold(text)
    assert fold(LETTERHEAD) not in fold(text)


# --- cheap tests: detection and errors ----------------------------------------------------


def test_available_converters_follows_path(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {"libreoffice": "/usr/bin/libreoffice", "catdoc": "/usr/bin/catdoc"}
    monkeypatch.setattr(convert.shutil, "which", found.get)
    assert available_converters() == ["soffice", "catdoc"]  # libreoffice counts as soffice


def test_detect_legacy_kind_reads_magic_bytes_not_names() -> None:
    assert detect_legacy_kind(_fake_doc()) == "doc"
    assert (
        detect_legacy_kind(_fake_doc().replace("1Table".encode("utf-16-le"), b"x" * 12)) == "doc95"
    )
    assert detect_legacy_kind(_rtf()) == "rtf"
    assert detect_legacy_kind(_odt()) == "odt"
    assert detect_legacy_kind(_docx()) == "docx"
    assert detect_legacy_kind(b"<html><body>not a doc</body></html>") is None
    assert detect_legacy_kind(OLE2_MAGIC + b"\0" * 600) is None  # an OLE2 file, not Word


def test_no_converter_raises_needs_conversion(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext
) -> None:
    _hide(monkeypatch, "soffice", "antiword", "catdoc")
    with pytest.raises(NeedsConversion, match=r"no converter for \.doc: install LibreOffice"):
        convert_legacy(_fake_doc(), "bai-viet.doc", ctx)
    with pytest.raises(NeedsConversion, match=r"\.rtf"):
        convert_legacy(_rtf(), "bai-viet.rtf", ctx)


def test_not_a_legacy_document_is_malformed(ctx: ExtractContext) -> None:
    with pytest.raises(MalformedDocument, match=r"not a \.doc, \.odt or \.rtf"):
        convert_legacy(b"%PDF-1.4 renamed", "bai-viet.doc", ctx)
    with pytest.raises(MalformedDocument, match="without a WordDocument stream"):
        convert_legacy(OLE2_MAGIC + b"\0" * 600, "bang-tinh.doc", ctx)
    encrypted = OLE2_MAGIC + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(MalformedDocument, match="password-protected"):
        convert_legacy(encrypted, "mat-khau.doc", ctx)


def test_docx_under_a_legacy_name_is_read_directly(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext
) -> None:
    _hide(monkeypatch, "soffice", "antiword", "catdoc")  # proves no converter is needed
    [article] = convert_legacy(_docx(), "bai-viet.doc", ctx)
    assert article.source == "docx" and "converted" not in article.flags
    _check_article(article.title, article.text)


def test_odt_without_libreoffice_reads_content_xml(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext
) -> None:
    _hide(monkeypatch, "soffice")
    [article] = convert_legacy(_odt(), "bai-viet.odt", ctx)
    assert article.source == "odt"
    assert article.flags == ["converted-text-only"]
    assert article.header_lines == [LETTERHEAD]
    _check_article(article.title, article.text)


def test_timeout_kills_the_converter_and_its_children(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctx: ExtractContext
) -> None:
    """GIVEN a "soffice" that starts a child and hangs
    WHEN the conversion runs past conversion_timeout_seconds
    THEN LimitExceeded names the timeout and the whole process group is gone."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pid_file = tmp_path / "child.pid"
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(convert.tempfile, "tempdir", str(tmp_path))  # private lock and profile
    quick = dataclasses.replace(
        ctx, limits=dataclasses.replace(ctx.limits, conversion_timeout_seconds=1)
    )
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="longer than 1 s"):
        convert_legacy(_fake_doc(), "bai-viet.doc", quick)
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    for _ in range(50):  # killed; at most a zombie waiting for init to reap it
        try:
            state = Path(f"/proc/{child}/stat").read_text().split(") ")[1][0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"child {child} of the fake converter survived the timeout")


# --- the text-only fallbacks (need antiword/catdoc and a real .doc) -----------------------


@pytest.mark.skipif(not HAS_ANTIWORD, reason="antiword missing: run scripts/test-setup")
def test_doc_without_libreoffice_uses_antiword(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext, doc_bytes: bytes
) -> None:
    _hide(monkeypatch, "soffice")
    [article] = convert_legacy(doc_bytes, "bai-viet.doc", ctx)
    assert article.source == "doc"
    assert article.flags == ["converted-text-only"]
    assert article.images == []
    assert article.header_lines == [LETTERHEAD]
    _check_article(article.title, article.text)


@pytest.mark.skipif(not HAS_CATDOC, reason="catdoc missing: run scripts/test-setup")
def test_doc_falls_back_to_catdoc(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext, doc_bytes: bytes
) -> None:
    _hide(monkeypatch, "soffice", "antiword")
    [article] = convert_legacy(doc_bytes, "bai-viet.doc", ctx)
    assert article.flags == ["converted-text-only"]
    _check_article(article.title, article.text)


# --- LibreOffice (slow: ~1.5 s each) ------------------------------------------------------


@needs_soffice
def test_doc_is_converted_and_read_like_a_docx(ctx: ExtractContext, doc_bytes: bytes) -> None:
    [article] = convert_legacy(doc_bytes, "Bài viết điển hình.doc", ctx, part_path="2")
    assert article.source == "doc"
    assert "converted" in article.flags
    assert article.origin == "Bài viết điển hình.doc"
    assert article.header_lines == [LETTERHEAD]
    _check_article(article.title, article.text)
    [image] = article.images  # the picture survived the round trip, with its caption
    assert image.caption == "Ảnh: bà Hoà bên đàn ong"
    assert image.part_path == "2"


@needs_soffice
@pytest.mark.parametrize(("kind", "make"), [("odt", _odt), ("rtf", _rtf)])
def test_odt_and_rtf_are_converted(kind: str, make: object, ctx: ExtractContext) -> None:
    assert callable(make)
    [article] = convert_legacy(make(), f"bai-viet.{kind}", ctx)
    assert article.source == kind
    assert article.flags[:1] == ["converted"]
    assert article.header_lines == [LETTERHEAD]
    _check_article(article.title, article.text)


@needs_soffice
def test_damaged_doc_is_malformed_not_garbage_text(ctx: ExtractContext, doc_bytes: bytes) -> None:
    """Without a forced import filter LibreOffice would import a damaged .doc as plain
    text and "succeed"; the article would be binary garbage."""
    damaged = doc_bytes[:512] + b"\xff" * (len(doc_bytes) - 512 - 2048) + doc_bytes[-2048:]
    with pytest.raises(MalformedDocument, match=r"LibreOffice could not read this \.doc"):
        convert_legacy(damaged, "hong.doc", ctx)


# --- LibreOffice never reaches the network ------------------------------------------------


class _Listener:
    """An HTTP server on loopback that records every request made to it."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.end_headers()

            do_GET = do_HEAD = do_POST = do_OPTIONS = do_PROPFIND = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> object:
    server = _Listener()
    yield server
    server.close()


def _odt_linking(url: str) -> bytes:
    """An .odt whose picture is not inside the file but linked to ``url``."""
    odt = _odt()
    with zipfile.ZipFile(io.BytesIO(odt)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    frame = (
        '<text:p><draw:frame draw:name="anh" text:anchor-type="as-char" svg:width="3cm"'
        ' svg:height="2cm"><draw:image xlink:href="' + url + '" xlink:type="simple"'
        ' xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>'
    )
    content = members["content.xml"].decode()
    content = content.replace(
        'office:version="1.3">',
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
        ' office:version="1.3">',
    ).replace("</office:text>", frame + "</office:text>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), members.pop("mimetype"))
        for name, data in members.items():
            zf.writestr(name, content if name == "content.xml" else data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _plain_soffice(odt: bytes, work: Path) -> None:
    """The conversion as LibreOffice does it by default (fresh profile, network)."""
    (work / "in.odt").write_bytes(odt)
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(work),
            str(work / "in.odt"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@needs_soffice
def test_libreoffice_conversion_never_reaches_the_network(
    listener: _Listener, ctx: ExtractContext, tmp_path: Path
) -> None:
    """GIVEN an .odt whose picture links to a listener on loopback
    WHEN LibreOffice converts it as this project runs it
    THEN no request reaches the listener, and the article's text is read.
    The same file converted by plain soffice does fetch the picture: that run proves
    the test can fail."""
    odt = _odt_linking(f"{listener.url}/anh.png")
    _plain_soffice(odt, tmp_path)
    assert listener.hits, "plain LibreOffice did not fetch the linked picture"
    listener.hits.clear()
    [article] = convert_legacy(odt, "bai-viet.odt", ctx)
    assert listener.hits == []
    _check_article(article.title, article.text)


@needs_soffice
def test_without_namespaces_the_profile_setting_still_blocks_fetching(
    listener: _Listener,
    ctx: ExtractContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN a machine without ``unshare`` (a fresh LibreOffice profile, too)
    WHEN the linked .odt is converted
    THEN a warning says LibreOffice keeps the network, and still nothing is fetched."""
    real_which = convert.shutil.which
    monkeypatch.setattr(
        convert.shutil, "which", lambda name: None if name == "unshare" else real_which(name)
    )
    monkeypatch.setattr(convert.tempfile, "tempdir", str(tmp_path))  # a new profile
    convert._offline_prefix.cache_clear()
    try:
        with caplog.at_level("WARNING", logger=convert.log.name):
            [article] = convert_legacy(_odt_linking(f"{listener.url}/anh.png"), "b.odt", ctx)
    finally:
        convert._offline_prefix.cache_clear()
    assert listener.hits == []
    _check_article(article.title, article.text)
    assert any(
        "cannot be cut off the network" in r.message and "BlockUntrustedRefererLinks" in r.message
        for r in caplog.records
    )
