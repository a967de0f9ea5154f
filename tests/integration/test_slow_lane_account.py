"""The slow lane keeps a message's state and reason true (issue 12), on SQLite and
PostgreSQL: a conversion or OCR that fails or finds no text, with no other readable
article, moves the message ingested -> failed with a reason naming the part and the cause,
and its attachment from "waiting" to "refused"; a later success moves it back to ingested
and the attachment to "article" (or "ocr-page").

The converters are replaced by stand-ins that fail or succeed on demand: what is tested is
the bookkeeping around them, not LibreOffice or Tesseract (tests/integration/test_slow_lane.py
runs the real tools).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from consolekit import attachment, write_outcome
from dienhinh.core.errors import ExtractionError
from dienhinh.core.types import ArticleDraft
from dienhinh.ingest import slowlane
from dienhinh.store.models import Article, Asset, AuditLog, Message
from dienhinh.store.states import ArticleState, transition
from helpers import ingestor

TEXT = (
    "Chị Thào Thị Dợ ở xã Pha Long trồng chè shan tuyết dưới tán rừng, vay vốn ưu đãi mở "
    "rộng nương chè và hướng dẫn mười hai hộ trong thôn cùng làm theo."
)


class Tools:
    """Stands in for LibreOffice/Tesseract: ``result`` is an exception to raise or the
    drafts to return."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.result: Any = []
        self.delay = 0.0  # seconds each conversion takes
        monkeypatch.setattr(slowlane, "_tools", lambda: (True, True))
        monkeypatch.setattr(slowlane, "_run", self._run)

    def _run(self, article: Article, ctx: Any, blobs: Any) -> list[ArticleDraft]:
        time.sleep(self.delay)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


