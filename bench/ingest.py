"""Ingest benchmark: the product against a bare-minimum reference script, on a real dovecot.

Prints, all measured in the same run (issue 2):
  (a) end-to-end ingest time of N mixed messages (docx with photos, text pdf, html, text)
      polled from dovecot into a fresh SQLite database, and its ratio to a reference script
      that only FETCHes (imapclient, BODY.PEEK[], batches of 100), parses with
      email.message_from_bytes and extracts text with python-docx, pypdf and
      BeautifulSoup(html.parser), storing nothing            target ratio <= 1.0
  (b) the bare FETCH time alone
  (c) a poll with no new mail on a 10,000-message mailbox      target <= 1 s
  (d) peak memory of a poll of one message with a 25 MB attachment   target <= 300 MB RSS

Usage: python bench/ingest.py [--messages 1000] [--idle-size 10000] [--json OUT]
Needs root and Debian's dovecot-imapd (scripts/test-setup installs it).
"""

from __future__ import annotations

import argparse
import email
import io
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from dovecot import USER, Dovecot, free_port  # noqa: E402
from factory import DOCX_TYPE, Attach, make_email, mixed_corpus  # noqa: E402

CACHE = HERE / "out"


def corpus(n: int) -> list[bytes]:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"corpus-{n}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    data = mixed_corpus(n, seed=7)
    path.write_bytes(pickle.dumps(data))
    return data


# --- the reference script -------------------------------------------------------------------

def reference(server: Dovecot) -> tuple[float, int]:
    import docx
    import pypdf
    from bs4 import BeautifulSoup

    t0 = time.perf_counter()
    chars = 0
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search("ALL")
        for i in range(0, len(uids), 100):
            resp = c.fetch(uids[i : i + 100], ["BODY.PEEK[]"])
            for data in resp.values():
                msg = email.message_from_bytes(data[b"BODY[]"])
                for part in msg.walk():
                    ctype = part.get_content_type()
                    name = (part.get_filename() or "").lower()
                    if part.is_multipart():
                        continue
                    payload = part.get_payload(decode=True) or b""
                    if name.endswith(".docx"):
                        d = docx.Document(io.BytesIO(payload))
                        chars += sum(len(p.text) for p in d.paragraphs)
                        for t in d.tables:
                            for row in t.rows:
                                chars += sum(len(cell.text) for cell in row.cells)
                    elif name.endswith(".pdf") or ctype == "application/pdf":
                        r = pypdf.PdfReader(io.BytesIO(payload))
                        chars += sum(len(p.extract_text() or "") for p in r.pages)
                    elif ctype == "text/html":
                        chars += len(BeautifulSoup(payload, "html.parser").get_text())
    return time.perf_counter() - t0, chars


def bare_fetch(server: Dovecot) -> float:
    t0 = time.perf_counter()
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search("ALL")
        for i in range(0, len(uids), 100):
            c.fetch(uids[i : i + 100], ["BODY.PEEK[]"])
    return time.perf_counter() - t0


# --- the product ----------------------------------------------------------------------------

def product_config(server: Dovecot, work: Path, **ingest: object):
    from dienhinh.core.config import config_from_mapping

    return config_from_mapping(
        {
            "paths": {"data_dir": str(work / "var")},
            "mailbox": {"url": f"imap://{USER.replace('@', '%40')}@127.0.0.1:{server.port}/INBOX"},
            "ingest": dict(ingest),
        },
        environ={"DIENHINH_IMAP_PASSWORD": "secret"},
    )


def product(server: Dovecot, work: Path) -> tuple[float, object]:
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.imap import ImapSource
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import upgrade

    config = product_config(server, work)
    engine = make_engine(config.database.url)
    upgrade(engine)
    t0 = time.perf_counter()
    report = Ingestor(config, engine).poll(ImapSource(config.mailbox))
    return time.perf_counter() - t0, report


def idle_poll(size: int, base: list[bytes]) -> tuple[float, float]:
    """Seconds for a poll with no new mail on a mailbox of ``size`` messages, and for 10."""
    from sqlalchemy.orm import Session

    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.imap import ImapSource
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import upgrade
    from dienhinh.store.models import MailboxState

    out = []
    for n in (10, size):
        with tempfile.TemporaryDirectory(prefix="dh-idle-") as tmp:
            work = Path(tmp)
            server = Dovecot(work / "imap", free_port())
            server.start()
            try:
                server.bulk_load(USER, (base[i % len(base)] for i in range(n)))
                server.settle()
                config = product_config(server, work)
                engine = make_engine(config.database.url)
                upgrade(engine)
                ing = Ingestor(config, engine)
                # Ingest once for real when small; for the big mailbox, record the state a
                # finished ingest leaves (UIDVALIDITY + last UID) instead of parsing 10,000 mails.
                with server.client() as c:
                    info = c.select_folder("INBOX", readonly=True)
                    uids = c.search("ALL")
                with Session(engine) as s:
                    s.add(MailboxState(key=config.mailbox.url.key, uidvalidity=info[b"UIDVALIDITY"],
                                       last_uid=max(uids), consecutive_failures=0))
                    s.commit()
                ing.poll(ImapSource(config.mailbox))  # warm
                t0 = time.perf_counter()
                report = ing.poll(ImapSource(config.mailbox))
                out.append(time.perf_counter() - t0)
                assert report.ok and report.fetched == 0, report
            finally:
                server.stop()
    return out[1], out[0]


