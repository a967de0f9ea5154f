"""Hostile and broken mail through a whole Maildir poll.

Why: units' mail is untrusted input, and anyone can write to the Board's address. Every
case here goes the whole way (Maildir -> raw store -> MIME -> extractors -> database)
so that a guard in one layer cannot be bypassed by another layer. Each test asserts the
two promises of the README: the exact bytes are kept (the raw blob equals the input) and
the message ends in a visible state (``ingested``, ``no-article`` or ``failed`` with a
reason), never an exception out of the poll and never a stuck ``received``.

Most cases run on SQLite only (``_SQLITE``); the ones where the database itself matters
(values PostgreSQL refuses: NUL bytes, long identifiers) run on both.
"""

from __future__ import annotations

import http.server
import io
import os
import random
import threading
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dienhinh.ingest.mime import SKIPPED_LISTED
from dienhinh.ingest.sources.maildir import MaildirSource
from dienhinh.store.models import Asset
from factory import (
    DOCX_TYPE,
    Attach,
    DocSpec,
    RawPart,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
    make_nested_email,
    make_raw_email,
    make_zip,
    set_zip_declared_size,
)
from helpers import articles, deliver, ingestor, messages, rows

_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
VISIBLE = {"ingested", "no-article", "failed", "duplicate"}
PASSWD_FIRST_LINE = (
    Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]
)


# --- helpers -------------------------------------------------------------------------------------


def _source(config):
    return MaildirSource.from_config(config.mailbox)


def _good_docx(seed: int) -> tuple[bytes, str, list[str]]:
    title, paras = article_text(seed)
    return make_docx(DocSpec(title=title, paragraphs=paras)), title, paras


def poll_all(config, raws: list[bytes]):
    """Deliver ``raws``, poll once; check the two promises for each; return (ingestor,
    report, messages in delivery order)."""
    md = config.mailbox.url.path
    for raw in raws:
        deliver(md, raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))  # must not raise, whatever the input
    assert report.ok, report.error
    msgs = messages(ing)
    assert len(msgs) == len(raws)
    stored = {ing.raw_blobs.read(m.sha256) for m in msgs}
    assert stored == set(raws)  # every input kept byte for byte
    for m in msgs:
        assert m.status in VISIBLE, (m.message_id, m.status, m.reason)
        if m.status in ("failed", "no-article"):
            assert m.reason, m.message_id
    return ing, report, msgs


def poll_one(config, raw: bytes):
    ing, report, (msg,) = poll_all(config, [raw])
    return ing, report, msg


def _replace_member(docx: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info))
    return out.getvalue()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "LEAKED-BY-NETWORK">')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_trap() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request: nothing may fetch from it."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- archives ------------------------------------------------------------------------------------


def _bomb_ratio() -> bytes:
    return make_zip([("du-lieu.txt", b"\0" * (20 * 1024 * 1024))])  # ~1000:1


def _bomb_lying_size() -> bytes:
    z = make_zip([("du-lieu.txt", b"\0" * (20 * 1024 * 1024))])
    return set_zip_declared_size(z, "du-lieu.txt", 1000)  # says 1 kB, inflates to 20 MB


def _bomb_nested() -> bytes:
    z = make_zip([("bai.docx", _good_docx(401)[0])])
    for level in range(5):
        z = make_zip([(f"lop{level}.zip", z)])
    return z


def _bomb_members() -> bytes:
    return make_zip([(f"tep{i}.txt", b"x") for i in range(300)])


