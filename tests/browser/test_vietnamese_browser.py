"""Issue 13 in chromium: no internal code and no English reaches an editor.

A database holds rows in every state, with every reason, flag, evidence kind, source, MIME
type, publication target and state, run, alert and audit action, enumerated from the code
(the enums, and tests/codes.py for codes written as literals). A real ``dienhinh serve``
shows it; every kind of page (the queue with each tab, articles, messages, "Thư cần xem",
the dashboard, the compliance grid and a cell, the accounts and audit pages, the login and
the error pages) is opened at 1280 px and 390 px, as an editor and as an admin, and its
visible text (``document.body.innerText``, the titles, placeholders and aria-labels, the
options of the selects) goes through tests/vncheck.py: a code or an English word fails.
The admins' "Chi tiết kỹ thuật" stays folded (its English is not visible text) and is
never in an editor's page. Screenshots go to tests/artifacts/vi-*.png.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import codes
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from vncheck import offending_tokens

from browserkit import Server, start_console
from consolekit import add_user
from dienhinh.classifiers.kinds import KIND_VALUES, SUBJECT_VALUES
from dienhinh.classifiers.tagging import LOW_CONFIDENCE
from dienhinh.core.evidence import EvidenceKind, Where, item
from dienhinh.core.types import AttachmentOutcome
from dienhinh.publish import publisher_names
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import (
    Article,
    Asset,
    AuditLog,
    MailboxState,
    Message,
    PollRun,
    Publication,
    Tag,
)
from dienhinh.store.states import ArticleState, MessageState, PublicationState
from helpers import ENGINES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NOW = datetime.now(UTC).replace(microsecond=0)
_n = itertools.count(1)

TITLES = [
    "Anh Lò Văn Minh làm giàu từ cây quế",
    "Hợp tác xã chè Bản Liền giữ nghề cho bà con",
    "Gia đình chị Hoa nuôi cá hồi trên đỉnh núi",
    "Cô giáo cắm bản ở Y Tý",
    "Mô hình tổ tự quản bảo vệ rừng thôn Nậm Tang",
    "Chàng trai bỏ phố về quê trồng rau sạch",
    "Người thợ rèn giữ lửa cho làng nghề",
    "Chiến sĩ biên phòng dạy chữ cho trẻ em vùng cao",
    "Già làng Chảo Láo Tả vận động bà con xây dựng nông thôn mới",
    "Đoàn viên thanh niên tình nguyện mùa hè xanh",
]
TEXT = (
    "Những năm qua, anh Minh luôn đi đầu trong phong trào phát triển kinh tế ở địa phương. "
    "Từ hai bàn tay trắng, anh mạnh dạn vay vốn trồng quế, mở rộng diện tích lên hơn mười "
    "héc-ta.\n\nNhờ cách làm hiệu quả, gia đình anh có thu nhập ổn định, tạo việc làm cho "
    "nhiều lao động trong thôn. Anh còn sẵn sàng chia sẻ kinh nghiệm với bà con.\n\n"
    "Tấm gương của anh được cấp ủy, chính quyền ghi nhận, biểu dương."
)


def _message(s: Session, status: str, subject: str, **kw: Any) -> Message:
    n = next(_n)
    digest = hashlib.sha256(f"vi-{n}".encode()).hexdigest()
    msg = Message(
        message_id=f"vi-{n}@laocai.gov.vn",
        sha256=digest,
        body_sha256=digest,
        size=20_000,
        received_at=kw.pop("received_at", NOW - timedelta(days=n % 20, hours=n)),
        from_addr=kw.pop("from_addr", "vanphong-batxat@laocai.gov.vn"),
        from_name=kw.pop("from_name", "Văn phòng UBND huyện Bát Xát"),
        subject=subject,
        status=status,
        headers_text="From: vanphong-batxat@laocai.gov.vn\nSubject: bài viết\n",
        **kw,
    )
    s.add(msg)
    s.flush()
    return msg


def _evidence() -> list[Any]:
    """Every evidence kind, in every place a clue is seen, with values; and rows written
    before evidence was data (English lines)."""
    values = {
        "value": "UBND huyện Bát Xát",
        "unit": "bao-yen",
        "clue": item(EvidenceKind.LETTERHEAD, value="UBND HUYỆN BẢO YÊN"),
        "flag": "conflicting evidence",
        "term": "nông thôn mới",
        "in_title": True,
        "count": 3,
        "best": 0.31,
        "p": 0.72,
        "phrase": "anh",
        "name": "Minh",
        "editor": "mai",
        "article": 3,
    }
    found: list[Any] = [item(kind, **values) for kind in EvidenceKind]
    found += [item(EvidenceKind.BODY, value="huyện Bát Xát", where=w) for w in Where]
    found += [
        "address vanphong-batxat@laocai.gov.vn",
        "letterhead: UBND HUYỆN BÁT XÁT",
        "display-name: Văn phòng UBND huyện Bát Xát",
        "body: article: Bát Xát",
        "'Chú' named 5 times",
        "an exemplary subject unless shown new",
        "model p=0.61",
        "assigned by mai",
    ]
    return found


def _attachments(s: Session, msg: Message) -> None:
    """One attachment row per outcome, reason code and MIME type the code knows."""
    outcomes = [o.value for o in AttachmentOutcome] + ["image", "failed", "ignored"]
    reasons = [*sorted(codes.reason_codes()), "1 of 2 documents could not be read"]
    types = [*sorted(codes.mime_types()), "application/octet-stream", "audio/x-wav"]
    for i in range(max(len(outcomes), len(reasons), len(types))):
        ctype = types[i % len(types)]
        s.add(
            Asset(
                message_pk=msg.id,
                sha256=hashlib.sha256(f"asset-{msg.id}-{i}".encode()).hexdigest(),
                size=1000 + 37 * i,
                content_type=ctype,
                declared_type=types[(i + 1) % len(types)] if i % 3 == 0 else ctype,
                filename=f"tep-dinh-kem-{i}.bin" if i % 4 else f"Bài viết số {i}.docx",
                role="document",
                position=i,
                part_path=str(i + 2),
                used_as=outcomes[i % len(outcomes)],
                error=f"{reasons[i % len(reasons)]}: the detail as the pipeline wrote it",
            )
        )


def _articles(s: Session, msg: Message, units: list[str], campaigns: list[str]) -> list[Article]:
    """One article per state, each with another source, flags and review reasons."""
    flags = sorted(codes.flags())
    prefixed = [f"{p}:tcvn3" if "encoding" in p else f"{p}:2/3" for p in codes.flag_prefixes()]
    sources = sorted(codes.sources())
    reasons = sorted(codes.reason_codes())
    out: list[Article] = []
    for i, state in enumerate(ArticleState):
        art = Article(
            message_pk=msg.id,
            ordinal=i,
            title=TITLES[i % len(TITLES)],
            lead="Một tấm gương tiêu biểu của phong trào thi đua ở địa phương.",
            text=TEXT,
            source=sources[i % len(sources)],
            origin=f"bai-viet-{i}.docx",
            status=state.value,
            error=f"{reasons[i % len(reasons)]}: stored English detail"
            if state in (ArticleState.FAILED, ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR)
            else None,
            flags=[flags[i % len(flags)], flags[(i + 3) % len(flags)], prefixed[i % len(prefixed)]],
            unit=units[i % len(units)],
            campaigns=[campaigns[i % len(campaigns)], campaigns[(i + 2) % len(campaigns)]],
            subject_type=SUBJECT_VALUES[i % len(SUBJECT_VALUES)],
            kind=KIND_VALUES[i % len(KIND_VALUES)],
            flagged=i % 2 == 0,
            reject_reason="Bài chưa đúng thể loại điển hình" if state == "rejected" else None,
            meta={
                "review_reasons": [
                    f"{LOW_CONFIDENCE}subject_type {SUBJECT_VALUES[0]} (0.59), "
                    f"campaign {campaigns[0]} (0.41), kind {KIND_VALUES[1]} (0.33)",
                    *flags,
                ]
            },
            reviewed_by="mai" if state in ("approved", "rejected", "published") else None,
            reviewed_at=NOW if state in ("approved", "rejected", "published") else None,
        )
        s.add(art)
        out.append(art)
    s.flush()
    out[4].duplicate_of_id, out[4].similarity = out[0].id, 0.97
    out[0].revision_of_id = out[1].id
    return out


def _tags(s: Session, msg: Message, arts: list[Article], campaigns: list[str]) -> None:
    s.add(
        Tag(
            message_pk=msg.id,
            field="unit",
            value="bat-xat",
            confidence=0.93,
            evidence=_evidence(),
            tagger="unit",
        )
    )
    for art in arts:
        for field, value, tagger in (
            ("campaign", art.campaigns[0], "campaign"),
            ("subject_type", art.subject_type, "subject_type"),
            ("kind", art.kind, "editor:mai"),
        ):
            s.add(
                Tag(
                    message_pk=msg.id,
                    article_id=art.id,
                    field=field,
                    value=value or "",
                    confidence=0.59,
                    evidence=_evidence()[:: 3 if field == "campaign" else 5],
                    tagger=tagger,
                )
            )


def _publications(s: Session, arts: list[Article]) -> list[Publication]:
    errors = ["HTTP 502 Bad Gateway", "status 403: forbidden", "timed out", "weird answer"]
    pubs = []
    for t, target in enumerate(publisher_names()):
        for i, state in enumerate(PublicationState):
            pub = Publication(
                article_id=arts[i].id,
                target=target,
                status=state.value,
                attempts=i + t,
                last_error=errors[(i + t) % len(errors)] if state != "published" else None,
                url=f"https://laocai.gov.vn/bai-{arts[i].id}" if state == "published" else None,
                created_by="mai",
            )
            s.add(pub)
            pubs.append(pub)
    s.flush()
    return pubs


def _audit(s: Session, arts: list[Article], msgs: list[Message], pubs: list[Publication]) -> None:
    """Every audit action the code writes, and every state change of every kind."""
    art, msg = arts[0], msgs[0]
    details: dict[str, tuple[str, int, dict[str, Any] | None, dict[str, Any] | None]] = {
        "login": ("user", 1, None, {"ip": "127.0.0.1", "user_agent": "Chromium"}),
        "login-failed": ("user", 1, None, {"ip": "127.0.0.1", "login": "mai", "why": "password"}),
        "logout": ("user", 1, None, {"ip": "127.0.0.1"}),
        "user:add": ("user", 2, None, {"login": "lan", "role": "editor"}),
        "user:password": ("user", 2, None, None),
        "user:role": ("user", 2, {"role": "editor"}, {"role": "admin"}),
        "user:enable": ("user", 2, {"active": False}, {"active": True}),
        "user:disable": ("user", 2, {"active": True}, {"active": False}),
        "edit": ("article", art.id, {"title": "Tiêu đề cũ"}, {"title": art.title}),
        "tags": (
            "article",
            art.id,
            {"campaign": ["du-lich"], "kind": ["mo-hinh-moi"], "removed_tags": []},
            {"campaign": ["nong-thon-moi", "giao-duc"], "kind": ["nhan-to-moi"]},
        ),
        "cover": ("article", art.id, {"cover_asset_id": None}, {"cover_asset_id": 7}),
        "merge": (
            "article",
            art.id,
            {"campaigns": ["du-lich"]},
            {"merged_article": arts[4].id, "moved_assets": [3, 4], "campaigns": ["du-lich"]},
        ),
        "save-conflict": (
            "draft",
            art.id,
            {"action": "save", "version_seen": "1", "version_saved": 2},
            {"title": "Tiêu đề định lưu"},
        ),
        "reprocess": ("message", msg.id, {"status": "failed"}, None),
        "confirm-no-article": ("message", msg.id, {"status": "no-article"}, None),
        "assign-unit": ("message", msg.id, {"unit": None}, {"unit": "bat-xat"}),
        "forget-address": ("address", 0, {"address": "nguoigui@gmail.com"}, None),
        "deleted": ("article", art.id, {"status": "pending-review", "origin": "gm.doc"}, None),
        "undo": (
            "article",
            art.id,
            {"undone": "state:approved", "audit_id": 1, "at": "2026-12-01T00:00:00",
             "status": "approved"},
            {"status": "pending-review"},
        ),
        "use-revision": (
            "article",
            art.id,
            {"title": "Tiêu đề cũ", "lead": "Sapo cũ", "text": "Nội dung cũ",
             "status": "pending-review"},
            {"title": art.title, "lead": "", "text": "", "revision": arts[4].id},
        ),
        "keep-original": ("article", art.id, None, {"revision": arts[4].id}),
        "learn-address": (
            "address",
            msg.id,
            {"address": "nguoigui@gmail.com"},
            {"address": "nguoigui@gmail.com", "unit": "bat-xat", "article_id": art.id,
             "message_id": msg.message_id},
        ),
    }  # fmt: skip
    missing = codes.audit_actions() - set(details)
    assert not missing, f"add an audit row for {missing} to this test's seed"
    reasons = {"confirm-no-article": "Đã gọi điện, đơn vị gửi nhầm thư"}
    for action, (kind, ident, before, after) in details.items():
        s.add(
            AuditLog(
                actor="mai" if action != "deleted" else "slow-lane",
                object_type=kind,
                object_id=ident,
                action=action,
                before=before,
                after=after,
                reason=reasons.get(action, "official-document: giấy mời"),
            )
        )
    machine_reasons = [
        "restore",
        "duplicate of article 3",
        "reprocess requested from the console",
        "text from the slow lane",
        "approved (queued)",
        "attempt 2 failed, retry in 120 s: HTTP 502",
        "refused: HTTP 403 Forbidden",
        "published on feed, wordpress",
        "article withdrawn",
        None,
    ]
    targets = {"article": (art.id, ArticleState), "message": (msg.id, MessageState)}
    targets["publication"] = (pubs[0].id, PublicationState)
    actors = itertools.cycle(["mai", "pipeline", "slow-lane", "publish-queue", "reprocess", "cli"])
    for kind, (ident, states) in targets.items():
        for i, to in enumerate(states):
            s.add(
                AuditLog(
                    actor=next(actors),
                    object_type=kind,
                    object_id=ident,
                    action=f"state:{to}",
                    before={"status": list(states)[i - 1].value},
                    after={"status": to.value, "duplicate_of": 3}
                    if to == "duplicate"
                    else {"status": to.value, "url": "https://laocai.gov.vn/bai-3"},
                    reason="Bài chưa đạt yêu cầu"
                    if to == "rejected" and kind == "article"
                    else machine_reasons[i % len(machine_reasons)],
                )
            )


def _runs(s: Session, mailbox: str) -> None:
    """Each job's failure (an alert each), then the newest five runs in every status."""
    for i, kind in enumerate(sorted(codes.run_kinds())):
        s.add(
            PollRun(
                kind=kind,
                mailbox=mailbox,
                started_at=NOW - timedelta(hours=30 + i),
                finished_at=NOW - timedelta(hours=30 + i) + timedelta(minutes=1),
                status="error",
                error="RuntimeError: database is locked",
            )
        )
    statuses = sorted(codes.run_statuses())
    for i, kind in enumerate(["poll", "import", "reprocess", "publish", "daily"]):
        s.add(
            PollRun(
                kind=kind,
                mailbox=mailbox,
                started_at=NOW - timedelta(minutes=10 - i),
                finished_at=NOW - timedelta(minutes=9 - i),
                status=statuses[i % len(statuses)],
                fetched=3,
                stored=2,
                processed=2,
                articles=1,
                error="connection refused" if statuses[i % len(statuses)] == "error" else None,
            )
        )
    s.add(
        MailboxState(
            key=mailbox,
            last_poll_started_at=NOW - timedelta(minutes=5),
            last_poll_finished_at=NOW - timedelta(minutes=4),
            last_success_at=NOW - timedelta(days=2),
            last_error="[AUTHENTICATIONFAILED] Invalid credentials (Failure)",
            last_error_at=NOW - timedelta(minutes=4),
        )
    )


