"""Builders for the publication tests (the fixtures are in conftest.py): articles in a
real database (SQLite and PostgreSQL through ``db_url``), made with the real models and
the real state transitions, and plain ``PublicationItem`` values for the publishers that
never see a database."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dienhinh.core.config import Config
from dienhinh.publish.base import CampaignRef, ImageItem, PublicationItem
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Article, Asset, Message
from dienhinh.store.states import ArticleState, MessageState, initial, transition
from factory import make_jpeg, make_png

T0 = datetime(2024, 5, 6, 3, 0, tzinfo=UTC)
_seq = itertools.count(1)

# The lead is a field of its own; the body (TEXT) does not repeat it.
LEAD = "Ông Vàng Seo Chứ ở xã Y Tý đã trồng thảo quả dưới tán rừng và thoát nghèo bền vững."
TEXT = (
    "Từ năm 2015, gia đình ông mở rộng diện tích lên 3 ha, thu nhập mỗi năm hơn 200 triệu "
    "đồng.\nÔng còn hướng dẫn bà con trong thôn cùng làm.\n\n"
    "Nhờ đó, thôn Lao Chải đã có 12 hộ thoát nghèo trong năm 2023."
)


@dataclass
class PubEnv:
    config: Config
    engine: Engine
    blobs: BlobStore
    tmp: Path

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def article(
        self,
        *,
        title: str = "Gương sáng thoát nghèo ở Y Tý",
        text: str = TEXT,
        lead: str = LEAD,
        unit: str | None = "bat-xat",
        campaigns: Sequence[str] = ("nong-thon-moi", "du-lich"),
        images: Sequence[tuple[bytes, str, str]] | None = None,
        cover: int | None = None,
        status: str = ArticleState.APPROVED,
        received_at: datetime = T0,
    ) -> int:
        """An article of a stored message, moved to ``status`` through transition().
        ``images``: (bytes, content type, caption); default one JPEG and one PNG."""
        n = next(_seq)
        if images is None:
            images = [
                (make_jpeg(seed=n), "image/jpeg", "Ông Chứ bên vườn thảo quả"),
                (make_png(seed=n), "image/png", ""),
            ]
        with self.session() as s:
            raw = f"message {n}".encode()
            msg = Message(
                message_id=f"msg-{n}@laocai.gov.vn",
                sha256=hashlib.sha256(raw).hexdigest(),
                body_sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                received_at=received_at,
                from_addr="ubnd-batxat@laocai.gov.vn",
                subject="Gửi bài viết",
            )
            initial(msg, MessageState.RECEIVED)
            s.add(msg)
            s.flush()
            transition(s, msg, MessageState.INGESTED, actor="test", audit=False)
            art = Article(
                message_pk=msg.id,
                ordinal=1,
                title=title,
                lead=lead,
                text=text,
                source="docx",
                unit=unit,
                campaigns=list(campaigns),
                subject_type="individual",
                kind="exemplar",
            )
            initial(art, ArticleState.PENDING_REVIEW)
            s.add(art)
            s.flush()
            assets = []
            for pos, (data, ctype, caption) in enumerate(images):
                sha = self.blobs.put(data, durable=False)
                a = Asset(
                    message_pk=msg.id,
                    article_pk=art.id,
                    sha256=sha,
                    size=len(data),
                    content_type=ctype,
                    filename=f"ảnh {pos}.jpg",
                    role="photo",
                    caption=caption,
                    position=pos,
                )
                s.add(a)
                assets.append(a)
            s.flush()
            if cover is not None:
                art.cover_asset_id = assets[cover].id
            if status != ArticleState.PENDING_REVIEW:
                transition(s, art, status, actor="editor:lan")
            s.commit()
            return art.id


def make_item(
    tmp_path: Path,
    *,
    article_id: int = 7,
    title: str = "Gương sáng thoát nghèo ở Y Tý",
    images: int = 2,
    cover: int = 0,
    remote_id: str | None = None,
    campaigns: Sequence[tuple[str, str]] = (
        ("nong-thon-moi", "Lào Cai xây dựng nông thôn mới và giảm nghèo bền vững"),
        ("du-lich", "Năm Du lịch Quốc gia 2017"),
    ),
) -> PublicationItem:
    """A PublicationItem whose photos are real files in a blob store under tmp_path."""
    store = BlobStore(tmp_path / "blobs", durable=False)
    imgs = []
    for i in range(images):
        data = make_jpeg(seed=article_id * 10 + i)
        sha = store.put(data)
        imgs.append(
            ImageItem(
                asset_id=100 + i,
                sha256=sha,
                path=store.path(sha),
                content_type="image/jpeg",
                size=len(data),
                filename=f"../../ảnh {i}.jpg",
                caption=f"Chú thích ảnh {i}" if i == 0 else "",
                position=i,
                is_cover=i == cover,
            )
        )
    return PublicationItem(
        key=f"article-{article_id}",
        publication_id=1,
        article_id=article_id,
        target="test",
        title=title,
        lead=LEAD,
        text=TEXT,
        unit_code="bat-xat",
        unit_name="UBND huyện Bát Xát",
        campaigns=tuple(CampaignRef(c, label) for c, label in campaigns),
        subject_type="individual",
        kind="exemplar",
        source="docx",
        received_at=T0,
        message_id="abc@laocai.gov.vn",
        images=tuple(imgs),
        remote_id=remote_id,
    )


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)
