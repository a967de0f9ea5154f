"""The same article sent by two different units (ingest.duplicates.OTHER_UNIT), as the
editor sees it, on SQLite and PostgreSQL: the later one is in the queue flagged "cần xem
kỹ", its page names the earlier article and its unit and offers "Là bản trùng của" with
that article filled in; confirming it makes it a duplicate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, add_user, csrf_of, login, version_of
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.review.app import create_app
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email


def _mail(message_id: str, from_: str) -> bytes:
    title, paras = article_text(33)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        from_=from_,
        message_id=message_id,
        attachments=[Attach("bai.docx", doc, DOCX_TYPE)],
    )


@pytest.fixture
def engine(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Any]:
    config = make_config()
    eng = make_engine(config.database.url)
    upgrade(eng)
    paths = []
    for name, sender in (
        ("first", "Phòng Nội vụ huyện Bát Xát <ubnd-batxat@laocai.gov.vn>"),
        ("copy", "Văn phòng UBND huyện Bắc Hà <ubnd-bacha@laocai.gov.vn>"),
    ):
        p = tmp_path / f"{name}.eml"
        p.write_bytes(_mail(f"<{name}@laocai.gov.vn>", sender))
        paths.append(p)
    # One file at a time: the copy is decided against the stored original (the writer's
    # prefetch), as in a later poll.
    for p in paths:
        Ingestor(config, eng).import_from(FileImportSource([p]))
    add_user(eng, "mai")
    eng.config = config
    yield eng
    eng.dispose()


def _ids(engine: Any) -> tuple[int, int]:
    with Session(engine) as s:
        rows = s.execute(
            select(Article.id, Message.message_id).join(Message, Article.message_pk == Message.id)
        ).all()
    by = {mid: aid for aid, mid in rows}
    return by["first@laocai.gov.vn"], by["copy@laocai.gov.vn"]


def test_the_editor_sees_whose_article_a_copy_repeats_and_can_mark_it(engine: Any) -> None:
    first, copy = _ids(engine)
    app = create_app(engine.config, engine=engine, review=TEST_REVIEW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        queue = c.get("/?state=pending-review&flagged=1").text
        assert f'href="/articles/{copy}' in queue
        assert "trùng nội dung với bài một đơn vị khác đã gửi" in queue
        page = c.get(f"/articles/{copy}").text
        assert f'id="same-as">Nội dung trùng với bài <a href="/articles/{first}">' in page
        assert "UBND huyện Bát Xát" in page.split('id="same-as"')[1].split("</p>")[0]
        target = re.search(r'id="duplicate-target"[^>]*value="(\d*)"', page)
        assert target and target.group(1) == str(first)
        r = c.post(
            f"/articles/{copy}/duplicate",
            data={
                "csrf_token": csrf_of(page),
                "version": version_of(page, f"/articles/{copy}/duplicate"),
                "target": str(first),
            },
        )
        assert r.status_code == 303
    with Session(engine) as s:
        art = s.get(Article, copy)
        assert art.status == "duplicate" and art.duplicate_of_id == first
