"""Score what the product stored against a labels file (the format of the shared
samples' labels.json): the numbers `dienhinh eval` prints.

Pure functions over the export rows, so they are tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "EvalReport",
    "ReliabilityBin",
    "calibration_summary",
    "evaluate",
    "expected_calibration_error",
    "reliability",
    "share_right",
]

# Confidence at or above which a tag counts as "certain" (issue 14: at least 97% of them
# must be right).
CERTAIN = 0.9


def _norm(text: str) -> str:
    """NFC, whitespace collapsed, casefolded: how labels say texts are compared."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


@dataclass
class EvalReport:
    emails: int = 0
    relevant: int = 0
    unit_correct: int = 0
    unit_accuracy: float = 0.0
    campaign_micro_f1: float = 0.0
    campaign_macro_f1: float = 0.0
    subject_accuracy: float = 0.0
    kind_accuracy: float = 0.0
    articles_labelled: int = 0
    articles_matched: int = 0
    noise_precision: float = 0.0
    noise_recall: float = 0.0
    duplicates_labelled: int = 0
    duplicates_found: int = 0
    # Labelled resends not recognised: file, the earlier file, the state it ended in.
    duplicate_errors: list[dict[str, Any]] = field(default_factory=list)
    # Messages whose noise verdict differs from their label: file, the label ("noise" or
    # "relevant"), the state the message ended in and its noise reason, if any.
    noise_errors: list[dict[str, Any]] = field(default_factory=list)
    key_phrase_recall: float = 0.0
    missing_emails: list[str] = field(default_factory=list)
    unit_errors: list[dict[str, Any]] = field(default_factory=list)
    # One row per matched article whose campaigns, subject or kind differ from its label:
    # file, title, and for each differing field what was expected and what was got.
    article_errors: list[dict[str, Any]] = field(default_factory=list)
    # Per field ("unit", "campaign", "subject_type", "kind"): calibration_summary().
    calibration: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (field, stored confidence, right) of every tag shown: what `dienhinh calibrate` fits.
    tag_outcomes: list[tuple[str, float, bool]] = field(default_factory=list)
    # The writer of each of tag_outcomes' tags (the label's ``writer``, "" without one):
    # the groups `dienhinh calibrate` cross-fits over (leave one writer out).
    tag_writers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["tag_outcomes"], d["tag_writers"]
        return d


def _resent(
    msg: Mapping[str, Any],
    arts: Sequence[Mapping[str, Any]],
    arts_by_id: Mapping[Any, Mapping[str, Any]],
    earlier: str,
) -> bool:
    """A labelled resend is recognised when its message ended `duplicate`, or when its
    articles are linked to the earlier email's as duplicates or as corrected versions
    (a resend with the text changed becomes a revision of the earlier article, which the
    editor compares), or the other way round: the earlier email's articles linked to the
    resend's, when the earlier one was read after it (its .doc waited for a conversion
    that its resend, a .docx, did not need). Either way the Board sees one piece."""
    if msg["status"] == "duplicate":
        return True
    linked = [
        arts_by_id.get(a.get("duplicate_of") or a.get("revision_of"))
        for a in arts
        if a.get("duplicate_of") or a.get("revision_of")
    ]
    if any(t is not None and t["message_id"] == earlier for t in linked):
        return True
    mine = {a.get("id") for a in arts} - {None}
    return any(
        a["message_id"] == earlier and (a.get("duplicate_of") or a.get("revision_of")) in mine
        for a in arts_by_id.values()
    )