def memory_child(work: Path, port: int) -> None:
    """Runs in its own process: one poll of the big message; prints peak RSS in MB."""
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.imap import ImapSource
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import upgrade

    server = Dovecot.__new__(Dovecot)
    server.port = port
    config = product_config(server, work)
    engine = make_engine(config.database.url)
    upgrade(engine)
    report = Ingestor(config, engine).poll(ImapSource(config.mailbox))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"self_mb": own, "children_mb": kids, "articles": report.articles,
                      "error": report.error}))


def peak_memory() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="dh-mem-") as tmp:
        work = Path(tmp)
        server = Dovecot(work / "imap", free_port())
        server.start()
        try:
            big = os.urandom(25 * 1024 * 1024)
            raw = make_email(subject="Ảnh lớn", attachments=[
                Attach("anh-rat-lon.jpg", b"\xff\xd8\xff\xe0" + big, "image/jpeg"),
                Attach("bai.docx", _small_docx(), DOCX_TYPE)])
            server.append(USER, raw)
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(work), str(server.port)],
                capture_output=True, text=True, check=True)
            return json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            server.stop()


def _small_docx() -> bytes:
    from factory import DocSpec, article_text, make_docx

    title, paras = article_text(99)
    return make_docx(DocSpec(title=title, paragraphs=paras))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--idle-size", type=int, default=10000)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--memory-child", nargs=2, metavar=("WORK", "PORT"))
    args = ap.parse_args()
    if args.memory_child:
        memory_child(Path(args.memory_child[0]), int(args.memory_child[1]))
        return

    msgs = corpus(args.messages)
    results: dict[str, object] = {"messages": len(msgs), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="dh-bench-") as tmp:
        work = Path(tmp)
        server = Dovecot(work / "imap", free_port())
        server.start()
        try:
            server.bulk_load(USER, msgs)
            bare_fetch(server)  # warm the server's caches
            fetch_s = bare_fetch(server)
            ref_s, _ = reference(server)
            prod_s, report = product(server, work)
        finally:
            server.stop()
    results.update(
        reference_s=round(ref_s, 3), product_s=round(prod_s, 3), ratio=round(prod_s / ref_s, 3),
        fetch_s=round(fetch_s, 3),
        reference_ms_per_msg=round(1000 * ref_s / len(msgs), 2),
        product_ms_per_msg=round(1000 * prod_s / len(msgs), 2),
        fetch_ms_per_msg=round(1000 * fetch_s / len(msgs), 2),
        product_articles=report.articles, product_failed=report.failed, product_error=report.error,
    )
    print(f"(a) ingest {len(msgs)} messages: product {prod_s:.2f} s "
          f"({results['product_ms_per_msg']} ms/msg), reference {ref_s:.2f} s "
          f"({results['reference_ms_per_msg']} ms/msg): ratio {prod_s / ref_s:.2f} (target <= 1.0)")
    print(f"    product stored {report.articles} articles, {report.failed} failed")
    print(f"(b) bare FETCH: {fetch_s:.2f} s ({results['fetch_ms_per_msg']} ms/msg)")
    idle_big, idle_small = idle_poll(args.idle_size, msgs)
    results.update(idle_poll_s=round(idle_big, 4), idle_poll_small_s=round(idle_small, 4),
                   idle_size=args.idle_size)
    print(f"(c) poll with no new mail: {idle_big * 1000:.1f} ms on {args.idle_size} messages, "
          f"{idle_small * 1000:.1f} ms on 10 (target <= 1 s)")
    mem = peak_memory()
    results.update(peak_rss_mb=round(max(mem["self_mb"], mem["children_mb"]), 1),
                   peak_rss_main_mb=round(mem["self_mb"], 1))
    print(f"(d) peak RSS with a 25 MB attachment: main process {mem['self_mb']:.0f} MB, "
          f"largest child {mem['children_mb']:.0f} MB (target <= 300 MB)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