def fill(config: Any, tmp: Path) -> Any:
    """The database: every code in at least one row (see the module docstring)."""
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    from dienhinh.classifiers.campaigns import load_campaigns
    from dienhinh.classifiers.directory import UnitDirectory

    units = [u.code for u in UnitDirectory.load(config.tagging.units_file)][:6]
    campaigns = [c.code for c in load_campaigns(config.tagging.campaigns_file)]
    with Session(engine) as s:
        msgs = [
            _message(s, state.value, f"Gửi bài điển hình, thư số {i + 1}", unit=units[0])
            for i, state in enumerate(MessageState)
        ]
        main = msgs[1]  # ingested
        main.unit_confidence = 0.93
        main.sender_verified = False
        main.flags = sorted(codes.flags())
        main.cover_note = "Kính gửi Ban Thi đua - Khen thưởng, đơn vị gửi kèm bài viết."
        main.meta = {
            "forwarded_from": [
                {
                    "from_name": "Phòng Văn hóa huyện Bát Xát",
                    "from_addr": "vanhoa-batxat@laocai.gov.vn",
                    "date_text": "Thứ hai, ngày 6 tháng 5",
                    "subject": "Bài viết",
                    "via": "inline",
                    "signature": "Phòng Văn hóa và Thông tin\nhuyện Bát Xát",
                }
            ]
        }
        main.error = "2 bai.doc: encrypted: password-protected .doc\n3 anh.gif: logo: small"
        reasons = sorted(codes.reason_codes())
        for i, m in enumerate(msgs):
            m.reason = f"{reasons[i % len(reasons)]}: stored English detail"
        msgs[3].reason = "no readable article: bai.doc: conversion failed: exit 1"  # failed
        msgs[2].reason = "not an article: auto-reply (Auto-Submitted: auto-replied)"
        msgs[0].reason = "reprocess requested from the console"
        for m in (msgs[0], msgs[2], msgs[3]):
            m.review_needed = True
        msgs[3].transient, msgs[3].attempts = True, 2
        msgs[3].next_attempt_at = NOW + timedelta(minutes=30)
        decided = _message(s, "no-article", "Thư hỏi lịch họp", unit=units[1])
        decided.decided_by, decided.decided_at = "mai", NOW
        msgs.append(decided)
        _attachments(s, main)
        arts = _articles(s, main, units, campaigns)
        _tags(s, main, arts, campaigns)
        pubs = _publications(s, arts)
        _audit(s, arts, msgs, pubs)
        _runs(s, config.mailbox.url.key)
        s.commit()
    add_user(engine, "quan", role="admin")
    return engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    publish = '[publish]\ntargets = ["feed"]\n'
    with start_console(tmp_path_factory.mktemp("vi"), publish, fill=fill) as s:
        # The test accounts were made by "test" (consolekit): as the command line would.
        with Session(s.engine) as db:
            db.execute(update(AuditLog).where(AuditLog.actor == "test").values(actor="cli"))
            db.commit()
        yield s


