"""The forward chain on the article page: who first wrote the message the Board received
forwarded, with the signature that names the unit.

Why: a unit's staff often send from a personal Gmail; a colleague forwards it to the
Board. The unit tagger reads the original's signature ("Phòng Nội vụ - UBND huyện Bảo
Yên"), so an editor checking the attribution must see it too, and it must be stored with
the message and the article (``meta.forwarded_from``), not only used once in memory. The
mail is generated here and goes through the real pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, add_user, login
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.review.app import create_app
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from factory import article_text, make_email
from helpers import ENGINES

SIGNATURE = ("Nguyễn Thị Lan", "Phòng Nội vụ - UBND huyện Bảo Yên", "ĐT: 0214 3876 123")


def _forward() -> bytes:
    title, paras = article_text(31)
    body = "\n\n".join([title, *paras]) + "\n\nTrân trọng!\n" + "\n".join(SIGNATURE)
    plain = (
        "Em chuyển tiếp bài của huyện gửi Ban ạ.\n\n"
        "---------- Thư đã chuyển tiếp ---------\n"
        "Từ: Nguyễn Thị Lan <lan.nguyen88@gmail.com>\n"
        "Date: Th 2, 7 thg 12, 2026 vào lúc 09:15\n"
        "Subject: Bài viết gương điển hình tháng 12\n"
        "To: <thuhang.ngo@gmail.com>\n\n\n" + body + "\n"
    )
    return make_email(
        from_="Ngô Thu Hằng <thuhang.ngo@gmail.com>",
        subject="Fwd: Bài viết gương điển hình tháng 12",
        message_id="<fwd-console-1@gmail.com>",
        text=plain,
    )


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    config = make_config()
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    mail = tmp_path / "fwd.eml"
    mail.write_bytes(_forward())
    Ingestor(config, engine).import_from(FileImportSource([mail]))
    add_user(engine, "mai")
    yield config, engine


def test_article_page_shows_the_forward_chain_with_the_signature(env: tuple[Any, Any]) -> None:
    """GIVEN a Gmail forward of a message a unit's staff sent from a personal address
    WHEN ingested THEN the message's and the article's meta keep the original sender
    with its signature, AND the article page says "Thư chuyển tiếp từ" with the original
    sender's name, address and signature lines."""
    config, engine = env
    with Session(engine) as s:
        msg = s.execute(select(Message)).scalar_one()
        art = s.execute(select(Article)).scalar_one()
        assert msg.status == "ingested", msg.reason
        for meta in (msg.meta, art.meta):
            [origin] = meta["forwarded_from"]
            assert origin["from_addr"] == "lan.nguyen88@gmail.com"
            assert origin["from_name"] == "Nguyễn Thị Lan"
            assert origin["signature"] == "\n".join(SIGNATURE)
        aid = art.id
    app = create_app(config, engine=engine, review=TEST_REVIEW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        page = c.get(f"/articles/{aid}").text
    m = re.search(r'<dd class="small" id="forwarded">(.*?)</dd>', page, re.S)
    assert m is not None, "no forward chain on the article page"
    chain = m[1]
    assert "Thư chuyển tiếp từ" in page
    assert "Nguyễn Thị Lan" in chain and "lan.nguyen88@gmail.com" in chain
    assert "Người gửi gốc" in chain
    assert "Chữ ký: " + "<br>".join(SIGNATURE) in chain
    # the tagger read the same signature: the article is Bảo Yên's, not the forwarder's
    assert 'id="unit"' in page and "Bảo Yên" in page.split('id="unit"', 1)[1][:200]
