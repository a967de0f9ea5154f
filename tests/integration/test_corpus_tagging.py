"""The tagging corpus of issue 14 (tests/fixtures/corpus: unit mail by several writers),
scored end to end by `dienhinh eval` on the writers the taggers were never tuned on.

The held-out writers' figures are the ones that count. The test reads only their
aggregate figures (never their mail, labels or per-email errors), and asserts:
  - FLOORS: regression floors a little below what the product achieved when they were
    set. They are NOT the goal: each must rise towards TARGETS (issue 14's) as the
    taggers improve, and is never lowered to let a change pass;
  - the calibration (issue 14, item 5): the shipped map is fitted on the writers the
    taggers were never tuned on (the held-out writers and the round before them, UNTUNED),
    so its in-sample figures here are optimistic; the honest ones are the cross-fitted
    figures `dienhinh calibrate` prints (leave one writer out: fit on the others, score
    the one left out), asserted on a fresh run: a wrong unit is never shown as certain
    (>= 0.9), and of the tags shown with >= 0.9 at least the floor's share is right (97%
    in every field);
  - test_held_out_writers_meet_the_issue_14_targets: issue 14's accuracy targets, a strict
    xfail while the newest held-out writers fall short of them (the day it passes, pytest
    reports it, and the floors are raised to the targets);
  - test_cross_fitted_calibration_meets_the_issue_14_target: the 97% of certain tags, out
    of fold, in every field;
  - the campaign decision's weights were fitted on none of the writers scored here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.corpus.build import (
    DEVELOPMENT,
    UNTUNED,
    build,
    calibration_writers,
    held_out,
    tuning_writers,
)

from dienhinh.classifiers.calibration import CALIBRATION_FILE, Calibration
from dienhinh.classifiers.decision import DECISION_FILE, CampaignDecision
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

# Measured on 2026-12-08 (the ninth session) on the four held-out writers briefs, chain,
# retiree and highlander (written that session from their own briefs without reading the
# taggers: lists of short items, forward chains of up to three hops, retired cadres in
# TCVN3/VNI and a grandchild's Gmail, ethnic-minority cadres' plain Vietnamese; 100
# emails, 80 relevant, 103 articles), never read, with the code, decision and map of
# that moment (the decision refitted on the 68 tuning writers, the map on rounds 15 and
# 16): unit 0.975, campaigns 0.800/0.780, subject 0.857, kind 0.833, noise 1.000/0.750,
# key phrases 0.816, articles 84 of 103 (a list of short items in one body or document is
# one article: briefs 22 of 41), duplicates 4/4; the code of the session's start gave the
# same but kind 0.845. Per writer (unit, campaigns, subject, kind): briefs 1.000,
# 0.551/0.506, 0.636, 0.773; chain 0.900, 0.957/0.970, 1.000, 0.900; retiree 1.000,
# 0.885/0.899, 0.905, 0.809; highlander 1.000, 0.897/0.742, 0.905, 0.857. Then its
# articles not found were read (extraction only): a list of short exemplars, one
# paragraph each ("Gương 1: Anh X, thôn ...: what he did"), is one article each, and a
# sender's note saying its piece is its own unit's counts for it: unit 1.000, campaigns
# 0.851/0.849, subject 0.937, kind 0.821, key phrases 0.922, articles 95
# of 103 (left: two items under bold name lines, a table of four one-line rows). The
# floors below are these, a little under. The rounds before, each measured blind, then
# read and mended by general rules, then made development writers: annex, muddle,
# newspaper, sloganeer
# (0.975, 0.833/0.854, 0.912, 0.912, noise 0.941/0.762, articles 80 of 86; after: 1.000,
# 0.954/0.954, 0.930, 0.907, 86 of 86); testimony, forms, citizens, digital (1.000,
# 0.913/0.918, 0.861, 0.709; after: 1.000, 0.913/0.918, 0.942, 0.802); and
# on 2026-12-07 (the eighth session of the day) on the four held-out writers
# social, interview, literary and dossier (written that session from their own briefs
# without reading the taggers: fanpage posts copied into mail, Q&A interviews and radio
# transcripts, lyrical essays (bút ký), commendation dossiers; 100 emails, 82 relevant, 90
# articles), never read. With the code of the session's start (9989c60), its decision and
# map: unit 0.963, campaigns 0.881/0.898, subject 0.874, kind 0.839, noise 1.000/0.611,
# key phrases 0.967, articles 87 of 90, duplicates 4/4. After round 12's faults were read
# and mended (village roads are the new-rural programme's; an office's name over the
# title is letterhead; a plain first line over prose is the title; labels, programme lines
# and section headings never are; places are not people; crews and firms are collectives)
# and the decision refitted on the 56 tuning writers (round 11 now among them), still
# without reading round 13: unit 0.963, campaigns 0.887/0.901, subject 0.874, kind 0.839,
# noise 1.000/0.611, key phrases 0.967, articles 87 of 90; per writer (unit, campaigns,
# subject, kind): social 1.000, 0.881/0.870, 0.952, 0.952; interview 0.952, 0.898/0.895,
# 0.955, 0.909; literary 0.950, 0.844/0.876, 0.667, 0.667 (the essays reveal whom they are
# about slowly); dossier 0.952, 0.920/0.917, 0.913, 0.826. Then the three articles not
# found were read (extraction only: compilations of two pieces, each one article) and
# split by general rules: unit 0.963, campaigns 0.912/0.920, subject 0.878, kind 0.822,
# key phrases 1.000, articles 90 of 90 (the floors below; kind's is under its blind
# 0.839 because the three articles now matched count too). The round before:
# on 2026-12-07 (the seventh session of the day, its second round) on the four
# held-out writers teachers, freelance, sapa and builders (written from their own briefs
# without reading the taggers: 100 emails, 81 relevant, 90 articles), with the code,
# decision and map fitted before them (abb4490): unit 0.975 (a retired journalist's
# pieces for a unit named only in his note or byline went to the city the story is set
# in, at 0.12), campaigns 0.845/0.756, subject 0.922, kind 0.844, noise 1.000/0.737, key
# phrases 1.000, articles 90/90, duplicates 4/4; certain (>= 0.9) right: unit 1.000 of
# 53, campaign 0.943 of 53, subject 0.985 of 66, kind 1.000 of 26. Not read yet: their
# faults are the next session's to read. With the decision refitted on the tuning writers
# (round 11 among them) and the map on rounds 11+12: the same accuracies; calibration in
# the comment below. The round before:
# on 2026-12-07 (the seventh session of the day) on the four writers
# bulletin, boardclerk, newclerk and legacy (written that session from their own briefs
# without reading the taggers: 100 emails, 80 relevant, 116 articles), BEFORE any of their
# mail was read, with the code, campaign decision and map of that moment: unit 0.988,
# campaign micro-F1 0.829, macro-F1 0.806, subject 0.939, kind 0.849, noise precision
# 1.000 / recall 0.750, key phrases 0.845, articles 99 of 116, duplicates 3/4; certain (>=
# 0.9) right: unit 1.000 of 61 (no wrong unit shown as certain), campaign 0.975 of 79,
# subject 1.000 of 75, kind 1.000 of 55. Then their faults were read: compilations of
# short profiles (Roman or word-numbered headings, a category before the name, names in
# capitals after title words, a list of names alone, a compilation pasted into a body or
# printed to PDF) were one article; a chat copied from Zalo into a Board officer's mail
# went to her department, whose name her signature gives after the Board's; a body of
# TCVN3 bytes labelled iso-8859-1 read as windows-1258 ("KƯnh gửi"); a label line "BÀI
# VIẾT GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN" was the title; a short piece the note said was
# pasted below a docx was lost; a report's annex table, the Board's own tally, a
# circular to three offices and a request for the Board's form were articles; a .doc read
# after its .docx resend was linked the other way round. With the decision refitted on
# the tuning writers (round 10 now among them) and the map on the calibration writers:
# unit 1.000, campaigns 0.900/0.901, subject 0.974, kind 0.841, noise 1.000/1.000, key
# phrases 0.974, articles 113 of 116. Left: a youth union's list whose fifth line names a
# chapter its paragraph never names again (the profile stays with the fourth, in the
# email and its resend), a PDF bulletin of two unnumbered profiles (one article); kind
# (nhân tố mới read as điển hình tiên tiến). The earlier rounds, each measured before it
# was read and then made development writers: radio, planning, farmers, schoolnet (0.938,
# 0.933/0.927, 0.905, 0.869; after their fixes: 0.975, 0.923/0.918, 0.964, 0.881);
# transport, ethnic, politics, highcommune (0.938, 0.827/0.818,
# 0.965, 0.859; after their fixes: 0.988, 0.845/0.838, 0.965, 0.861); tourism, justice,
# labour, science (0.937, 0.864/0.836, 0.922, 0.856; after their fixes and the decision:
# 0.987, 0.908/0.908, 0.956, 0.846); finance, forest, telecom, veterans (1.000,
# 0.865/0.823, 0.957, 0.947); borderpost, cityhall, industry, womenfarm (0.989,
# 0.759/0.739, 0.853, 0.884); college, elders, infra, police (0.955, 0.780/0.757, 0.938,
# 0.794); highland, newsroom, services, youth (0.989, 0.886/0.889, 0.959, 0.938); culture,
# health, unions, wards (0.966, 0.864/0.811, 0.939, 0.950). Four writers swing the
# figures more than a session's changes do. TO RAISE towards TARGETS as the taggers
# improve; never lower on the same set.
FLOORS = {
    "unit_accuracy": 0.97,
    "campaign_micro_f1": 0.84,
    "campaign_macro_f1": 0.84,
    "subject_accuracy": 0.93,
    "kind_accuracy": 0.81,
    "noise_precision": 1.0,
    "noise_recall": 0.7,
    "key_phrase_recall": 0.92,
}
# Calibration, 2026-12-07 (eighth session), map fitted on the eight writers the
# decision was never fitted on (the held-out four and UNTUNED, round 12:
# classifiers/calibration.json), each block 1.5 standard deviations cautious
# (calibration.DEFAULT_SIGMAS). Cross-fitted (leave one writer out, pooled): ECE unit
# 0.129, campaign 0.082, subject 0.087, kind 0.097; share right among tags >= 0.9: unit
# 1.000 of 114, campaign 0.991 of 113, subject 1.000 of 106, kind 1.000 of 61: issue 14's
# 97% is met in every field out of fold. In-sample on the held-out four (what `dienhinh
# eval` shows here): ECE unit 0.067, campaign 0.054, subject 0.073, kind 0.094; share
# right >= 0.9: unit 1.000 (65), campaign 0.985 (67), subject 1.000 (41), kind 1.000
# (36); after the split of the two-piece compilations: ECE 0.067, 0.063, 0.077, 0.105,
# right >= 0.9: 1.000 (65), 1.000 (68), 1.000 (43), 1.000 (36). Ceilings a little above
# the ECEs; the floors are today's shares.
# Round 16 (2026-12-08), map fitted on rounds 15 and 16 (after round 16's lists were
# split): out of fold ECE unit 0.132, campaign 0.074, subject 0.104, kind 0.101; share
# right >= 0.9: 1.000 of 103, 0.986 of 145, 0.990 of 104, 1.000 of 61 (issue 14's 97% met
# in every field); in-sample on round 16: ECE 0.151, 0.048, 0.091, 0.098; right >= 0.9:
# 1.000 (44), 0.986 (71), 1.000 (59), 1.000 (29). Blind, before the lists were split,
# round 16's right >= 0.9 were 1.000 (43), 0.985 (66), 0.954 (43), 1.000 (27). The
# cautious map (1.5 standard deviations) keeps confidences under the share right: the
# unit's ECE is that caution, not overconfidence.
ARTICLES_UNFOUND = 8
OUT_OF_FOLD_ECE_CEILINGS = {"unit": 0.15, "campaign": 0.09, "subject_type": 0.13, "kind": 0.12}
ECE_CEILINGS = {"unit": 0.16, "campaign": 0.07, "subject_type": 0.10, "kind": 0.11}
CERTAIN_RIGHT_FLOORS = {"unit": 0.97, "campaign": 0.97, "subject_type": 0.97, "kind": 0.97}
OUT_OF_FOLD_CERTAIN_FLOORS = {"unit": 0.97, "campaign": 0.97, "subject_type": 0.97, "kind": 0.97}


def _config(tmp: Path) -> Path:
    cfg = tmp / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{tmp}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    return cfg


def _eval(tmp: Path, labels: Path, folder: Path) -> dict[str, Any]:
    """`dienhinh eval LABELS DIR --json` through the real command, on a fresh data dir."""
    cfg = _config(tmp)
    out = io.StringIO()
    code = main(["--config", str(cfg), "-q", "eval", str(labels), str(folder), "--json"], out=out)
    assert code == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def held_mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The held-out writers' mail and labels (built once for the module)."""
    mail = tmp_path_factory.mktemp("corpus") / "mail"
    build(mail, held_out())
    return mail


