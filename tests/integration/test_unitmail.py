"""Vietnamese unit mail of other writers and clients (issue 12), scored end to end.

tests/fixtures/unitmail/build.py writes sixty emails at test time: inline forwards as
Outlook (Vietnamese and English), Gmail (web and phone), Zimbra, Yahoo, Thunderbird and
Apple Mail write them; documents as .docx, .doc, .rtf, .odt (under a .docx name), RTF as
octet-stream .bin, PDF, zips (plain, password-protected, a bomb); phone photos of printed
pages; TCVN3 text; official papers (giấy mời, công văn, quyết định, ...) that are not
articles; a message over the MIME part limit; noise and resends. Its labels say what a
truthful reading is, including ``expect``: the message state and each attachment's
outcome (core.types.AttachmentOutcome).

Two checks:
- ``dienhinh eval`` on the set keeps regression floors (unit, campaigns, key phrases);
- each email's stored state and attachment outcomes match ``expect``. KNOWN_GAPS lists the
  emails the pipeline does not yet read truthfully, with the missing behaviour; those are
  reported as expected failures while they still mismatch, and fail the run once they
  match, so the entry is removed when the behaviour lands.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.unitmail.build import EMAILS, build
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.config import config_from_mapping
from dienhinh.core.types import AttachmentOutcome
from dienhinh.ingest.identity import header_facts
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.store.db import make_engine
from dienhinh.store.export import export_messages
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Asset, Message
from dienhinh.worker.cli import main

# Regression floors for `dienhinh eval` on this set. First measured on 2026-12-06 before
# the issue-12 fixes: unit 0.959 (47/49), campaign micro-F1 0.774, macro-F1 0.755,
# key-phrase recall 0.851 (40/47), duplicates 2/2. Measured again on 2026-12-06 after the
# first round's merge (f82a18d): unit 0.980 (48/49; the one miss is the ASCII subject
# abbreviation "So NN&PTNT" of 29-subject-so-nnptnt-ascii.eml), campaign micro-F1 0.804,
# macro-F1 0.758, key-phrase recall 0.979 (46/47 articles matched), duplicates 2/2. Set a
# little below; raise them as the pipeline learns, never lower them to make a change pass.
FLOORS = {
    "unit_accuracy": 0.96,
    "campaign_micro_f1": 0.78,
    "campaign_macro_f1": 0.74,
    "key_phrase_recall": 0.95,
}

# email file -> the behaviour the pipeline lacks (issue 12), as observed on 2026-12-06
# after the first round's merge (f82a18d); empty since every email reads truthfully.
KNOWN_GAPS: dict[str, str] = {}

OUTCOMES = {o.value for o in AttachmentOutcome}
NEEDS_NO_REASON = {AttachmentOutcome.ARTICLE.value, AttachmentOutcome.PHOTO.value}


@pytest.fixture(scope="module")
def unitmail(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    root = tmp_path_factory.mktemp("unitmail")
    labels = build(root / "set")
    return root, labels, json.loads(labels.read_text(encoding="utf-8"))


def _eval(root: Path, labels: Path, folder: Path) -> dict:
    """`dienhinh eval LABELS DIR --json` through the real command."""
    cfg = root / "eval.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{root}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    code = main(["--config", str(cfg), "-q", "eval", str(labels), str(folder), "--json"], out=out)
    assert code == 0
    return json.loads(out.getvalue())


def test_unitmail_eval_floors(unitmail, capsys: pytest.CaptureFixture[str]):
    """GIVEN sixty Vietnamese emails of other writers and clients WHEN `dienhinh eval`
    scores them THEN unit, campaign and key-phrase figures stay above their floors, both
    resends are found, and no unit is guessed for mail nobody can attribute."""
    root, labels, _ = unitmail
    r = _eval(root, labels, labels.parent)
    rows = [
        f"emails (relevant)         {r['emails']} ({r['relevant']})",
        f"unit accuracy             {r['unit_accuracy']:.3f} ({r['unit_correct']}/{r['relevant']})",
        f"campaign micro/macro-F1   {r['campaign_micro_f1']:.3f} / {r['campaign_macro_f1']:.3f}",
        f"subject / kind accuracy   {r['subject_accuracy']:.3f} / {r['kind_accuracy']:.3f}",
        f"noise precision / recall  {r['noise_precision']:.3f} / {r['noise_recall']:.3f}",
        f"duplicates found          {r['duplicates_found']}/{r['duplicates_labelled']}",
        f"key-phrase recall         {r['key_phrase_recall']:.3f}",
        f"articles matched          {r['articles_matched']}/{r['articles_labelled']}",
    ] + [f"  unit: {e['file']}: expected {e['expected']}, got {e['got']}" for e in r["unit_errors"]]
    with capsys.disabled():
        print("\n[eval: tests/fixtures/unitmail, 60 emails]\n" + "\n".join(rows))
    assert r["emails"] == 60 and r["missing_emails"] == []
    low = {k: (r[k], floor) for k, floor in FLOORS.items() if r[k] < floor}
    assert not low, f"below the regression floor (got, floor): {low}"
    assert r["duplicates_found"] == r["duplicates_labelled"] == 2
    guessed = [e for e in r["unit_errors"] if e["expected"] is None]
    assert not guessed, f"a unit was guessed without evidence: {guessed}"


def _attachments(s: Session, msg: Message, row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, outcome, reason) of every attachment: from `export messages` when it lists
    them, else from the stored Asset rows (attachments are the assets of no article)."""
    if isinstance(row.get("attachments"), list):
        return [
            (a.get("name", ""), a.get("outcome", ""), a.get("reason") or "")
            for a in row["attachments"]
        ]
    assets = s.execute(
        select(Asset)
        .where(Asset.message_pk == msg.id, Asset.article_pk.is_(None))
        .order_by(Asset.id)
    ).scalars()
    return [(a.filename, a.used_as, a.error or "") for a in assets]


