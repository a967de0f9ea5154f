"""Fuzz the whole fast path, ``ingest.extract.extract_message``, then the taggers
(``classifiers.tagging.tag_outcome``) on what it returns.

Property: whatever the bytes, extraction returns an Outcome in a visible state (a reason
when nothing was ingested), everything it would store is NFC without control characters
and fits its database column, file names are sanitised, every blob it names exists; the
taggers accept that Outcome and give one tag set per article with confidences in [0, 1].
Only ``StorageError`` may leave extract_message (documented: transient, retried); the
blob store here is a local temporary folder, so nothing may.
"""

from __future__ import annotations

import math

from fuzzkit import (
    MAIL_OPS,
    build,
    cases,
    check_outcome,
    fuzz_settings,
    hard_timeout,
    message_seeds,
)
from hypothesis import given
from hypothesis import strategies as st

from dienhinh.classifiers.tagging import tag_outcome
from dienhinh.ingest.extract import extract_message

MAIL_CASES = st.deferred(lambda: cases(message_seeds(), MAIL_OPS, max_size=4))
FIELDS = {"unit", "campaign", "subject_type", "kind"}


def _check_tags(tags, outcome) -> None:
    assert len(tags.articles) == len(outcome.articles)
    suggestions = [s for a in tags.articles for s in a.suggestions]
    if tags.unit is not None:
        suggestions.append(tags.unit)
    for s in suggestions:
        assert s.field in FIELDS, s
        assert isinstance(s.value, str) and s.value, s
        assert math.isfinite(s.confidence) and 0.0 <= s.confidence <= 1.0, s
        assert all(isinstance(e, dict) and e.get("kind") for e in s.evidence), s


@fuzz_settings("extract")
@given(case=MAIL_CASES)
def test_extract_message_then_tag(case, fuzz_ctx, tagging):
    data = build(message_seeds(), case)
    with hard_timeout():
        outcome = extract_message(data, fuzz_ctx)
        check_outcome(outcome, data, fuzz_ctx.limits, fuzz_ctx.blob_root)
        _check_tags(tag_outcome(outcome, tagging), outcome)