@pytest.fixture(scope="module")
def held(held_mail: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The eval report of the held-out writers."""
    return _eval(tmp_path_factory.mktemp("eval"), held_mail / "labels.json", held_mail)


@pytest.fixture(scope="module")
def cross_fitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """`dienhinh calibrate` on the calibration writers' mail (as `make calibrate` runs it):
    the fitted map's meta, with its cross-fitted figures (``out_of_fold``), and what the
    command printed."""
    mail = tmp_path_factory.mktemp("calibration-corpus") / "mail"
    build(mail, calibration_writers())
    tmp = tmp_path_factory.mktemp("calibrate")
    target = tmp / "calibration.json"
    out = io.StringIO()
    args = ["--config", str(_config(tmp)), "-q", "calibrate", str(mail / "labels.json")]
    assert main([*args, str(mail), "-o", str(target)], out=out) == 0
    cal = Calibration.load(target)
    assert cal is not None
    return dict(cal.meta), out.getvalue()


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
    # Every labelled article found, but for ARTICLES_UNFOUND.
    unfound = held["articles_labelled"] - held["articles_matched"]
    assert unfound <= ARTICLES_UNFOUND, f"{unfound} labelled articles not found"
    low = {k: (held[k], floor) for k, floor in FLOORS.items() if held[k] < floor}
    assert not low, f"below the regression floor (got, floor): {low}"


def test_held_out_calibration(held):
    """The shipped map on its own writers (in-sample): a wrong unit is never shown as
    certain; the confidences keep their calibration."""
    assert held["calibration_map"].startswith("fitted on ")
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


def test_cross_fitted_calibration_meets_the_certainty_target(
    cross_fitted, capsys: pytest.CaptureFixture[str]
):
    """Issue 14, item 5, measured honestly: each calibration writer's tags scored by the
    map fitted on the others. Of the tags shown with >= 0.9, at least 97% are
    right in every field (so a wrong unit is never shown as certain: the unit's share is
    1.0 whenever a unit is wrong at all at that level, asserted as >= 0.97 of at least a
    few tags), and the ECEs stay under their ceilings."""
    meta, printed = cross_fitted
    with capsys.disabled():  # the out-of-fold tables belong in the CI log, pass or fail
        print("\n" + printed)
    assert meta["writers"] == calibration_writers()
    oof = meta["out_of_fold"]
    assert oof["method"] == "leave one writer out"
    assert oof["writers"] == calibration_writers()
    fields = oof["fields"]
    assert set(fields) == {"unit", "campaign", "subject_type", "kind"}
    short = {
        f: (c["certain_right"], OUT_OF_FOLD_CERTAIN_FLOORS[f])
        for f, c in fields.items()
        if c["certain_right"] < OUT_OF_FOLD_CERTAIN_FLOORS[f]
    }
    assert not short, f"out of fold, share right among tags >= 0.9 (got, floor): {short}"
    assert all(c["certain"] >= 5 for c in fields.values()), "too few tags >= 0.9 to tell"
    unit_wrong_certain = sum(
        round(b["count"] * (1 - b["accuracy"])) for b in fields["unit"]["bins"] if b["lo"] >= 0.9
    )
    assert unit_wrong_certain == 0, "a wrong unit shown as certain out of fold"
    high = {
        f: (fields[f]["ece"], c)
        for f, c in OUT_OF_FOLD_ECE_CEILINGS.items()
        if fields[f]["ece"] > c
    }
    assert not high, f"out-of-fold ECE above its ceiling (got, ceiling): {high}"


def test_cross_fitted_calibration_meets_the_issue_14_target(cross_fitted):
    fields = cross_fitted[0]["out_of_fold"]["fields"]
    short = {
        f: (c["certain_right"], CERTAIN_RIGHT_TARGET)
        for f, c in fields.items()
        if c["certain_right"] < CERTAIN_RIGHT_TARGET
    }
    assert not short, f"out of fold, share right among tags >= 0.9 (got, target): {short}"


@pytest.mark.xfail(
    reason="issue 14's unit, campaign and subject targets are not met on the newest "
    "held-out writers (round 16, blind: unit 0.975, campaigns 0.800/0.780, subject 0.857; "
    "after its unfound articles were split: campaigns 0.851/0.849, subject 0.937; kind "
    "0.821 meets its 0.80): when this passes, raise FLOORS to TARGETS",
    strict=True,
)
def test_held_out_writers_meet_the_issue_14_targets(held):
    short = {k: (held[k], t) for k, t in TARGETS.items() if held[k] < t}
    assert not short, f"short of the target (got, target): {short}"


def test_the_calibration_was_fitted_on_writers_never_tuned_on():
    """The shipped map is fitted on writers the rules were never tuned on (the held-out
    ones and UNTUNED, the round before them: two at least, so that it was cross-fitted),
    and says how it held out of fold."""
    cal = Calibration.load(CALIBRATION_FILE)
    assert cal is not None
    writers = set(cal.meta["writers"])
    assert len(writers) >= 2 and writers == set(calibration_writers())
    assert not writers & (DEVELOPMENT - UNTUNED) and set(held_out()) <= writers
    assert cal.meta["out_of_fold"]["writers"] == sorted(writers)


def test_the_campaign_decision_was_fitted_on_the_tuning_writers_only():
    """The shipped campaign decision saw none of the writers whose figures count (the
    held-out ones) nor those the calibration is fitted on, and records how it held out of
    fold on its own writers."""
    decision = CampaignDecision.load(DECISION_FILE)
    assert decision is not None
    writers = set(decision.meta["writers"])
    assert writers == set(tuning_writers())
    assert not writers & set(calibration_writers()) and not writers & set(held_out())
    oof = decision.meta["out_of_fold"]
    assert oof["method"] == "leave one writer out" and oof["micro_f1"] >= 0.88


def test_fit_campaigns_fits_weights_and_reports_them_out_of_fold(tmp_path: Path):
    """`dienhinh fit-campaigns` on two tuning writers' mail: a loadable decision whose
    meta names them, and the rules' and the decision's F1 (leave one writer out) printed."""
    two = tuning_writers()[:2]
    build(tmp_path / "mail", two)
    labels, folder = tmp_path / "mail" / "labels.json", tmp_path / "mail"
    target = tmp_path / "decision.json"
    out = io.StringIO()
    args = ["--config", str(_config(tmp_path)), "-q", "fit-campaigns", str(labels), str(folder)]
    assert main([*args, "-o", str(target)], out=out) == 0
    decision = CampaignDecision.load(target)
    assert decision is not None and decision.meta["writers"] == two
    assert decision.meta["articles"] >= 30
    text = out.getvalue()
    assert "labelled articles of 2 writers" in text
    assert "rules alone (in sample): micro-F1 " in text
    assert "decision, out of fold (leave one writer out): micro-F1 " in text
    assert f"-> {target}" in text


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
    assert f"fitted on writers: {writer}" in out.getvalue()
    assert "out of fold: needs labels of two writers or more" in out.getvalue()
    out = io.StringIO()
    assert main(["--config", str(cfg), "-q", "eval", str(labels), str(folder)], out=out) == 0
    text = out.getvalue()
    assert "calibration (confidence shown: tags, mean confidence, share right)" in text
    assert any(
        line.startswith("calibration map") and "fitted on " in line for line in text.splitlines()
    )
    for name in ("unit", "campaign", "subject", "kind"):
        assert f"  {name}: " in text and "ECE" in text and ">= 0.9:" in text
    assert "    [0.9, 1.0]" in text
