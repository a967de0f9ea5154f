"""Everything an ingest stores, written out to compare two trees (a speed-up must change none).

Builds a folder of mail files once (``--mail DIR``: made when missing, read when present,
so two trees ingest the very same bytes): the labelled corpus (all writers), the eval and
unit-mail fixture sets, the demo Maildir, the shared samples, the first messages of the
benchmark's mix, and resends of some of them (the same bytes under a new Message-ID, and
copies with a few words changed), so that de-duplication links and revisions are made.
Then imports the folder with the product's ``Ingestor`` into a fresh SQLite database
(the slow lane, LibreOffice and OCR, left out: their articles stay waiting) and writes
every row of the tables an ingest fills as sorted JSON, ids replaced by stable keys
(a message by its Message-ID, an article by Message-ID and ordinal) and the clock's
timestamps left out.

    PYTHONPATH=<tree A's parent> python bench/ingest_snapshot.py --mail M a.json
    PYTHONPATH=<tree B's parent> python bench/ingest_snapshot.py --mail M b.json
    cmp a.json b.json

``--workers N`` extracts in a pool of N processes (default 1: in this process).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Every file gets this modification time, so that a message dated by its file (no usable
# header date) gets the same receipt time in both trees.
_MTIME = 1_600_000_000


def _module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _resend(raw: bytes, n: int, *, edit: bool) -> bytes:
    """``raw`` under a new Message-ID; with ``edit``, a few digits of its text changed (a
    corrected version) where the bytes show them in the clear (text and HTML bodies)."""
    head, sep, body = raw.partition(b"\n\n")
    head = re.sub(
        rb"(?im)^message-id:.*$",
        f"Message-ID: <{'edited' if edit else 'resend'}-{n}@bench.invalid>".encode(),
        head,
        count=1,
    )
    if edit:
        body = re.sub(rb"\b(\d)(\d)\b", rb"\2\1", body, count=6)
    return head + sep + body


def build_mail(out: Path, bench_messages: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.eval import build as eval_build
    from fixtures.unitmail import build as unitmail_build

    from factory import mixed_corpus

    tmp = Path(tempfile.mkdtemp(prefix="ingest-snapshot-"))
    _module(ROOT / "tests" / "fixtures" / "corpus" / "build.py", "corpus_build").build(
        tmp / "corpus"
    )
    eval_build.build(tmp / "eval")
    unitmail_build.build(tmp / "unitmail")
    files: list[tuple[str, bytes]] = []
    for d in ("corpus", "eval", "unitmail"):
        files += [(f"{d}-{p.name}", p.read_bytes()) for p in sorted((tmp / d).glob("*.eml"))]
    files += [
        (f"demo-{p.name}", p.read_bytes())
        for p in sorted((ROOT / "demo" / "maildir").rglob("*"))
        if p.is_file()
    ]
    samples = ROOT.parent.parent.parent / "shared" / "samples"
    if samples.is_dir():
        files += [(f"samples-{p.name}", p.read_bytes()) for p in sorted(samples.glob("*.eml"))]
    mix = mixed_corpus(bench_messages, seed=7, paragraphs=10)
    files += [(f"mix-{i:04d}.eml", raw) for i, raw in enumerate(mix)]
    # Resends: every 7th file again under a new id, every 11th with a few digits changed.
    originals = list(files)
    for i, (name, raw) in enumerate(originals):
        if i % 7 == 3:
            files.append((f"resend-{name}", _resend(raw, i, edit=False)))
        if i % 11 == 5:
            files.append((f"edited-{name}", _resend(raw, i, edit=True)))
    out.mkdir(parents=True)
    for i, (name, raw) in enumerate(files):
        path = out / f"{i:05d}-{name}"
        if not path.name.endswith(".eml"):
            path = path.with_name(path.name + ".eml")
        path.write_bytes(raw)
        os.utime(path, (_MTIME, _MTIME))


# Columns of the clock (when a row was written), not of the mail.
_CLOCK = {
    "created_at",
    "updated_at",
    "at",
    "decided_at",
    "next_attempt_at",
    "started_at",
    "finished_at",
    "last_attempt_at",
    "indexed_at",
}


def dump(url: str) -> dict[str, list[Any]]:
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, list[Any]] = {}
    with engine.connect() as c:
        mids = dict(
            c.execute(
                select(meta.tables["message"].c.id, meta.tables["message"].c.message_id)
            ).all()
        )
        art = meta.tables["article"]
        arts = {
            aid: f"{mids[mpk]}#{ordinal}"
            for aid, mpk, ordinal in c.execute(select(art.c.id, art.c.message_pk, art.c.ordinal))
        }
        refs = {
            "message_pk": mids,
            "duplicate_of_id": None,
            "article_pk": arts,
            "article_id": arts,
            "revision_of_id": arts,
        }
        for name in (
            "message",
            "delivery",
            "article",
            "asset",
            "article_band",
            "tag",
            "audit_log",
            "sender_address",
        ):
            if name not in meta.tables:
                continue
            table = meta.tables[name]
            rows = []
            for row in c.execute(select(table)).mappings():
                item: dict[str, Any] = {}
                for col, value in row.items():
                    if col == "id" or col in _CLOCK or (name, col) == ("delivery", "received_at"):
                        continue  # a delivery's received_at is when this run stored it
                    if col == "duplicate_of_id":
                        value = (mids if name == "message" else arts).get(value, value)
                    elif col in refs and refs[col] is not None and value is not None:
                        value = refs[col].get(value, value)  # type: ignore[union-attr]
                    elif col == "object_id" and value is not None:
                        kind = row.get("object_type")
                        value = (mids if kind == "message" else arts).get(value, value)
                    item[col] = value
                rows.append(item)
            out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    engine.dispose()
    return out


def ingest(mail: Path, workers: int) -> dict[str, list[Any]]:
    from dienhinh.core.config import config_from_mapping
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.files import FileImportSource
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix="ingest-snapshot-db-"))
    config = config_from_mapping(
        {
            "paths": {"data_dir": str(work / "var")},
            "mailbox": {"url": f"maildir://{work / 'unused'}"},
            "ingest": {"workers": workers},
        },
        environ={},
    )
    engine = make_engine(config.database.url)
    upgrade(engine)
    ing = Ingestor(config, engine)
    ing.slow_lane = lambda report: None  # type: ignore[method-assign]
    report = ing.import_from(FileImportSource([mail]))
    print(
        f"imported: fetched {report.fetched}, processed {report.processed}, articles "
        f"{report.articles}, failed {report.failed}"
    )
    engine.dispose()
    return dump(config.database.url)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the JSON to write")
    ap.add_argument("--mail", type=Path, required=True, help="the mail folder (made when missing)")
    ap.add_argument("--bench-messages", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    if not args.mail.exists():
        build_mail(args.mail, args.bench_messages)
    result = ingest(args.mail, args.workers)
    args.out.write_text(
        json.dumps(result, ensure_ascii=False, indent=0, sort_keys=True, default=str),
        encoding="utf-8",
    )
    print(", ".join(f"{k} {len(v)}" for k, v in result.items()) + f": {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
