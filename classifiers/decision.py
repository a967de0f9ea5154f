"""Which campaigns to propose, decided by weights fitted on labelled mail (issue 14).

The campaign rules (``campaigns.rule_scores``) say, for every campaign, where its words
stand (title, lead, body), whether the article names it, whether it is only the story's
setting, and how far it lies behind the best. Which of those signals make a campaign the
article's subject, and by how much, was first set by hand; writers disagree with such
hand-set cut-offs in ways a fitted weighting follows better (out of fold, by writer: see
README, "Campaign decision"). So the last step is a logistic regression over the rules'
own signals: one probability per campaign, proposed at :data:`THRESHOLD` or above (the
best one always). It reads no words of its own, only what the rules found, so it cannot
learn a writer's vocabulary, and it is as cheap as a few dozen multiplications.

The weights live in ``classifiers/campaign_decision.json`` (``dienhinh fit-campaigns``
writes it from labelled mail; ``make fit-campaigns`` from the development writers of the
corpus). Without the file the rules decide alone, as before.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dienhinh.classifiers.campaigns import FALLBACK, CampaignScore, select, word_count

__all__ = [
    "DECISION_FILE",
    "FEATURES",
    "THRESHOLD",
    "CampaignDecision",
    "DecisionRow",
    "cross_validate",
    "features",
    "fit",
    "scores_f1",
    "word_count",
]

log = logging.getLogger(__name__)

DECISION_FILE = Path(__file__).with_name("campaign_decision.json")
VERSION = 1
THRESHOLD = 0.5  # a campaign is proposed at this probability or above (the best always)
L2 = 0.3  # the fit's ridge penalty (out of fold it held for 0.1-0.3; 3 and more lost)

# The signals of one campaign of one article, besides the campaign's own intercept
# ("campaign:<code>"). Order is the file's; names are what the weights are keyed by.
FEATURES: tuple[str, ...] = (
    "confidence",  # the rules' confidence (0..1)
    "log-score",  # ln(1 + raw score)
    "share-of-best",  # raw score / the best campaign's raw score
    "ranked-first",
    "ranked-second",
    "held-named",  # the rules hold it: the article names it
    "held-setting",  # the rules hold it a setting (passing words)
    "named-in-lead",  # a name of it in the title or lead
    "named",  # a name of it anywhere
    "title-terms",  # ln(1 + its terms in the title)
    "lead-terms",  # ln(1 + its terms in the lead)
    "body-count",  # ln(1 + its terms' count in the body)
    "unit-prior",  # the sending unit usually serves it
    "rules-select",  # the rules alone would propose it
    "length",  # ln(1 + words of the article) / 8
    "fallback-best-other",  # don-vi only: the best other campaign's confidence
    "fallback-weak-others",  # don-vi only: no other campaign reaches 0.6
    "behind-best",  # its confidence minus the best one's
    "convincing",  # campaigns at 0.5 or more, / 3
    "named-not-first",  # named, yet not the best
)


def _intercept(code: str) -> str:
    return f"campaign:{code}"


def features(scores: Sequence[CampaignScore], words: int) -> dict[str, list[float]]:
    """The signals of every campaign of one article, in :data:`FEATURES` order."""
    if not scores:
        return {}
    order = sorted(scores, key=lambda s: (-s.confidence, s.code))
    rank = {s.code: i for i, s in enumerate(order)}
    best_score = max(s.score for s in scores) or 1.0
    best_conf = order[0].confidence
    best_other = max((s.confidence for s in scores if s.code != FALLBACK), default=0.0)
    chosen = {s.code for s in select(scores)}
    convincing = sum(1 for s in scores if s.confidence >= 0.5) / 3
    length = math.log1p(words) / 8
    out: dict[str, list[float]] = {}
    for s in scores:
        fb = s.code == FALLBACK
        named = bool(s.named)
        out[s.code] = [
            s.confidence,
            math.log1p(s.score),
            s.score / best_score,
            float(rank[s.code] == 0),
            float(rank[s.code] == 1),
            float(s.held == "named"),
            float(s.held == "setting"),
            float(s.named == "lead"),
            float(named),
            math.log1p(s.title_terms),
            math.log1p(s.lead_terms),
            math.log1p(s.body_count),
            float(s.prior),
            float(s.code in chosen),
            length,
            best_other if fb else 0.0,
            float(fb and best_other < 0.6),
            s.confidence - best_conf,
            convincing,
            float(named and rank[s.code] > 0),
        ]
    return out


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class CampaignDecision:
    """Fitted weights: a probability for each campaign of an article."""

    weights: Mapping[str, float]
    threshold: float = THRESHOLD
    meta: Mapping[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def _vector(self) -> tuple[float, ...]:
        return tuple(self.weights.get(name, 0.0) for name in FEATURES)

    @functools.cached_property
    def _mean_intercept(self) -> float:
        known = [v for k, v in self.weights.items() if k.startswith("campaign:")]
        return sum(known) / len(known) if known else 0.0

    def probabilities(self, scores: Sequence[CampaignScore], words: int) -> dict[str, float]:
        """P(campaign is the article's) for each scored campaign. A campaign the weights
        never saw (added to campaigns.toml since the fit) gets the mean intercept."""
        w = self._vector
        out: dict[str, float] = {}
        for code, f in features(scores, words).items():
            z = self.weights.get(_intercept(code), self._mean_intercept)
            z += sum(map(operator.mul, w, f))
            out[code] = _sigmoid(z)
        return out

    def choose(self, probs: Mapping[str, float]) -> list[str]:
        """The campaigns proposed, most probable first: every one at the threshold or
        above, else the most probable alone; ``don-vi`` (the unit's own movement) only
        when no provincial campaign is proposed (issue 14)."""
        ranked = sorted(probs, key=lambda c: (-probs[c], c))
        chosen = [c for c in ranked if probs[c] >= self.threshold] or ranked[:1]
        if len(chosen) > 1:
            chosen = [c for c in chosen if c != FALLBACK]
        return chosen

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": VERSION,
                "threshold": self.threshold,
                "features": list(FEATURES),
                "weights": {k: round(v, 6) for k, v in self.weights.items()},
                "meta": dict(self.meta),
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> CampaignDecision:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        if tuple(data["features"]) != FEATURES:
            raise ValueError("fitted on other signals than this version computes: refit it")
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return cls(weights, float(data.get("threshold", THRESHOLD)), data.get("meta") or {})

    @classmethod
    def load(cls, path: Path) -> CampaignDecision | None:
        """The decision in ``path``, None when there is no such file (ValueError, OSError
        when it is unreadable: the caller says so and keeps the rules)."""
        if not path.is_file():
            return None
        return cls.from_json(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------
# Fitting (needs numpy: the `ml` or `test` extra)


@dataclass(frozen=True)
class DecisionRow:
    """One labelled article: the rules' scores, its length, the campaigns its label gives
    and who wrote it (the group left out together when cross-validating)."""

    scores: tuple[CampaignScore, ...]
    words: int
    expected: frozenset[str]
    writer: str = ""


def _design(rows: Sequence[DecisionRow], codes: Sequence[str]) -> tuple[Any, Any, list[Any]]:
    import numpy as np

    x: list[list[float]] = []
    y: list[float] = []
    index: list[tuple[int, str]] = []
    for i, r in enumerate(rows):
        for code, f in features(r.scores, r.words).items():
            onehot = [float(code == c) for c in codes]
            x.append(onehot + f)
            y.append(float(code in r.expected))
            index.append((i, code))
    return np.array(x), np.array(y), index


def _newton(x: Any, y: Any, l2: float, iterations: int = 50) -> Any:
    """Ridge-penalised logistic regression by Newton's method (a few dozen weights)."""
    import numpy as np

    w = np.zeros(x.shape[1])
    eye = l2 * np.eye(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + eye
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return w


def _codes(rows: Iterable[DecisionRow]) -> list[str]:
    return sorted({s.code for r in rows for s in r.scores})


def fit(
    rows: Sequence[DecisionRow],
    *,
    l2: float = L2,
    threshold: float = THRESHOLD,
    meta: Mapping[str, Any] | None = None,
) -> CampaignDecision:
    """Fit the weights on labelled articles."""
    if not rows:
        raise ValueError("no labelled articles to fit on")
    codes = _codes(rows)
    x, y, _ = _design(rows, codes)
    w = _newton(x, y, l2)
    names = [_intercept(c) for c in codes] + list(FEATURES)
    weights = {n: float(v) for n, v in zip(names, w, strict=True)}
    return CampaignDecision(weights, threshold, dict(meta or {}))


def cross_validate(
    rows: Sequence[DecisionRow], *, l2: float = L2, threshold: float = THRESHOLD
) -> list[tuple[frozenset[str], list[str], dict[str, float]]]:
    """Leave one writer out: each writer's articles decided by weights fitted on the
    others'. (expected, chosen, probabilities) per row, in ``rows`` order."""
    writers = sorted({r.writer for r in rows})
    if len(writers) < 2:
        raise ValueError("cross-validation needs the labels of two writers or more")
    out: list[tuple[frozenset[str], list[str], dict[str, float]] | None] = [None] * len(rows)
    for w in writers:
        train = [r for r in rows if r.writer != w]
        dec = fit(train, l2=l2, threshold=threshold)
        for i, r in enumerate(rows):
            if r.writer == w:
                probs = dec.probabilities(r.scores, r.words)
                out[i] = (r.expected, dec.choose(probs), probs)
    return [o for o in out if o is not None]


def scores_f1(pairs: Iterable[tuple[Iterable[str], Iterable[str]]]) -> tuple[float, float]:
    """(micro-F1, macro-F1) of (expected, chosen) campaign sets, as `dienhinh eval` counts."""
    per: dict[str, list[int]] = {}
    for expected, chosen in pairs:
        e, c = set(expected), set(chosen)
        for code in e | c:
            t = per.setdefault(code, [0, 0, 0])
            t[0] += code in e and code in c
            t[1] += code in c and code not in e
            t[2] += code in e and code not in c

    def f1(tp: int, fp: int, fn: int) -> float:
        return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)

    tp, fp, fn = (sum(t[i] for t in per.values()) for i in range(3))
    macro = sum(f1(*t) for t in per.values()) / len(per) if per else 0.0
    return f1(tp, fp, fn), macro
