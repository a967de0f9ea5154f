"""The learned campaign model: one logistic regression per campaign over syllable n-grams.

Vietnamese words are one to three syllables, so syllable 1-2-grams of the folded text
(:func:`~dienhinh.core.text.fold`) see most words whole, with or without diacritics. The
features are TF-IDF weighted; each campaign gets its own binary classifier (one-vs-rest),
so an article can score high on two campaigns.

scikit-learn is optional: it is imported only when a model is trained or loaded, and
:data:`HAVE_SKLEARN` tells callers whether that can work. Without it the campaign tagger
runs on rules alone.

Model files. A model file is a pickle, and unpickling can run code, so a model file must
only ever be one this product wrote (``dienhinh`` retrains and saves it under its own data
directory). Never load a model file received by mail, downloaded or edited by hand.
:func:`load` checks a plain-text header (format, version, scikit-learn version) *before*
unpickling, so a foreign or stale file is refused without being unpickled.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import os
import pickle
import random
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dienhinh.core.errors import DienhinhError
from dienhinh.core.text import fold

__all__ = [
    "FORMAT",
    "HAVE_SKLEARN",
    "VERSION",
    "CampaignModel",
    "Example",
    "ModelFileError",
    "ModelUnavailable",
    "RetrainReport",
    "decide",
    "load",
    "macro_f1",
    "retrain_if_not_worse",
    "split_holdout",
    "train",
]

log = logging.getLogger(__name__)

HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
FORMAT = b"dienhinh-campaign-model"
VERSION = 1
# A campaign is predicted when its probability reaches this (and the best one always is).
DECISION_THRESHOLD = 0.5
# Inverse regularisation strength. Few, short, very separable examples: a mild penalty
# keeps probabilities graded instead of all near 0 or 1.
C = 10.0


class ModelUnavailable(DienhinhError):
    """scikit-learn is not installed, so no model can be trained or loaded."""


class ModelFileError(DienhinhError):
    """A model file is not one this version of dienhinh wrote (header, version, library
    version), or it is damaged. The remedy is to retrain, never to load it anyway."""


@dataclass(frozen=True)
class Example:
    """One article an editor confirmed: its text (title first) and campaign codes."""

    text: str
    campaigns: tuple[str, ...]

    @classmethod
    def of(cls, item: Example | tuple[str, Sequence[str]] | Mapping[str, Any]) -> Example:
        """Accept an Example, a ``(text, campaigns)`` pair or a seed-style dict."""
        if isinstance(item, Example):
            return item
        if isinstance(item, Mapping):
            text = f"{item.get('title', '')}\n\n{item.get('text', '')}".strip()
            return cls(text, tuple(item["campaigns"]))
        text, campaigns = item
        return cls(text, tuple(campaigns))


def _require_sklearn() -> None:
    if not HAVE_SKLEARN:
        raise ModelUnavailable("scikit-learn is not installed; the campaign model is disabled")


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


class CampaignModel:
    """A trained vectorizer and one classifier per campaign seen with both outcomes."""

    def __init__(self, vectorizer: Any, classifiers: dict[str, Any], trained_on: int) -> None:
        self._vectorizer = vectorizer
        self._classifiers = classifiers
        self.trained_on = trained_on

    @property
    def labels(self) -> tuple[str, ...]:
        """Campaigns the model can score. A campaign never (or always) seen is absent."""
        return tuple(self._classifiers)

    def predict(self, text: str) -> dict[str, float]:
        """Probability of each learned campaign for ``text``."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        x = self._vectorizer.transform(list(texts))
        out: list[dict[str, float]] = [{} for _ in texts]
        for code, clf in self._classifiers.items():
            column = list(clf.classes_).index(1)
            for i, row in enumerate(clf.predict_proba(x)):
                out[i][code] = float(row[column])
        return out

    def save(self, path: str | Path) -> None:
        """Write the model atomically: a header line, then the pickle."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        header = b"%s %d sklearn=%s\n" % (FORMAT, VERSION, _sklearn_version().encode())
        payload = pickle.dumps(
            {
                "vectorizer": self._vectorizer,
                "classifiers": self._classifiers,
                "trained_on": self.trained_on,
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                fh.write(payload)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> CampaignModel:
        return load(path)


def load(path: str | Path) -> CampaignModel:
    """Read a model file written by :meth:`CampaignModel.save` (and only such a file).

    Raises :class:`ModelFileError` when the header is not ours, the format version or the
    scikit-learn version differs (pickled estimators are not portable across versions), or
    the payload is damaged; :class:`ModelUnavailable` without scikit-learn.
    """
    _require_sklearn()
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise ModelFileError(f"cannot read model file {p}: {err}") from err
    header, _, payload = data.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) != 3 or parts[0] != FORMAT:
        raise ModelFileError(f"{p} is not a dienhinh campaign model file")
    if parts[1] != str(VERSION).encode():
        raise ModelFileError(
            f"{p}: model format {parts[1].decode(errors='replace')}, expected {VERSION}; retrain"
        )
    expected = f"sklearn={_sklearn_version()}".encode()
    if parts[2] != expected:
        raise ModelFileError(
            f"{p}: written with {parts[2].decode(errors='replace')}, "
            f"running {expected.decode()}; retrain"
        )
    try:
        # The header above proves this file came from CampaignModel.save; see the module
        # docstring for why only product-written files may reach this line.
        state = pickle.load(io.BytesIO(payload))  # noqa: S301
        return CampaignModel(state["vectorizer"], state["classifiers"], int(state["trained_on"]))
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, AttributeError) as err:
        raise ModelFileError(f"{p}: damaged model file: {err}") from err


def train(
    examples: Iterable[Example | tuple[str, Sequence[str]] | Mapping[str, Any]],
    *,
    c: float = C,
) -> CampaignModel:
    """Fit a model on ``examples`` (at least two). Campaigns that every example, or no
    example, carries cannot be learned and are left out of :attr:`CampaignModel.labels`."""
    _require_sklearn()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = [Example.of(e) for e in examples]
    if len(data) < 2:
        raise ValueError(f"need at least two examples to train, got {len(data)}")
    vectorizer = TfidfVectorizer(
        preprocessor=fold,
        # Vietnamese syllables can be one letter (ở, á); not a password (S106).
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
    )
    x = vectorizer.fit_transform([e.text for e in data])
    codes = sorted({c for e in data for c in e.campaigns})
    classifiers: dict[str, Any] = {}
    for code in codes:
        y = [1 if code in e.campaigns else 0 for e in data]
        if 0 < sum(y) < len(y):
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            clf.fit(x, y)
            classifiers[code] = clf
    return CampaignModel(vectorizer, classifiers, len(data))


# ---------------------------------------------------------------------------------------
# Evaluation and guarded retraining


def decide(probs: Mapping[str, float], threshold: float = DECISION_THRESHOLD) -> set[str]:
    """The campaigns a probability map stands for: all above ``threshold``, at least one."""
    chosen = {c for c, p in probs.items() if p >= threshold}
    if not chosen and probs:
        chosen = {max(probs, key=lambda c: probs[c])}
    return chosen


def macro_f1(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> float:
    """Mean F1 over every campaign that occurs in the truth or the predictions."""
    t = [set(x) for x in truth]
    p = [set(x) for x in predicted]
    labels = set().union(*t, *p) if t or p else set()
    if not labels:
        return 0.0
    total = 0.0
    for label in labels:
        tp = sum(1 for a, b in zip(t, p, strict=True) if label in a and label in b)
        fp = sum(1 for a, b in zip(t, p, strict=True) if label not in a and label in b)
        fn = sum(1 for a, b in zip(t, p, strict=True) if label in a and label not in b)
        total += 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return total / len(labels)


def _score(model: CampaignModel, examples: Sequence[Example]) -> float:
    preds = [decide(p) for p in model.predict_many([e.text for e in examples])]
    return macro_f1([e.campaigns for e in examples], preds)


def split_holdout(
    examples: Iterable[Example | tuple[str, Sequence[str]] | Mapping[str, Any]],
    *,
    holdout: float = 0.2,
    seed: int = 0,
) -> tuple[list[Example], list[Example]]:
    """(training part, held-out part): a seeded shuffle, so a retrain is reproducible."""
    data = [Example.of(e) for e in examples]
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must be between 0 and 1, got {holdout}")
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)  # noqa: S311 - reproducible split, not security
    n_hold = max(1, round(len(data) * holdout))
    if len(data) - n_hold < 2:
        raise ValueError(f"too few examples to retrain: {len(data)}")
    return [data[i] for i in order[n_hold:]], [data[i] for i in order[:n_hold]]


@dataclass(frozen=True)
class RetrainReport:
    """What :func:`retrain_if_not_worse` measured and decided, for the log and the console."""

    candidate_f1: float
    current_f1: float | None  # None when there was no current model
    replaced: bool
    n_train: int
    n_holdout: int

    def __str__(self) -> str:
        current = "none" if self.current_f1 is None else f"{self.current_f1:.3f}"
        verdict = "replaced" if self.replaced else "kept the current model"
        return (
            f"candidate macro-F1 {self.candidate_f1:.3f} vs current {current} on "
            f"{self.n_holdout} held-out articles (trained on {self.n_train}): {verdict}"
        )


def retrain_if_not_worse(
    current: CampaignModel | None,
    examples: Iterable[Example | tuple[str, Sequence[str]] | Mapping[str, Any]],
    *,
    holdout: float = 0.2,
    seed: int = 0,
    also_train_on: Iterable[Example | tuple[str, Sequence[str]] | Mapping[str, Any]] = (),
) -> tuple[CampaignModel, RetrainReport]:
    """Train a candidate on part of ``examples`` and adopt it only if it is not worse.

    The editor-confirmed ``examples`` are shuffled with ``seed`` and split; the candidate
    learns from the first part, and both models are scored (macro-F1) on the held-out
    part (``also_train_on``, e.g. the seed set, is added to the candidate's training
    only). The candidate replaces ``current`` when its score is greater or equal (a tie
    goes to the newer data). The returned model is the one measured, so the report stays
    true of it. Note that ``current`` may have seen some held-out articles in its own
    training, which favours it: a regression can keep the old model, never the reverse.
    """
    train_part, held = split_holdout(examples, holdout=holdout, seed=seed)
    # ``also_train_on`` (the seed set) only ever trains, never judges.
    candidate = train([*train_part, *(Example.of(e) for e in also_train_on)])
    cand_f1 = _score(candidate, held)
    cur_f1 = _score(current, held) if current is not None else None
    replaced = cur_f1 is None or cand_f1 >= cur_f1
    report = RetrainReport(cand_f1, cur_f1, replaced, len(train_part), len(held))
    log.info("campaign model retrain: %s", report)
    return (candidate if replaced or current is None else current), report
