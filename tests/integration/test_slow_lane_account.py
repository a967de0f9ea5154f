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
        monkeypatch.setattr(slowlane, "_tools", lambda: (True, True))
        monkeypatch.setattr(slowlane, "_run", self._run)

    def _run(self, article: Article, ctx: Any, blobs: Any) -> list[ArticleDraft]:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


@pytest.fixture
def lane(make_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    ing = ingestor(make_config())
    tools = Tools(monkeypatch)

    def run() -> slowlane.SlowReport:
        return slowlane.run_slow_lane(ing.sessions, ing.ctx)

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
    assert msg.reason == "1 of 2 documents could not be read"
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
    assert row["status"] == "ingested" and row["reason"] == "1 of 2 documents could not be read"
    assert row["attachments"] == [
        {
            "name": "bao-cao-dien-hinh.doc",
            "type": "application/msword",
            "outcome": "refused",
            "reason": "unreadable: conversion failed: not a Word document",
        },
        {"name": "bai-2.docx", "type": "application/zip", "outcome": "article", "reason": None},
    ]
