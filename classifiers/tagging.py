"""Tag one extracted message: its sending unit (message level) and, per article, the
campaigns, subject type and kind, each with confidence and evidence.

Runs in the extraction worker processes, right after extraction, so its CPU cost is
spread over the cores like the parsing. Everything it needs arrives in the configuration's
picklable :class:`~dienhinh.core.config.TaggingConfig` (with ``learned`` filled in by the
ingest); the unit directory, campaign vocabulary and model are loaded once per process (and
again when their file changes).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dienhinh.classifiers import BUILTINS
from dienhinh.classifiers.base import Classifier, ClassifyContext, TagSuggestion, build_registry
from dienhinh.classifiers.calibration import Calibration
from dienhinh.classifiers.campaigns import Vocabulary, load_campaigns
from dienhinh.classifiers.decision import CampaignDecision
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.classifiers.kinds import cue_weights_path, load_cue_weights
from dienhinh.classifiers.units import attribute_unit
from dienhinh.core.config import TaggingConfig
from dienhinh.core.errors import ConfigError
from dienhinh.core.types import ArticleDraft, ForwardOrigin, MailHeaders, Outcome

__all__ = [
    "ArticleTags",
    "MessageTags",
    "article_taggers",
    "tag_article",
    "tag_outcome",
]

log = logging.getLogger(__name__)

# A model trained on fewer editor-confirmed articles than this is advisory: its
# probabilities are shown as evidence, the rules decide. The seed set alone is too small
# and too unlike real mail to outvote the rules.
MIN_CONFIRMED_FOR_MODEL = 50

# Why an article is flagged (``Article.meta["review_reasons"]``): the unit's flags
# (units.FLAG_*), NO_UNIT, or LOW_CONFIDENCE followed by "field value (0.59)" items joined
# by ", " (a format of its own: core/labels.py reads it back to show it in Vietnamese).
LOW_CONFIDENCE = "low confidence: "
NO_UNIT = "no sending unit found"


@dataclass
class ArticleTags:
    suggestions: list[TagSuggestion] = field(default_factory=list)
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)

    def values(self, field_name: str) -> list[str]:
        return [s.value for s in self.suggestions if s.field == field_name]


@dataclass
class MessageTags:
    unit: TagSuggestion | None
    unit_group: str | None
    sender_verified: bool | None
    flags: list[str]
    articles: list[ArticleTags]


class _Resources:
    """The directory, campaign vocabulary, model and article taggers of this process,
    reloaded when a file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self.directory: UnitDirectory | None = None
        self.vocabulary: Vocabulary | None = None
        self.model: Any = None
        self.taggers: list[Classifier] = []
        self.calibration: Calibration | None = None
        self.decision: CampaignDecision | None = None
        # Subject-type and kind cue weights learned from editors' corrections (`retrain`).
        self.cue_weights: dict[str, dict[str, float]] = {}

    @staticmethod
    def _stamp(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return -1.0

    def settings(self, unit_code: str | None, unit_group: str | None) -> dict[str, Any]:
        """What the article taggers read from ``ClassifyContext.settings``."""
        return {
            "unit_code": unit_code,
            "unit_group": unit_group,
            "campaign_vocabulary": self.vocabulary,
            "campaign_model": self.model,
            "campaign_decision": self.decision,
            "cue_weights": self.cue_weights,
        }

    def get(self, s: TaggingConfig) -> _Resources:
        key = (
            s.units_file,
            self._stamp(s.units_file),
            s.campaigns_file,
            self._stamp(s.campaigns_file),
            s.model_file,
            self._stamp(s.model_file),
            s.taggers,
            s.calibration_file,
            self._stamp(s.calibration_file) if s.calibration_file else None,
            s.campaign_decision_file,
            self._stamp(s.campaign_decision_file) if s.campaign_decision_file else None,
            self._stamp(cue_weights_path(s.model_file)),
        )
        with self._lock:
            if key != self._key:
                self.directory = UnitDirectory.load(s.units_file)
                self.vocabulary = Vocabulary.build(load_campaigns(s.campaigns_file))
                self.model = _load_model(s.model_file)
                self.taggers = article_taggers(s.taggers)
                self.calibration = _load_calibration(s.calibration_file)
                self.decision = _load_decision(s.campaign_decision_file)
                self.cue_weights = load_cue_weights(cue_weights_path(s.model_file))
                self._key = key
        return self


def _load_model(path: Path) -> Any:
    """The saved model if it has learned from enough confirmed articles, else None."""
    from dienhinh.classifiers import model as m

    if not m.HAVE_SKLEARN or not path.is_file():
        return None
    try:
        loaded = m.load(path)
    except m.ModelFileError as err:
        log.warning("campaign model %s not used: %s", path, err)
        return None
    return loaded if loaded.trained_on >= MIN_CONFIRMED_FOR_MODEL else None


def _load_calibration(path: Path | None) -> Calibration | None:
    """The calibration in ``path``; None (raw scores) when there is none or it is unreadable
    (then said in the log: shown confidences are the taggers' raw scores)."""
    if path is None:
        return None
    try:
        cal = Calibration.load(path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("confidence calibration %s not used: %s", path, err)
        return None
    if cal is None:
        log.warning("no confidence calibration at %s: confidences are raw scores", path)
    return cal


def _load_decision(path: Path | None) -> CampaignDecision | None:
    """The fitted campaign decision in ``path``; None (the rules decide) when there is none
    or it is unreadable (then said in the log)."""
    if path is None:
        return None
    try:
        decision = CampaignDecision.load(path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("campaign decision %s not used: %s", path, err)
        return None
    if decision is None:
        log.warning("no campaign decision at %s: the campaign rules decide alone", path)
    return decision


def calibrated(cal: Calibration | None, tag: TagSuggestion) -> TagSuggestion:
    """``tag`` with its raw score replaced by the calibrated probability of being right."""
    if cal is None:
        return tag
    p = round(cal(tag.field, tag.confidence), 3)
    if p == tag.confidence:
        return tag
    if type(tag) is not TagSuggestion:
        return dataclasses.replace(tag, confidence=p)
    # dataclasses.replace(tag, confidence=p), without reading the fields' list each time
    return TagSuggestion(tag.field, tag.value, p, tag.evidence, tag.tagger)


def _low(tags: list[TagSuggestion], threshold: float) -> str | None:
    """The review reason naming the tags under ``threshold``, or None."""
    low = [f"{s.field} {s.value} ({s.confidence:.2f})" for s in tags if s.confidence < threshold]
    return LOW_CONFIDENCE + ", ".join(low) if low else None


_RESOURCES = _Resources()


def article_taggers(names: tuple[str, ...] | None = None) -> list[Classifier]:
    """The registered article-level taggers, in registry (or the given) order. An unknown
    name, or the message-level unit tagger named here, is a configuration error."""
    article_names = [c.name for c in BUILTINS if c.level == "article"]
    chosen = build_registry(BUILTINS, article_names if names is None else names)
    for t in chosen:
        if t.level != "article":
            raise ConfigError(
                "tagging.taggers", f"{t.name!r} runs once per message, not per article"
            )
    return chosen


@dataclass
class UnitFinding:
    """The message-level unit: its calibrated tag (None when nothing names one), its
    group, the attribution's flags, and why articles go to an editor on its account."""

    tag: TagSuggestion | None
    group: str | None
    flags: list[str]
    reasons: list[str]
    sender_verified: bool | None


def _unit(
    res: _Resources,
    settings: TaggingConfig,
    headers: MailHeaders,
    articles: Sequence[ArticleDraft],
    cover_note: str,
    body: str,
    forwarded_from: Sequence[ForwardOrigin],
    quoted_text: str = "",
) -> UnitFinding:
    assert res.directory is not None
    verdict = attribute_unit(
        headers,
        articles,
        cover_note,
        body,
        forwarded_from,
        res.directory,
        learned=dict(settings.learned),
        official_domains=settings.official_domains,
        webmail_domains=settings.webmail_domains,
        quoted_text=quoted_text,
    )
    unit_tag = None
    unit_group = None
    flags = list(verdict.flag_reasons)
    unit_reasons = list(flags)  # why the articles go to an editor on the unit's account
    if verdict.unit is not None:
        unit_tag = calibrated(
            res.calibration,
            TagSuggestion(
                "unit",
                verdict.unit,
                round(verdict.confidence, 3),
                [e.as_item() for e in verdict.evidence if e.unit == verdict.unit],
                "unit",
            ),
        )
        unit = res.directory.get(verdict.unit)
        unit_group = unit.group if unit is not None else None
        # A unit under the threshold sends every article to an editor, as a flag does (the
        # message's own flags stay the attribution's).
        low_unit = _low([unit_tag], settings.review_threshold)
        if low_unit:
            unit_reasons.append(low_unit)
    return UnitFinding(unit_tag, unit_group, flags, unit_reasons, verdict.sender_verified)


def late_unit(
    drafts: Sequence[ArticleDraft],
    settings: TaggingConfig,
    *,
    headers: MailHeaders,
    cover_note: str,
    forwarded_from: Sequence[ForwardOrigin] = (),
) -> UnitFinding:
    """The unit of a message that named none until its document was converted or read
    by OCR (a .doc, .odt or scan whose letterhead or closing names it): the attribution run
    again with the document's text, from what the message keeps (headers, cover note,
    forward chain)."""
    res = _RESOURCES.get(settings)
    return _unit(res, settings, headers, drafts, cover_note, cover_note, forwarded_from)


def tag_outcome(outcome: Outcome, settings: TaggingConfig) -> MessageTags:
    res = _RESOURCES.get(settings)
    body = outcome.body_text
    if outcome.signature:
        body = f"{body}\n\n-- \n{outcome.signature}"
    found = _unit(
        res,
        settings,
        outcome.headers,
        outcome.articles,
        outcome.cover_note,
        body,
        outcome.forwarded_from,
        outcome.quoted_text,
    )
    unit_tag, unit_group, flags, unit_reasons = found.tag, found.group, found.flags, found.reasons
    ctx = ClassifyContext(
        headers=outcome.headers,
        cover_note=outcome.cover_note,
        settings=res.settings(unit_tag.value if unit_tag else None, unit_group),
    )
    articles = [
        _tag_one(
            res,
            draft,
            ctx,
            settings.review_threshold,
            flagged_unit=bool(unit_reasons) or unit_tag is None,
            unit_reasons=unit_reasons,
        )
        for draft in outcome.articles
    ]
    return MessageTags(
        unit=unit_tag,
        unit_group=unit_group,
        sender_verified=found.sender_verified,
        flags=flags,
        articles=articles,
    )


def _tag_one(
    res: _Resources,
    draft: ArticleDraft,
    ctx: ClassifyContext,
    threshold: float,
    *,
    flagged_unit: bool,
    unit_reasons: list[str],
) -> ArticleTags:
    tags = ArticleTags()
    if draft.text.strip():
        cal = res.calibration
        for tagger in res.taggers:
            tags.suggestions.extend(calibrated(cal, t) for t in tagger.classify(draft, ctx))
        low = _low(tags.suggestions, threshold)
        if low:
            tags.reasons.append(low)
    if flagged_unit:
        tags.reasons.extend(unit_reasons or [NO_UNIT])
    tags.flagged = bool(tags.reasons)
    return tags


def tag_article(
    draft: ArticleDraft,
    settings: TaggingConfig,
    *,
    headers: MailHeaders,
    unit_code: str | None,
    unit_flags: list[str],
    unit_confidence: float | None = None,
) -> ArticleTags:
    """Campaign, subject and kind tags for one article whose text arrived later (the slow
    lane's conversions and OCR), with the unit already attributed to its message (and its
    stored, calibrated confidence: under the threshold, the article goes to an editor)."""
    res = _RESOURCES.get(settings)
    unit_reasons = list(unit_flags)
    if unit_code is not None and unit_confidence is not None:
        low_unit = _low(
            [TagSuggestion("unit", unit_code, unit_confidence, [])], settings.review_threshold
        )
        if low_unit:
            unit_reasons.append(low_unit)
    assert res.directory is not None
    unit = res.directory.get(unit_code) if unit_code else None
    ctx = ClassifyContext(
        headers=headers,
        settings=res.settings(unit_code, unit.group if unit is not None else None),
    )
    return _tag_one(
        res,
        draft,
        ctx,
        settings.review_threshold,
        flagged_unit=unit_code is None or bool(unit_reasons),
        unit_reasons=unit_reasons,
    )
