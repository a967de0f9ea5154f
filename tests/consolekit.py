"""Builders for the console's tests (HTTP, unit and browser): a database filled by the real
ingest pipeline from generated .eml files, accounts, and a logged-in client.

The mail is what units send (a .docx with a photo, a text PDF, a plain-text body), plus
one hostile message whose subject, sender name, body and attachment name all carry
``<script>`` / ``onerror=``, and one from an official address that fails DMARC, so the
console is tested on what ingest really stores.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.classifiers.base import TagSuggestion
from dienhinh.classifiers.tagging import MessageTags
from dienhinh.core.config import Config
from dienhinh.core.evidence import EvidenceKind, item
from dienhinh.core.types import ArticleDraft, Attachment, MailHeaders, Outcome
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.ingest.writer import write_group
from dienhinh.review import auth
from dienhinh.review.config import ReviewConfig
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from dienhinh.store.states import MessageState, initial
from factory import (
    DOCX_TYPE,
    ICT,
    Attach,
    DocImage,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
    make_pdf,
)
from helpers import ENGINES

PASSWORD = "mat-khau-rat-dai-1"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
# Fast throttling so a test can see the lockout; the background indexer off (tests index
# explicitly or through a search request); the public address the feed's links use.
PUBLIC_BASE = "https://bantdkt.example.vn"
TEST_REVIEW = ReviewConfig(search_refresh_seconds=0, lockout_base_seconds=60, base_url=PUBLIC_BASE)


@dataclass
class Seeded:
    config: Config
    engine: Any
    by_subject: dict[str, int] = field(default_factory=dict)  # subject -> first article id

    def article(self, subject: str) -> int:
        return self.by_subject[subject]


def console_config(make_config: Any, **review: Any) -> Config:
    return make_config(review=review) if review else make_config()


@lru_cache(maxsize=1)
def _mails() -> list[tuple[str, bytes]]:
    """The test mail (built once per test session: generating the documents is slow)."""
    base = datetime(2024, 3, 4, 8, 30, tzinfo=ICT)
    out: list[tuple[str, bytes]] = []
    t1, p1 = article_text(11)
    doc = make_docx(
        DocSpec(
            title=t1,
            paragraphs=p1,
            letterhead=("UBND HUYỆN BÁT XÁT",),
            images=[DocImage(make_jpeg(seed=5, width=200, height=150), "Ảnh: anh Chứ bên vườn")],
        )
    )
    out.append(
        (
            "docx",
            make_email(
                subject="Gửi bài điển hình tháng 3",
                message_id="<docx-1@laocai.gov.vn>",
                date=base,
                attachments=[
                    Attach("bai-viet.docx", doc, DOCX_TYPE),
                    Attach("anh-vuon.jpg", make_jpeg(seed=6, width=180, height=120), "image/jpeg"),
                ],
            ),
        )
    )
    t2, p2 = article_text(12)
    out.append(
        (
            "pdf",
            make_email(
                from_="Sở Y tế tỉnh Lào Cai <syt@laocai.gov.vn>",
                subject="Bài viết gương sáng y đức",
                message_id="<pdf-1@laocai.gov.vn>",
                date=base + timedelta(days=40),
                attachments=[Attach("bai-viet.pdf", make_pdf(t2, p2), "application/pdf")],
            ),
        )
    )
    t3, p3 = article_text(13)
    out.append(
        (
            "text",
            make_email(
                from_="Huyện đoàn Bắc Hà <huyendoan-bacha@laocai.gov.vn>",
                subject=t3,
                message_id="<text-1@laocai.gov.vn>",
                date=base + timedelta(days=1),
                text=t3 + "\n\n" + "\n\n".join(p3) + "\n",
            ),
        )
    )
    t4, p4 = article_text(14)
    hostile_body = (
        f'{t4}\n\n{p4[0]}\n\n{XSS} <a href="javascript:alert(2)">bấm</a>\n\n'
        + "\n\n".join(p4[1:])
        + "\n"
    )
    out.append(
        (
            "hostile",
            make_email(
                from_=f'"{XSS}" <ubnd-batxat@laocai.gov.vn>',
                subject=f"Bài {XSS}",
                message_id="<hostile-1@laocai.gov.vn>",
                date=base + timedelta(days=2),
                text=hostile_body,
                attachments=[
                    Attach(
                        '"><img src=x onerror=alert(3)>.docx',
                        make_docx(
                            DocSpec(title=t4 + " (bản docx)", paragraphs=article_text(15)[1])
                        ),
                        DOCX_TYPE,
                    ),
                ],
            ),
        )
    )
    t5, p5 = article_text(16)
    out.append(
        (
            "unverified",
            make_email(
                from_="UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
                subject="Bài từ địa chỉ chưa xác thực",
                message_id="<spoof-1@laocai.gov.vn>",
                date=base + timedelta(days=3),
                text=t5 + "\n\n" + "\n\n".join(p5) + "\n",
                headers={
                    "Authentication-Results": "mx.laocai.gov.vn; spf=fail "
                    "smtp.mailfrom=evil.example; dkim=none; dmarc=fail header.from=laocai.gov.vn"
                },
            ),
        )
    )
    return out


def seed(config: Config, tmp: Path) -> Seeded:
    """Migrate the database and import the test mail through the real pipeline."""
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    folder = tmp / "mail-in"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, raw in _mails():
        p = folder / f"{name}.eml"
        p.write_bytes(raw)
        paths.append(p)
    Ingestor(config, engine).import_from(FileImportSource(paths))
    seeded = Seeded(config, engine)
    with Session(engine) as s:
        for subject, aid in s.execute(
            select(Message.subject, Article.id)
            .join(Article, Article.message_pk == Message.id)
            .order_by(Article.id)
        ):
            seeded.by_subject.setdefault(subject, aid)
    return seeded


def add_user(engine: Any, login: str, role: str = "editor", password: str = PASSWORD) -> None:
    with Session(engine) as s:
        auth.add_user(s, login, password, role=role, display_name=f"Biên tập {login}", actor="test")
        s.commit()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def version_of(html: str, form_action: str) -> str:
    """The version field of the form posting to ``form_action``."""
    start = html.index(f'action="{form_action}"')
    m = re.search(r'name="version" value="(\d+)"', html[start:])
    assert m
    return m.group(1)


def login(client: Any, user: str, password: str = PASSWORD, *, follow: bool = True) -> Any:
    page = client.get("/login")
    token = csrf_of(page.text)
    return client.post(
        "/login",
        data={"login": user, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=follow,
    )


# --- issue 12: messages whose extraction outcome a test dictates -----------------------------
# Written through the pipeline's real writer (ingest/writer.py) from core.types directly, so
# the console's and the store's tests of the account of every attachment do not depend on
# what the extractors make of a given file.

_ids = itertools.count(1)


def attachment(
    name: str, used_as: str, error: str = "", *, ctype: str = "", declared: str = ""
) -> Attachment:
    data = f"{name}:{used_as}:{next(_ids)}".encode()
    return Attachment(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data) * 100,
        content_type=ctype or "application/octet-stream",
        filename=name,
        part_path=str(next(_ids)),
        used_as=used_as,
        error=error,
        declared_type=declared,
    )


def write_outcome(
    session: Session,
    *,
    received_at: datetime,
    subject: str,
    from_addr: str = "nguoigui@gmail.com",
    status: str = "no-article",
    reason: str | None = None,
    attachments: list[Attachment] | None = None,
    articles: list[ArticleDraft] | None = None,
    unit: str | None = None,
) -> int:
    """Store one message as received, then write ``status`` and the rest through
    ``write_group`` as the pipeline does; returns the message's id."""
    n = next(_ids)
    digest = hashlib.sha256(f"acct-{n}-{subject}".encode()).hexdigest()
    msg = Message(
        message_id=f"acct-{n}@test.invalid",
        sha256=digest,
        body_sha256=digest,
        size=1000,
        received_at=received_at,
    )
    initial(msg, MessageState.RECEIVED)
    session.add(msg)
    session.flush()
    tags: Any = None
    if unit is not None:
        tags = MessageTags(
            unit=TagSuggestion(
                "unit", unit, 0.95, [item(EvidenceKind.ADDRESS, value=from_addr)], tagger="test"
            ),
            unit_group=None,
            sender_verified=None,
            flags=[],
            articles=[],
        )
    outcome = Outcome(
        headers=MailHeaders(
            message_id=msg.message_id,
            message_id_generated=False,
            from_addr=from_addr,
            from_name="Người gửi",
            subject=subject,
            date=received_at,
            raw_headers=f"From: {from_addr}\nSubject: {subject}\n",
        ),
        status=status,  # type: ignore[arg-type]
        reason=reason,
        articles=list(articles or []),
        attachments=list(attachments or []),
        tags=tags,
    )
    write_group(session, [(msg, outcome)])
    session.commit()
    return msg.id
