"""Console latency benchmark: the queue, search, article and dashboard pages at 10,000 and
100,000 articles, under a few concurrent editors, on SQLite and PostgreSQL.

Builds a database of realistic articles with Core bulk inserts (the models' tables, the
schema of the migrations): about eight years of mail from the units of ``units.toml``
(districts send more than departments, a share from unknown senders), one to three articles
per message, states as an archive has them (mostly published, rejected or duplicate, with the
last weeks still waiting for review), campaigns from ``campaigns.toml`` with tags carrying
confidence and evidence, subject and kind tags, a few photos and the .docx attachment per
article, deliveries, audit rows, publications, and mail without articles. Article texts are
3-5 kB of Vietnamese, drawn from a word-pair model of the labelled fixture articles
(tests/fixtures/eval) plus an article-specific paragraph (a person, a commune, figures), so
common words are common and names are rare, as in the real archive. The search index is built
by the console's own ``search.refresh``.

The SQLite file of each size is built once and cached under ``bench/out/`` (gitignored); each
run works on a copy. PostgreSQL gets a throwaway database (created at DIENHINH_TEST_PG_URL,
default postgres@127.0.0.1:5432, dropped afterwards) filled from that file with COPY, then
``VACUUM ANALYZE`` (a database in use has its statistics from autovacuum; a freshly loaded one
has none and PostgreSQL plans blind).

Then it starts ``dienhinh serve --workers 2`` (uvicorn, exactly as
deploy/dienhinh-web.service does) on a free loopback port and drives it with ``--clients``
threads, each logged in with its own session cookie,
over a mix of requests: the default queue, filters by state / unit / campaign / period /
flagged and combinations, searches for common and rare words (with and without diacritics,
words found in nearly every article, a common two-word phrase, a one-article word), deep
pages (keyset ``before``), article pages and the dashboard. Median and p95 per kind of request
and overall are printed against the target (p95 <= 200 ms at 100,000 articles) and written to
this script's own section of bench/RESULTS.md (other sections are kept).

Usage: python bench/console.py [--sizes 10000 100000] [--clients 4] [--requests 600]
                               [--no-postgres] [--no-sqlite] [--rebuild] [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures.eval import articles as eval_articles  # noqa: E402

from dbfixtures import bench_pg_database, drop_pg_database  # noqa: E402
from dienhinh.classifiers.campaigns import load_campaigns  # noqa: E402
from dienhinh.classifiers.directory import UnitDirectory  # noqa: E402
from dienhinh.core.text import fold  # noqa: E402
from dienhinh.review import search  # noqa: E402
from dienhinh.review.auth import add_user  # noqa: E402
from dienhinh.store.db import make_engine  # noqa: E402
from dienhinh.store.migrate import head_revision, upgrade  # noqa: E402
from dienhinh.store.models import (  # noqa: E402
    Article,
    Asset,
    AuditLog,
    Base,
    Delivery,
    MailboxState,
    Message,
    PollRun,
    Publication,
    Tag,
)

OUT = HERE / "out"
GENERATOR = 3  # bump when the generated data changes: the cached files are rebuilt
TARGET_MS = 200.0
TARGET_SIZE = 100_000
SECTION = "## Console latency (bench/console.py)"
LOGIN, PASSWORD = "bench", "do-toc-do-trang-1"
FIRST_DAY = datetime(2019, 1, 7, tzinfo=UTC)
LAST_DAY = datetime(2026, 11, 20, tzinfo=UTC)

# --- text ------------------------------------------------------------------------------------

FAMILY = (  # noqa: SIM905 - name lists read best as text
    "Lò Vàng Giàng Sùng Lý Hoàng Nguyễn Phàn Tẩn Lục Đỗ Trần Lê Phạm Ma Sần Thào Hầu Chảo "
    "Lù Vũ Bùi Đặng Triệu Hà Nông Tráng Cư Mã Lồ"
).split()
MIDDLE = "Văn Thị Seo A Láo Minh Chỉn Quang Thanh Đức Ngọc Mí Sử Chá".split()  # noqa: SIM905
GIVEN = (  # noqa: SIM905
    "Pản Mai Pháo Thắng Lở Dì Hạnh Hưng Tuấn Chứ Sơn Hoa Lan Dung Hùng Khánh Páo Chơ Sủ "
    "Cháng Mỷ Xuân Thu Hằng Bình Dũng Phong Hải Lâm Tú Quyết Giàng Sính Dín Chẻo Lìn Sang "
    "Vần Pao Mẩy Sen Lành Thào Phú Cường Nga Hiền Thơm Tâm Trường Nam Vinh Nhung Thủy Yến "
    "Lụa Kiên Toàn Hợi Mùi Chiến Sáng"
).split()
TITLE_FORMS = (
    "{person} ở {place} {what}",
    "Gương sáng {person}: {what}",
    "{place}: {person} {what}",
    "Điển hình tiên tiến {person}, {place}",
    "Tổ hợp tác ở {place} {what}",
    "Hội Phụ nữ {place} {what}",
    "Chi đoàn thôn ở {place} {what}",
)
WHATS = (
    "làm giàu từ cây quế",
    "vươn lên thoát nghèo nhờ nuôi cá hồi",
    "giữ nghề dệt thổ cẩm",
    "hiến đất làm đường nông thôn mới",
    "mở homestay đón du khách",
    "trồng thảo quả dưới tán rừng",
    "tận tụy với học sinh bán trú",
    "giúp bà con sinh con tại trạm y tế",
    "tuần tra bảo vệ cột mốc biên giới",
    "phát triển chè shan tuyết theo chuỗi",
    "dẫn đầu phong trào học tập và làm theo Bác",
    "xây dựng khu dân cư văn minh",
    "làm sản phẩm OCOP từ gạo Séng Cù",
    "gìn giữ nước sạch đầu nguồn",
)


class TextModel:
    """A word-pair (bigram) model of the labelled articles: generated paragraphs read like
    the genre and keep its word frequencies (common words everywhere, rare ones rare)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next: dict[str, list[str]] = defaultdict(list)
        starts: list[str] = []
        paras = [
            p
            for a in vars(eval_articles).values()
            if isinstance(a, eval_articles.Article)
            for p in a.paragraphs
        ]
        for p in paras:
            words = p.split()
            starts.append(words[0])
            for a, b in itertools.pairwise(words):
                self.next[a].append(b)
        self.starts = [w for w in starts if w[:1].isupper()]

    def paragraph(self, n_words: int) -> str:
        rng = self.rng
        word = rng.choice(self.starts)
        out = [word]
        while len(out) < n_words or not out[-1].endswith("."):
            options = self.next.get(word)
            word = rng.choice(options) if options else rng.choice(self.starts)
            out.append(word)
            if len(out) > n_words * 2:
                out.append("vậy.")
                break
        return " ".join(out)


