"""The campaign decision: fitted weights over the campaign rules' signals (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dienhinh.classifiers.campaigns import (
    CAMPAIGN_CODES,
    FALLBACK,
    CampaignScore,
    CampaignTagger,
    rule_scores,
)
from dienhinh.classifiers.decision import (
    DECISION_FILE,
    FEATURES,
    CampaignDecision,
    DecisionRow,
    cross_validate,
    features,
    fit,
    scores_f1,
    word_count,
)

_HEALTH = (
    "Bác sĩ Lù Thị Mai và phòng khám lưu động ở Si Ma Cai",
    "Bác sĩ Mai đưa khám chữa bệnh về bản. Trạm y tế xã khám cho hơn 900 lượt người.\n\n"
    "Bệnh viện huyện cử bác sĩ lên tuyến xã mỗi tuần, người dân không phải xuống huyện.\n\n"
    "Mô hình được Sở Y tế đánh giá cao trong phong trào Gương sáng Y đức.",
)


def _score(code: str, confidence: float, score: float = 1.0, **kw: object) -> CampaignScore:
    return CampaignScore(code, confidence, score, **kw)  # type: ignore[arg-type]


def _scores() -> list[CampaignScore]:
    return [
        _score("suc-khoe", 0.95, 30.0, held="named", title_terms=2, named="lead"),
        _score("giao-duc", 0.4, 6.0, body_count=3),
        _score(FALLBACK, 0.1, 0.0),
    ]


def test_features_describe_each_campaign_in_a_fixed_order():
    f = features(_scores(), words=400)
    assert set(f) == {"suc-khoe", "giao-duc", FALLBACK}
    assert all(len(v) == len(FEATURES) for v in f.values())
    named = dict(zip(FEATURES, f["suc-khoe"], strict=True))
    other = dict(zip(FEATURES, f["giao-duc"], strict=True))
    fallback = dict(zip(FEATURES, f[FALLBACK], strict=True))
    assert named["ranked-first"] == 1.0 and other["ranked-second"] == 1.0
    assert named["named-in-lead"] == 1.0 and named["held-named"] == 1.0
    assert other["named"] == 0.0 and other["share-of-best"] == pytest.approx(0.2)
    assert named["rules-select"] == 1.0 and other["rules-select"] == 0.0
    assert other["behind-best"] == pytest.approx(0.4 - 0.95)
    # Only don-vi carries how convincing the others are.
    assert (
        fallback["fallback-best-other"] == pytest.approx(0.95) and named["fallback-best-other"] == 0
    )
    assert fallback["fallback-weak-others"] == 0.0
    assert features([], 10) == {}


def _decision(**weights: float) -> CampaignDecision:
    return CampaignDecision(weights)


def test_probabilities_follow_the_weights_and_an_unknown_campaign_gets_the_mean_intercept():
    d = _decision(**{"campaign:suc-khoe": 2.0, "campaign:giao-duc": -2.0, "named-in-lead": 1.0})
    p = d.probabilities(_scores(), 400)
    assert p["suc-khoe"] == pytest.approx(1 / (1 + pow(2.718281828, -3.0)), rel=1e-6)
    assert p["giao-duc"] == pytest.approx(1 / (1 + pow(2.718281828, 2.0)), rel=1e-6)
    # don-vi was never fitted: the mean of the known intercepts (0), no named term.
    assert p[FALLBACK] == pytest.approx(0.5)


def test_choose_takes_every_campaign_at_the_threshold_and_don_vi_only_alone():
    d = _decision()
    assert d.choose({"suc-khoe": 0.9, "giao-duc": 0.6, "du-lich": 0.2}) == ["suc-khoe", "giao-duc"]
    # Nothing reaches the threshold: the most probable alone.
    assert d.choose({"suc-khoe": 0.3, "giao-duc": 0.45}) == ["giao-duc"]
    # The unit's own movement is never proposed beside a provincial campaign (issue 14).
    assert d.choose({FALLBACK: 0.8, "thanh-nien": 0.7}) == ["thanh-nien"]
    assert d.choose({FALLBACK: 0.8, "thanh-nien": 0.2}) == [FALLBACK]


def test_the_file_round_trips_and_refuses_other_signals(tmp_path: Path):
    d = CampaignDecision({"campaign:suc-khoe": 0.5, "confidence": 1.25}, 0.55, {"writers": ["a"]})
    p = tmp_path / "d.json"
    p.write_text(d.to_json(), encoding="utf-8")
    back = CampaignDecision.load(p)
    assert back == d
    assert CampaignDecision.load(tmp_path / "absent.json") is None
    data = json.loads(d.to_json())
    data["features"] = data["features"][:-1]
    p.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        CampaignDecision.load(p)
    data = json.loads(d.to_json())
    data["version"] = 99
    p.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="version"):
        CampaignDecision.load(p)


def _rows() -> list[DecisionRow]:
    """Synthetic labelled articles by three writers: the campaign named in the lead is the
    article's, a campaign with body words only is not."""
    rows = []
    codes = ["suc-khoe", "giao-duc", "du-lich"]
    for writer in ("a", "b", "c"):
        for i in range(30):
            subject, setting = codes[i % 3], codes[(i + 1) % 3]
            scores = (
                _score(subject, 0.6 + (i % 4) / 10, 12.0, title_terms=1, named="lead"),
                _score(setting, 0.5 + (i % 5) / 10, 9.0, body_count=6),
                _score(FALLBACK, 0.1, 0.0),
            )
            rows.append(DecisionRow(scores, 300 + i, frozenset({subject}), writer))
    return rows