@pytest.fixture
def lane(make_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    ing = ingestor(make_config())
    tools = Tools(monkeypatch)

    def run(budget: float = 300.0) -> slowlane.SlowReport:
        return slowlane.run_slow_lane(ing.sessions, ing.ctx, budget_seconds=budget)

    return ing.sessions, tools, run


def _waiting_doc(sessions: sessionmaker[Session], *, readable_too: bool = False) -> int:
    """A message whose only document (a .doc) waits for conversion; with ``readable_too``
    a second, readable article comes with it."""
    doc = attachment("bao-cao-dien-hinh.doc", "waiting", ctype="application/msword")
    drafts = [
        ArticleDraft(
            title="",
            text="",
            source="doc",
            origin=doc.filename,
            status="needs-conversion",
            document_sha256=doc.sha256,
        )
    ]
    attachments = [doc]
    if readable_too:
        other = attachment("bai-2.docx", "article", ctype="application/zip")
        attachments.append(other)
        drafts.append(
            ArticleDraft(
                title="Bài hai",
                text=TEXT,
                source="docx",
                origin=other.filename,
                document_sha256=other.sha256,
            )
        )
    with sessions() as s:
        return write_outcome(
            s,
            received_at=datetime(2024, 5, 6, 2, 0, tzinfo=UTC),
            subject="Gửi bài viết",
            status="ingested",
            attachments=attachments,
            articles=drafts,
        )


def _state(sessions: sessionmaker[Session], pk: int) -> tuple[Message, list[Asset]]:
    with sessions() as s:
        msg = s.get(Message, pk)
        assets = list(
            s.execute(
                select(Asset).where(Asset.message_pk == pk, Asset.article_pk.is_(None))
            ).scalars()
        )
        s.expunge_all()
        return msg, assets


def test_a_failed_conversion_fails_the_message_and_a_later_one_restores_it(lane) -> None:
    sessions, tools, run = lane
    pk = _waiting_doc(sessions)
    tools.result = ExtractionError("LibreOffice exited 1: source file could not be loaded")
    report = run()
    assert report.failed == 1
    msg, (doc,) = _state(sessions, pk)
    assert msg.status == "failed"
    assert msg.reason == (
        "no readable article: bao-cao-dien-hinh.doc: conversion failed: "
        "LibreOffice exited 1: source file could not be loaded"
    )
    assert doc.used_as == "refused" and doc.error == (
        "unreadable: conversion failed: LibreOffice exited 1: source file could not be loaded"
    )
    # A refused attachment and no article: an editor must look ("cần xem").
    assert msg.review_needed and msg.decided_at is None
    with sessions() as s:
        audit = s.execute(
            select(AuditLog).where(AuditLog.object_type == "message", AuditLog.object_id == pk)
        ).scalar_one()
        assert (audit.actor, audit.action) == ("slow-lane", "state:failed")

    # The tool works again (`reprocess --failed`, a fixed install): the article waits
    # again, is converted, and the message is ingested with nothing left to decide.
    with sessions() as s:
        art = s.execute(select(Article).where(Article.message_pk == pk)).scalar_one()
        transition(s, art, ArticleState.NEEDS_CONVERSION, actor="test")
        s.commit()
    tools.result = [ArticleDraft(title="Chè shan tuyết", text=TEXT, source="doc")]
    assert run().converted == 1
    msg, (doc,) = _state(sessions, pk)
    assert (msg.status, msg.reason, msg.review_needed) == ("ingested", None, False)
    assert (doc.used_as, doc.error) == ("article", None)


def test_no_text_found_is_a_failure_with_its_cause(lane) -> None:
    sessions, tools, run = lane
    pk = _waiting_doc(sessions)
    tools.result = []
    run()
    msg, (doc,) = _state(sessions, pk)
    assert msg.status == "failed"
    assert msg.reason == "no readable article: bao-cao-dien-hinh.doc: conversion found no text"
    assert (doc.used_as, doc.error) == ("refused", "unreadable: conversion found no text")


def test_a_message_with_another_readable_article_stays_ingested_and_says_what_failed(
    lane,
) -> None:
    sessions, tools, run = lane
    pk = _waiting_doc(sessions, readable_too=True)
    tools.result = ExtractionError("not a Word document")
    run()
    msg, assets = _state(sessions, pk)
    assert msg.status == "ingested" and not msg.review_needed
    assert msg.reason == (
        "1 of 2 documents could not be read: "
        "bao-cao-dien-hinh.doc: conversion failed: not a Word document"
    )
    outcomes = {a.filename: (a.used_as, a.error) for a in assets}
    assert outcomes == {
        "bao-cao-dien-hinh.doc": ("refused", "unreadable: conversion failed: not a Word document"),
        "bai-2.docx": ("article", None),
    }


def test_export_gives_the_account_after_the_slow_lane(lane) -> None:
    """`export messages` carries each attachment's name, sniffed type, outcome and reason,
    as the slow lane left them (and not the images kept inside a document)."""
    from dienhinh.store.export import export_messages

    sessions, tools, run = lane
    pk = _waiting_doc(sessions, readable_too=True)
    tools.result = ExtractionError("not a Word document")
    run()
    with sessions() as s:
        (row,) = [r for r in export_messages(s) if r["message_id"] == s.get(Message, pk).message_id]
    assert row["status"] == "ingested" and row["reason"] == (
        "1 of 2 documents could not be read: "
        "bao-cao-dien-hinh.doc: conversion failed: not a Word document"
    )
    assert row["attachments"] == [
        {
            "name": "bao-cao-dien-hinh.doc",
            "type": "application/msword",
            "outcome": "refused",
            "reason": "unreadable: conversion failed: not a Word document",
        },
        {"name": "bai-2.docx", "type": "application/zip", "outcome": "article", "reason": None},
    ]


# --- what the converted document turns out to be (official documents, issue 12 item 6) ------

LETTERHEAD = [
    "UBND HUYỆN BÁT XÁT",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]


def _invitation() -> ArticleDraft:
    """What a giấy mời sent as .doc reads as once converted."""
    return ArticleDraft(
        title="GIẤY MỜI",
        header_lines=[*LETTERHEAD, "Số: 45/GM-UBND"],
        text="\n\n".join(
            [
                "Về việc dự hội nghị tổng kết phong trào thi đua năm 2024",
                "Kính mời: Đại diện lãnh đạo các phòng, ban chuyên môn huyện.",
                "Thời gian: 8 giờ 00, ngày 12 tháng 12 năm 2024.",
                "Địa điểm: Hội trường UBND huyện Bát Xát.",
                "Nơi nhận:",
                "- Như trên;",
            ]
        ),
        source="doc",
    )


def _dispatch() -> ArticleDraft:
    """A công văn sending an article, converted."""
    return ArticleDraft(
        title="V/v gửi bài viết gương điển hình tiên tiến",
        header_lines=[*LETTERHEAD, "Số: 1234/UBND-VP"],
        text="\n\n".join(
            [
                "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.",
                "UBND huyện Bát Xát gửi kèm bài viết về gương điển hình tiên tiến năm 2024.",
                "Nơi nhận:",
                "- Như trên;",
                "TM. ỦY BAN NHÂN DÂN",
            ]
        ),
        source="doc",
    )


def _articles(sessions: sessionmaker[Session], pk: int) -> list[tuple[str, str]]:
    with sessions() as s:
        return [
            (a.origin, a.status)
            for a in s.execute(select(Article).where(Article.message_pk == pk)).scalars()
        ]


def test_a_converted_invitation_is_an_official_document_not_an_article(lane) -> None:
    """GIVEN a message whose only document, a .doc, waits WHEN the conversion reads a giấy
    mời THEN the waiting article is removed (audited), the attachment is an
    official-document with its kind and number, and the message is no-article with the
    reason extraction gives a .docx giấy mời."""
    sessions, tools, run = lane
    pk = _waiting_doc(sessions)
    tools.result = [_invitation()]
    report = run()
    assert (report.converted, report.official, report.failed, report.waiting) == (1, 1, 0, 0)
    msg, (doc,) = _state(sessions, pk)
    assert msg.status == "no-article"
    assert msg.reason == (
        "not an article: official document (invitation: bao-cao-dien-hinh.doc, Số 45/GM-UBND)"
    )
    assert (doc.used_as, doc.error) == (
        "official-document",
        "official-document: giấy mời, Số 45/GM-UBND",
    )
    assert _articles(sessions, pk) == []
    # An attachment that is not an article and no article: an editor looks ("cần xem").
    assert msg.review_needed
    with sessions() as s:
        actions = s.execute(
            select(AuditLog.object_type, AuditLog.action).where(AuditLog.actor == "slow-lane")
        ).all()
    assert ("article", "deleted") in actions and ("message", "state:no-article") in actions


def test_a_converted_dispatch_beside_an_article_is_its_cover_letter(lane) -> None:
    sessions, tools, run = lane
    pk = _waiting_doc(sessions, readable_too=True)
    tools.result = [_dispatch()]
    run()
    msg, assets = _state(sessions, pk)
    assert (msg.status, msg.reason, msg.review_needed) == ("ingested", None, False)
    assert {a.filename: (a.used_as, a.error) for a in assets} == {
        "bao-cao-dien-hinh.doc": ("cover-letter", "cover-letter: công văn, Số 1234/UBND-VP"),
        "bai-2.docx": ("article", None),
    }
    assert _articles(sessions, pk) == [("bai-2.docx", "pending-review")]


def test_a_converted_invitation_beside_an_article_is_not_counted(lane) -> None:
    """A giấy mời is no cover letter (it sends no article): official-document, and the
    article beside it is the message's only article."""
    sessions, tools, run = lane
    pk = _waiting_doc(sessions, readable_too=True)
    tools.result = [_invitation()]
    run()
    msg, assets = _state(sessions, pk)
    assert (msg.status, msg.reason) == ("ingested", None)
    assert {a.filename: a.used_as for a in assets} == {
        "bao-cao-dien-hinh.doc": "official-document",
        "bai-2.docx": "article",
    }
    assert _articles(sessions, pk) == [("bai-2.docx", "pending-review")]


def test_a_dispatch_alone_is_an_official_document(lane) -> None:
    """A công văn with no article beside it covers nothing: official-document."""
    sessions, tools, run = lane
    pk = _waiting_doc(sessions)
    tools.result = [_dispatch()]
    run()
    msg, (doc,) = _state(sessions, pk)
    assert msg.status == "no-article"
    assert msg.reason == (
        "not an article: official document "
        "(official letter: bao-cao-dien-hinh.doc, Số 1234/UBND-VP)"
    )
    assert doc.used_as == "official-document"


def test_the_reason_names_what_still_waits(lane) -> None:
    """GIVEN two .doc files waiting in one message WHEN the slow lane runs out of time
    after the first THEN the message (ingested) names the one still waiting; WHEN the
    second is read THEN the reason is gone."""
    sessions, tools, run = lane
    doc1 = attachment("bai-1.doc", "waiting", ctype="application/msword")
    doc2 = attachment("bai-2.doc", "waiting", ctype="application/msword")
    drafts = [
        ArticleDraft(
            title="",
            text="",
            source="doc",
            origin=d.filename,
            status="needs-conversion",
            document_sha256=d.sha256,
        )
        for d in (doc1, doc2)
    ]
    with sessions() as s:
        pk = write_outcome(
            s,
            received_at=datetime(2024, 5, 6, 2, 0, tzinfo=UTC),
            subject="Gửi hai bài",
            status="ingested",
            reason="waiting: bai-1.doc (needs-conversion); bai-2.doc (needs-conversion)",
            attachments=[doc1, doc2],
            articles=drafts,
        )
    tools.result = [ArticleDraft(title="Chè shan tuyết", text=TEXT, source="doc")]
    tools.delay = 1.1
    report = run(budget=1)
    assert (report.converted, report.waiting) == (1, 1)
    msg, assets = _state(sessions, pk)
    assert (msg.status, msg.reason) == ("ingested", "waiting: bai-2.doc (needs-conversion)")
    assert {a.filename: a.used_as for a in assets} == {
        "bai-1.doc": "article",
        "bai-2.doc": "waiting",
    }
    tools.delay = 0.0
    tools.result = [ArticleDraft(title="Thảo quả", text=TEXT + " Thảo quả.", source="doc")]
    assert run().converted == 1
    msg, assets = _state(sessions, pk)
    assert (msg.status, msg.reason) == ("ingested", None)
    assert {a.filename: a.used_as for a in assets} == {
        "bai-1.doc": "article",
        "bai-2.doc": "article",
    }
