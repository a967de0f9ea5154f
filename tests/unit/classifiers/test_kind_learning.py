"""Subject and kind learn from editors' choices: per-cue weights (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from dienhinh.classifiers.base import ClassifyContext
from dienhinh.classifiers.kinds import (
    KIND_VALUES,
    KindTagger,
    kind,
    kind_parts,
    learn_weights,
)
from dienhinh.core.types import ArticleDraft, MailHeaders
from dienhinh.learning.editors import learn_cues, load_cue_weights

WORKERS = ("Vũ Văn An", "Lê Đức Bình", "Trần Minh Cường", "Phạm Quốc Dũng", "Đỗ Hữu Giang")
MACHINES = ("máy nghiền", "băng tải", "lò nung", "máy bơm", "quạt gió", "máy sàng")


def _innovation(name: str, machine: str) -> tuple[str, str]:
    """A long-serving worker's improvement: the rules call it an exemplar (years of
    service); this desk's editors file such pieces as new factors (sáng kiến)."""
    given = name.split()[-1]
    return (
        f"Anh {name} với sáng kiến cải tiến {machine}",
        f"Anh {given} có 18 năm làm thợ. Anh {given} cải tiến {machine}, làm lợi 300 triệu "
        f"đồng. Sáng kiến của anh {given} được công ty áp dụng.",
    )


def _examples() -> list[tuple[str, str, str]]:
    out = [(*_innovation(n, m), "nhan-to-moi") for n in WORKERS for m in MACHINES[:3]]
    exemplar = (
        "Chị Lò Thị Hoa, tấm gương tận tụy",
        "Chị Hoa là tấm gương tận tụy, nhiều năm liền đạt danh hiệu chiến sĩ thi đua.",
    )
    return out + [(*exemplar, "dien-hinh-tien-tien")] * 3


def test_learned_weights_follow_the_editors_choices() -> None:
    title, text = _innovation("Hoàng Văn Khánh", "máy sàng")
    assert kind(title, text)[0] == "dien-hinh-tien-tien"  # the rules alone
    train = [(kind_parts(t, x), v) for t, x, v in _examples()]
    weights = learn_weights(train, KIND_VALUES, "dien-hinh-tien-tien")
    assert weights and all(0.3 <= w <= 3.0 for w in weights.values())
    # An unseen article of the same sort now follows the editors ...
    assert kind(title, text, weights)[0] == "nhan-to-moi"
    # ... and an exemplar stays one.
    other = kind("Thầy Giàng A Lử, tấm gương tận tụy", "Thầy là tấm gương tận tụy.", weights)
    assert other[0] == "dien-hinh-tien-tien"


def test_no_correction_no_weight() -> None:
    """Articles the rules already get right teach nothing."""
    train = [(kind_parts(t, x), kind(t, x)[0]) for t, x, _ in _examples()]
    assert learn_weights(train, KIND_VALUES, "dien-hinh-tien-tien") == {}


def test_learn_cues_adopts_only_what_is_not_worse(tmp_path: Path) -> None:
    choices = [(t, x, "ca-nhan", v) for t, x, v in _examples()] * 2
    weights, report = learn_cues(choices)
    assert report.adopted["kind"] is True
    assert report.after["kind"] >= report.before["kind"]
    assert "kind" in weights
    path = tmp_path / "cue-weights.json"
    path.write_text(json.dumps(weights), encoding="utf-8")
    assert load_cue_weights(path)["kind"] == weights["kind"]
    assert load_cue_weights(tmp_path / "missing.json") == {}


def test_the_tagger_reads_learned_weights_from_its_context() -> None:
    title, text = _innovation("Hoàng Văn Khánh", "máy sàng")
    train = [(kind_parts(t, x), v) for t, x, v in _examples()]
    weights = learn_weights(train, KIND_VALUES, "dien-hinh-tien-tien")
    draft = ArticleDraft(title=title, text=text, source="text-body")
    headers = MailHeaders("m@x", False, "a@laocai.gov.vn", "", title, None)
    plain = KindTagger().classify(draft, ClassifyContext(headers=headers))
    learned = KindTagger().classify(
        draft, ClassifyContext(headers=headers, settings={"cue_weights": {"kind": weights}})
    )
    assert (plain[0].value, learned[0].value) == ("dien-hinh-tien-tien", "nhan-to-moi")
