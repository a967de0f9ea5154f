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

__all__ = ["EvalReport", "evaluate"]


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
    key_phrase_recall: float = 0.0
    missing_emails: list[str] = field(default_factory=list)
    unit_errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate(
    labels: Sequence[Mapping[str, Any]],
    message_id_of: Mapping[str, str],
    messages: Sequence[Mapping[str, Any]],
    articles: Sequence[Mapping[str, Any]],
) -> EvalReport:
    """``message_id_of`` maps each label's ``file`` to the Message-ID the product gave it;
    ``messages``/``articles`` are rows of `dienhinh export`."""
    by_mid = {m["message_id"]: m for m in messages}
    arts_by_mid: dict[str, list[Mapping[str, Any]]] = {}
    for a in articles:
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
        if lab.get("duplicate_of"):
            r.duplicates_labelled += 1
            r.duplicates_found += msg["status"] == "duplicate"
        if actual_noise:
            continue
        r.relevant += 1
        if msg.get("unit") == lab.get("unit"):
            r.unit_correct += 1
        else:
            r.unit_errors.append(
                {"file": lab["file"], "expected": lab.get("unit"), "got": msg.get("unit")}
            )
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
    return r