@_SQLITE
@pytest.mark.parametrize(
    ("build", "words"),
    [
        (_bomb_ratio, "max_compression_ratio"),
        (_bomb_lying_size, "du-lieu.txt"),  # refused as over its cap or as damaged (CRC)
        (_bomb_nested, "max_archive_depth"),
        (_bomb_members, "max_archive_members"),
    ],
    ids=["ratio", "lying-size", "nesting", "members"],
)
def test_zip_bombs_are_refused_and_the_rest_goes_on(make_config, build, words):
    """GIVEN a mail with a zip bomb beside a good .docx WHEN polled THEN the archive is
    listed as failed with the limit it broke, and the .docx article is pending-review."""
    doc, title, _ = _good_docx(402)
    raw = make_email(
        message_id=f"<bomb-{build.__name__}@x>",
        attachments=[
            Attach("tai-lieu.zip", build(), "application/zip"),
            Attach("bai.docx", doc, DOCX_TYPE),
        ],
    )
    ing, _report, msg = poll_one(make_config(), raw)
    assert msg.status == "ingested"
    (art,) = articles(ing)
    assert art.status == "pending-review" and art.title == title
    (zip_asset,) = [a for a in rows(ing, Asset) if a.filename == "tai-lieu.zip"]
    assert zip_asset.used_as == "refused" and zip_asset.error
    assert zip_asset.error.startswith(("over-limit: ", "unreadable: "))
    assert words in zip_asset.error
    if build is _bomb_lying_size:
        assert "inflates past" in zip_asset.error or "damaged" in zip_asset.error
    assert "tai-lieu.zip" in (msg.error or "")


# --- XML attacks inside a .docx ------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _document_xml(doctype: str, body_runs: list[str]) -> bytes:
    paras = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in body_runs)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n{doctype}\n'
        f'<w:document xmlns:w="{_W}"><w:body>{paras}</w:body></w:document>'
    ).encode()