def test_fit_learns_that_a_campaign_named_in_the_lead_is_the_subject():
    rows = _rows()
    d = fit(rows, meta={"writers": ["a", "b", "c"]})
    assert d.weights["named-in-lead"] > 0
    for r in rows:
        assert d.choose(d.probabilities(r.scores, r.words)) == sorted(r.expected)
    crossed = cross_validate(rows)
    assert len(crossed) == len(rows)
    assert scores_f1((e, c) for e, c, _p in crossed) == (1.0, 1.0)
    with pytest.raises(ValueError, match="two writers"):
        cross_validate([r for r in rows if r.writer == "a"])
    with pytest.raises(ValueError, match="no labelled"):
        fit([])


def test_scores_f1_counts_as_eval_does():
    micro, macro = scores_f1([({"a"}, ["a", "b"]), ({"b"}, ["b"]), ({"c"}, ["a"])])
    # a: tp1 fp1 fn0; b: tp1 fp1 fn0; c: fn1 -> micro 2*2/(4+2+1)
    assert micro == pytest.approx(4 / 7)
    assert macro == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


def test_the_tagger_proposes_what_the_decision_chooses_with_its_probability():
    title, text = _HEALTH
    rules = CampaignTagger().suggest(title, text)
    assert rules[0].value == "suc-khoe"
    # Weights that only like giao-duc: the decision, not the rules, decides.
    likes = {f"campaign:{c}": -5.0 for c in CAMPAIGN_CODES} | {"campaign:giao-duc": 5.0}
    d = _decision(**likes)
    got = CampaignTagger(decision=d).suggest(title, text)
    assert [t.value for t in got] == ["giao-duc"]
    scores = rule_scores(title, text)
    p = d.probabilities(scores, word_count(text))
    assert got[0].confidence == round(p["giao-duc"], 3)


def test_the_shipped_decision_loads_and_keeps_a_health_piece_in_health():
    d = CampaignDecision.load(DECISION_FILE)
    assert d is not None and set(d.meta["writers"])
    assert {f"campaign:{c}" for c in ("suc-khoe", "giao-duc", FALLBACK)} <= set(d.weights)
    got = CampaignTagger(decision=d).suggest(*_HEALTH)
    assert got[0].value == "suc-khoe" and got[0].confidence >= 0.5


def test_config_uses_the_shipped_decision_unless_told_to_let_the_rules_decide(tmp_path: Path):
    from dienhinh.core.config import load_config

    base = f'[paths]\ndata_dir = "{tmp_path}/var"\n[mailbox]\nurl = "maildir://{tmp_path}/md"\n'
    p = tmp_path / "config.toml"
    p.write_text(base, encoding="utf-8")
    tagging = load_config(p, environ={}).tagging
    assert tagging is not None and tagging.campaign_decision_file == DECISION_FILE
    p.write_text(base + '[tagging]\ncampaign_decision_file = ""\n', encoding="utf-8")
    tagging = load_config(p, environ={}).tagging
    assert tagging is not None and tagging.campaign_decision_file is None


def test_an_unreadable_decision_file_leaves_the_rules_deciding_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    from dienhinh.classifiers.tagging import _load_decision

    bad = tmp_path / "d.json"
    bad.write_text("{not json", encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert _load_decision(bad) is None
        assert _load_decision(tmp_path / "absent.json") is None
    assert _load_decision(None) is None
    text = caplog.text
    assert f"campaign decision {bad} not used" in text
    assert "the campaign rules decide alone" in text
