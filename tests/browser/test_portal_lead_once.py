"""The lead (sapo) appears once on the portal's public post page (issue 13), on the suite's
REAL WordPress (tests/wordpress.py) opened in chromium.

The article takes the product's own path: ingest's writer stores what extraction gives
(the whole text, the lead as its first paragraph), the editor rewrites the lead with the
console's action, and the WordPress publisher sends the item built from the row.
Before issue 13 the old lead stayed in the stored text: the post showed the new lead and,
below it, the old one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from browserkit import CHROMIUM, browser_missing
from consolekit import write_outcome
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.config import Secret, config_from_mapping
from dienhinh.core.types import ArticleDraft
from dienhinh.publish.config import WordPressSettings
from dienhinh.publish.items import item_from_article, labels
from dienhinh.publish.wordpress import WordPressPublisher
from dienhinh.review import actions
from dienhinh.store.blobs import BlobStore
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article
from helpers import ENGINES
from wordpress import WordPress

pytestmark = [pytest.mark.browser, pytest.mark.wordpress]

OLD_LEAD = "Bà Lò Thị Mai ở thôn Khe Bá, xã Xuân Hoà đã đưa cây chè shan tuyết lên núi cao."
NEW_LEAD = "Sapo của biên tập viên: người phụ nữ Dao đưa chè shan tuyết lên núi, cả thôn làm theo."
BODY = [
    "Từ năm 2016, bà vận động 23 hộ trong thôn cùng trồng chè dưới tán rừng.",
    "Năm 2023, thu nhập của mỗi hộ đạt hơn 120 triệu đồng, thôn không còn hộ nghèo.",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if reason := browser_missing():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield b
        b.close()


def _flat(s: str) -> str:
    return " ".join(s.split())


def _edited_article(tmp_path: Path) -> Any:
    """The PublicationItem of an extracted article whose lead the editor rewrote."""
    config = config_from_mapping(
        {
            "paths": {"data_dir": str(tmp_path / "var")},
            "database": {"url": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
            "mailbox": {"url": f"maildir://{tmp_path / 'maildir'}"},
        },
        path=tmp_path / "config.toml",
    )
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    draft = ArticleDraft(
        title="Người đưa chè shan tuyết lên núi",
        text="\n\n".join([OLD_LEAD, *BODY]),
        lead=OLD_LEAD,
        source="docx",
    )
    with Session(engine, expire_on_commit=False) as s:
        mid = write_outcome(
            s,
            received_at=datetime(2024, 5, 6, 3, 0, tzinfo=UTC),
            subject="Gửi bài",
            status="ingested",
            articles=[draft],
        )
        art = s.execute(select(Article).where(Article.message_pk == mid)).scalar_one()
        actions.edit(  # the form sends the body as it showed it, and the new lead
            s,
            art,
            actor="lan",
            title=art.title,
            lead=NEW_LEAD,
            text=art.text,
            unit=None,
            campaigns=None,
            subject_type=None,
            kind=None,
            directory=UnitDirectory([]),
            known_campaigns=[],
            subject_values=[],
            kind_values=[],
        )
        s.commit()
        return item_from_article(art, labels(config), blobs=BlobStore(config.blob_dir))


def test_the_lead_appears_once_on_the_public_post_page(
    chromium: Any, wordpress: WordPress, tmp_path: Path
) -> None:
    item = _edited_article(tmp_path)
    settings = WordPressSettings(
        url=wordpress.url,
        user=wordpress.user,
        password=Secret(wordpress.app_password),
        status="publish",
        slug_prefix="lead-once",
        timeout_seconds=60,
    )
    receipt = WordPressPublisher(settings).publish(item)
    assert receipt.url

    ctx = chromium.new_context(locale="vi-VN")
    page = ctx.new_page()
    try:
        page.goto(receipt.url, wait_until="load")
        whole = _flat(page.locator("body").inner_text())
        assert whole.count(_flat(NEW_LEAD)) == 1, whole
        assert _flat(OLD_LEAD) not in whole
        for para in BODY:
            assert whole.count(_flat(para)) == 1, para
        content = page.locator(".wp-block-post-content")
        paras = [_flat(t) for t in content.locator("p").all_inner_texts()]
        assert paras == [_flat(NEW_LEAD), *[_flat(p) for p in BODY]]
        assert content.locator("p.lead").count() == 1
    finally:
        ctx.close()
