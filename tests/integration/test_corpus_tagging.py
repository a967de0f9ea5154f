"""The tagging corpus of issue 14 (tests/fixtures/corpus: unit mail by several writers),
scored end to end by `dienhinh eval` on the writers the taggers were never tuned on.

The held-out writers' figures are the ones that count. The test reads only their
aggregate figures (never their mail, labels or per-email errors), and asserts:
  - FLOORS: regression floors a little below what the product achieved when they were
    set. They are NOT the goal: each must rise towards TARGETS (issue 14's) as the
    taggers improve, and is never lowered to let a change pass;
  - the calibration (issue 14, item 5): a wrong unit is never shown as certain (>= 0.9),
    ECE ceilings and the share right among "certain" tags, as floors too;
  - test_held_out_writers_meet_the_issue_14_targets is an expected failure (xfail, strict):
    the day it passes, pytest reports it, and the floors above are raised to the targets.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.corpus.build import DEVELOPMENT, build, held_out

from dienhinh.classifiers.calibration import CALIBRATION_FILE, Calibration
from dienhinh.worker.cli import main

pytestmark = pytest.mark.slow

# Issue 14's targets on the held-out writers.
TARGETS = {
    "unit_accuracy": 0.98,
    "campaign_micro_f1": 0.90,
    "campaign_macro_f1": 0.90,
    "subject_accuracy": 0.95,
    "kind_accuracy": 0.80,
}
CERTAIN_RIGHT_TARGET = 0.97  # of tags shown with confidence >= 0.9, the share right

# Measured on 2026-12-06 after the unit, campaign and kind work of issue 14 (held-out
# writers bullets, caps, figures, longform: 100 emails, 89 relevant, 91 articles), with the
# calibration refitted on the development writers: unit 0.933, campaign micro-F1 0.891,
# macro-F1 0.887, subject 0.901, kind 0.934, noise precision 1.000 / recall 0.545, key
# phrases 1.000. (Before that work: unit 0.832, campaign 0.840/0.851, subject 0.826, kind
# 0.884, noise recall 0.375.) TO RAISE towards TARGETS as the taggers improve (unit to
# 0.98, campaigns to 0.90, subject to 0.95); never lower.
FLOORS = {
    "unit_accuracy": 0.92,
    "campaign_micro_f1": 0.88,
    "campaign_macro_f1": 0.87,
    "subject_accuracy": 0.89,
    "kind_accuracy": 0.92,
    "noise_precision": 1.0,
    "noise_recall": 0.5,
    "key_phrase_recall": 1.0,
}
# The same day's calibration per field: ECE unit 0.152 (under-confident: every unit shown
# at 0.6 or more was right), campaign 0.092, subject 0.045, kind 0.058; share right among
# tags >= 0.9: unit 1.000 (39), campaign 0.897 (97), subject 0.982 (56), kind 0.958 (71).
# Ceilings a little above the ECEs, floors a little below the shares (campaign's and kind's
# TO RAISE to CERTAIN_RIGHT_TARGET: passing mentions of a campaign are still tagged with
# high confidence).
ECE_CEILINGS = {"unit": 0.17, "campaign": 0.11, "subject_type": 0.07, "kind": 0.08}
CERTAIN_RIGHT_FLOORS = {"unit": 0.97, "campaign": 0.88, "subject_type": 0.97, "kind": 0.94}


def _eval(tmp: Path, labels: Path, folder: Path) -> dict[str, Any]:
    """`dienhinh eval LABELS DIR --json` through the real command, on a fresh data dir."""
    cfg = tmp / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{tmp}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    code = main(["--config", str(cfg), "-q", "eval", str(labels), str(folder), "--json"], out=out)
    assert code == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The eval report of the held-out writers (built once for the module)."""
    tmp = tmp_path_factory.mktemp("corpus")
    build(tmp / "mail", held_out())
    return _eval(tmp, tmp / "mail" / "labels.json", tmp / "mail")


def _aggregate(r: dict[str, Any]) -> str:
    """The figures to print: aggregates only (no file, no expected unit)."""
    keys = [*FLOORS, "emails", "relevant", "articles_matched", "articles_labelled"]
    lines = [f"{k:<20} {r[k]}" for k in keys]
    for f, c in r["calibration"].items():
        lines.append(
            f"{f:<20} ECE {c['ece']:.3f}, >= 0.9: {c['certain_right']:.3f} of {c['certain']}"
        )
    return "\n".join(lines)