def _laughs_doctype() -> str:
    ents = ['<!ENTITY lol "lol">']
    ents += [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    return "<!DOCTYPE w:document [\n" + "\n".join(ents) + "\n]>"


def _xml_docx(doctype: str, bad: str) -> tuple[bytes, list[str]]:
    title, paras = article_text(410)
    runs = [title, *paras[:2], bad, *paras[2:]]
    base = make_docx(DocSpec(title=title, paragraphs=paras))
    return _replace_member(base, "word/document.xml", _document_xml(doctype, runs)), paras


def _check_safe_docx_article(ing, msg, status: str) -> None:
    (art,) = articles(ing)
    assert art.status == status, (art.status, art.error)
    if art.status == "failed":
        assert art.error
    for text in (art.text, art.title, art.lead, msg.cover_note or ""):
        assert "lollollol" not in text
        assert PASSWD_FIRST_LINE not in text and "root:x:0" not in text
        assert "LEAKED-BY-NETWORK" not in text
        assert len(text) < 50_000


@pytest.mark.parametrize("force_fallback", [False, True], ids=["fast-path", "python-docx"])
def test_billion_laughs_docx_does_not_expand(make_config, force_fallback, monkeypatch):
    """GIVEN a .docx whose document.xml defines nested entities (10^9 "lol"s) WHEN polled
    THEN nothing is expanded: the article has its ordinary text, or fails with an error."""
    if force_fallback:  # the python-docx reader (used when the fast path gives up) too
        from dienhinh.ingest.extractors import docx as docx_mod

        real = docx_mod._fast_blocks

        def give_up(*a, **k):
            raise docx_mod._FastPathUnavailable("forced by the test")

        monkeypatch.setattr(docx_mod, "_fast_blocks", give_up)
        assert real is not None
    doc, _paras = _xml_docx(_laughs_doctype(), "&lol9;")
    raw = make_email(message_id="<laughs@x>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)])
    ing, _report, msg = poll_one(make_config(), raw)
    # Both readers refuse the entity declarations; LibreOffice (the last resort) cannot
    # load the file either: a failed article that says so, never an expanded text.
    _check_safe_docx_article(ing, msg, "failed")
    assert "LibreOffice could not read this .docx" in articles(ing)[0].error
    assert msg.status == "failed" and msg.reason.startswith("no readable article: bai.docx: ")


@pytest.mark.parametrize("kind", ["file-entity", "parameter-entity", "external-dtd"])
def test_external_entities_are_never_loaded(make_config, http_trap, kind):
    """GIVEN a .docx whose document.xml names /etc/passwd or a URL as an entity or DTD
    WHEN polled THEN neither the file's content nor the network's answer is in any text,
    and no request was made."""
    url, hits = http_trap
    doctype = {
        "file-entity": '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "parameter-entity": f'<!DOCTYPE w:document [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;'
        '<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "external-dtd": f'<!DOCTYPE w:document SYSTEM "{url}/evil.dtd">',
    }[kind]
    bad = "&x;" if kind != "external-dtd" else "&leak;"
    doc, paras = _xml_docx(doctype, bad)
    raw = make_email(message_id=f"<xxe-{kind}@x>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)])
    ing, _report, msg = poll_one(make_config(), raw)
    # The entity is dropped, the rest of the document is an ordinary article.
    _check_safe_docx_article(ing, msg, "pending-review")
    (art,) = articles(ing)
    assert paras[0][:40] in f"{art.lead}\n\n{art.text}"
    assert hits == []


# --- size limits on the message itself -----------------------------------------------------------


def test_oversized_header_block_fails_with_the_limit(make_config):
    """GIVEN a header block over max_header_bytes WHEN polled THEN the message is failed
    with a reason naming the limit, and its bytes are kept."""
    config = make_config(ingest={"max_header_bytes": 8192})
    junk = b"".join(b"X-Junk-%d: " % i + b"a" * 70 + b"\r\n" for i in range(400))  # ~32 kB
    raw = make_email(message_id="<bighead@laocai.gov.vn>", text="Nội dung ngắn.\n")
    raw = raw.replace(b"MIME-Version", junk + b"MIME-Version", 1)
    ing, _report, msg = poll_one(config, raw)
    assert msg.status == "failed"
    assert "max_header_bytes" in msg.reason
    assert msg.message_id == "bighead@laocai.gov.vn"  # the id is still read (bounded)
    assert articles(ing) == []


def test_default_header_limit_on_a_huge_header_block(make_config):
    """The same with the shipped limit (256 kB) and a 1 MB header block: bounded work."""
    junk = b"".join(
        b"Received: from relay%d by mx; Mon, 26 Mar 2018 08:00:00 +0700\r\n" % i
        for i in range(16000)
    )
    raw = junk + make_email(message_id="<hugehead@laocai.gov.vn>")
    _ing, _report, msg = poll_one(make_config(), raw)
    assert msg.status == "failed" and "max_header_bytes" in msg.reason


@pytest.mark.parametrize("factor", [1.5, 3.0])
def test_message_over_max_message_bytes_fails_and_is_kept(make_config, factor):
    """GIVEN a message over max_message_bytes (and one far over) WHEN polled THEN it is
    failed with a reason naming the limit; its bytes are stored all the same."""
    limit = 200_000
    config = make_config(ingest={"max_message_bytes": limit})
    blob = random.Random(7).randbytes(int(limit * factor))
    raw = make_email(
        message_id=f"<big{factor}@laocai.gov.vn>",
        attachments=[Attach("anh.jpg", b"\xff\xd8\xff\xe0" + blob, "image/jpeg")],
    )
    ing, _report, msg = poll_one(config, raw)
    assert len(raw) > limit
    assert msg.status == "failed" and "max_message_bytes" in msg.reason
    assert msg.size == len(raw)
    assert articles(ing) == []


# --- MIME structure ------------------------------------------------------------------------------


@_SQLITE
@pytest.mark.parametrize("depth", [60, 3000])
def test_deeply_nested_multiparts(make_config, depth):
    """GIVEN multiparts nested 60 (and 3000) deep WHEN polled THEN no crash: the message
    has a state, and the nesting limit (or the parse failure) is recorded."""
    raw = make_nested_email(depth, leaf=b"Noi dung sau cung")
    _ing, _report, msg = poll_one(make_config(), raw)
    if msg.status == "failed":
        assert msg.reason
    else:
        assert "MIME nesting deeper than 20" in (msg.error or "")


@_SQLITE
def test_a_thousand_tiny_parts_stop_at_max_mime_parts(make_config):
    parts = [
        RawPart(
            [
                f'Content-Type: text/plain; name="t{i}.txt"',
                f'Content-Disposition: attachment; filename="t{i}.txt"',
            ],
            b"x",
            "8bit",
        )
        for i in range(1000)
    ]
    raw = make_raw_email(parts, message_id=b"<parts@x>")
    ing, _report, msg = poll_one(make_config(), raw)
    assert "more than 500 MIME parts" in (msg.error or "")
    # The parts past the limit are listed as refused (20 by name, then one entry for the
    # rest), and the message says so instead of "no document attached".
    assert len(rows(ing, Asset)) <= 500 + SKIPPED_LISTED + 1
    skipped = [a for a in rows(ing, Asset) if a.used_as == "refused"]
    assert len(skipped) == SKIPPED_LISTED + 1
    assert all(a.error.startswith("over-limit: ") for a in skipped)
    assert msg.status == "failed" and "t500.txt: over-limit: " in (msg.reason or "")


# --- file names ----------------------------------------------------------------------------------


def _tree(root: Path, skip: set[str]) -> set[str]:
    """Files under ``root`` except the data folder, the Maildir and the test's SQLite file."""
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.relative_to(root).parts[0] not in skip and not p.name.startswith("dienhinh.sqlite3")
    }


def _safe_name(name: str) -> None:
    assert "/" not in name and "\\" not in name, name
    assert not name.startswith("."), name
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name), repr(name)


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_hostile_attachment_names_are_sanitised(make_config, tmp_path):
    """GIVEN attachments named with ../, \\, absolute paths, control characters, NUL and
    an RTL override (in plain, RFC 2047 and RFC 2231 parameters, and as zip member names)
    WHEN polled THEN every stored file name is a bare display name, and no file appears
    outside the data folder."""
    marker = f"dienhinh-evil-{uuid.uuid4().hex[:8]}"
    doc, _title, _ = _good_docx(420)
    jpeg = make_jpeg(seed=420)
    names = [
        f'filename="../../../../../../tmp/{marker}.docx"',
        'filename="..\\\\..\\\\boot.ini"',
        'filename="/etc/passwd"',
        'filename="C:\\\\Windows\\\\System32\\\\drivers\\\\etc\\\\hosts"',
        "filename*=utf-8''anh%E2%80%AEgpj.exe",  # U+202E: shows as "anhexe.jpg"
        "filename*=utf-8''%0D%0AX-Injected%3A%20yes%00.jpg",
        'filename="=?utf-8?b?Li4vLi4vZXRjL3NoYWRvdw==?="',  # ../../etc/shadow
        'filename="\x07bell\x1b[31mred.jpg"',
        'filename=".hidden.jpg"',
    ]
    parts = [
        RawPart(
            ['Content-Type: text/plain; charset="utf-8"'],
            "Kính gửi Ban Thi đua, đơn vị gửi kèm bài viết.".encode(),
            "8bit",
        )
    ]
    parts.append(
        RawPart([f"Content-Type: {DOCX_TYPE}", f"Content-Disposition: attachment; {names[0]}"], doc)
    )
    parts += [
        RawPart(["Content-Type: image/jpeg", f"Content-Disposition: attachment; {n}"], jpeg)
        for n in names[1:]
    ]
    zipped = make_zip(
        [
            (f"../../../../tmp/{marker}-z.docx", _good_docx(421)[0]),
            ("/abs/anh.jpg", make_jpeg(seed=421)),
            ("..\\..\\win.jpg", make_jpeg(seed=422)),
        ]
    )
    parts.append(
        RawPart(
            [
                "Content-Type: application/zip",
                'Content-Disposition: attachment; filename="../nen.zip"',
            ],
            zipped,
        )
    )
    raw = make_raw_email(parts, message_id=b"<names@x>")
    before = _tree(tmp_path, {"var", "maildir"})
    ing, _report, msg = poll_one(make_config(), raw)
    assert msg.status == "ingested"
    assets = rows(ing, Asset)
    assert len(assets) >= len(names) + 3
    for a in assets:
        _safe_name(a.filename)
    for art in articles(ing):
        _safe_name(art.origin)
    stored = {a.filename for a in assets}
    assert f"{marker}.docx" in stored and "passwd" in stored and "boot.ini" in stored
    assert f"{marker}-z.docx" in stored
    # Nothing written outside the data folder: not beside it, not where the names point.
    assert _tree(tmp_path, {"var", "maildir"}) == before
    assert not any(p.name.startswith(marker) for p in Path("/tmp").iterdir())
    assert not list((tmp_path / "var").rglob(f"{marker}*"))
    assert not list((tmp_path / "var").rglob("passwd"))


# --- HTML bodies ---------------------------------------------------------------------------------


def test_html_body_keeps_no_script_handler_or_remote_reference(make_config, http_trap):
    """GIVEN an HTML body article with <script>, on* handlers, javascript: links, remote
    images, iframes and styles WHEN polled THEN the stored text has the article and none
    of them, and no remote image was fetched."""
    url, hits = http_trap
    title, paras = article_text(430)
    evil = (
        f"<script>alert('xss')</script>"
        f"<img src=x onerror=\"alert('img')\">"
        f'<img src="{url}/track.png" width=1 height=1>'
        f'<iframe src="{url}/frame"></iframe>'
        f"<style>body {{ background: url({url}/bg.png) }}</style>"
        f'<object data="{url}/obj.swf"></object>'
        f"<svg onload=\"alert('svg')\"><script>alert('svg2')</script></svg>"
    )
    body = "".join(
        f"<p onclick=\"alert('p{i}')\">{p} <a href=\"javascript:alert('a{i}')\">xem thêm</a></p>"
        for i, p in enumerate(paras)
    )
    heading = f"<h2 onmouseover=\"alert('h')\">{title}</h2>"
    html = f"<html><head>{evil}</head><body>{heading}{evil}{body}</body></html>"
    raw = make_email(message_id="<html@x>", subject=title, text=None, html=html)
    ing, _report, msg = poll_one(make_config(), raw)
    assert msg.status == "ingested"
    (art,) = articles(ing)
    assert art.status == "pending-review"
    for text in (art.text, art.title, art.lead, msg.cover_note or ""):
        low = text.lower()
        for bad in (
            "<script",
            "alert(",
            "onerror",
            "onclick",
            "onload",
            "javascript:",
            "track.png",
            "127.0.0.1",
            "<iframe",
            "<img",
            "<style",
            "background:",
        ):
            assert bad not in low, (bad, text[:300])
    assert paras[0][:60] in art.lead  # the first paragraph is the lead, not in the body
    assert not [a for a in rows(ing, Asset) if a.article_pk == art.id]  # no remote image kept
    assert hits == []


# --- malformed MIME ------------------------------------------------------------------------------


def _docx_mail(mid: str, seed: int = 440) -> bytes:
    return make_email(
        message_id=mid, attachments=[Attach("bai.docx", _good_docx(seed)[0], DOCX_TYPE)]
    )


def _missing_close() -> bytes:
    raw = _docx_mail("<noclose@x>")
    boundary_end = raw.rstrip().rsplit(b"\n", 1)[1].strip()
    assert boundary_end.endswith(b"--")
    return raw.rstrip()[: -len(boundary_end)].rstrip() + b"\n"


def _bad_base64() -> bytes:
    return make_raw_email(
        [
            RawPart(
                ['Content-Type: text/plain; charset="utf-8"'], "Gửi bài viết.".encode(), "8bit"
            ),
            RawPart(
                [
                    f"Content-Type: {DOCX_TYPE}",
                    'Content-Disposition: attachment; filename="bai.docx"',
                ],
                b"!!!! not base64 at all @@@@ \xff\xfe ====\r\nUEsDBBQ=====AAA%%%",
                "8bit",
            ),
        ],
        message_id=b"<badb64@x>",
    ).replace(
        b"Content-Transfer-Encoding: 8bit\r\n\r\n!!!!",
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!!",
    )


def _garbage() -> bytes:
    return random.Random(99).randbytes(20_000)


def _truncated() -> bytes:
    raw = _docx_mail("<trunc@x>", seed=441)
    return raw[: int(len(raw) * 0.6)]


def _headers_only() -> bytes:
    return b"From: a@laocai.gov.vn\r\nSubject: chi co tieu de\r\nMessage-ID: <hdronly@x>\r\n"


def _headers_then_blank() -> bytes:
    return b"From: a@laocai.gov.vn\r\nSubject: rong\r\nMessage-ID: <blank@x>\r\n\r\n"


def _bad_charset_and_encoding() -> bytes:
    return make_raw_email(
        [
            RawPart(
                ['Content-Type: text/plain; charset="x-unknown-9999"'], b"\xff\xfe\xfd abc", "8bit"
            ),
            RawPart(['Content-Type: application/pdf; name="a.pdf"'], b"%PDF-1.4\n garbage", "8bit"),
        ],
        message_id=b"<badcs@x>",
    ).replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: x-uuencode-ish")


def _nul_and_8bit_headers() -> bytes:
    return (
        b"From: =?bogus?q?=FF?= <a@laocai.gov.vn>\r\n"
        b"Subject: \xc4\x91\xe1\xba\xa1i h\xe1\xbb\x99i \x00 x\r\n"
        b"Date: Feb 30 9999 99:99:99 +9999\r\nMessage-ID: <nulhdr@x>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"N\xe1\xbb\x99i dung \x00 ng\xe1\xba\xafn.\r\n"
    )


MALFORMED = {
    "missing-closing-boundary": _missing_close,
    "bad-base64": _bad_base64,
    "garbage-bytes": _garbage,
    "truncated": _truncated,
    "empty-file": lambda: b"",
    "headers-only": _headers_only,
    "headers-then-blank": _headers_then_blank,
    "bad-charset-and-encoding": _bad_charset_and_encoding,
    "nul-and-8bit-headers": _nul_and_8bit_headers,
}


@_SQLITE
def test_each_malformed_message_ends_in_a_visible_state(make_config):
    """GIVEN one of each malformed shape in one mailbox WHEN polled THEN the poll ends
    normally and each is stored with a visible state."""
    raws = [build() for build in MALFORMED.values()]
    _ing, report, msgs = poll_all(make_config(), raws)
    assert report.fetched == len(raws)
    by_sha = {m.sha256: m for m in msgs}
    import hashlib

    states = {
        name: by_sha[hashlib.sha256(raw).hexdigest()].status
        for name, raw in zip(MALFORMED, raws, strict=True)
    }
    # What a best effort can still read:
    assert states["missing-closing-boundary"] == "ingested"
    assert states["headers-only"] == "no-article"
    # No mail at all is a fault to look at, not a quiet "no article".
    assert states["empty-file"] == "failed"
    assert by_sha[hashlib.sha256(b"").hexdigest()].reason.startswith("empty message: 0 bytes")


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize("name", ["nul-and-8bit-headers", "garbage-bytes"])
def test_malformed_message_on_each_database(make_config, name):
    """The shapes whose values a database may refuse (NUL bytes, undecodable text), alone
    in the mailbox, on SQLite and PostgreSQL."""
    poll_one(make_config(), MALFORMED[name]())


# --- damaged and encrypted documents -------------------------------------------------------------


def test_docx_with_a_damaged_directory_beside_a_good_one(make_config):
    """GIVEN a .docx whose central directory is noise (and its end cut), next to a good
    .docx WHEN polled THEN both are articles: the damaged one is read from its members'
    local headers (they arrived whole) and flagged "salvaged"; the message says nothing
    failed. (Damage inside the text itself goes to LibreOffice: test_slow_lane_import.)"""
    good, title, _ = _good_docx(450)
    bad = bytearray(_good_docx(451)[0])
    cd = bad.rfind(b"PK\x01\x02")
    bad[cd : cd + 200] = os.urandom(200)  # the central directory is noise
    bad = bytes(bad[: len(bad) - 30])
    raw = make_email(
        message_id="<twodocx@x>",
        attachments=[
            Attach("bai-hong.docx", bad, DOCX_TYPE),
            Attach("bai-tot.docx", good, DOCX_TYPE),
        ],
    )
    ing, _report, msg = poll_one(make_config(), raw)
    assert (msg.status, msg.reason) == ("ingested", None)
    by_origin = {a.origin: a for a in articles(ing)}
    salvaged = by_origin["bai-hong.docx"]
    assert salvaged.status == "pending-review" and "salvaged" in salvaged.flags
    assert salvaged.title == _good_docx(451)[1]
    assert by_origin["bai-tot.docx"].status == "pending-review"
    assert by_origin["bai-tot.docx"].title == title


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal but well-formed OLE2 compound file (version 3, 512-byte sectors) holding
    ``streams`` (each >= 4096 bytes, so no mini stream): the container Office uses for an
    encrypted .docx (streams EncryptionInfo and EncryptedPackage)."""
    import struct

    endchain, fatsect, free, nostream = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF
    names = list(streams)
    sectors: list[bytes] = []
    fat: list[int] = [fatsect, endchain]  # sector 0: FAT, sector 1: directory
    starts = []
    for name in names:
        data = streams[name]
        assert len(data) >= 4096
        n = -(-len(data) // 512)
        start = 2 + len(sectors)
        starts.append(start)
        for i in range(n):
            sectors.append(data[i * 512 : (i + 1) * 512].ljust(512, b"\0"))
            fat.append(start + i + 1 if i < n - 1 else endchain)
    assert len(fat) <= 128
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(
        name: str, kind: int, left: int, right: int, child: int, start: int, size: int
    ) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    # Root's child is the first stream; the second is its right sibling (names compare
    # by length first, so the shorter name sorts first).
    ordered = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    directory = entry("Root Entry", 5, nostream, nostream, ordered[0] + 1, endchain, 0)
    for pos, i in enumerate(ordered):
        right = ordered[pos + 1] + 1 if pos + 1 < len(ordered) else nostream
        directory += entry(
            names[i], 2, nostream, right, nostream, starts[i], len(streams[names[i]])
        )
    directory = directory.ljust(512, b"\0")
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, endchain, 0, endchain, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == 512
    return header + fat_sector + directory + b"".join(sectors)


def _encrypted_docx() -> bytes:
    rnd = random.Random(5)
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + b'<?xml version="1.0"?><encryption/>'.ljust(
        4088, b" "
    )
    return _cfb({"EncryptionInfo": info, "EncryptedPackage": rnd.randbytes(8192)})


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("mat-khau", ownerPassword="chu-so-huu", strength=128)
    c = canvas.Canvas(buf, encrypt=enc, invariant=1)
    c.drawString(72, 720, "Bai viet duoc bao ve bang mat khau de thu nghiem.")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "ctype", "build"),
    [
        ("bai-mat-khau.docx", DOCX_TYPE, _encrypted_docx),
        ("bai-mat-khau.pdf", "application/pdf", _encrypted_pdf),
    ],
    ids=["docx", "pdf"],
)
def test_password_protected_document_fails_clearly(make_config, name, ctype, build):
    """GIVEN a password-protected .docx or PDF WHEN polled THEN its article is failed with
    an error saying it is password-protected (not 'damaged', not an empty article)."""
    raw = make_email(message_id=f"<enc-{name}@x>", attachments=[Attach(name, build(), ctype)])
    ing, _report, msg = poll_one(make_config(), raw)
    # nothing readable: the message waits in `failed`, its reason naming the document
    assert msg.status == "failed" and name in (msg.reason or "")
    (art,) = articles(ing)
    assert art.status == "failed"
    assert "password" in (art.error or "").lower(), art.error
    assert name in art.error
    (asset,) = [a for a in rows(ing, Asset) if a.filename == name]
    assert asset.used_as == "refused" and asset.error.startswith("encrypted: "), asset.error


# --- regressions: bugs these tests found (xfail until fixed) -----------------------------------

_BOTH = pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@_SQLITE
def test_very_deep_nesting_is_reported_as_the_limit(make_config):
    """Regression. Before the fix: multiparts nested ~3000 deep make the stdlib parser
    (email.feedparser, called by leanparse.parse_lean from mime.parse_message) raise
    RecursionError; the message fails as 'internal error while extracting: RecursionError'
    instead of a reason naming the MIME nesting limit (max_mime_depth)."""
    _ing, _report, msg = poll_one(make_config(), make_nested_email(3000))
    assert "internal error" not in (msg.reason or "")
    assert "nesting" in ((msg.reason or "") + (msg.error or "")).lower()


@_BOTH
def test_message_id_with_nul_does_not_stop_the_mailbox(make_config):
    """Regression. Before the fix: ingest/identity.normalise_message_id keeps NUL and
    control characters; on PostgreSQL the raw row cannot be inserted (DataError: text fields
    cannot contain NUL), store_raw fails inside _fetch_and_store, the poll ends with
    'database error', and every later poll stops at the same message: the mailbox is stuck
    (mail after it is never stored). On SQLite the id is stored with the NUL."""
    bad = b"From: a@laocai.gov.vn\r\nMessage-ID: <a\x00b@x>\r\nSubject: s\r\n\r\nnoi dung\r\n"
    _ing, _report, msgs = poll_all(make_config(), [bad, make_email(message_id="<after-nul@x>")])
    assert all("\x00" not in m.message_id for m in msgs)
    assert "after-nul@x" in {m.message_id for m in msgs}


@_BOTH
def test_long_reused_message_id_does_not_stop_the_mailbox(make_config):
    """Regression. Before the fix: normalise_message_id caps ids at 990 characters, but
    rawstore._find_or_create stores a reused id (same Message-ID, different content) as
    f'{mid}~{sha[:12]}', 1003 characters, over Message.message_id String(1000). On
    PostgreSQL the insert fails (StringDataRightTruncation), the poll ends with 'database
    error' and the mailbox is stuck at that message; on SQLite the over-long id is stored."""
    mid = "<" + "a" * 995 + "@laocai.gov.vn>"
    raws = [
        make_email(message_id=mid, subject="một"),
        make_email(message_id=mid, subject="hai", text="Nội dung khác hẳn."),
        make_email(message_id="<after-long@x>"),
    ]
    _ing, _report, msgs = poll_all(make_config(), raws)
    assert all(len(m.message_id) <= 1000 for m in msgs)
    assert "after-long@x" in {m.message_id for m in msgs}


@_BOTH
@pytest.mark.parametrize("name", ["nul-and-8bit-headers", "garbage-bytes"])
def test_control_characters_never_reach_stored_text(make_config, name):
    """Regression. Before the fix: NUL (and other C0 control) characters from headers and
    bodies reach the database unfiltered (mime._text_header / decode_text keep them). SQLite
    stores them (a subject with NUL; garbage bytes become a pending-review text-body article
    full of control characters), PostgreSQL refuses them, so the same mail is 'failed: could
    not store the extraction: psycopg.DataError' on PostgreSQL and no-article/ingested on
    SQLite."""
    ing, _report, msg = poll_one(make_config(), MALFORMED[name]())
    assert msg.status != "failed", msg.reason
    texts = [msg.subject, msg.from_name, msg.cover_note or ""]
    texts += [t for a in articles(ing) for t in (a.title, a.lead, a.text)]
    for text in texts:
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text), repr(
            text[:80]
        )
