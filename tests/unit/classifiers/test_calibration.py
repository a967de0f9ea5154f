"""The map from a tagger's raw score to the probability of being right (issue 14, item 5)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from dienhinh.classifiers.calibration import (
    CALIBRATION_FILE,
    FIELDS,
    Calibration,
    FieldMap,
    fit_field,
    fitted,
)


def _raw_scores(raw: float, right: int, wrong: int) -> list[tuple[float, bool]]:
    return [(raw, True)] * right + [(raw, False)] * wrong


def test_many_right_tags_earn_a_high_probability_few_do_not():
    many = fit_field(_raw_scores(0.75, 60, 0))
    few = fit_field(_raw_scores(0.75, 3, 0))
    assert many(0.75) > 0.9
    # Three lucky tags stay near what the tagger said (the prior, less one and a half
    # standard deviations: a little under it), never "certain".
    assert 0.6 < few(0.75) < 0.75


def test_a_score_often_wrong_is_brought_down():
    m = fit_field(_raw_scores(0.95, 20, 20))
    assert m(0.95) < 0.6


def test_the_map_rises_with_the_raw_score_even_where_the_data_do_not():
    # The 0.6 bin was right more often than the 0.8 bin: pooled, so the map is monotone.
    pairs = _raw_scores(0.62, 18, 2) + _raw_scores(0.83, 12, 8) + _raw_scores(0.97, 40, 0)
    m = fit_field(pairs)
    ps = [b.p for b in m.blocks]
    assert ps == sorted(ps)
    assert len(m.blocks) == 2  # 0.6 and 0.8 pooled
    grid = [m(x / 100) for x in range(101)]
    assert all(a <= b for a, b in itertools.pairwise(grid))


def test_between_blocks_interpolated_beyond_them_flat():
    m = fit_field(_raw_scores(0.55, 30, 15) + _raw_scores(0.95, 30, 0))
    lo, hi = m.blocks
    assert m(0.0) == lo.p and m(1.0) == hi.p
    assert m(0.75) == lo.p + (0.75 - lo.raw) / (hi.raw - lo.raw) * (hi.p - lo.p)


def test_an_empty_map_and_an_unfitted_field_keep_the_raw_score():
    cal = Calibration({"unit": fit_field(_raw_scores(0.9, 5, 5))}, {})
    assert FieldMap(())(0.42) == 0.42
    assert cal("campaign", 0.42) == 0.42
    assert cal("unit", 0.9) <= 0.6


def test_json_round_trip_says_what_it_was_fitted_from(tmp_path: Path):
    cal = fitted(
        [("unit", 0.9, True), ("unit", 0.6, False), ("kind", 0.7, True)],
        writers=["clerk", "phone"],
        fitted_on="2026-12-06",
    )
    path = tmp_path / "c.json"
    path.write_text(cal.to_json(), encoding="utf-8")
    back = Calibration.load(path)
    assert back is not None
    assert back.meta["writers"] == ["clerk", "phone"] and back.meta["tags"] == 3
    for x in (0.0, 0.3, 0.6, 0.75, 0.9, 1.0):
        assert back("unit", x) == cal("unit", x)
    assert Calibration.load(tmp_path / "none.json") is None


def test_the_shipped_calibration_covers_every_field_and_is_monotone():
    cal = Calibration.load(CALIBRATION_FILE)
    assert cal is not None and set(cal.fields) == set(FIELDS)
    assert cal.meta["writers"]  # fitted on named (development) writers
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert data["fitted_on"]
    for f in FIELDS:
        grid = [cal(f, x / 100) for x in range(101)]
        assert all(a <= b for a, b in itertools.pairwise(grid)), f


def test_config_uses_the_shipped_calibration_unless_told_to_keep_raw_scores(tmp_path: Path):
    from dienhinh.core.config import load_config

    base = f'[paths]\ndata_dir = "{tmp_path}/var"\n[mailbox]\nurl = "maildir://{tmp_path}/md"\n'
    p = tmp_path / "config.toml"
    p.write_text(base, encoding="utf-8")
    tagging = load_config(p, environ={}).tagging
    assert tagging is not None and tagging.calibration_file == CALIBRATION_FILE
    p.write_text(base + '[tagging]\ncalibration_file = ""\n', encoding="utf-8")
    tagging = load_config(p, environ={}).tagging
    assert tagging is not None and tagging.calibration_file is None
    p.write_text(base + '[tagging]\ncalibration_file = "mine.json"\n', encoding="utf-8")
    tagging = load_config(p, environ={}).tagging
    assert tagging is not None and tagging.calibration_file == tmp_path / "mine.json"


def test_cross_fit_scores_each_writer_with_the_map_fitted_on_the_others():
    """Leave one writer out: a writer whose tags at 0.95 are all wrong is scored by the
    others' map (which learned 0.95 is usually right), so its out-of-fold confidences stay
    high and the pooled table shows the miss; the in-sample map would have hidden it."""
    from dienhinh.classifiers.calibration import cross_fit

    outcomes = [("unit", 0.95, True)] * 40 + [("unit", 0.95, False)] * 10
    groups = ["a"] * 20 + ["b"] * 20 + ["c"] * 10
    crossed = cross_fit(outcomes, groups)
    assert len(crossed) == len(outcomes)
    assert [ok for _f, _p, ok in crossed] == [ok for _f, _r, ok in outcomes]
    a = fit_field([(0.95, True)] * 20 + [(0.95, False)] * 10)(0.95)  # b and c
    c = fit_field([(0.95, True)] * 40)(0.95)  # a and b
    assert crossed[0][1] == round(a, 3) and crossed[-1][1] == round(c, 3)
    assert crossed[-1][1] > 0.9 > crossed[0][1]


def test_cross_fit_needs_two_writers():
    import pytest

    from dienhinh.classifiers.calibration import cross_fit

    with pytest.raises(ValueError, match="two writers"):
        cross_fit([("unit", 0.9, True)], ["a"])


def test_the_out_of_fold_figures_are_kept_beside_the_map(tmp_path: Path):
    oof = {"method": "leave one writer out", "writers": ["a", "b"], "fields": {}}
    cal = fitted([("unit", 0.9, True)], writers=["a", "b"], fitted_on="x", out_of_fold=oof)
    p = tmp_path / "c.json"
    p.write_text(cal.to_json(), encoding="utf-8")
    back = Calibration.load(p)
    assert back is not None and back.meta["out_of_fold"] == oof
