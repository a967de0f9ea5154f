"""Every code the console can show has a Vietnamese label (core/labels.py), and no label
carries code or English (tests/vncheck.py, the browser test's checker).

The codes are enumerated from the code itself: the state enums, the attachment outcomes,
core.evidence.EvidenceKind, the publishers, the worker's jobs, the taggers' values, and,
for codes written as string literals (audit actions, flags, sources, reason codes, MIME
types), the literals in the source files that write them. A code added later without a
label fails here before an editor sees it.
"""

from __future__ import annotations

import codes
import pytest
from vncheck import offending_tokens

from dienhinh.classifiers.campaigns import load_campaigns
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.classifiers.kinds import KIND_VALUES, SUBJECT_VALUES
from dienhinh.core import labels as L
from dienhinh.core.evidence import EvidenceKind, Where, item
from dienhinh.core.types import AttachmentOutcome
from dienhinh.store.states import ArticleState, MessageState, PublicationState

GENERIC = {
    L.flag_label("?"),
    L.reason_label("?"),
    "lỗi kỹ thuật (quản trị viên xem chi tiết)",
    L.evidence_label({"kind": "?"}),
}


def _names() -> list[str]:
    units = [u.name for u in UnitDirectory.load(codes.ROOT / "units.toml")]
    return units + [c.name for c in load_campaigns(codes.ROOT / "campaigns.toml")]


def _clean(text: str) -> None:
    assert text and text not in GENERIC, text
    assert offending_tokens(text, _names()) == [], text


# --- enums --------------------------------------------------------------------------------


def test_every_state_of_every_kind_has_a_label() -> None:
    assert {s.value for s in ArticleState} == set(L.STATE_LABELS)
    assert {s.value for s in MessageState} == set(L.MESSAGE_STATE_LABELS)
    assert {s.value for s in PublicationState} == set(L.PUBLICATION_STATE_LABELS)
    assert {o.value for o in AttachmentOutcome} <= set(L.OUTCOME_LABELS)
    for table in (
        L.STATE_LABELS,
        L.MESSAGE_STATE_LABELS,
        L.PUBLICATION_STATE_LABELS,
        L.OUTCOME_LABELS,
    ):
        for label in table.values():
            _clean(label)


def test_every_evidence_kind_renders_in_vietnamese_with_its_values() -> None:
    assert {k.value for k in EvidenceKind} == set(L.EVIDENCE_LABELS)
    names = L.Names({"bao-yen": "UBND huyện Bảo Yên"}, {"du-lich": "Du lịch"})
    values = {
        "value": "Phòng Nội vụ huyện Bảo Yên",
        "unit": "bao-yen",
        "clue": item(EvidenceKind.LETTERHEAD, value="UBND HUYỆN BẢO YÊN"),
        "flag": "conflicting evidence",
        "term": "du lịch cộng đồng",
        "in_title": True,
        "count": 3,
        "best": 0.31,
        "p": 0.72,
        "phrase": "chị",
        "name": "Hoa",
        "editor": "mai",
        "article": 12,
    }
    for kind in EvidenceKind:
        for where in Where:
            text = L.evidence_label(item(kind, where=where, **values), names)
            _clean(text)
            assert kind.value not in text, text


def test_every_publication_target_run_and_status_has_a_label() -> None:
    from dienhinh.publish import publisher_names

    assert set(publisher_names()) <= set(L.TARGET_LABELS)
    kinds = codes.run_kinds()
    assert kinds <= set(L.RUN_KIND_LABELS), kinds - set(L.RUN_KIND_LABELS)
    statuses = codes.run_statuses()
    assert statuses <= set(L.RUN_STATUS_LABELS), statuses - set(L.RUN_STATUS_LABELS)
    for table in (L.TARGET_LABELS, L.RUN_KIND_LABELS, L.RUN_STATUS_LABELS):
        for label in table.values():
            _clean(label)


