"""Outside material: the product on other projects' public test files (issue 12).

scripts/outside-corpus fetches the material into var/outside/src/ (one folder per source:
package sdists, CPython's test suite from Debian). This bench builds unit mail around it,
ingests it through the product's command line into a throwaway SQLite database under
var/outside/run/, reads the result back through ``dienhinh export`` and judges every
message's state against an independent extraction of each document's text (other
libraries than the product's: docx2python, pdfminer.six, odfpy, striprtf, the ``bench``
extra; antiword, else catdoc, for .doc).

The mail:
  * every document (.docx, .doc, .odt, .rtf, .pdf, images, .zip; kinds decided by the
    bytes) attached to a unit's mail (sender address and name from units.toml, a
    Vietnamese subject and cover note) under its right name and type; every fourth one as
    ``application/octet-stream`` under a wrong name (.docx <-> .odt, .txt, .bin, none),
    counted per kind from the second (a kind with two files gets one of each);
  * every mail test file ingested as it is, and also attached as a forwarded
    ``message/rfc822`` to a unit's mail.

A message is *untrue* when:
  * a document's independent text is substantial (>= --min-words words) and the message
    is ``no-article`` or ``failed`` with a reason that does not name that document;
  * it is ``ingested`` with article text from its documents under half the independent
    text, or with a null reason while one of its articles failed;
  * it is ``failed`` or ``no-article`` without a reason; it is missing from the export;
  * no article came out, a part was refused or failed, and the message is not ``failed``
    with a reason naming that part;
  * an attachment's outcome is not in core.types.AttachmentOutcome, or an outcome other
    than article/photo has no reason;
  * it is ``no-article`` saying "no document attached" while an attachment other than a
    logo is listed and not named in the reason;
  * a multipart part the parser could not split is called "not a document kind".

Prints per source and per state counts, a markdown table for bench/RESULTS.md and the
untrue list; writes everything to var/outside/run/report.json. Exits 1 while any message
is untrue.

Usage: python bench/outside.py [--src var/outside/src] [--max-messages 1200]
         [--max-file-bytes 8000000] [--slow-budget 900] [--timeout 3600] [--min-words 40]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import email.utils
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import unicodedata
import zipfile
from base64 import encodebytes
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.header import Header
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DOC_KINDS = ("docx", "doc", "odt", "rtf", "pdf", "images", "zip")
TEXT_KINDS = ("docx", "doc", "odt", "rtf", "pdf", "zip")
OUTCOMES = {
    "article",
    "photo",
    "ocr-page",
    "waiting",
    "cover-letter",
    "official-document",
    "logo",
    "archive",
    "not-article",
    "refused",
}
NO_REASON_NEEDED = {"article", "photo"}
# What the recorded (sniffed) type of an attachment must contain for each kind of bytes.
SNIFFED = {
    "docx": ("wordprocessingml",),
    "odt": ("opendocument.text",),
    "pdf": ("pdf",),
    "rtf": ("rtf",),
    "doc": ("msword", "ole", "cdf"),
    "zip": ("zip",),
    "images": ("image/",),
}
RIGHT_TYPE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
RIGHT_EXT = {
    "docx": ".docx",
    "doc": ".doc",
    "odt": ".odt",
    "rtf": ".rtf",
    "pdf": ".pdf",
    "zip": ".zip",
}
IMAGE_TYPES = [
    (b"\x89PNG", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF8", "image/gif", ".gif"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"BM", "image/bmp", ".bmp"),
    (b"RIFF", "image/webp", ".webp"),
]
WRONG_EXT = [".txt", ".bin", ""]
SUBJECTS = [
    "Gửi bài viết gương điển hình tiên tiến",
    "Bài viết người tốt, việc tốt tháng {month}/2019",
    "{unit} gửi bài tuyên truyền điển hình",
    "Tin bài gương điển hình - {unit}",
    "Gửi Ban Thi đua - Khen thưởng bài viết điển hình quý {quarter}",
    "Fwd: bài viết gương sáng trong phong trào thi đua",
]
BODY = (
    "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai\n\n"
    "{unit} trân trọng gửi bài viết về gương điển hình tiên tiến trong phong trào thi đua "
    "yêu nước ({what}) để Ban tổng hợp, tuyên truyền.\n\n"
    "Trân trọng!\n{name}\n{unit}\n"
)
ICT = timezone(timedelta(hours=7))
_WORD = re.compile(r"[^\W\d_]{2,}")


def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def fold(s: str) -> str:
    return unicodedata.normalize("NFC", s or "").casefold()


def _corpus_module() -> Any:
    """scripts/outside-corpus decides kinds; one definition for both."""
    path = ROOT / "scripts" / "outside-corpus"
    loader = importlib.machinery.SourceFileLoader("outside_corpus", str(path))
    spec = importlib.util.spec_from_loader("outside_corpus", loader)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# --- the material ------------------------------------------------------------------------------


@dataclass
class Doc:
    name: str  # the name it travels under
    kind: str
    data: bytes
    words: int | None = None  # independent extraction; None: not judged on text
    note: str = ""  # why there is no independent count


@dataclass
class Built:
    mid: str
    source: str
    file: str  # relative to var/outside/src
    variant: str  # attached, wrong-name, raw, forwarded
    docs: list[Doc] = field(default_factory=list)


def collect(
    src: Path, max_file_bytes: int, kind_of: Any
) -> tuple[list[tuple[str, Path, str]], Counter[str]]:
    """(source, path, kind) of every usable file, deduplicated by content."""
    seen: set[str] = set()
    skipped: Counter[str] = Counter()
    out: list[tuple[str, Path, str]] = []
    for pkgdir in sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for dirpath, dirs, files in os.walk(pkgdir):
            dirs.sort()
            for name in sorted(files):
                p = Path(dirpath) / name
                if p.is_symlink() or name.startswith("."):
                    continue
                try:
                    size = p.stat().st_size
                except OSError:
                    continue
                if size > max_file_bytes or size == 0:
                    if size and kind_of(p) in (*DOC_KINDS, "eml"):
                        skipped["over --max-file-bytes"] += 1
                    continue
                kind = kind_of(p)
                if kind not in DOC_KINDS and kind != "eml":
                    continue
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                if digest in seen:
                    skipped["same bytes as another file"] += 1
                    continue
                seen.add(digest)
                out.append((pkgdir.name, p, kind))
    return out, skipped


def round_robin(items: list[tuple[str, Path, str]]) -> list[tuple[str, Path, str]]:
    """Interleave sources so that a count cap keeps every source represented."""
    by: dict[str, list[tuple[str, Path, str]]] = defaultdict(list)
    for it in items:
        by[it[0]].append(it)
    queues = [by[k] for k in sorted(by)]
    out: list[tuple[str, Path, str]] = []
    i = 0
    while any(queues):
        q = queues[i % len(queues)]
        if q:
            out.append(q.pop(0))
        i += 1
    return out


def load_units(path: Path) -> list[tuple[str, str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [(u["addresses"][0], u["name"]) for u in data.get("unit", []) if u.get("addresses")]


def _hdr(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _param(name: str) -> str:
    if name.isascii() and '"' not in name and "\\" not in name:
        return f'filename="{name}"'
    return "filename*=" + email.utils.encode_rfc2231(name, "utf-8")


def unit_mail(
    n: int, mid: str, units: list[tuple[str, str]], what: str, parts: list[bytes]
) -> bytes:
    """A unit's mail: a short Vietnamese cover note and the given MIME parts (bytes)."""
    addr, unit = units[n % len(units)]
    name = f"Văn phòng {unit}"
    month = n % 12 + 1
    subject = SUBJECTS[n % len(SUBJECTS)].format(month=month, quarter=month // 4 + 1, unit=unit)
    body = BODY.format(unit=unit, name=name, what=what)
    boundary = f"=_outside_{hashlib.sha256(mid.encode()).hexdigest()[:24]}"
    day = n % 28 + 1
    head = (
        f"From: {_hdr(name)} <{addr}>\n"
        "To: Ban Thi dua Khen thuong <btdkt-snv@laocai.gov.vn>\n"
        f"Subject: {_hdr(subject)}\n"
        f"Date: {email.utils.format_datetime(datetime(2019, month, day, 9, n % 60, tzinfo=ICT))}\n"
        f"Message-ID: <{mid}>\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
    ).encode()
    text = (
        b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
        + encodebytes(body.encode("utf-8"))
    )
    out = [head, b"This is a multi-part message in MIME format.\n"]
    for p in [text, *parts]:
        out.append(f"--{boundary}\n".encode() + p + b"\n")
    out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


def attachment_part(name: str, ctype: str, data: bytes) -> bytes:
    return (
        f'Content-Type: {ctype}; name="{name if name.isascii() else "file"}"\n'
        f"Content-Disposition: attachment; {_param(name)}\n"
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + encodebytes(data)


def forwarded_part(raw: bytes) -> bytes:
    body = raw.replace(b"\r\n", b"\n")
    return (
        b"Content-Type: message/rfc822\n"
        b'Content-Disposition: attachment; filename="thu-chuyen-tiep.eml"\n\n' + body
    )


def type_and_name(kind: str, path: Path, data: bytes) -> tuple[str, str]:
    stem = re.sub(r"[^\w.-]+", "_", path.stem)[:60] or "tep"
    if kind == "images":
        for magic, ctype, ext in IMAGE_TYPES:
            if data.startswith(magic):
                return ctype, stem + ext
        return "application/octet-stream", stem + ".img"
    return RIGHT_TYPE[kind], stem + RIGHT_EXT[kind]


def wrong_name(kind: str, right: str, k: int) -> str:
    stem = right.rsplit(".", 1)[0]
    if kind == "docx":
        return stem + ".odt"
    if kind == "odt":
        return stem + ".docx"
    return stem + WRONG_EXT[k % len(WRONG_EXT)]


def documents_in_mail(raw: bytes, max_bytes: int, kind_of_bytes: Any) -> list[Doc]:
    """The documents a mail test file carries (for the same judgement as ours)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - a broken test mail carries no judged document
        return []
    docs: list[Doc] = []
    try:
        parts = list(msg.walk())
    except Exception:  # noqa: BLE001
        return []
    for part in parts:
        if part.is_multipart():
            continue
        try:
            data = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(data, bytes) or not data or len(data) > max_bytes:
            continue
        kind = kind_of_bytes(data, part.get_filename() or "")
        if kind in DOC_KINDS:
            docs.append(Doc(name=str(part.get_filename() or ""), kind=kind, data=data))
    return docs


# --- independent extraction ------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    try:
        from docx2python import docx2python
    except ImportError:
        docx2python = None
    if docx2python is not None:
        try:
            with docx2python(io.BytesIO(data), html=False) as res:
                parts: list[str] = []

                def flat(x: Any) -> None:
                    if isinstance(x, str):
                        parts.append(x)
                    else:
                        for y in x:
                            flat(y)

                flat(res.body)
            return re.sub(r"----[^-\n]*----", " ", "\n".join(parts))
        except Exception:  # noqa: BLE001 - fall back to the raw XML
            pass
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(
            zf.read("word/document.xml"), etree.XMLParser(resolve_entities=False, huge_tree=False)
        )
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return "\n".join("".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p"))


def _pdf_text(data: bytes) -> str:
    try:
        from pdfminer.high_level import extract_text

        return extract_text(io.BytesIO(data), maxpages=40)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - pypdf may read what pdfminer gives up on
        pass
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join((p.extract_text() or "") for p in reader.pages[:40])


def _odt_text(data: bytes) -> str:
    try:
        from odf import teletype
        from odf import text as odftext
        from odf.opendocument import load

        doc = load(io.BytesIO(data))
        return "\n".join(
            teletype.extractText(el)
            for kind in (odftext.H, odftext.P)
            for el in doc.getElementsByType(kind)
        )
    except ImportError:
        pass
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("content.xml"), etree.XMLParser(resolve_entities=False))
    return " ".join(root.itertext())


def _rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(data.decode("latin-1"), errors="ignore")


def _doc_text(data: bytes) -> str:
    try:
        import olefile

        if not olefile.isOleFile(data):
            raise ValueError("not an OLE file")
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                return ""  # an OLE file that is not a Word document (Excel, msg, ...)
    except ImportError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
        fh.write(data)
        fh.flush()
        # antiword first: catdoc prints Word field instructions as text (an oletools test
        # file's "DDEAUTO c:\\windows\\system32\\cmd.exe ...", "MACROBUTTON Abbrechen"),
        # which no reader sees and the product rightly drops; counting them made a
        # complete article look under half the document. catdoc reads what antiword
        # refuses (Word 6/95, some fast-saved files).
        for tool in (["antiword"], ["catdoc", "-w", "-d", "utf-8"]):
            if shutil.which(tool[0]) is None:
                continue
            proc = subprocess.run([*tool, fh.name], capture_output=True, timeout=60, check=False)
            if proc.returncode == 0:
                return proc.stdout.decode("utf-8", "replace")
    raise RuntimeError("neither antiword nor catdoc read it")


def _zip_text(data: bytes, kind_of_bytes: Any) -> str:
    out: list[str] = []
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist()[:50]:
            if info.is_dir() or info.file_size > 20_000_000:
                continue
            total += info.file_size
            if total > 60_000_000:
                break
            member = zf.read(info)  # raises on an encrypted member: no independent text
            kind = kind_of_bytes(member, info.filename)
            if kind in ("docx", "doc", "odt", "rtf", "pdf"):
                out.append(EXTRACT[kind](member))
    return "\n".join(out)


EXTRACT = {
    "docx": _docx_text,
    "pdf": _pdf_text,
    "odt": _odt_text,
    "rtf": _rtf_text,
    "doc": _doc_text,
}


def _extract_child(kind: str, data: bytes, conn: Any) -> None:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)  # the readers' complaints about test files
    warnings.simplefilter("ignore")
    try:
        if kind == "zip":
            text = _zip_text(data, _corpus_module().kind_of_bytes)
        else:
            text = EXTRACT[kind](data)
        conn.send(("ok", words(text)))
    except Exception as exc:  # noqa: BLE001 - reported as "no independent text"
        text = str(exc)
        if "encrypted" in text or "password" in text:
            text = "encrypted (password required)"
        conn.send(("error", f"{type(exc).__name__}: {text[:120]}"))
    finally:
        conn.close()


def independent_counts(docs: list[Doc], timeout: float, parallel: int = 2) -> None:
    """Fill Doc.words from a child process per document (a hung or crashing reader costs
    one document, killed after ``timeout`` seconds)."""
    ctx = multiprocessing.get_context("fork")
    todo = [d for d in docs if d.kind in TEXT_KINDS and d.words is None and not d.note]
    running: dict[Any, tuple[Doc, Any, float]] = {}
    while todo or running:
        while todo and len(running) < parallel:
            doc = todo.pop()
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_extract_child, args=(doc.kind, doc.data, send), daemon=True)
            proc.start()
            send.close()
            running[recv] = (doc, proc, time.monotonic())
        ready = multiprocessing.connection.wait(list(running), timeout=0.5)
        now = time.monotonic()
        for recv in list(running):
            doc, proc, started = running[recv]
            if recv in ready:
                try:
                    status, value = recv.recv()
                except EOFError:
                    status, value = "error", f"reader died (exit {proc.exitcode})"
                if status == "ok":
                    doc.words = int(value)
                else:
                    doc.note = f"independent extraction failed: {value}"
            elif now - started > timeout:
                proc.kill()
                doc.note = f"independent extraction timed out after {timeout:.0f} s"
            else:
                continue
            proc.join(5)
            recv.close()
            del running[recv]


# --- the product -----------------------------------------------------------------------------


def product(run: Path, mail_dir: Path, slow_budget: int, timeout: int) -> dict[str, Any]:
    cfg = run / "config.toml"
    cfg.write_text(
        'timezone = "Asia/Ho_Chi_Minh"\n'
        f"[paths]\ndata_dir = {json.dumps(str(run / 'data'))}\n"
        '[database]\nurl = ""\n'
        f"[mailbox]\nurl = {json.dumps('maildir:' + str(run / 'no-mailbox'))}\n"
        f"[ingest]\nslow_lane_budget_seconds = {slow_budget}\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "dienhinh", "--config", str(cfg), "--quiet"]
    log = (run / "product.log").open("w", encoding="utf-8")
    timings: dict[str, Any] = {}
    try:
        for args in (["init"], ["import", str(mail_dir)]):
            t0 = time.monotonic()
            # Its own process group: a run over --timeout ends with every process it
            # started (extraction pool, LibreOffice, tesseract), not the parent alone.
            child = subprocess.Popen(
                cmd + args, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
            )
            rc: int | str
            try:
                out, _ = child.communicate(timeout=timeout)
                rc = child.returncode
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                out, _ = child.communicate()
                rc = f"killed after {timeout} s (--timeout)"
            timings[args[0]] = {
                "seconds": round(time.monotonic() - t0, 1),
                "exit": rc,
                "stdout": out[-2000:],
            }
            print(f"dienhinh {args[0]}: exit {rc} in {timings[args[0]]['seconds']} s", flush=True)
            if out.strip():
                print("  " + out.strip().replace("\n", "\n  "), flush=True)
        exports: dict[str, list[dict[str, Any]]] = {}
        for what in ("messages", "articles"):
            target = run / f"{what}.jsonl"
            proc = subprocess.run(
                [*cmd, "export", what, "-o", str(target)],
                stdout=log,
                stderr=log,
                timeout=timeout,
                check=False,
            )
            if proc.returncode != 0:
                print(f"dienhinh export {what}: exit {proc.returncode} (see {log.name})")
            rows = []
            if target.exists():
                for line in target.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        rows.append(json.loads(line))
            exports[what] = rows
    finally:
        log.close()
    return {"timings": timings, **exports}


def attachments_from_db(db: Path) -> dict[str, list[dict[str, Any]]]:
    """Message-level assets (attachments) per Message-ID, when the export lacks them."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not db.exists():
        return out
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT m.message_id, a.filename, a.content_type, a.used_as, a.error, a.role "
            "FROM asset a JOIN message m ON m.id = a.message_pk "
            "WHERE a.article_pk IS NULL ORDER BY a.id"
        ).fetchall()
    finally:
        con.close()
    for mid, name, ctype, used_as, error, _role in rows:
        out[mid].append({"name": name, "type": ctype, "outcome": used_as, "reason": error})
    return out


def article_errors_from_db(db: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if not db.exists():
        return out
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for mid, status, error in con.execute(
            "SELECT m.message_id, a.status, a.error FROM article a "
            "JOIN message m ON m.id = a.message_pk"
        ):
            out[mid].append(f"{status}: {error or ''}")
    finally:
        con.close()
    return out


# --- the judgement ---------------------------------------------------------------------------


def names_part(reason: str, doc_name: str) -> bool:
    if not doc_name:
        return bool(reason)
    r = fold(reason)
    name = fold(doc_name)
    return name in r or (len(name) > 4 and name.rsplit(".", 1)[0] in r)


def judge(
    b: Built,
    msg: dict[str, Any] | None,
    arts: list[dict[str, Any]],
    atts: list[dict[str, Any]],
    min_words: int,
) -> list[tuple[str, str]]:
    """The findings on one message: (kind of finding, what exactly), none when true."""
    if msg is None:
        return [("message lost", "not in the export")]
    why: list[tuple[str, str]] = []
    state, reason = msg.get("status"), msg.get("reason") or ""
    doc_arts = [a for a in arts if not str(a.get("source") or "").endswith("body")]
    # The title is the document's text too (the product stores it apart from the body
    # text); the independent readers count it, so must we.
    art_words = sum(words(a.get("title") or "") + words(a.get("text") or "") for a in doc_arts)
    if state in ("failed", "no-article") and not reason:
        why.append((f"{state} without a reason", f"{state} with a null reason"))
    for d in b.docs:
        if state not in ("no-article", "failed"):
            continue
        label = d.name or d.kind
        substantial = d.words is not None and d.words >= min_words
        if names_part(reason, d.name):
            if state == "failed" and substantial:
                # Named, but the document is readable: content did not decide.
                why.append(
                    (
                        "failed on a document another reader reads",
                        f"{label} ({d.kind}): independent text {d.words} words",
                    )
                )
            continue
        if substantial:
            why.append(
                (
                    f"{state}, a document with text not named",
                    f"{label}: independent text {d.words} words, but {state} without naming it",
                )
            )
        elif state == "no-article" and d.kind in TEXT_KINDS and (d.kind != "zip" or d.words != 0):
            # Every document is accounted for: a no-article must say what each one was
            # (a .zip of no document at all may be "no document attached").
            seen = f"{d.words} words" if d.words is not None else (d.note or "not read")
            why.append(
                (
                    f"no-article, a {d.kind} attached not named",
                    f"{label} ({d.kind}, {seen}) attached, but no-article without naming it",
                )
            )
    if b.variant in ("attached", "wrong-name"):
        for d in b.docs:
            mine = [a for a in atts if fold(a.get("name") or "") == fold(d.name)]
            if not mine:
                why.append(("attachment not accounted for", f"{d.name}: not in the attachments"))
                continue
            ctype = (mine[0].get("type") or "").lower()
            if not any(frag in ctype for frag in SNIFFED[d.kind]):
                why.append(
                    (
                        f"recorded type is not what the bytes are ({b.variant})",
                        f"{d.name}: type {ctype or 'none'}, but the bytes are {d.kind}",
                    )
                )
    if state == "ingested":
        indep = sum(d.words or 0 for d in b.docs)
        if indep >= min_words and art_words < 0.5 * indep:
            why.append(
                (
                    "ingested, article text < 50% of the document's",
                    f"article text {art_words} words, independent text {indep} words",
                )
            )
        failed = [a for a in arts if a.get("status") == "failed"]
        if failed and not reason:
            why.append(
                (
                    "ingested with a null reason while an article failed",
                    f"{len(failed)} article(s) failed: "
                    + "; ".join(str(a.get("error") or "")[:100] for a in failed),
                )
            )
    for att in atts:
        outcome = att.get("outcome") or ""
        label = att.get("name") or att.get("type") or "?"
        if outcome not in OUTCOMES:
            why.append(
                (
                    f"attachment outcome {outcome!r} not in AttachmentOutcome",
                    f"{label}: {outcome!r}",
                )
            )
        elif outcome not in NO_REASON_NEEDED and not att.get("reason"):
            why.append((f"attachment {outcome} without a reason", f"{label}: {outcome}, no reason"))
    if state == "no-article" and "no document attached" in reason:
        # "No document attached" while the account lists attachments (a photo alone, a
        # text file) hides them in the attachment rows, as the zip did; a logo or
        # signature image is not worth naming.
        for att in atts:
            name = att.get("name") or ""
            if att.get("outcome") in ("logo", None, "") or not name:
                continue
            if not names_part(reason, name):
                why.append(
                    (
                        "no-article 'no document attached', an attachment not named",
                        f"{name} ({att.get('outcome')}: {att.get('reason') or 'no reason'})",
                    )
                )
    for att in atts:
        # A multipart the parser could not split is a broken structure, not a kind of
        # document the product does not read.
        if str(att.get("type") or "").startswith("multipart/") and "not a document kind" in (
            att.get("reason") or ""
        ):
            why.append(
                (
                    "a broken multipart called an unsupported document kind",
                    f"{att.get('name') or att.get('type')}: {att.get('reason')}",
                )
            )
    if not arts and state != "duplicate":
        for att in atts:
            if (att.get("outcome") or "") not in ("refused", "failed"):
                continue
            name = att.get("name") or ""
            if state != "failed" or not names_part(reason, name):
                why.append(
                    (
                        "a part refused, the message not failed naming it",
                        f"{name or att.get('type')} {att.get('outcome')} "
                        f"({att.get('reason') or 'no reason'}), message {state}",
                    )
                )
    return why


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=str(ROOT / "var" / "outside" / "src"))
    ap.add_argument("--run", default=str(ROOT / "var" / "outside" / "run"))
    ap.add_argument("--units", default=str(ROOT / "units.toml"))
    ap.add_argument("--max-messages", type=int, default=1200, help="cap on messages built")
    ap.add_argument(
        "--max-file-bytes", type=int, default=8_000_000, help="files larger than this are left out"
    )
    ap.add_argument(
        "--slow-budget",
        type=int,
        default=900,
        help="the product's slow-lane budget (conversion, OCR), seconds",
    )
    ap.add_argument("--timeout", type=int, default=3600, help="cap on the product's import")
    ap.add_argument(
        "--extract-timeout",
        type=float,
        default=60,
        help="cap on one independent extraction, seconds",
    )
    ap.add_argument(
        "--min-words",
        type=int,
        default=40,
        help="independent text at least this long counts as substantial",
    )
    ap.add_argument(
        "--rejudge",
        action="store_true",
        help="judge the previous run's export again without ingesting (same material)",
    )
    args = ap.parse_args(argv)

    started = time.monotonic()
    corpus = _corpus_module()
    # Absolute: the product resolves the config's paths against the config's folder.
    src, run = Path(args.src).resolve(), Path(args.run).resolve()
    if not src.is_dir() or not any(src.iterdir()):
        print(f"no material in {src}: run scripts/outside-corpus first", file=sys.stderr)
        return 2
    reuse = args.rejudge and (run / "messages.jsonl").exists()
    if run.exists() and not reuse:
        shutil.rmtree(run)  # a throwaway database: every run starts empty
    mail_dir = run / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    units = load_units(Path(args.units))

    files, skipped = collect(src, args.max_file_bytes, corpus.kind_of)
    from dienhinh.ingest.identity import header_facts

    built: list[Built] = []
    seen_mids: set[str] = set()
    n_doc: Counter[str] = Counter()  # documents of each kind so far
    for source, path, kind in round_robin(files):
        if len(built) + (2 if kind == "eml" else 1) > args.max_messages:
            skipped["over --max-messages"] += 1
            continue
        rel = str(path.relative_to(src))
        data = path.read_bytes()
        if kind == "eml":
            try:
                mid = header_facts(data)[0]
            except Exception:  # noqa: BLE001 - the product decides what such a file is
                mid = ""
            docs = documents_in_mail(data, args.max_file_bytes, corpus.kind_of_bytes)
            if mid and mid in seen_mids:
                skipped["mail with a Message-ID seen before"] += 1
            elif mid:
                seen_mids.add(mid)
                built.append(Built(mid, source, rel, "raw", docs))
                (mail_dir / f"{len(built):05d}-raw.eml").write_bytes(data)
            n = len(built) + 1
            fmid = f"outside-{n:05d}.{hashlib.sha256(data).hexdigest()[:10]}@bench.dienhinh.invalid"
            mail = unit_mail(n, fmid, units, "thư chuyển tiếp đính kèm", [forwarded_part(data)])
            fdocs = [Doc(d.name, d.kind, d.data) for d in docs]
            built.append(Built(fmid, source, rel, "forwarded", fdocs))
            (mail_dir / f"{n:05d}-fwd.eml").write_bytes(mail)
            continue
        n = len(built) + 1
        mid = f"outside-{n:05d}.{hashlib.sha256(data).hexdigest()[:10]}@bench.dienhinh.invalid"
        ctype, name = type_and_name(kind, path, data)
        variant = "attached"
        # Every fourth document of each kind, from the second on (a kind with two files
        # gets one of each), travels as octet-stream under a wrong name.
        n_doc[kind] += 1
        if n_doc[kind] % 4 == 2:
            name, ctype, variant = (
                wrong_name(kind, name, n_doc[kind] // 4),
                "application/octet-stream",
                "wrong-name",
            )
        mail = unit_mail(n, mid, units, "tệp đính kèm", [attachment_part(name, ctype, data)])
        built.append(Built(mid, source, rel, variant, [Doc(name, kind, data)]))
        (mail_dir / f"{n:05d}-doc.eml").write_bytes(mail)

    print(f"built {len(built)} messages from {len(files)} files in {src}", flush=True)
    for why, k in sorted(skipped.items()):
        print(f"  left out: {k} ({why})")

    # Independent text, once per distinct document.
    by_hash: dict[str, Doc] = {}
    for b in built:
        for d in b.docs:
            by_hash.setdefault(hashlib.sha256(d.data).hexdigest(), d)
    t0 = time.monotonic()
    independent_counts(list(by_hash.values()), args.extract_timeout)
    for b in built:
        for d in b.docs:
            ref = by_hash[hashlib.sha256(d.data).hexdigest()]
            d.words, d.note = ref.words, ref.note
    print(
        f"independent extraction of {len(by_hash)} documents: {time.monotonic() - t0:.0f} s",
        flush=True,
    )

    if reuse:
        result = {"timings": {}}
        for what in ("messages", "articles"):
            lines = (run / f"{what}.jsonl").read_text(encoding="utf-8").splitlines()
            result[what] = [json.loads(line) for line in lines if line.strip()]
        print(f"judging the previous run's export in {run} again (--rejudge)")
    else:
        result = product(run, mail_dir, args.slow_budget, args.timeout)
    messages = {m["message_id"]: m for m in result["messages"]}
    arts_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in result["articles"]:
        arts_by[a["message_id"]].append(a)
    db = run / "data" / "dienhinh.sqlite3"
    from_export = any("attachments" in m for m in result["messages"])
    atts_db = {} if from_export else attachments_from_db(db)
    art_errors = article_errors_from_db(db)

    rows: dict[str, Counter[str]] = defaultdict(Counter)
    variants: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    causes: Counter[str] = Counter()
    states: Counter[str] = Counter()
    untrue: list[dict[str, Any]] = []
    for b in built:
        msg = messages.get(b.mid)
        atts = (msg or {}).get("attachments", []) if from_export else atts_db.get(b.mid, [])
        why = judge(b, msg, arts_by.get(b.mid, []), atts, args.min_words)
        state = (msg or {}).get("status", "missing")
        states[state] += 1
        groups = [rows[b.source], variants[b.variant]]
        if b.variant in ("attached", "wrong-name") and b.docs:
            groups.append(kinds[f"{b.docs[0].kind}, {b.variant}"])
        for row in groups:
            row["messages"] += 1
            row[state] += 1
            row["untrue"] += bool(why)
        for cause, _detail in why:
            causes[cause] += 1
        if why:
            untrue.append(
                {
                    "message": b.mid,
                    "source": b.source,
                    "file": b.file,
                    "variant": b.variant,
                    "documents": [
                        {"name": d.name, "kind": d.kind, "words": d.words, "note": d.note}
                        for d in b.docs
                    ],
                    "state": state,
                    "reason": (msg or {}).get("reason"),
                    "articles": art_errors.get(b.mid, []),
                    "attachments": atts,
                    "why": [detail for _cause, detail in why],
                }
            )

    print(f"\nmessages per state: {dict(sorted(states.items()))}")
    print(f"attachments read from: {'export messages' if from_export else 'the asset table'}")
    cols = ["messages", "ingested", "no-article", "failed", "duplicate", "untrue"]
    table = ["| source | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    total: Counter[str] = Counter()
    for source in sorted(rows):
        total.update(rows[source])
        table.append(f"| {source} | " + " | ".join(str(rows[source][c]) for c in cols) + " |")
    table.append("| **total** | " + " | ".join(f"**{total[c]}**" for c in cols) + " |")
    print("\n" + "\n".join(table))
    print("\n| mail | " + " | ".join(cols) + " |\n" + "|---" * (len(cols) + 1) + "|")
    for variant in ("attached", "wrong-name", "raw", "forwarded"):
        if variant in variants:
            v = variants[variant]
            print(f"| {variant} | " + " | ".join(str(v[c]) for c in cols) + " |")
    print("\n| document | " + " | ".join(cols) + " |\n" + "|---" * (len(cols) + 1) + "|")
    for key in sorted(kinds):
        print(f"| {key} | " + " | ".join(str(kinds[key][c]) for c in cols) + " |")
    print("\nwhy untrue (one message may have several):")
    for cause, k in causes.most_common():
        print(f"  {k:5d}  {cause}")
    other = {k: v for k, v in states.items() if k not in cols}
    if other:
        print(f"\nother states: {other}")

    print(f"\n{len(untrue)} untrue message(s):")
    if untrue:
        print("\n| message | source file | state | reason | why untrue |\n|---|---|---|---|---|")
        for u in untrue:
            reason = (u["reason"] or "").replace("|", "/").replace("\n", " ")[:160]
            why = "; ".join(u["why"]).replace("|", "/")[:400]
            print(
                f"| {u['message'][:28]} | {u['source']}/{u['file'].split('/', 1)[-1]} "
                f"({u['variant']}) | {u['state']} | {reason} | {why} |"
            )
    report = {
        "built": len(built),
        "skipped": dict(skipped),
        "states": dict(states),
        "per_source": {k: dict(v) for k, v in rows.items()},
        "per_mail": {k: dict(v) for k, v in variants.items()},
        "per_document": {k: dict(v) for k, v in kinds.items()},
        "causes": dict(causes),
        "untrue": untrue,
        "product": result["timings"],
        "seconds": round(time.monotonic() - started, 1),
        "attachments_from": "export" if from_export else "asset table",
    }
    (run / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"\nreport: {run / 'report.json'}; total {report['seconds']} s")
    return 1 if untrue else 0


if __name__ == "__main__":
    sys.exit(main())