# --- the check ------------------------------------------------------------------------------

_VISIBLE = """() => {
  const out = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[title],[placeholder],[aria-label]')) {
    for (const a of ['title', 'placeholder', 'aria-label']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  for (const o of document.querySelectorAll('option')) out.push(o.text);
  return out.join('\\n');
}"""


def _names(server: Server) -> list[str]:
    from dienhinh.classifiers.campaigns import load_campaigns
    from dienhinh.classifiers.directory import UnitDirectory

    tagging = server.config.tagging
    units = [u.name for u in UnitDirectory.load(tagging.units_file)]
    return units + [c.name or "" for c in load_campaigns(tagging.campaigns_file)]


class Checker:
    """Opens pages and collects what is not Vietnamese, for one report at the end."""

    def __init__(self, server: Server, shot: Any) -> None:
        self.names = _names(server)
        self.shot = shot
        self.problems: list[str] = []
        self.pages = 0

    def visit(self, page: Any, url: str, name: str, *, status: int | None = None) -> None:
        for label, size in (("", DESKTOP), ("-390", PHONE)):
            page.set_viewport_size(size)
            response = page.goto(url)
            if status is not None:
                assert response is not None and response.status == status, (url, status)
            self.check(page, f"{name}{label} {url}")
            if name:
                self.shot(page, f"vi-{name}{label}")

    def check(self, page: Any, where: str) -> None:
        self.pages += 1
        bad = offending_tokens(page.evaluate(_VISIBLE), self.names)
        if bad:
            self.problems.append(f"{where}: {sorted(set(bad))}")

    def done(self) -> None:
        assert not self.problems, "code or English in the page:\n" + "\n".join(self.problems)