def test_tag_values_are_shown_by_their_names() -> None:
    assert set(SUBJECT_VALUES) == set(L.SUBJECT_LABELS)
    assert set(KIND_VALUES) == set(L.KIND_LABELS)
    directory = UnitDirectory.load(codes.ROOT / "units.toml")
    campaigns = load_campaigns(codes.ROOT / "campaigns.toml")
    names = L.Names({u.code: u.name for u in directory}, {c.code: c.name for c in campaigns})
    for u in directory:
        assert names.unit(u.code) == u.name and u.name and u.name != u.code
    for c in campaigns:
        assert names.campaign(c.code) == c.name and c.name and c.name != c.code
    for field, values in (("subject_type", SUBJECT_VALUES), ("kind", KIND_VALUES)):
        for v in values:
            _clean(names.value(field, v))
    # A code the lists do not know is never shown as the code.
    assert names.unit("xa-moi") == "đơn vị không có trong danh mục"
    assert names.campaign("phong-trao-moi") == "phong trào không có trong danh mục"


# --- codes written as literals ------------------------------------------------------------


def test_every_audit_action_has_a_label_and_a_sentence() -> None:
    missing = codes.audit_actions() - set(L.AUDIT_ACTION_LABELS)
    assert not missing, missing
    for action, label in L.AUDIT_ACTION_LABELS.items():
        _clean(label)
        for line in L.audit_lines(action, "article", {"status": "x"}, {"ip": "10.0.0.1"}, None):
            _clean(line)
    tables = {
        "article": ArticleState,
        "message": MessageState,
        "publication": PublicationState,
    }
    for object_type, states in tables.items():
        for to in states:
            for before in states:
                (line,) = L.audit_lines(
                    f"state:{to}", object_type, {"status": before}, {"status": to}, None
                )
                _clean(line)
                assert to.value not in line.split() and "trạng thái khác" not in line
    for actor in L.ACTOR_LABELS.values():
        _clean(actor)
    for obj in L.OBJECT_LABELS.values():
        _clean(obj)


def test_every_flag_has_a_label() -> None:
    flags = codes.flags()
    assert not flags - set(L.FLAG_LABELS), flags - set(L.FLAG_LABELS)
    for prefix in codes.flag_prefixes():
        _clean(L.flag_label(f"{prefix}:tcvn3" if "encoding" in prefix else f"{prefix}:2/3"))
    for label in L.FLAG_LABELS.values():
        _clean(label)


def test_low_confidence_review_reasons_read_as_names_and_percentages() -> None:
    from dienhinh.classifiers.tagging import LOW_CONFIDENCE

    names = L.Names({}, {"du-lich": "Du lịch"})
    text = L.flag_label(
        LOW_CONFIDENCE + "subject_type ca-nhan (0.59), campaign du-lich (0.41)", names
    )
    assert text == (
        "độ tin cậy thấp: Đối tượng «Cá nhân» (độ tin cậy 59%), "
        "Phong trào «Du lịch» (độ tin cậy 41%)"
    )


def test_every_article_source_and_mime_type_has_a_label() -> None:
    sources = codes.sources()
    assert sources <= set(L.SOURCE_LABELS), sources - set(L.SOURCE_LABELS)
    missing = codes.mime_types() - set(L.TYPE_LABELS)
    assert not missing, missing
    assert L.type_label(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ) == ("tài liệu Word (.docx)")
    for label in (*L.SOURCE_LABELS.values(), *L.TYPE_LABELS.values()):
        _clean(label)
    _clean(L.type_label("audio/x-wav"))  # an unknown type: by its family