@pytest.fixture(scope="module")
def observed(unitmail) -> dict[str, dict[str, Any]]:
    """Ingest the set once into a fresh SQLite database; what was stored, per email."""
    root, labels_path, labels = unitmail
    folder = labels_path.parent
    state = root / "state"
    cfg = config_from_mapping(
        {
            "paths": {"data_dir": str(state / "var")},
            "database": {"url": f"sqlite:///{state / 'db.sqlite3'}"},
            "mailbox": {"url": f"maildir://{state / 'md'}"},
            "ingest": {"workers": 1},
        },
        path=state / "config.toml",
    )
    state.mkdir()
    engine = make_engine(cfg.database.url)
    try:
        upgrade(engine)
        Ingestor(cfg, engine).import_from(
            FileImportSource([folder / lab["file"] for lab in labels])
        )
        out: dict[str, dict[str, Any]] = {}
        with Session(engine) as s:
            rows = {m["message_id"]: m for m in export_messages(s)}
            for lab in labels:
                mid = header_facts((folder / lab["file"]).read_bytes())[0]
                msg = s.execute(select(Message).where(Message.message_id == mid)).scalar_one()
                row = rows[mid]
                out[lab["file"]] = {
                    "status": row["status"],
                    "reason": row["reason"] or "",
                    "unit": row["unit"],
                    "attachments": _attachments(s, msg, row),
                }
    finally:
        engine.dispose()
    return out


def _mismatches(label: dict, got: dict[str, Any]) -> list[str]:
    exp = label["expect"]
    bad = []
    if got["status"] != exp["status"]:
        bad.append(f"status {got['status']!r} ({got['reason'][:80]}), expected {exp['status']!r}")
    elif exp["status"] == "failed" and not got["reason"]:
        bad.append("failed without a reason")
    by_name: dict[str, tuple[str, str]] = {}
    for name, outcome, reason in got["attachments"]:
        by_name.setdefault(name, (outcome, reason))
        if outcome not in OUTCOMES:
            bad.append(f"{name}: {outcome!r} is not an attachment outcome ({reason[:60]})")
        elif outcome not in NEEDS_NO_REASON and not reason:
            bad.append(f"{name}: {outcome} without a reason")
    for name, want in exp["attachments"].items():
        have = by_name.get(name, ("(not recorded)", ""))[0]
        if have != want:
            bad.append(f"{name}: {have}, expected {want}")
    return bad


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def test_unitmail_state_table(unitmail, observed, capsys: pytest.CaptureFixture[str]):
    """The per-email table of expected vs stored state and attachment outcomes (printed
    into the log); KNOWN_GAPS names only emails of the set."""
    _, _, labels = unitmail
    lines = [f"{'email':<38} {'expected':<11} {'stored':<11} gap  attachments / reason"]
    for lab in labels:
        got = observed[lab["file"]]
        bad = _mismatches(lab, got)
        atts = ", ".join(f"{n}={o}" for n, o, _r in got["attachments"][:4])
        if len(got["attachments"]) > 4:
            atts += f", … ({len(got['attachments'])} in all)"
        mark = ("gap " if lab["file"] in KNOWN_GAPS else "FAIL") if bad else "ok  "
        lines.append(
            f"{_cell(lab['file'], 38):<38} {lab['expect']['status']:<11} {got['status']:<11} "
            f"{mark} {_cell(atts or got['reason'], 90)}"
        )
        lines += [f"{'':<67}- {b}" for b in bad[:6]]
        if len(bad) > 6:
            lines.append(f"{'':<67}- … {len(bad) - 6} more")
    with capsys.disabled():
        print("\n[state: tests/fixtures/unitmail]\n" + "\n".join(lines))
    files = {lab["file"] for lab in labels}
    assert set(KNOWN_GAPS) <= files, sorted(set(KNOWN_GAPS) - files)


@pytest.mark.parametrize("file", [f for f, _fn in EMAILS])
def test_unitmail_state(file: str, unitmail, observed):
    """GIVEN one email of the set WHEN it is ingested THEN its state and every
    attachment's outcome are what its label expects (known gaps: still wrong, else the
    entry must go)."""
    _, _, labels = unitmail
    label = next(lab for lab in labels if lab["file"] == file)
    bad = _mismatches(label, observed[file])
    if file in KNOWN_GAPS:
        assert bad, f"{file} now reads truthfully: remove it from KNOWN_GAPS"
        pytest.xfail(KNOWN_GAPS[file])
    assert not bad, f"{file}: " + "; ".join(bad)


def test_unitmail_build_is_deterministic(unitmail, tmp_path: Path):
    """Two builds write the same bytes (dates, Message-IDs, boundaries, document metadata,
    image seeds, zip times, the encrypted zip's header): figures move only when the
    product does."""
    _, labels, _ = unitmail
    first, again = labels.parent, build(tmp_path / "again").parent
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 61 and names == sorted(p.name for p in again.iterdir())
    differ = [n for n in names if (first / n).read_bytes() != (again / n).read_bytes()]
    assert not differ, differ
