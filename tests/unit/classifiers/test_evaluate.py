from __future__ import annotations

import pytest

from dienhinh.classifiers.evaluate import (
    ReliabilityBin,
    calibration_summary,
    evaluate,
    expected_calibration_error,
    reliability,
    share_right,
)

LABELS = [
    {
        "file": "a.eml",
        "relevant": True,
        "unit": "bat-xat",
        "duplicate_of": None,
        "articles": [
            {
                "campaigns": ["nong-thon-moi"],
                "subject": "ho-gia-dinh",
                "kind": "dien-hinh-tien-tien",
                "key_phrase": "nhờ cây thảo quả",
            }
        ],
    },
    {
        "file": "b.eml",
        "relevant": True,
        "unit": "so-y-te",
        "duplicate_of": None,
        "articles": [
            {
                "campaigns": ["suc-khoe", "nong-thon-moi"],
                "subject": "ca-nhan",
                "kind": "dien-hinh-tien-tien",
                "key_phrase": "trạm y tế xã",
            }
        ],
    },
    {"file": "c.eml", "relevant": False, "unit": None, "duplicate_of": None, "articles": []},
    {
        "file": "d.eml",
        "relevant": True,
        "unit": "bat-xat",
        "duplicate_of": "a.eml",
        "articles": [
            {
                "campaigns": ["nong-thon-moi"],
                "subject": "ho-gia-dinh",
                "kind": "dien-hinh-tien-tien",
                "key_phrase": "nhờ cây thảo quả",
            }
        ],
    },
]
MIDS = {"a.eml": "a@x", "b.eml": "b@x", "c.eml": "c@x", "d.eml": "d@x"}
MESSAGES = [
    {"message_id": "a@x", "status": "ingested", "unit": "bat-xat"},
    {"message_id": "b@x", "status": "ingested", "unit": "bac-ha"},
    {"message_id": "c@x", "status": "no-article", "unit": None},
    {"message_id": "d@x", "status": "duplicate", "unit": "bat-xat"},
]
ARTICLES = [
    {
        "message_id": "a@x",
        "text": "Gia đình thoát nghèo NHỜ cây  thảo quả.",
        "status": "pending-review",
        "campaigns": ["nong-thon-moi"],
        "subject_type": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "message_id": "b@x",
        "text": "Bác sĩ ở trạm y tế xã.",
        "status": "pending-review",
        "campaigns": ["suc-khoe"],
        "subject_type": "ca-nhan",
        "kind": "mo-hinh-moi",
    },
    {
        "message_id": "d@x",
        "text": "nhờ cây thảo quả",
        "status": "duplicate",
        "campaigns": ["nong-thon-moi"],
        "subject_type": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
]


def test_scores():
    r = evaluate(LABELS, MIDS, MESSAGES, ARTICLES)
    assert r.relevant == 3 and r.unit_correct == 2 and r.unit_accuracy == round(2 / 3, 4)
    assert r.unit_errors == [
        {"file": "b.eml", "expected": "so-y-te", "got": "bac-ha", "confidence": None}
    ]
    assert r.noise_precision == 1.0 and r.noise_recall == 1.0
    assert r.duplicates_labelled == 1 and r.duplicates_found == 1
    assert r.key_phrase_recall == 1.0
    # campaigns: nong-thon-moi tp=2 fn=1 (b), suc-khoe tp=1
    assert r.campaign_micro_f1 == round(2 * 3 / (2 * 3 + 0 + 1), 4)
    assert r.campaign_macro_f1 == round((2 * 2 / (2 * 2 + 1) + 1.0) / 2, 4)
    assert r.subject_accuracy == 1.0 and r.kind_accuracy == round(2 / 3, 4)
    # Every article whose tags differ is listed with the fields that differ, and only those.
    assert r.article_errors == [
        {
            "file": "b.eml",
            "title": "",
            "campaigns": {"expected": ["nong-thon-moi", "suc-khoe"], "got": ["suc-khoe"]},
            "kind": {"expected": "dien-hinh-tien-tien", "got": "mo-hinh-moi"},
        }
    ]


def test_missing_and_failed_articles():
    msgs = [m for m in MESSAGES if m["message_id"] != "c@x"]
    arts = [{**ARTICLES[0], "status": "failed"}]
    r = evaluate(LABELS, MIDS, msgs, arts)
    assert r.missing_emails == ["c.eml"]
    assert r.key_phrase_recall == 0.0


def test_a_corrected_resend_linked_as_a_revision_counts_as_found():
    """A resend with its text changed is stored as a revision of the earlier article
    (the editor compares the two): the resend was recognised. A revision of another
    email's article, or none, was not; the miss is listed."""
    arts = [{**a, "id": i} for i, a in enumerate(ARTICLES, start=1)]
    msgs = [{**m, "status": "ingested"} if m["message_id"] == "d@x" else m for m in MESSAGES]
    as_revision = [
        {**a, "status": "pending-review", "revision_of": 1} if a["id"] == 3 else a for a in arts
    ]
    r = evaluate(LABELS, MIDS, msgs, as_revision)
    assert r.duplicates_found == 1 and r.duplicate_errors == []
    of_other = [{**a, "revision_of": 2} if a["id"] == 3 else a for a in as_revision]
    r = evaluate(LABELS, MIDS, msgs, of_other)
    assert r.duplicates_found == 0
    assert r.duplicate_errors == [{"file": "d.eml", "duplicate_of": "a.eml", "got": "ingested"}]
    unlinked = [{**a, "revision_of": None} if a["id"] == 3 else a for a in as_revision]
    assert evaluate(LABELS, MIDS, msgs, unlinked).duplicates_found == 0


# --- calibration (issue 14) ---------------------------------------------------------------

ARTICLES_WITH_IDS = [{**a, "id": i} for i, a in enumerate(ARTICLES, start=1)]


def _tag(mid: str, aid: int | None, field: str, value: str, conf: float) -> dict:
    return {
        "message_id": mid,
        "article_id": aid,
        "field": field,
        "value": value,
        "confidence": conf,
    }


TAGS = [
    # a: right unit, right campaign, right subject and kind; a suggestion not shown as
    # the subject (the article shows the first one) is not scored.
    _tag("a@x", None, "unit", "bat-xat", 0.95),
    _tag("a@x", 1, "campaign", "nong-thon-moi", 0.92),
    _tag("a@x", 1, "subject_type", "ho-gia-dinh", 0.7),
    _tag("a@x", 1, "subject_type", "ca-nhan", 0.2),
    _tag("a@x", 1, "kind", "dien-hinh-tien-tien", 0.8),
    # b: a wrong unit, a right campaign, a wrong kind.
    _tag("b@x", None, "unit", "bac-ha", 0.55),
    _tag("b@x", 2, "campaign", "suc-khoe", 0.97),
    _tag("b@x", 2, "kind", "mo-hinh-moi", 0.91),
    # c is noise: its tags are not scored.
    _tag("c@x", None, "unit", "bat-xat", 0.99),
]


def test_tags_shown_are_scored_per_field():
    r = evaluate(LABELS, MIDS, MESSAGES, ARTICLES_WITH_IDS, TAGS)
    assert sorted(r.tag_outcomes) == sorted(
        [
            ("unit", 0.95, True),
            ("unit", 0.55, False),
            ("campaign", 0.92, True),
            ("campaign", 0.97, True),
            ("subject_type", 0.7, True),
            ("kind", 0.8, True),
            ("kind", 0.91, False),
        ]
    )
    assert r.unit_errors[0]["confidence"] == 0.55
    assert list(r.calibration) == ["unit", "campaign", "subject_type", "kind"]
    assert r.calibration["kind"]["certain"] == 1
    assert r.calibration["kind"]["certain_right"] == 0.0
    assert r.calibration["campaign"]["certain_right"] == 1.0
    assert "tag_outcomes" not in r.as_dict() and "calibration" in r.as_dict()
    # One writer per outcome, for `dienhinh calibrate`'s cross-fitting.
    assert len(r.tag_writers) == len(r.tag_outcomes) and "tag_writers" not in r.as_dict()


def test_without_tags_there_is_no_calibration():
    r = evaluate(LABELS, MIDS, MESSAGES, ARTICLES)
    assert r.calibration == {} and r.tag_outcomes == []


def test_reliability_bins_count_mean_and_accuracy():
    table = reliability([(0.05, False), (0.91, True), (0.95, False), (1.0, True), (0.5, True)])
    assert table == [
        ReliabilityBin(0.0, 0.1, 1, 0.05, 0.0),
        ReliabilityBin(0.5, 0.6, 1, 0.5, 1.0),
        ReliabilityBin(0.9, 1.0, 3, round((0.91 + 0.95 + 1.0) / 3, 4), round(2 / 3, 4)),
    ]


def test_ece_weights_each_bins_gap_by_its_count():
    table = [ReliabilityBin(0.0, 0.1, 1, 0.05, 0.0), ReliabilityBin(0.9, 1.0, 3, 0.9, 0.5)]
    assert expected_calibration_error(table) == pytest.approx((0.05 + 3 * 0.4) / 4, abs=1e-4)
    assert expected_calibration_error([]) == 0.0
    perfect = reliability([(0.75, True)] * 3 + [(0.75, False)])
    assert expected_calibration_error(perfect) == 0.0


def test_share_right_among_certain_tags():
    assert share_right([(0.9, True), (0.95, False), (0.89, False)]) == (2, 0.5)
    assert share_right([(0.5, False)]) == (0, 1.0)
    s = calibration_summary([(0.9, True), (0.3, False)])
    assert s["tags"] == 2 and s["certain"] == 1 and s["certain_right"] == 1.0
    assert [b["count"] for b in s["bins"]] == [1, 1]


def test_each_wrong_noise_verdict_is_listed_with_its_state_and_reason():
    """The noise figures say how many; the Board reads which: a letter taken for an
    article (ended ingested) and an article set aside as noise (with the rule's reason)."""
    msgs = [
        {**MESSAGES[0], "status": "no-article", "reason": "auto-reply"},
        MESSAGES[1],
        {**MESSAGES[2], "status": "ingested"},
        MESSAGES[3],
    ]
    r = evaluate(LABELS, MIDS, msgs, ARTICLES)
    assert r.noise_errors == [
        {"file": "a.eml", "expected": "relevant", "got": "no-article", "reason": "auto-reply"},
        {"file": "c.eml", "expected": "noise", "got": "ingested", "reason": ""},
    ]
    assert r.noise_precision == 0.0 and r.noise_recall == 0.0
    assert evaluate(LABELS, MIDS, MESSAGES, ARTICLES).noise_errors == []


def test_a_resend_read_before_its_original_counts_when_the_original_links_to_it():
    """The original's .doc waited for a conversion, its .docx resend did not: the resend
    was read first and the original became its duplicate. The pair is one piece, found;
    two unlinked articles are not."""
    msgs = [{**m, "status": "ingested"} if m["message_id"] == "d@x" else m for m in MESSAGES]
    msgs = [{**m, "status": "duplicate"} if m["message_id"] == "a@x" else m for m in msgs]
    arts = [
        {**ARTICLES[0], "id": 1, "status": "duplicate", "duplicate_of": 3},
        {**ARTICLES[1], "id": 2},
        {**ARTICLES[2], "id": 3, "status": "pending-review"},
    ]
    r = evaluate(LABELS, MIDS, msgs, arts)
    assert r.duplicates_found == 1 and r.duplicate_errors == []
    unlinked = [{**arts[0], "status": "pending-review", "duplicate_of": None}, *arts[1:]]
    msgs[0] = {**msgs[0], "status": "ingested"}
    assert evaluate(LABELS, MIDS, msgs, unlinked).duplicates_found == 0
