"""tagging.py stores and shows the calibrated probability, and sends every tag under the
review threshold to an editor (issue 14, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.classifiers.base import TagSuggestion
from dienhinh.classifiers.calibration import Block, Calibration, FieldMap
from dienhinh.classifiers.tagging import LOW_CONFIDENCE, calibrated, tag_outcome
from dienhinh.core.config import TaggingConfig
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from factory import article_text, make_email

ROOT = Path(__file__).resolve().parents[3]


def _settings(tmp_path: Path, calibration: Calibration | None) -> TaggingConfig:
    path = None
    if calibration is not None:
        path = tmp_path / "calibration.json"
        path.write_text(calibration.to_json(), encoding="utf-8")
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path / "absent.pkl",
        review_threshold=0.6,
        calibration_file=path,
    )


@pytest.fixture
def outcome(tmp_path: Path):
    # An official address of a known unit and an article on a provincial campaign.
    title, paras = article_text(3)
    data = make_email(text="Kính gửi Ban Thi đua.\n\n" + title + "\n\n" + "\n\n".join(paras))
    return extract_message(data, ExtractContext(blob_root=tmp_path / "blobs"))


def _flat(p: float) -> FieldMap:
    """A map sending every raw score to ``p``."""
    return FieldMap((Block(0.0, 1.0, 1, 1, 0.5, p),))


def test_calibrated_replaces_the_raw_score():
    cal = Calibration({"kind": _flat(0.42)}, {})
    t = TagSuggestion("kind", "mo-hinh-moi", 0.9, [], "kinds")
    assert calibrated(cal, t).confidence == 0.42
    assert calibrated(cal, TagSuggestion("campaign", "x", 0.9, [])).confidence == 0.9
    assert calibrated(None, t) is t


def test_stored_confidences_are_the_calibrated_ones(tmp_path: Path, outcome):
    raw = tag_outcome(outcome, _settings(tmp_path, None))
    assert raw.unit is not None and raw.articles and raw.articles[0].suggestions
    cal = Calibration({f: _flat(0.93) for f in ("unit", "campaign", "subject_type", "kind")}, {})
    got = tag_outcome(outcome, _settings(tmp_path, cal))
    assert got.unit is not None and got.unit.value == raw.unit.value
    assert got.unit.confidence == 0.93
    assert [s.value for s in got.articles[0].suggestions] == [
        s.value for s in raw.articles[0].suggestions
    ]
    assert {s.confidence for s in got.articles[0].suggestions} == {0.93}
    assert not got.articles[0].flagged


def test_a_unit_under_the_threshold_sends_every_article_to_the_editor(tmp_path: Path, outcome):
    cal = Calibration(
        {
            "unit": _flat(0.45),
            "campaign": _flat(0.95),
            "subject_type": _flat(0.95),
            "kind": _flat(0.95),
        },
        {},
    )
    got = tag_outcome(outcome, _settings(tmp_path, cal))
    assert got.unit is not None and got.unit.confidence == 0.45
    art = got.articles[0]
    assert art.flagged
    assert f"{LOW_CONFIDENCE}unit {got.unit.value} (0.45)" in art.reasons
    assert not any(f.startswith(LOW_CONFIDENCE) for f in got.flags)  # the message's own flags


def test_every_article_tag_under_the_threshold_is_named_for_review(tmp_path: Path, outcome):
    cal = Calibration(
        {
            "unit": _flat(0.95),
            "campaign": _flat(0.95),
            "subject_type": _flat(0.55),
            "kind": _flat(0.3),
        },
        {},
    )
    art = tag_outcome(outcome, _settings(tmp_path, cal)).articles[0]
    assert art.flagged
    (reason,) = [r for r in art.reasons if r.startswith(LOW_CONFIDENCE)]
    low = [s for s in art.suggestions if s.confidence < 0.6]
    assert low and all(f"{s.field} {s.value} ({s.confidence:.2f})" in reason for s in low)
    assert "campaign" not in reason


def test_slow_lane_article_under_a_low_unit_goes_to_the_editor(tmp_path: Path, outcome):
    from dienhinh.classifiers.tagging import tag_article

    settings = _settings(tmp_path, None)
    draft = outcome.articles[0]
    kw = {"headers": outcome.headers, "unit_code": "bat-xat", "unit_flags": []}
    low = tag_article(draft, settings, unit_confidence=0.4, **kw)
    assert f"{LOW_CONFIDENCE}unit bat-xat (0.40)" in low.reasons and low.flagged
    sure = tag_article(draft, settings, unit_confidence=0.95, **kw)
    assert not any(r.startswith(f"{LOW_CONFIDENCE}unit") for r in sure.reasons)


def test_cue_weights_learned_beside_the_model_reach_the_taggers(tmp_path: Path) -> None:
    """`retrain` writes cue-weights.json beside the campaign model; the article taggers read
    them from ClassifyContext.settings (and a changed file is read again)."""
    from dienhinh.classifiers.tagging import _RESOURCES

    settings = _settings(tmp_path, None)
    assert _RESOURCES.get(settings).settings(None, None)["cue_weights"] == {}
    (tmp_path / "cue-weights.json").write_text('{"kind": {"lan-dau": 1.7}}', encoding="utf-8")
    assert _RESOURCES.get(settings).settings(None, None)["cue_weights"] == {
        "kind": {"lan-dau": 1.7}
    }