@dataclass(frozen=True)
class ReliabilityBin:
    """Tags whose confidence is in [lo, hi): how many, their mean confidence, the share right."""

    lo: float
    hi: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability(outcomes: Sequence[tuple[float, bool]], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins of confidence over [0, 1] (1.0 falls in the top bin); empty bins
    are left out."""
    sums: dict[int, list[float]] = {}
    for conf, ok in outcomes:
        i = min(int(float(conf) * bins), bins - 1)
        b = sums.setdefault(max(i, 0), [0, 0.0, 0])
        b[0] += 1
        b[1] += float(conf)
        b[2] += bool(ok)
    return [
        ReliabilityBin(
            lo=round(i / bins, 4),
            hi=round((i + 1) / bins, 4),
            count=int(n),
            mean_confidence=round(total / n, 4),
            accuracy=round(right / n, 4),
        )
        for i, (n, total, right) in sorted(sums.items())
    ]


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    """The bins' gaps between accuracy and mean confidence, weighted by their counts."""
    total = sum(b.count for b in table)
    if not total:
        return 0.0
    return round(sum(b.count * abs(b.accuracy - b.mean_confidence) for b in table) / total, 4)


def share_right(outcomes: Sequence[tuple[float, bool]], at: float = CERTAIN) -> tuple[int, float]:
    """How many tags have confidence >= ``at``, and the share of them right (1.0 if none)."""
    high = [ok for conf, ok in outcomes if conf >= at]
    return len(high), round(sum(high) / len(high), 4) if high else 1.0


def calibration_summary(outcomes: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """One field's reliability table, ECE and share right among the "certain" tags."""
    table = reliability(outcomes)
    certain, certain_right = share_right(outcomes)
    return {
        "tags": len(outcomes),
        "bins": [asdict(b) for b in table],
        "ece": expected_calibration_error(table),
        "certain": certain,
        "certain_right": certain_right,
    }


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate(
    labels: Sequence[Mapping[str, Any]],
    message_id_of: Mapping[str, str],
    messages: Sequence[Mapping[str, Any]],
    articles: Sequence[Mapping[str, Any]],
    tags: Sequence[Mapping[str, Any]] = (),
) -> EvalReport:
    """``message_id_of`` maps each label's ``file`` to the Message-ID the product gave it;
    ``messages``/``articles`` are rows of `dienhinh export`; ``tags`` are the taggers' tag
    rows (``message_id``, ``article_id`` (None for the unit), ``field``, ``value``,
    ``confidence``), scored for calibration when given: a tag shown on a relevant message
    or a matched article is right when the label has its value."""
    unit_conf: dict[str, float] = {}
    tags_of: dict[Any, list[Mapping[str, Any]]] = {}
    for t in tags:
        if t["article_id"] is None:
            if t["field"] == "unit":
                unit_conf[t["message_id"]] = float(t["confidence"])
        else:
            tags_of.setdefault(t["article_id"], []).append(t)
    outcomes: list[tuple[str, float, bool]] = []
    writers: list[str] = []  # the writer of each outcome
    by_mid = {m["message_id"]: m for m in messages}
    arts_by_mid: dict[str, list[Mapping[str, Any]]] = {}
    all_arts_by_mid: dict[str, list[Mapping[str, Any]]] = {}  # failed ones too
    arts_by_id = {a["id"]: a for a in articles if "id" in a}
    for a in articles:
        all_arts_by_mid.setdefault(a["message_id"], []).append(a)
        if a.get("status") != "failed":  # an unreadable document is not an article found
            arts_by_mid.setdefault(a["message_id"], []).append(a)
    r = EvalReport(emails=len(labels))
    per_campaign: dict[str, list[int]] = {}  # code -> [tp, fp, fn]
    subj_ok = kind_ok = 0
    noise_tp = noise_fp = noise_fn = 0
    phrases = phrases_found = 0
    for lab in labels:
        mid = message_id_of.get(lab["file"], "")
        msg = by_mid.get(mid)
        if msg is None:
            r.missing_emails.append(lab["file"])
            continue
        predicted_noise = msg["status"] == "no-article"
        actual_noise = not lab.get("relevant", True)
        noise_tp += predicted_noise and actual_noise
        noise_fp += predicted_noise and not actual_noise
        noise_fn += actual_noise and not predicted_noise
        if predicted_noise != actual_noise:
            r.noise_errors.append(
                {
                    "file": lab["file"],
                    "expected": "noise" if actual_noise else "relevant",
                    "got": msg["status"],
                    "reason": msg.get("reason") or "",
                }
            )
        if lab.get("duplicate_of"):
            r.duplicates_labelled += 1
            earlier = message_id_of.get(lab["duplicate_of"], "")
            if _resent(msg, all_arts_by_mid.get(mid, []), arts_by_id, earlier):
                r.duplicates_found += 1
            else:
                r.duplicate_errors.append(
                    {"file": lab["file"], "duplicate_of": lab["duplicate_of"], "got": msg["status"]}
                )
        if actual_noise:
            continue
        r.relevant += 1
        unit_ok = msg.get("unit") == lab.get("unit")
        if unit_ok:
            r.unit_correct += 1
        else:
            r.unit_errors.append(
                {
                    "file": lab["file"],
                    "expected": lab.get("unit"),
                    "got": msg.get("unit"),
                    "confidence": unit_conf.get(mid),
                }
            )
        writer = str(lab.get("writer", ""))
        if msg.get("unit") is not None and mid in unit_conf:
            outcomes.append(("unit", unit_conf[mid], unit_ok))
        found = list(arts_by_mid.get(mid, []))
        for la in lab.get("articles", []):
            r.articles_labelled += 1
            phrase = _norm(la.get("key_phrase", ""))
            match = None
            if phrase:
                phrases += 1
                match = next((a for a in found if phrase in _norm(a.get("text", ""))), None)
                phrases_found += match is not None
            if match is None and found:
                match = found[0]
            if match is None:
                for code in la.get("campaigns", []):
                    per_campaign.setdefault(code, [0, 0, 0])[2] += 1
                continue
            found.remove(match)
            r.articles_matched += 1
            want, got = set(la.get("campaigns", [])), set(match.get("campaigns") or [])
            for code in want | got:
                c = per_campaign.setdefault(code, [0, 0, 0])
                c[0] += code in want and code in got
                c[1] += code in got and code not in want
                c[2] += code in want and code not in got
            subj_ok += match.get("subject_type") == la.get("subject")
            kind_ok += match.get("kind") == la.get("kind")
            wrong = {
                f: {"expected": e, "got": g}
                for f, e, g in (
                    ("campaigns", sorted(want), sorted(got)),
                    ("subject", la.get("subject"), match.get("subject_type")),
                    ("kind", la.get("kind"), match.get("kind")),
                )
                if e != g
            }
            if wrong:
                r.article_errors.append(
                    {"file": lab["file"], "title": la.get("title", ""), **wrong}
                )
            outcomes.extend(_shown_outcomes(tags_of.get(match.get("id"), []), match, la))
        writers.extend([writer] * (len(outcomes) - len(writers)))
    if r.relevant:
        r.unit_accuracy = round(r.unit_correct / r.relevant, 4)
    tp = sum(c[0] for c in per_campaign.values())
    fp = sum(c[1] for c in per_campaign.values())
    fn = sum(c[2] for c in per_campaign.values())
    r.campaign_micro_f1 = round(_f1(tp, fp, fn), 4)
    if per_campaign:
        r.campaign_macro_f1 = round(
            sum(_f1(*c) for c in per_campaign.values()) / len(per_campaign), 4
        )
    if r.articles_matched:
        r.subject_accuracy = round(subj_ok / r.articles_matched, 4)
        r.kind_accuracy = round(kind_ok / r.articles_matched, 4)
    r.noise_precision = round(noise_tp / (noise_tp + noise_fp), 4) if noise_tp + noise_fp else 1.0
    r.noise_recall = round(noise_tp / (noise_tp + noise_fn), 4) if noise_tp + noise_fn else 1.0
    r.key_phrase_recall = round(phrases_found / phrases, 4) if phrases else 1.0
    r.tag_outcomes = outcomes
    r.tag_writers = writers
    by_field: dict[str, list[tuple[float, bool]]] = {}
    for f, conf, ok in outcomes:
        by_field.setdefault(f, []).append((conf, ok))
    r.calibration = {f: calibration_summary(by_field[f]) for f in _FIELDS if f in by_field}
    return r


_FIELDS = ("unit", "campaign", "subject_type", "kind")


def _shown_outcomes(
    tags: Sequence[Mapping[str, Any]], article: Mapping[str, Any], label: Mapping[str, Any]
) -> list[tuple[str, float, bool]]:
    """(field, confidence, right) of the tags the article shows: its campaigns, and the
    suggestion that became its subject type and kind (a field's other suggestions are not
    shown as its value)."""
    want_campaigns = set(label.get("campaigns", []))
    shown = {
        "campaign": set(article.get("campaigns") or []),
        "subject_type": {article.get("subject_type")},
        "kind": {article.get("kind")},
    }
    expected = {"subject_type": label.get("subject"), "kind": label.get("kind")}
    out: list[tuple[str, float, bool]] = []
    seen: set[tuple[str, str]] = set()
    for t in tags:
        f, v = t["field"], t["value"]
        if f not in shown or v not in shown[f] or (f, v) in seen:
            continue
        seen.add((f, v))
        ok = v in want_campaigns if f == "campaign" else v == expected[f]
        out.append((f, float(t["confidence"]), ok))
    return out
