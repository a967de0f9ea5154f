"""Turn a tagger's raw score into a probability of being right (issue 14, item 5).

The taggers' raw confidences are scores on scales of their own (a unit found in the
sender's address and one guessed from a signature may both say 0.9). A monotone map per
field, fitted on labelled mail (``dienhinh calibrate``), turns a raw score into the share of
tags with such a score that were right, so that "0.9" means nine in ten and the review
threshold means what it says.

The map is fitted per field on bins of raw score (tenths). A bin's probability is the
posterior of its tags' outcomes under a prior centred on the bin's own mean raw score and
worth ``prior_weight`` tags: a bin with few tags keeps close to what the tagger said, one
with many says how often the tagger was right. The posterior's mean, less ``sigmas``
standard deviations, is what is stored: cautious, so that a handful of lucky tags cannot
claim certainty and the writers the map never saw are not promised more than the fitted
ones earned. Bins are then pooled until the probabilities rise with the raw score
(pool-adjacent-violators), and a raw score between two bins' mean scores is interpolated
linearly: the map is monotone and keeps the taggers' order. The file is small JSON in
this folder (``calibration.json``) naming the writers and date it was fitted from.

Which writers. A map fitted on the writers the taggers were tuned on is optimistic (the
rules were made to fit them). The shipped map is fitted on the held-out writers, and how
well it holds on mail it never saw is measured by cross-fitting (:func:`cross_fit`): leave
one writer out, fit on the others, map the left-out writer's raw scores, pool every
writer's out-of-fold confidences. That pooled table, its ECE and the share right among the
"certain" tags are stored beside the map (``out_of_fold``) and printed by
``dienhinh calibrate``.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CALIBRATION_FILE",
    "Block",
    "Calibration",
    "FieldMap",
    "cross_fit",
    "fit",
    "fit_field",
    "fitted",
]

CALIBRATION_FILE = Path(__file__).resolve().with_name("calibration.json")
FIELDS = ("unit", "campaign", "subject_type", "kind")
DEFAULT_BINS = 10
DEFAULT_PRIOR_WEIGHT = 10.0
# 1.5, not 1.0: with one standard deviation the campaign's tags shown >= 0.9 were right
# 0.957 of the time out of fold on rounds 11+12 (0.943 on round 12, blind), under issue
# 14's 97%; with 1.5, 0.984 of 127, every other field staying >= 0.99, at the price of a
# higher ECE (campaign 0.051 -> 0.088: confidences a little under the share right, which
# sends a few more tags to an editor rather than promising what new writers do not earn).
DEFAULT_SIGMAS = 1.5


@dataclass(frozen=True)
class Block:
    """Fitted tags with raw scores from ``lo`` to ``hi``: ``right`` of ``n`` were right;
    ``raw`` is their mean raw score, ``p`` the probability a score of ``raw`` maps to."""

    lo: float
    hi: float
    n: int
    right: int
    raw: float
    p: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.lo,
            "to": self.hi,
            "n": self.n,
            "right": self.right,
            "raw": self.raw,
            "p": self.p,
        }


def _posterior(right: int, n: int, raw: float, prior_weight: float, sigmas: float) -> float:
    """Beta posterior of a prior centred on ``raw`` worth ``prior_weight`` tags, after
    ``right`` of ``n``: its mean less ``sigmas`` standard deviations."""
    a = right + prior_weight * raw
    b = n - right + prior_weight * (1 - raw)
    mean = a / (a + b)
    sd = math.sqrt(mean * (1 - mean) / (a + b + 1))
    return min(1.0, max(0.0, mean - sigmas * sd))


@dataclass(frozen=True)
class FieldMap:
    """A monotone piecewise-linear map through each block's (mean raw score, p); flat
    beyond the first and last block."""

    blocks: tuple[Block, ...]

    def __call__(self, raw: float) -> float:
        bs = self.blocks
        if not bs:
            return raw
        i = bisect_right([b.raw for b in bs], raw)
        if i == 0:
            return bs[0].p
        if i == len(bs):
            return bs[-1].p
        lo, hi = bs[i - 1], bs[i]
        t = (raw - lo.raw) / (hi.raw - lo.raw) if hi.raw > lo.raw else 1.0
        return lo.p + t * (hi.p - lo.p)


def fit_field(
    outcomes: Iterable[tuple[float, bool]],
    *,
    bins: int = DEFAULT_BINS,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    sigmas: float = DEFAULT_SIGMAS,
) -> FieldMap:
    """The map of one field's (raw score, right) pairs."""
    # [lo, hi, n, right, sum of raw] per bin of raw score, in order.
    by_bin: dict[int, list[float]] = {}
    for raw, ok in outcomes:
        r = min(max(float(raw), 0.0), 1.0)
        b = by_bin.setdefault(min(int(r * bins), bins - 1), [r, r, 0, 0, 0.0])
        b[0], b[1] = min(b[0], r), max(b[1], r)
        b[2] += 1
        b[3] += bool(ok)
        b[4] += r

    def p(b: list[float]) -> float:
        return _posterior(int(b[3]), int(b[2]), b[4] / b[2], prior_weight, sigmas)

    pooled: list[list[float]] = []
    for i in sorted(by_bin):
        pooled.append(list(by_bin[i]))
        while len(pooled) > 1 and p(pooled[-2]) > p(pooled[-1]):
            last = pooled.pop()
            prev = pooled[-1]
            prev[1] = last[1]
            prev[2] += last[2]
            prev[3] += last[3]
            prev[4] += last[4]
    return FieldMap(
        tuple(
            Block(
                round(b[0], 4),
                round(b[1], 4),
                int(b[2]),
                int(b[3]),
                round(b[4] / b[2], 4),
                round(p(b), 3),
            )
            for b in pooled
        )
    )