# --- the archive ------------------------------------------------------------------------------

STATES_OLD = (
    ("published", 62),
    ("rejected", 14),
    ("duplicate", 8),
    ("approved", 10),
    ("pending-review", 4),
    ("needs-ocr", 0.6),
    ("needs-conversion", 0.3),
    ("failed", 0.3),
)
STATES_RECENT = (
    ("pending-review", 55),
    ("approved", 15),
    ("published", 15),
    ("rejected", 8),
    ("duplicate", 4),
    ("needs-ocr", 2),
    ("needs-conversion", 0.6),
    ("failed", 0.4),
)
SOURCES = (("docx", 55), ("pdf", 15), ("body", 20), ("html", 5), ("doc", 5))
SUBJECTS = ("ca-nhan", "tap-the", "ho-gia-dinh")
KINDS = ("dien-hinh-tien-tien", "mo-hinh-moi", "nhan-to-moi")
EDITORS = ("mai", "quan", "lan", "thu")


def _weighted(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _headers(mid: str, frm: str, name: str, subject: str, when: datetime) -> str:
    relay = f"mail{when.second % 3 + 1}.laocai.gov.vn"
    return (
        f"Return-Path: <{frm}>\nDelivered-To: thiduakhenthuong@laocai.gov.vn\n"
        f"Received: from {relay} (unknown [10.1.{when.minute}.{when.second}])\n"
        f"\tby mx.laocai.gov.vn (Postfix) with ESMTPS id {mid[:10].upper()}\n"
        f"\tfor <thiduakhenthuong@laocai.gov.vn>; {when:%a, %d %b %Y %H:%M:%S} +0000\n"
        "Authentication-Results: mx.laocai.gov.vn; spf=pass smtp.mailfrom=laocai.gov.vn;\n"
        "\tdkim=pass header.d=laocai.gov.vn; dmarc=pass\n"
        f"Message-ID: <{mid}>\nDate: {when:%a, %d %b %Y %H:%M:%S} +0700\n"
        f'From: "{name}" <{frm}>\nTo: thiduakhenthuong@laocai.gov.vn\n'
        f"Subject: {subject}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="----=_Part_1234_5678"\n'
        "X-Mailer: Zimbra 8.8.15_GA_4177 (ZimbraWebClient - GC119 (Win)/8.8.15_GA_4177)\n"
    )


def generate(n_articles: int, seed: int = 7) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table name, rows) batches of an archive holding ``n_articles`` articles."""
    rng = random.Random(seed)
    model = TextModel(seed)
    pool = [model.paragraph(rng.randint(45, 120)) for _ in range(6000)]
    directory = UnitDirectory.load(ROOT / "units.toml")
    units = list(directory)
    unit_weight = [6 if u.group == "district" else 1 for u in units]
    campaigns = [c.code for c in load_campaigns(ROOT / "campaigns.toml")]
    camp_weight = [30, 14, 10, 10, 8, 7, 6, 9, 3][: len(campaigns)]
    old_states, old_w = _weighted(STATES_OLD)
    new_states, new_w = _weighted(STATES_RECENT)
    sources, source_w = _weighted(SOURCES)
    span = (LAST_DAY - FIRST_DAY).total_seconds()
    recent = LAST_DAY - timedelta(days=45)

    mid = aid = asset_id = tag_id = audit_id = pub_id = 0
    messages: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    assets: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    pubs: list[dict[str, Any]] = []
    by_unit: dict[str | None, list[int]] = defaultdict(list)

    def flush() -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for name, rows in (
            ("message", messages),
            ("delivery", deliveries),
            ("article", articles),
            ("asset", assets),
            ("tag", tags),
            ("audit_log", audits),
            ("publication", pubs),
        ):
            if rows:
                yield name, list(rows)
                rows.clear()

    while aid < n_articles:
        mid += 1
        # Mail arrives more and more over the years (sqrt: the later years are busier); a
        # message's id follows its arrival except for old mail imported late (2%).
        frac = min(aid / n_articles, 1.0) ** 0.8
        when = FIRST_DAY + timedelta(seconds=frac * span + rng.uniform(-3600, 3600))
        if rng.random() < 0.02:
            when -= timedelta(days=rng.randint(30, 700))
        when = min(max(when, FIRST_DAY), LAST_DAY)
        known = rng.random() < 0.93
        unit = rng.choices(units, unit_weight)[0] if known else None
        code = unit.code if unit else None
        if unit and unit.addresses and rng.random() < 0.8:
            frm, name = unit.addresses[0], unit.name
        else:
            person = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            frm = f"{fold(person).replace(' ', '')}{rng.randint(1, 99)}@gmail.com"
            name = person
        place_names = unit.places if unit and unit.places else ("Cốc Lếu", "Kim Tân", "Y Tý")
        no_article = rng.random() < 0.08
        failed = not no_article and rng.random() < 0.002
        n_here = 0 if no_article or failed else rng.choices((1, 2, 3), (88, 9, 3))[0]
        local = when + timedelta(hours=7)
        subject = rng.choice(
            (
                f"V/v gửi bài gương điển hình tiên tiến tháng {local.month}/{local.year}",
                f"Bài viết điển hình {unit.name if unit else 'cơ sở'}",
                f"Fwd: Gương người tốt việc tốt quý {(local.month - 1) // 3 + 1}/{local.year}",
                f"Tin bài phong trào thi đua {local.year}",
                "gui bai dien hinh",
            )
        )
        if no_article:
            subject = rng.choice(("Re: Xác nhận đã nhận bài", "Tự động trả lời: Vắng mặt"))
        message_id = f"{uuid.UUID(int=rng.getrandbits(128)).hex}@{frm.split('@')[1]}"
        unverified = bool(unit and frm in unit.addresses and rng.random() < 0.01)
        msg_flags = ["unverified sender"] if unverified else []
        if not known:
            msg_flags.append("no convincing unit evidence")
        messages.append(
            {
                "id": mid,
                "message_id": message_id,
                "message_id_generated": False,
                "sha256": hashlib.sha256(message_id.encode()).hexdigest(),
                "body_sha256": hashlib.sha256(message_id[::-1].encode()).hexdigest(),
                "size": rng.randint(20_000, 4_000_000),
                "received_at": when,
                "date_header": when - timedelta(seconds=rng.randint(5, 600)),
                "from_addr": frm,
                "from_name": name,
                "subject": subject,
                "status": "no-article"
                if no_article
                else ("failed" if failed else ("ingested" if n_here else "no-article")),
                "reason": "không có bài viết" if no_article else None,
                "error": "docx: File is not a zip file" if failed else None,
                "transient": False,
                "attempts": 1,
                "unit": code,
                "unit_confidence": round(rng.uniform(0.6, 1.0), 3) if code else None,
                "sender_verified": (not unverified) if frm.endswith("laocai.gov.vn") else None,
                "flags": msg_flags,
                "cover_note": "Kính gửi Ban Thi đua - Khen thưởng tỉnh, đơn vị xin gửi bài.",
                "meta": {},
                "headers_text": _headers(message_id, frm, name, subject, when),
                "defects": [],
                "created_at": when + timedelta(seconds=40),
                "updated_at": when + timedelta(seconds=45),
            }
        )
        deliveries.append(
            {
                "message_pk": mid,
                "mailbox": "INBOX",
                "uidvalidity": 1,
                "uid": mid,
                "location": "",
                "sha256": hashlib.sha256(message_id.encode()).hexdigest(),
                "received_at": when + timedelta(seconds=30),
                "post_action_state": "done",
            }
        )
        if code and n_here:
            tag_id += 1
            tags.append(
                {
                    "id": tag_id,
                    "message_pk": mid,
                    "article_id": None,
                    "field": "unit",
                    "value": code,
                    "confidence": round(rng.uniform(0.6, 1.0), 3),
                    "evidence": [
                        f"address: {frm}",
                        f"name: {unit.name if unit else ''}",
                        f"place: {rng.choice(place_names)}",
                    ],
                    "tagger": "unit",
                    "created_at": when,
                }
            )
        for ordinal in range(1, n_here + 1):
            aid += 1
            person = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            place = f"xã {rng.choice(place_names)}"
            what = rng.choice(WHATS)
            title = rng.choice(TITLE_FORMS).format(person=person, place=place, what=what)
            lead = (
                f"{person} ở {place} là tấm gương tiêu biểu {what}, "
                f"được bà con trong thôn tin yêu và học tập."
            )
            own = (
                f"Năm {local.year - rng.randint(1, 6)}, {person} mạnh dạn vay "
                f"{rng.randint(20, 300)} triệu đồng, đến nay thu nhập đạt "
                f"{rng.randint(80, 900)} triệu đồng mỗi năm, giúp {rng.randint(3, 60)} hộ "
                f"ở {place} cùng làm theo (mã hồ sơ {aid * 7919 % 1_000_003})."
            )
            body = [own]
            size = rng.randint(2200, 3600)  # characters: 3-5 kB of UTF-8
            length = len(own)
            while length < size:
                p = rng.choice(pool)
                body.append(p)
                length += len(p) + 2
            rng.shuffle(body)
            text_ = "\n\n".join(body)
            created = when + timedelta(seconds=50 + ordinal)
            state = rng.choices(*((new_states, new_w) if when > recent else (old_states, old_w)))[0]
            camps = sorted(
                set(
                    rng.choices(
                        campaigns, camp_weight, k=rng.choices((0, 1, 2, 3), (8, 55, 30, 7))[0]
                    )
                )
            )
            flagged = not known or rng.random() < 0.08
            reviewed = state in ("approved", "published", "rejected", "duplicate")
            reviewed_at = created + timedelta(hours=rng.uniform(2, 24 * 12)) if reviewed else None
            published_at = (
                reviewed_at + timedelta(hours=rng.uniform(1, 48))
                if state == "published" and reviewed_at
                else None
            )
            updated = published_at or reviewed_at or created
            same_unit = by_unit[code]
            dup_of = rng.choice(same_unit[-200:]) if state == "duplicate" and same_unit else None
            source = rng.choices(sources, source_w)[0]
            articles.append(
                {
                    "id": aid,
                    "message_pk": mid,
                    "ordinal": ordinal,
                    "title": title,
                    "lead": lead,
                    "text": text_,
                    "source": source,
                    "origin": f"bai-viet-{aid}.{source}"
                    if source in ("docx", "pdf", "doc")
                    else "",
                    "status": "duplicate" if state == "duplicate" and dup_of is None else state,
                    "error": "cần OCR: PDF chỉ có ảnh"
                    if state == "needs-ocr"
                    else ("cần chuyển đổi .doc" if state == "needs-conversion" else None)
                    if state != "failed"
                    else "docx: word/document.xml is missing",
                    "flags": ["no convincing unit evidence"] if not known else [],
                    "header_lines": [f"UBND {place.upper()}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                    "text_sha256": hashlib.sha256(text_.encode()).hexdigest(),
                    "document_sha256": hashlib.sha256(f"doc{aid}".encode()).hexdigest(),
                    "duplicate_of_id": dup_of,
                    "revision_of_id": rng.choice(same_unit[-50:])
                    if same_unit and rng.random() < 0.03
                    else None,
                    "similarity": round(rng.uniform(0.8, 1.0), 3) if dup_of else None,
                    "signature": None,
                    "meta": {"review_reasons": ["campaign confidence below 0.6"]}
                    if flagged
                    else {},
                    "unit": code,
                    "campaigns": camps,
                    "subject_type": rng.choice(SUBJECTS),
                    "kind": rng.choice(KINDS),
                    "flagged": flagged,
                    "cover_asset_id": None,
                    "reject_reason": "Nội dung chưa đủ tiêu biểu" if state == "rejected" else None,
                    "reviewed_by": rng.choice(EDITORS) if reviewed else None,
                    "reviewed_at": reviewed_at,
                    "published_at": published_at,
                    "published_url": f"https://laocai.gov.vn/tin/{aid}" if published_at else None,
                    "version": 1 if not reviewed else rng.randint(2, 4),
                    "created_at": created,
                    "updated_at": updated,
                }
            )
            same_unit.append(aid)
            for camp in camps:
                tag_id += 1
                tags.append(
                    {
                        "id": tag_id,
                        "message_pk": mid,
                        "article_id": aid,
                        "field": "campaign",
                        "value": camp,
                        "confidence": round(rng.uniform(0.4, 1.0), 3),
                        "evidence": rng.sample(
                            (
                                "nông thôn mới",
                                "giảm nghèo",
                                "học sinh",
                                "trạm y tế",
                                "du khách",
                                "biên giới",
                                "đoàn viên",
                                "làm theo Bác",
                                "văn minh",
                            ),
                            2,
                        ),
                        "tagger": "rules",
                        "created_at": created,
                    }
                )
            for field, value in (
                ("subject_type", articles[-1]["subject_type"]),
                ("kind", articles[-1]["kind"]),
            ):
                tag_id += 1
                tags.append(
                    {
                        "id": tag_id,
                        "message_pk": mid,
                        "article_id": aid,
                        "field": field,
                        "value": value,
                        "confidence": round(rng.uniform(0.5, 1.0), 3),
                        "evidence": [f"“{person}”"],
                        "tagger": field,
                        "created_at": created,
                    }
                )
            if source in ("docx", "pdf", "doc"):
                asset_id += 1
                assets.append(
                    {
                        "id": asset_id,
                        "message_pk": mid,
                        "article_pk": None,
                        "sha256": hashlib.sha256(f"a{asset_id}".encode()).hexdigest(),
                        "size": rng.randint(30_000, 3_000_000),
                        "content_type": "application/octet-stream",
                        "filename": f"Bài viết {person}.{source}",
                        "role": "document",
                        "caption": "",
                        "position": 0,
                        "part_path": "2",
                        "used_as": "article",
                    }
                )
            for pos in range(rng.choices((0, 1, 2, 3, 4), (25, 30, 25, 12, 8))[0]):
                asset_id += 1
                assets.append(
                    {
                        "id": asset_id,
                        "message_pk": mid,
                        "article_pk": aid,
                        "sha256": hashlib.sha256(f"a{asset_id}".encode()).hexdigest(),
                        "size": rng.randint(80_000, 2_500_000),
                        "content_type": "image/jpeg",
                        "filename": f"anh{pos + 1}.jpg",
                        "role": "photo",
                        "caption": f"{person} bên mô hình của gia đình" if pos == 0 else "",
                        "position": pos,
                        "part_path": f"2/word/media/image{pos + 1}.jpeg",
                        "used_as": "photo",
                        "phash": f"{rng.getrandbits(64):016x}",
                    }
                )
            if reviewed and reviewed_at:
                audit_id += 1
                audits.append(
                    {
                        "id": audit_id,
                        "at": reviewed_at,
                        "actor": articles[-1]["reviewed_by"],
                        "object_type": "article",
                        "object_id": aid,
                        "action": "transition",
                        "before": {"status": "pending-review"},
                        "after": {"status": "approved" if published_at else state},
                        "reason": articles[-1]["reject_reason"],
                    }
                )
            if published_at:
                pub_id += 1
                ok = rng.random() > 0.003
                pubs.append(
                    {
                        "id": pub_id,
                        "article_id": aid,
                        "target": "feed",
                        "status": "published" if ok else "failed",
                        "attempts": 1 if ok else 6,
                        "last_error": None if ok else "HTTP 502 từ cổng thông tin",
                        "remote_id": str(aid) if ok else None,
                        "url": articles[-1]["published_url"] if ok else None,
                        "created_by": articles[-1]["reviewed_by"],
                        "created_at": reviewed_at,
                        "updated_at": published_at,
                        "published_at": published_at if ok else None,
                    }
                )
                audit_id += 1
                audits.append(
                    {
                        "id": audit_id,
                        "at": published_at,
                        "actor": "worker",
                        "object_type": "article",
                        "object_id": aid,
                        "action": "transition",
                        "before": {"status": "approved"},
                        "after": {"status": "published"},
                        "reason": None,
                    }
                )
        if len(articles) >= 2000:
            yield from flush()
    yield from flush()


TABLES = {
    "message": Message,
    "delivery": Delivery,
    "article": Article,
    "asset": Asset,
    "tag": Tag,
    "audit_log": AuditLog,
    "publication": Publication,
}


def build_sqlite(path: Path, n: int) -> dict[str, Any]:
    """Write the archive into a new SQLite file at head; index it for search as the console
    does. Returns the timings."""
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    upgrade(engine)
    t0 = time.perf_counter()
    with Session(engine) as s:
        for name, rows in generate(n):
            s.execute(insert(TABLES[name]), rows)
        now = datetime.now(UTC)
        s.add(
            MailboxState(
                key="imap://thiduakhenthuong@mail.laocai.gov.vn/INBOX",
                uidvalidity=1,
                last_uid=0,
                last_success_at=now,
                last_poll_started_at=now,
                last_poll_finished_at=now,
            )
        )
        s.add_all(
            PollRun(
                kind="poll",
                mailbox="INBOX",
                started_at=now - timedelta(minutes=5 * i),
                finished_at=now - timedelta(minutes=5 * i - 1),
                status="ok",
                fetched=i % 3,
            )
            for i in range(1, 40)
        )
        add_user(s, LOGIN, PASSWORD, role="editor", display_name="Bàn Thị Đo", actor="bench")
        s.commit()
    t1 = time.perf_counter()
    with Session(engine) as s:
        search.refresh(s)
    t2 = time.perf_counter()
    with engine.begin() as c:
        c.execute(text("ANALYZE"))
        c.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    tmp.rename(path)
    return {"insert_s": round(t1 - t0, 1), "index_s": round(t2 - t1, 1)}


def cached_sqlite(n: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"console-{n}-g{GENERATOR}.sqlite3"
    info: dict[str, Any] = {"cached": True}
    if rebuild or not path.exists():
        print(f"building {path.name} ...", flush=True)
        info = {"cached": False, **build_sqlite(path, n)}
        print(f"  built: {info}", flush=True)
    return path, info


def copy_to_postgres(src: Path, url: str) -> dict[str, Any]:
    """Fill a migrated PostgreSQL database from the SQLite file with COPY, then VACUUM
    ANALYZE it (what autovacuum gives a database in use)."""
    import sqlite3

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    t0 = time.perf_counter()
    lite = sqlite3.connect(src)
    pg = make_engine(url).raw_connection()
    skip = {"web_session", "login_throttle", "alembic_version"}
    try:
        cur = pg.cursor()
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cur.execute("SET TIME ZONE 'UTC'")
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            cols = [c.name for c in table.columns]
            bools = {c.name for c in table.columns if c.type.python_type is bool}
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = lite.execute(f'SELECT {quoted} FROM "{table.name}"')
            with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                idx = [i for i, c in enumerate(cols) if c in bools]
                for row in rows:
                    if idx:
                        row = list(row)
                        for i in idx:
                            if row[i] is not None:
                                row[i] = bool(row[i])
                    copy.write_row(row)
            if "id" in cols and table.c.id.primary_key and table.c.id.type.python_type is int:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                )
        pg.commit()
    finally:
        pg.close()
        lite.close()
    t1 = time.perf_counter()
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("VACUUM ANALYZE"))
    eng.dispose()
    return {"copy_s": round(t1 - t0, 1), "vacuum_analyze_s": round(time.perf_counter() - t1, 1)}


# --- the server and the clients ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def start_server(url: str, work: Path, workers: int) -> Server:
    (work / "maildir" / "new").mkdir(parents=True, exist_ok=True)
    cfg = work / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "{work / "var"}"\n'
        f'[database]\nurl = "{url}"\n'
        f'[mailbox]\nurl = "maildir://{work / "maildir"}"\n'
        f'[tagging]\nunits_file = "{ROOT / "units.toml"}"\n'
        f'campaigns_file = "{ROOT / "campaigns.toml"}"\n'
        '[publish]\ntargets = ["feed"]\n',
        encoding="utf-8",
    )
    port = _free_port()
    exe = str(Path(sys.executable).parent / "dienhinh")
    log = work / "server.log"
    proc = subprocess.Popen(
        [
            exe,
            "--config",
            str(cfg),
            "-q",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return Server(base, proc, log)
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("dienhinh serve did not start:\n" + log.read_text())
        time.sleep(0.2)


def login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    r = client.post(
        "/login", data={"login": LOGIN, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert r.status_code == 303, f"login failed: {r.status_code}"
    return client


def request_mix(engine: Engine, rng: random.Random) -> list[tuple[str, str]]:
    """The kinds of request and a pool of URLs for each, from what the database holds."""
    with Session(engine) as s:
        ids = list(s.execute(select(Article.id).order_by(Article.id)).scalars())
        pending = list(
            s.execute(select(Article.id).where(Article.status == "pending-review")).scalars()
        )
        units = [
            u
            for (u,) in s.execute(select(Article.unit).where(Article.unit.is_not(None)).distinct())
        ]
        all_desc = ids[::-1]
        published = list(
            s.execute(
                select(Article.id).where(Article.status == "published").order_by(Article.id.desc())
            ).scalars()
        )
        person = s.execute(select(Article.title).where(Article.id == ids[len(ids) // 3])).scalar()
        # Rare words: the file numbers each article's own paragraph carries ("mã hồ sơ N"),
        # one article each, read from a few articles spread over the archive.
        codes = []
        for aid in ids[:: max(1, len(ids) // 12)][:12]:
            body = s.execute(select(Article.text).where(Article.id == aid)).scalar() or ""
            found = re.search(r"mã hồ sơ (\d+)", body)
            if found:
                codes.append(found.group(1))
    campaigns = [c.code for c in load_campaigns(ROOT / "campaigns.toml")]
    years = range(FIRST_DAY.year + 1, LAST_DAY.year + 1)
    # A person's name as typed without diacritics (rare), and words of the genre (common).
    name = " ".join(fold(person or "").split()[:3])
    rare = [name, "trinh tuong", "ma ho so 4211", "seng cu", "lo van pan", "ca hoi"]
    common = ["nong thon moi", "ba con", "thon", "hoc sinh", "giam ngheo", "du lich", "xa"]
    # Issue 15's searches, as an editor types them: a word found in nearly every article, a
    # two-word phrase found in nearly every article, a rare word, a common word without its
    # diacritics. Each without a tab (every state) and under a tab.
    common_word = ["của", "và", "xã", "được", "thôn"]
    common_phrase = ["phong trào", "thi đua", "Lào Cai", "bà con", "nông thôn"]
    rare_word = codes or ["4211"]
    plain_word = ["cua", "xa", "duoc", "thon", "nguoi"]

    def searches(words: list[str]) -> list[str]:
        out = []
        for w in words:
            q = quote_plus(w)
            out += [f"/?q={q}", f"/?state=published&q={q}", f"/?state=pending-review&q={q}"]
        return out

    def deep(pool: list[int], page: int) -> int:
        return pool[min(page * 50, len(pool) - 1)]

    kinds: list[tuple[str, list[str]]] = [
        ("queue (default)", ["/"]),
        ("queue all states", ["/?state="]),
        ("state", [f"/?state={st}" for st in ("published", "rejected", "approved", "duplicate")]),
        ("unit", [f"/?state=&unit={u}" for u in units] + [f"/?unit={u}" for u in units]),
        (
            "campaign",
            [f"/?state=&campaign={c}" for c in campaigns] + [f"/?campaign={c}" for c in campaigns],
        ),
        (
            "period",
            [f"/?state=&period={y}-{m:02d}" for y in years for m in range(1, 13)]
            + [f"/?state=&period={y}-Q{q}" for y in years for q in range(1, 5)],
        ),
        ("flagged", ["/?flagged=1", "/?state=&flagged=1", "/?state=published&flagged=1"]),
        (
            "combined",
            [
                f"/?state={st}&unit={rng.choice(units)}&campaign={rng.choice(campaigns)}"
                f"&period={rng.choice(list(years))}-Q{rng.randint(1, 4)}"
                for st in ("", "published", "pending-review")
                for _ in range(10)
            ],
        ),
        ("search common", [f"/?state=&q={q}" for q in common] + [f"/?q={q}" for q in common]),
        ("search rare", [f"/?state=&q={q}" for q in rare] + [f"/?q={q}" for q in rare]),
        ("search common word", searches(common_word)),
        ("search common phrase", searches(common_phrase)),
        ("search rare word", searches(rare_word)),
        ("search no diacritics", searches(plain_word)),
        (
            "deep page",
            [f"/?state=&before={deep(all_desc, p)}" for p in (20, 100, 500, 1500)]
            + [f"/?state=published&before={deep(published, p)}" for p in (20, 300, 1000)],
        ),
        (
            "article",
            [f"/articles/{rng.choice(ids)}" for _ in range(200)]
            + [
                f"/articles/{rng.choice(pending)}?state=pending-review"
                for _ in range(100)
                if pending
            ],
        ),
        ("dashboard", ["/dashboard"]),
    ]
    weights = {
        "queue (default)": 10,
        "article": 16,
        "dashboard": 4,
        "search common": 8,
        "search rare": 8,
        "search common word": 8,
        "search common phrase": 8,
        "search rare word": 8,
        "search no diacritics": 8,
        "deep page": 6,
    }
    out = []
    for kind, urls in kinds:
        out += [(kind, u) for u in urls for _ in range(1)]
        out += [(kind, rng.choice(urls)) for _ in range(weights.get(kind, 6) * 10)]
    return out


def drive(
    base: str, mix: list[tuple[str, str]], clients: int, total: int, rng: random.Random
) -> dict[str, list[float]]:
    """``total`` requests drawn from ``mix`` by ``clients`` threads at once; times in ms."""
    sessions = [login(base) for _ in range(clients)]
    for c in sessions:  # warm-up: templates compiled, connections open, caches filled
        for kind in dict(mix):
            c.get(next(u for k, u in mix if k == kind)).raise_for_status()
    plan = [rng.choice(mix) for _ in range(total)]
    times: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    it = iter(plan)
    errors: list[str] = []

    def worker(c: httpx.Client) -> None:
        while True:
            with lock:
                item = next(it, None)
            if item is None:
                return
            kind, url = item
            t = time.perf_counter()
            r = c.get(url)
            ms = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                errors.append(f"{url}: {r.status_code}")
            with lock:
                times[kind].append(ms)

    threads = [threading.Thread(target=worker, args=(c,)) for c in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in sessions:
        c.close()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return times


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def summarise(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    out = {
        k: {"n": len(v), "median": statistics.median(v), "p95": _p95(v), "max": max(v)}
        for k, v in times.items()
    }
    every = [x for v in times.values() for x in v]
    out["overall"] = {
        "n": len(every),
        "median": statistics.median(every),
        "p95": _p95(every),
        "max": max(every),
    }
    return out


def bench_one(name: str, url: str, n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    engine = make_engine(url)
    mix = request_mix(engine, random.Random(11))
    if args.kinds:
        mix = [(k, u) for k, u in mix if any(w in k for w in args.kinds)]
    engine.dispose()
    server = start_server(url, work, args.server_workers)
    try:
        t = time.perf_counter()
        times = drive(server.url, mix, args.clients, args.requests, random.Random(13))
        wall = time.perf_counter() - t
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)
    stats = summarise(times)
    stats["overall"]["throughput_rps"] = args.requests / wall
    print(
        f"{name}, {n} articles, {args.clients} clients, {args.requests} requests "
        f"({args.requests / wall:.1f} req/s):"
    )
    for kind, st in stats.items():
        print(
            f"  {kind:18s} n={st['n']:4.0f}  median {st['median']:7.1f} ms   "
            f"p95 {st['p95']:7.1f} ms   max {st['max']:7.1f} ms"
        )
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument(
        "--server-workers",
        type=int,
        default=2,
        help="dienhinh serve --workers (deploy/dienhinh-web.service runs 2)",
    )
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument(
        "--kinds",
        nargs="+",
        default=[],
        help="only the kinds of request whose name holds one of these words (e.g. search)",
    )
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached SQLite files")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    results: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 2),
        "clients": args.clients,
        "server_workers": args.server_workers,
        "requests": args.requests,
        "schema": head_revision(),
        "runs": {},
    }
    for n in args.sizes:
        cache, info = cached_sqlite(n, args.rebuild)
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            work = Path(tmp)
            db = work / "console.sqlite3"
            shutil.copyfile(cache, db)
            url = f"sqlite:///{db}"
            # A cache built before a newer migration: brought to head, and PostgreSQL is
            # filled from this copy (the columns of the models at head).
            upgrade(make_engine(url))
            if not args.no_sqlite:
                results["runs"][f"sqlite {n}"] = {
                    "articles": n,
                    "build": info,
                    **bench_one("SQLite", url, n, args, work),
                }
            pg = None if args.no_postgres else bench_pg_database()
            if pg:
                try:
                    t = time.perf_counter()
                    load = copy_to_postgres(db, pg)
                    print(f"PostgreSQL loaded in {time.perf_counter() - t:.1f} s: {load}")
                    results["runs"][f"postgresql {n}"] = {
                        "articles": n,
                        "build": load,
                        **bench_one("PostgreSQL", pg, n, args, work),
                    }
                finally:
                    drop_pg_database(pg)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    write_results_md(results)


def write_results_md(results: dict[str, Any]) -> None:
    """Replace this script's section of bench/RESULTS.md, keeping every other section."""
    kinds: list[str] = []
    for r in results["runs"].values():
        for k in r:
            if isinstance(r[k], dict) and "p95" in r[k] and k not in kinds:
                kinds.append(k)
    runs = list(results["runs"].items())
    lines = [
        SECTION,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {results['cores']} cores (load average "
        f"{results['load_before']} when it started), schema {results['schema']}: a real "
        f"`dienhinh serve --workers {results.get('server_workers', 1)}` (uvicorn, as "
        "deploy/dienhinh-web.service runs it) driven by "
        f"{results['clients']} concurrent logged-in clients, "
        f"{results['requests']} requests per run over the mix below. Median / p95 in ms; target "
        f"p95 <= {TARGET_MS:.0f} ms at {TARGET_SIZE:,} articles.",
        "",
        "| request | " + " | ".join(name for name, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for k in kinds:
        cells = []
        for _name, r in runs:
            st = r.get(k)
            if not st:
                cells.append("")
                continue
            mark = " ✗" if r["articles"] >= TARGET_SIZE and st["p95"] > TARGET_MS else ""
            cells.append(f"{st['median']:.0f} / {st['p95']:.0f}{mark}")
        label = f"**{k}**" if k == "overall" else k
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        "| requests/s | "
        + " | ".join(f"{r['overall']['throughput_rps']:.1f}" for _n, r in runs)
        + " |"
    )
    lines += [
        "",
        "Kinds: *queue* = `/` (waiting for review) and all states; *state*, *unit*, *campaign*, "
        "*period* (a month or quarter), *flagged*, *combined* (state + unit + campaign + "
        "quarter) are the queue's filters; *search common* / *rare* are diacritic-free "
        "searches (`nong thon moi`, `thon`, `xa`; a person's name, a commune) with and without "
        "a state; issue 15's rows, each without a tab and under the published and waiting "
        "tabs: *search common word* (`của`, `và`, `xã`, `được`, `thôn`: nearly every "
        "article), *search common phrase* (`phong trào`, `thi đua`, `Lào Cai`, `bà con`, "
        "`nông thôn`), *search rare word* (an article's own file number: one match), "
        "*search no diacritics* (`cua`, `xa`, `duoc`, `thon`, `nguoi`); *deep page* follows "
        "`before` 1,000-75,000 articles down; *article* is the "
        "article page (with the queue's neighbours); *dashboard* the dashboard. A ✗ marks a "
        "p95 over the target. Data: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{k} {v}" for k, v in r["build"].items()) for name, r in runs
        )
        + " (seconds).",
        "",
    ]
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    head, sep, rest = old.partition(SECTION)
    tail = ""
    if sep:
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt != -1 else ""
    new = head.rstrip() + "\n\n" + "\n".join(lines) + ("\n" + tail if tail else "")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