@pytest.mark.parametrize(
    "reason",
    [
        "encrypted: password-protected zip",
        "over-limit: 120 parts, the limit is 100",
        "unreadable: conversion failed: LibreOffice exited 1",
        "unsupported: application/x-msdownload is not a document kind that is read",
        "official-document: giấy mời (Số: 12/GM-UBND)",
        "needs-conversion: bai.doc waits for LibreOffice",
        "needs-ocr: scan.pdf has no text layer",
        "waiting: bai.doc (needs-conversion)",
        "timeout: extraction took over 300 s",
        "logo: small image (120x40 px)",
        "cover-letter: công văn gửi kèm",
        "not-article: not used by any article",
        "ocr-page: a photographed page, read by OCR into the article",
        "no readable article: bai.doc: conversion failed: exit 1; refused: a.zip: encrypted: x",
        "not an article: auto-reply (Auto-Submitted: auto-replied)",
        "not an article: delivery status notification (multipart/report)",
        "not an article: mailing list (List-Id: x)",
        "not an article: meeting invitation (subject “Giấy mời họp”)",
        "not an article: short question without an article (40 characters; question mark)",
        "not an article: read receipt (subject “Đã đọc: bài”)",
        "not an article: automatically generated message (Auto-Submitted: auto-generated)",
        "not an article: official document (giaymoi.docx: giấy mời)",
        "no article: body too short and no document attached",
        "no article: no body text and no document attached",
        "no article: bai.docx: encrypted: password-protected .docx",
        "1 of 3 documents could not be read: bai.doc: unreadable: x",
        "will retry (1/5): database is locked",
        "reprocess requested from the console",
        "duplicate of article 12",
        "restore",
        "retry requested",
        "article withdrawn",
        "approved (queued)",
        "published on feed, wordpress",
        "attempt 2 failed, retry in 120 s: HTTP 502",
        "refused: HTTP 403 Forbidden",
        "gave up after 5 attempts: timed out",
        "conversion failed: soffice exited 1",
        "OCR failed: tesseract crashed",
        "conversion found no text",
        "text from the slow lane",
        "text from OCR",
        "only the first 20 of 31 pages were read",
        "photographed pages: waiting for OCR",
        "storage error (will retry on the next poll): disk full",
        "article is rejected, not approved",
    ],
)
def test_every_reason_the_code_writes_reads_in_vietnamese(reason: str) -> None:
    vi, stored = L.reason_parts(reason)
    _clean(vi)
    assert stored == reason


def test_reason_codes_written_in_the_source_are_all_known() -> None:
    """The leading codes of the reasons and errors the pipeline writes (``"code: ..."``
    string literals) all have a label."""
    unknown = {c for c in codes.reason_codes() if L.reason_label(f"{c}: x") in GENERIC}
    assert not unknown, unknown


def test_errors_of_runs_mailboxes_and_the_portal_are_vietnamese() -> None:
    for error in (
        "connection refused",
        "[AUTHENTICATIONFAILED] Invalid credentials (Failure)",
        "timed out",
        "OSError: [Errno 28] No space left on device",
        "sqlite3.OperationalError: database is locked",
        "2 bai.doc: encrypted: password-protected .doc\n3 anh.gif: logo: small image",
        "something nobody foresaw",
    ):
        _clean(L.error_label(error)) if "nobody" not in error else None
        assert offending_tokens(L.error_label(error)) == []
    for error in ("HTTP 502 Bad Gateway", "status 403: forbidden", "timed out", "weird"):
        text = L.publication_error_label(error)
        assert text and offending_tokens(text) == [], text
    assert L.mailbox_label("imap:btdkt@mail.laocai.gov.vn:993/INBOX") == (
        "hộp thư btdkt@mail.laocai.gov.vn"
    )
    assert L.confidence_label(0.594) == "độ tin cậy 59%"
    assert L.tagger_label("editor:mai") == "biên tập viên mai chọn"
    assert L.tagger_label("unit") == "máy đề xuất"


def test_old_english_evidence_rows_stay_readable_and_never_show_the_english() -> None:
    old = {
        "address ubnd-batxat@laocai.gov.vn": "ubnd-batxat@laocai.gov.vn",
        "letterhead: UBND HUYỆN BÁT XÁT": "UBND HUYỆN BÁT XÁT",
        "body: article: Bát Xát": "Bát Xát",
        "assigned by mai": "mai",
        "chosen by editor lan": "lan",
        "merged from article 7": "#7",
    }
    names = _names()
    for stored, kept in old.items():
        text = L.evidence_label(stored)
        assert kept in text and offending_tokens(text, names) == [], text
    for stored in ("'Chú' named 5 times", "an exemplary subject unless shown new", "model p=0.5"):
        text = L.evidence_label(stored)
        assert text == "căn cứ tự động (ghi theo cách cũ)"