def fit(
    outcomes: Iterable[tuple[str, float, bool]],
    *,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    sigmas: float = DEFAULT_SIGMAS,
) -> dict[str, FieldMap]:
    """One map per field from (field, raw score, right) triples."""
    by_field: dict[str, list[tuple[float, bool]]] = {}
    for f, raw, ok in outcomes:
        by_field.setdefault(f, []).append((raw, ok))
    return {
        f: fit_field(pairs, prior_weight=prior_weight, sigmas=sigmas)
        for f, pairs in sorted(by_field.items())
    }


@dataclass(frozen=True)
class Calibration:
    """The maps of every calibrated field; a field without one keeps its raw score."""

    fields: Mapping[str, FieldMap]
    meta: Mapping[str, Any]

    def __call__(self, field_name: str, raw: float) -> float:
        m = self.fields.get(field_name)
        return raw if m is None else m(raw)

    def to_json(self) -> str:
        data = {
            **self.meta,
            "fields": {f: [b.as_dict() for b in m.blocks] for f, m in sorted(self.fields.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        fields = {
            f: FieldMap(
                tuple(
                    Block(
                        float(b["from"]),
                        float(b["to"]),
                        int(b["n"]),
                        int(b["right"]),
                        float(b["raw"]),
                        float(b["p"]),
                    )
                    for b in blocks
                )
            )
            for f, blocks in data.pop("fields", {}).items()
        }
        return cls(fields, data)

    @classmethod
    def load(cls, path: Path) -> Calibration | None:
        """The calibration in ``path``; None when there is no such file."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return cls.from_json(text)


def cross_fit(
    outcomes: Sequence[tuple[str, float, bool]],
    groups: Sequence[str],
    *,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    sigmas: float = DEFAULT_SIGMAS,
) -> list[tuple[str, float, bool]]:
    """Out-of-fold confidences: for each group (a writer), the map fitted on every other
    group's ``outcomes`` applied to its own raw scores; (field, calibrated, right) in the
    order of ``outcomes``. ``groups`` names each outcome's group; fewer than two groups
    leave nothing to hold out (ValueError)."""
    if len(groups) != len(outcomes):
        raise ValueError("one group per outcome")
    names = sorted(set(groups))
    if len(names) < 2:
        raise ValueError("cross-fitting needs at least two writers")
    out: list[tuple[str, float, bool] | None] = [None] * len(outcomes)
    for held in names:
        rest = [o for o, g in zip(outcomes, groups, strict=True) if g != held]
        cal = Calibration(fit(rest, prior_weight=prior_weight, sigmas=sigmas), {})
        for i, ((f, raw, ok), g) in enumerate(zip(outcomes, groups, strict=True)):
            if g == held:
                out[i] = (f, round(cal(f, raw), 3), ok)
    return [o for o in out if o is not None]


def fitted(
    outcomes: Sequence[tuple[str, float, bool]],
    *,
    writers: Sequence[str],
    fitted_on: str,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    sigmas: float = DEFAULT_SIGMAS,
    out_of_fold: Mapping[str, Any] | None = None,
) -> Calibration:
    """A calibration fitted on ``outcomes``, saying what it was fitted from, and (when
    given) how its cross-fitted maps did on the writers each left out."""
    meta: dict[str, Any] = {
        "about": "raw tagger score -> probability right; refit with `make calibrate`",
        "fitted_on": fitted_on,
        "writers": sorted(writers),
        "tags": len(outcomes),
        "prior_weight": prior_weight,
        "sigmas": sigmas,
    }
    if out_of_fold is not None:
        meta["out_of_fold"] = dict(out_of_fold)
    return Calibration(fit(outcomes, prior_weight=prior_weight, sigmas=sigmas), meta)