def test_held_out_writers_keep_their_floors(held, capsys: pytest.CaptureFixture[str]):
    with capsys.disabled():  # the figures belong in the CI log, pass or fail
        print(f"\n[eval: held-out writers {', '.join(held_out())}]\n" + _aggregate(held))
    assert held["missing_emails"] == []
    assert held["articles_matched"] == held["articles_labelled"]
    low = {k: (held[k], floor) for k, floor in FLOORS.items() if held[k] < floor}
    assert not low, f"below the regression floor (got, floor): {low}"


def test_held_out_calibration(held):
    """A wrong unit is never shown as certain; the confidences keep their calibration."""
    certain_wrong = [
        e["confidence"]
        for e in held["unit_errors"]
        if e["got"] is not None and (e["confidence"] is None or e["confidence"] >= 0.9)
    ]
    assert not certain_wrong, f"{len(certain_wrong)} wrong unit(s) shown as certain"
    cal = held["calibration"]
    assert set(cal) == {"unit", "campaign", "subject_type", "kind"}
    high = {f: (cal[f]["ece"], c) for f, c in ECE_CEILINGS.items() if cal[f]["ece"] > c}
    assert not high, f"ECE above its ceiling (got, ceiling): {high}"
    low = {
        f: (cal[f]["certain_right"], c)
        for f, c in CERTAIN_RIGHT_FLOORS.items()
        if cal[f]["certain_right"] < c
    }
    assert not low, f"share right among tags >= 0.9 below its floor (got, floor): {low}"


@pytest.mark.xfail(
    reason="issue 14's targets are not met yet on the held-out writers: when this passes, "
    "raise FLOORS and CERTAIN_RIGHT_FLOORS to the targets and remove this mark",
    strict=True,
)
def test_held_out_writers_meet_the_issue_14_targets(held):
    short = {k: (held[k], t) for k, t in TARGETS.items() if held[k] < t}
    short |= {
        f"{f} >= 0.9 right": (c["certain_right"], CERTAIN_RIGHT_TARGET)
        for f, c in held["calibration"].items()
        if c["certain_right"] < CERTAIN_RIGHT_TARGET
    }
    assert not short, f"short of the target (got, target): {short}"


def test_the_calibration_was_fitted_on_development_writers_only():
    cal = Calibration.load(CALIBRATION_FILE)
    assert cal is not None
    assert cal.meta["writers"] and set(cal.meta["writers"]) <= DEVELOPMENT


def test_a_writer_builds_the_same_bytes_twice(tmp_path: Path):
    """Figures move only when the product does."""
    writer = held_out()[0]
    build(tmp_path / "a", [writer])
    build(tmp_path / "b", [writer])
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) > 1 and "labels.json" in names
    assert all(
        (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names
    )


def test_calibrate_fits_a_file_and_eval_prints_the_calibration(tmp_path: Path):
    """`dienhinh calibrate` fits a map per field from one development writer's mail (raw
    scores), and `dienhinh eval` prints the reliability table, ECE and share right."""
    writer = sorted(DEVELOPMENT)[0]
    build(tmp_path / "mail", [writer])
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{tmp_path}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    labels, folder = tmp_path / "mail" / "labels.json", tmp_path / "mail"
    fitted = tmp_path / "calibration.json"
    out = io.StringIO()
    args = ["--config", str(cfg), "-q", "calibrate", str(labels), str(folder), "-o", str(fitted)]
    assert main(args, out=out) == 0
    cal = Calibration.load(fitted)
    assert cal is not None and cal.meta["writers"] == [writer]
    assert {"unit", "campaign", "subject_type", "kind"} <= set(cal.fields)
    assert f"tags of {writer} -> {fitted}" in out.getvalue()
    out = io.StringIO()
    assert main(["--config", str(cfg), "-q", "eval", str(labels), str(folder)], out=out) == 0
    text = out.getvalue()
    assert "calibration (confidence shown: tags, mean confidence, share right)" in text
    for name in ("unit", "campaign", "subject", "kind"):
        assert f"  {name}: " in text and "ECE" in text and ">= 0.9:" in text
    assert "    [0.9, 1.0]" in text
