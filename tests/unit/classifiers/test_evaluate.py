from __future__ import annotations

from dienhinh.classifiers.evaluate import evaluate

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
    assert r.unit_errors == [{"file": "b.eml", "expected": "so-y-te", "got": "bac-ha"}]
    assert r.noise_precision == 1.0 and r.noise_recall == 1.0
    assert r.duplicates_labelled == 1 and r.duplicates_found == 1
    assert r.key_phrase_recall == 1.0
    # campaigns: nong-thon-moi tp=2 fn=1 (b), suc-khoe tp=1
    assert r.campaign_micro_f1 == round(2 * 3 / (2 * 3 + 0 + 1), 4)
    assert r.campaign_macro_f1 == round((2 * 2 / (2 * 2 + 1) + 1.0) / 2, 4)
    assert r.subject_accuracy == 1.0 and r.kind_accuracy == round(2 / 3, 4)


def test_missing_and_failed_articles():
    msgs = [m for m in MESSAGES if m["message_id"] != "c@x"]
    arts = [{**ARTICLES[0], "status": "failed"}]
    r = evaluate(LABELS, MIDS, msgs, arts)
    assert r.missing_emails == ["c.eml"]
    assert r.key_phrase_recall == 0.0
