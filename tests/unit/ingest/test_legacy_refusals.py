"""Before a document is refused, every reader has tried it; a document no reader may open
is refused at once with its reason (issue 12, "content decides").

- A Word 97-2003 .doc encrypted by Word (RC4/XOR: the FIB's fEncrypted bit) is refused at
  extraction "encrypted: ... password-protected .doc"; LibreOffice, which can only fail on
  it later ("source file could not be loaded"), is never asked. Checked on oletools' and
  olefile's public test files (fetched at test time with ``pip download``; nothing is
  committed; without network those tests skip, saying so): their encrypted .doc is found,
  none of their clear .doc/.dot files is, and no Excel/PowerPoint file is taken for one.
- A truncated .docx cut inside its text, which neither of our readers opens, goes to
  LibreOffice before it is refused, and the reason is LibreOffice's.
- An ODF text template (.ott) is read as the .odt it is.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dienhinh.core.errors import MalformedDocument, NeedsConversion
from dienhinh.ingest import convert
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import convert_legacy, detect_legacy_kind
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.extractors.legacy import doc_encrypted
from dienhinh.ingest.mime import ODT_TYPE, sniff_type
from factory import Attach, DocSpec, article_text, make_docx, make_email

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup"
)
PACKAGES = ("oletools==0.60.2", "olefile==0.47")


@pytest.fixture(scope="module")
def ole_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The OLE2 test files (.doc, .dot, .xls, .ppt) of oletools and olefile, by path."""
    where = tmp_path_factory.mktemp("ole")
    cmd = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
    try:
        done = subprocess.run(
            [*cmd, "-q", "-d", str(where), *PACKAGES], capture_output=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot fetch {PACKAGES}: {exc}")
    archives = list(where.glob("*.zip")) + list(where.glob("*.tar.gz"))
    if done.returncode != 0 or len(archives) < 2:
        pytest.skip(f"cannot fetch {PACKAGES}: {done.stderr.decode(errors='replace')[-300:]}")
    found: dict[str, bytes] = {}
    for archive in archives:
        if archive.suffix != ".zip":
            continue
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith((".doc", ".dot", ".xls", ".ppt")):
                    found[name] = zf.read(name)
    assert found, [a.name for a in archives]
    return found


def test_the_encrypted_doc_of_oletools_is_found_and_no_other(ole_samples) -> None:
    encrypted = {n for n, data in ole_samples.items() if doc_encrypted(data)}
    assert encrypted == {"oletools-0.60.2/tests/test-data/encrypted/encrypted.doc"}
    words = [n for n, d in ole_samples.items() if detect_legacy_kind(d) in ("doc", "doc95")]
    assert len(words) >= 8  # the clear ones were looked at, and are clear


def test_encrypted_doc_is_refused_at_extraction(ole_samples, ctx: ExtractContext) -> None:
    """GIVEN Word's encrypted .doc attached to a unit's mail (as octet-stream under
    another name, too) WHEN extracted THEN its attachment is refused "encrypted: ...
    password-protected .doc" and the message fails naming it; nothing waits for
    LibreOffice."""
    data = ole_samples["oletools-0.60.2/tests/test-data/encrypted/encrypted.doc"]
    for name, ctype in (
        ("bai-viet.doc", "application/msword"),
        ("tep", "application/octet-stream"),
    ):
        out = extract_message(make_email(attachments=[Attach(name, data, ctype)]), ctx)
        [att] = out.attachments
        assert (att.used_as, att.error) == (
            "refused",
            f"encrypted: {name}: password-protected .doc",
        )
        assert out.status == "failed" and name in (out.reason or "")
        assert all(a.status == "failed" for a in out.articles)
    with pytest.raises(MalformedDocument, match=r"password-protected \.doc"):
        convert_legacy(data, "bai-viet.doc", ctx)  # the slow lane says the same


@needs_soffice
def test_libreoffice_cannot_read_the_encrypted_doc(ole_samples, ctx, monkeypatch) -> None:
    """Why the early refusal matters: LibreOffice itself only fails on it."""
    data = ole_samples["oletools-0.60.2/tests/test-data/encrypted/encrypted.doc"]
    with pytest.raises(MalformedDocument, match="LibreOffice could not read"):
        convert._soffice_to_docx(data, "doc", "encrypted.doc", ctx)


def _cut_inside(data: bytes) -> bytes:
    """A .docx cut in the middle of its text (word/document.xml): nothing to salvage."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    return data[: info.header_offset + 30 + len(info.filename) + info.compress_size // 2]


@needs_soffice
def test_truncated_docx_goes_to_libreoffice_before_it_is_refused(ctx, monkeypatch) -> None:
    """GIVEN a .docx cut at two thirds WHEN the slow lane converts it THEN LibreOffice is
    run on it (our readers could not) and the refusal is LibreOffice's."""
    title, paras = article_text(41)
    cut = _cut_inside(make_docx(DocSpec(title=title, paragraphs=paras)))
    assert detect_legacy_kind(cut) == "docx"
    calls: list[list[str]] = []
    real = convert._run

    def spy(argv, **kw):
        calls.append(list(argv))
        return real(argv, **kw)

    monkeypatch.setattr(convert, "_run", spy)
    with pytest.raises(
        MalformedDocument, match=r"bai\.docx: LibreOffice could not read this \.docx"
    ):
        convert_legacy(cut, "bai.docx", ctx)
    assert any("--infilter=MS Word 2007 XML" in argv for argv in calls)


def test_truncated_docx_waits_when_libreoffice_is_missing(ctx, monkeypatch) -> None:
    title, paras = article_text(42)
    cut = _cut_inside(make_docx(DocSpec(title=title, paragraphs=paras)))
    monkeypatch.setattr(convert, "available_converters", lambda: ["antiword"])
    with pytest.raises(NeedsConversion, match="LibreOffice is not installed"):
        convert_legacy(cut, "bai.docx", ctx)


@needs_soffice
def test_ott_template_is_read_as_an_odt(ctx: ExtractContext, tmp_path: Path) -> None:
    """GIVEN an .ott saved by LibreOffice (mimetype ...text-template), sent as
    octet-stream WHEN extracted THEN it is sniffed as an .odt and waits for conversion
    as one; converted, it is the article."""
    title, paras = article_text(43)
    (tmp_path / "in.docx").write_bytes(make_docx(DocSpec(title=title, paragraphs=paras)))
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "ott",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "in.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    ott = (tmp_path / "in.ott").read_bytes()
    with zipfile.ZipFile(tmp_path / "in.ott") as zf:
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.text-template"
    assert sniff_type(ott) == ODT_TYPE
    assert detect_legacy_kind(ott) == "odt"
    out = extract_message(
        make_email(attachments=[Attach("mau.ott", ott, "application/octet-stream")]), ctx
    )
    [art] = out.articles
    assert (art.status, art.source) == ("needs-conversion", "odt")
    assert out.attachments[0].used_as == "waiting"
    [done] = convert_legacy(ott, "mau.ott", ctx)
    assert done.title == title and all(p in done.text for p in paras)