def _ids(server: Server) -> tuple[list[int], list[int]]:
    with Session(server.engine) as s:
        arts = list(s.execute(select(Article.id).order_by(Article.id)).scalars())
        msgs = list(s.execute(select(Message.id).order_by(Message.id)).scalars())
    return arts, msgs


def test_an_editor_reads_no_code_and_no_english_on_any_page(
    new_page: Any, server: Server, shot: Any
) -> None:
    check = Checker(server, shot)
    arts, msgs = _ids(server)
    anon = new_page(None)
    check.visit(anon, "/login", "login")
    anon.fill("#login", "mai")
    anon.fill("#password", "sai-mat-khau-roi")
    anon.click("button[type=submit]")
    check.check(anon, "login refused")
    assert "không đúng" in anon.inner_text("[role=alert]")

    page = new_page("mai")
    check.visit(page, "/", "queue")
    for state in ArticleState:
        check.visit(page, f"/?state={state.value}", "")
    check.visit(page, "/?state=&flagged=1", "")
    check.visit(page, "/?state=&q=que", "")
    for aid in arts:
        check.visit(page, f"/articles/{aid}", "article" if aid == arts[0] else "")
    for pk in msgs:
        check.visit(page, f"/messages/{pk}", "message" if pk == msgs[1] else "")
    check.visit(page, "/messages/review", "review")
    check.visit(page, "/dashboard", "dashboard")
    check.visit(page, "/compliance", "compliance")
    cell = page.locator("tr.unit a.cell-link").first.get_attribute("href")
    check.visit(page, cell, "compliance-cell")
    # The error pages: not found, an admin's page, a wrong method, a stale form.
    check.visit(page, f"/articles/{arts[-1] + 1000}", "error-404", status=404)
    check.visit(page, "/khong-co-trang-nay", "", status=404)
    check.visit(page, "/admin/users", "error-403", status=403)
    check.visit(page, "/logout", "", status=405)
    page.goto(f"/articles/{arts[0]}")
    page.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'cu')"
    )
    page.click("#save")
    page.wait_for_load_state()
    check.check(page, "stale form (CSRF)")
    assert "Lỗi 403" in page.inner_text("main") and "mã bảo vệ biểu mẫu" in page.inner_text("main")
    shot(page, "vi-error-csrf-390")
    page.set_viewport_size(DESKTOP)
    shot(page, "vi-error-csrf")
    # An editor is never given the stored English, not even folded away.
    page.goto("/dashboard")
    assert page.locator("details.tech").count() == 0
    page.goto(f"/messages/{msgs[1]}")
    assert page.locator("details.tech").count() == 0
    check.done()
    assert check.pages > 60


def test_an_admin_reads_no_code_either_and_has_the_technical_detail_folded(
    new_page: Any, server: Server, shot: Any
) -> None:
    check = Checker(server, shot)
    arts, msgs = _ids(server)
    page = new_page("quan")
    check.visit(page, "/admin/users", "users")
    check.visit(page, "/admin/audit", "audit")
    for action in ("state:approved", "merge", "login-failed", "tags"):
        check.visit(page, f"/admin/audit?action={action}", "")
    check.visit(page, "/dashboard", "dashboard-admin")
    check.visit(page, f"/articles/{arts[0]}", "article-admin")
    check.visit(page, f"/messages/{msgs[1]}", "")
    check.done()
    # The English is there for the admin, folded: open one and it is the stored text.
    page.set_viewport_size(DESKTOP)
    page.goto("/dashboard")
    tech = page.locator("details.tech")
    assert tech.count() >= 3
    assert "Invalid credentials" not in page.inner_text("body")
    page.locator("#alert-1 details.tech summary").click()
    assert "AUTHENTICATIONFAILED" in page.inner_text("#alert-1")
    shot(page, "vi-dashboard-admin-open")
