"""Issue 13, the queue and the dashboard over HTTP, on SQLite and PostgreSQL: a search in
every state unless a tab is chosen, ranked and highlighted (the sender's text stays text),
"Hôm nay", unread marks per editor, the newest mail and the mailbox error in Vietnamese,
and one date format on every page."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, csrf_of, login, seed, version_of
from dienhinh.publish import config as publish_config
from dienhinh.review import search
from dienhinh.review.app import create_app
from dienhinh.store.models import Article, MailboxState, Message, PollRun, utcnow

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "lan")
    add_user(seeded.engine, "quan", role="admin")
    yield seeded
    publish_config.reset()


@pytest.fixture
def client_for(env: Seeded) -> Iterator[Callable[..., TestClient]]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    clients: list[TestClient] = []

    def make(user: str = "mai") -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        assert login(c, user, follow=False).status_code == 303
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


_n = iter(range(1, 10_000))


def _add(
    env: Seeded,
    title: str,
    body: str,
    *,
    status: str = "pending-review",
    received_at: datetime | None = None,
) -> int:
    """An article (and its message) written directly: the search and period tests need
    titles, texts and reception times the test chooses."""
    n = next(_n)
    with Session(env.engine) as s:
        msg = Message(
            message_id=f"trust-{n}@x",
            sha256=f"{n:064x}",
            body_sha256=f"{n:064x}",
            size=1,
            received_at=received_at or datetime(2024, 6, 1, 8, 0, tzinfo=ICT),
            status="ingested",
            subject=f"Gửi bài {n}",
            from_name="Phòng Văn hóa",
            from_addr="pvh@laocai.gov.vn",
        )
        s.add(msg)
        s.flush()
        art = Article(
            message_pk=msg.id, ordinal=1, title=title, text=body, source="text-body", status=status
        )
        s.add(art)
        s.commit()
        return art.id


def _row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="row[^"]*"[^>]*data-id="(\d+)"', page)]


def test_a_search_looks_in_every_state_unless_a_tab_is_chosen(env: Seeded, client_for: Any) -> None:
    approved = _add(env, "Du lịch bản Tả Phìn", "Mô hình du lịch cộng đồng.", status="approved")
    pending = _add(env, "Nhà trình tường Tả Phìn", "Đón khách quanh năm.")
    c = client_for()
    home = c.get("/").text
    assert 'name="state"' not in home  # no tab chosen: the search box carries no state
    assert set(_row_ids(c.get("/?q=ta+phin").text)) == {approved, pending}
    tab = c.get("/?state=pending-review").text
    assert '<input type="hidden" name="state" value="pending-review">' in tab
    assert _row_ids(c.get("/?state=pending-review&q=ta+phin").text) == [pending]
    assert _row_ids(c.get("/?state=approved&q=ta+phin").text) == [approved]
    # Without a search the default tab is still "chờ duyệt".
    assert approved not in _row_ids(home)


def test_search_results_are_ranked_and_paged_in_that_order(
    env: Seeded, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Oldest first: the ranking is not the newest-first order.
    in_title = _add(env, "Mường Khương đổi mới", "Bà con đồng lòng.")
    scattered = _add(env, "Mường Hum vào mùa", "Chè Khương từ xưa đã nổi tiếng.")
    body_only = _add(env, "Chăn nuôi gà đồi", "Hợp tác xã ở Mường Khương làm ăn tốt.")
    c = client_for()
    page = c.get("/?q=muong+khuong").text
    assert _row_ids(page) == [in_title, scattered, body_only]
    assert 'id="ranked-note"' in page and "mức liên quan" in page
    # The article page's next/previous follow the ranking.
    art = c.get(f"/articles/{scattered}?state=&q=muong+khuong").text
    assert f'href="/articles/{body_only}?' in art.split('id="older"')[0].rsplit("<a", 1)[1]
    assert f'href="/articles/{in_title}?' in art.split('id="newer"')[0].rsplit("<a", 1)[1]
    # Its pages are slices of that order.
    app = create_app(env.config, engine=env.engine, review=replace(TEST_REVIEW, page_size=2))
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as small:
        assert login(small, "lan", follow=False).status_code == 303
        first = small.get("/?q=muong+khuong").text
        assert _row_ids(first) == [in_title, scattered]
        more = re.search(r'<a href="/\?([^"]+)" rel="next" id="older-page">', first)
        assert more and "skip=2" in more.group(1)
        rest = small.get("/?" + htmllib.unescape(more.group(1))).text
        assert _row_ids(rest) == [body_only] and 'id="older-page"' not in rest
    # A common search (here: from 2 matches on) is ranked within a window (issue 15: its
    # newest matches and the newest articles holding every word in their title), and says
    # so; the title match stays first although the window of newest matches leaves it out.
    monkeypatch.setattr(search, "_RANK_LIMIT", 2)
    monkeypatch.setattr(search, "_WINDOW", 1)
    page = c.get("/?q=muong+khuong").text
    assert _row_ids(page) == [in_title, body_only]  # scattered: outside the window
    assert "chỉ xếp 1 bài khớp mới nhất" in page
    assert _row_ids(c.get("/?q=muong+hum").text) == [scattered]


def test_matches_are_marked_and_hostile_text_stays_text(env: Seeded, client_for: Any) -> None:
    c = client_for()
    # The seeded hostile message: its subject and sender name carry <script> and onerror=.
    page = c.get("/?q=xss+alert").text
    assert _row_ids(page)
    assert "<mark>" in page
    assert "&lt;<mark>script</mark>&gt;" in page or "&lt;script&gt;" in page
    assert '<script>alert("xss")' not in page and "<img src=x" not in page
    hostile = _add(env, 'Lào Cai <script>alert(1)</script> & "Sa Pa"', "Tin LÀO CAI hôm nay.")
    page = c.get("/?q=lao+cai").text
    row = page.split(f'data-id="{hostile}"')[1].split("</tr>")[0]
    assert "<mark>Lào Cai</mark> &lt;<mark>script</mark>" not in row  # "script" is no term
    assert "<mark>Lào Cai</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Sa Pa&#34;" in row
    assert '<div class="excerpt small">Tin <mark>LÀO CAI</mark> hôm nay.</div>' in row
    # Diacritics and case: "Lào Cai" finds and marks the same.
    page = c.get("/?q=L%C3%A0o+Cai").text
    assert hostile in _row_ids(page) and "<mark>LÀO CAI</mark>" in page


def test_today_keeps_the_mail_received_since_local_midnight(env: Seeded, client_for: Any) -> None:
    now = datetime.now(ICT)
    midnight = datetime(now.year, now.month, now.day, tzinfo=ICT)
    late = _add(env, "Thư lúc 23:59 hôm qua", "x", received_at=midnight - timedelta(minutes=1))
    early = _add(env, "Thư lúc 00:01 hôm nay", "x", received_at=midnight + timedelta(minutes=1))
    c = client_for()
    page = c.get("/?state=&period=today").text
    assert _row_ids(page) == [early]
    assert '<option value="today" selected>Hôm nay</option>' in page
    assert late in _row_ids(c.get("/?state=").text)
    # The dashboard's "today" card leads there.
    assert 'href="/?state=&amp;period=today"' in c.get("/dashboard").text


def test_unread_marks_are_per_editor(env: Seeded, client_for: Any) -> None:
    mai, lan = client_for("mai"), client_for("lan")
    aid = env.article("Gửi bài điển hình tháng 3")

    def unread(c: TestClient) -> set[int]:
        page = c.get("/?state=").text
        return {
            int(i) for i in re.findall(r'<tr class="row[^"]*unread[^"]*"[^>]*data-id="(\d+)"', page)
        }

    assert aid in unread(mai) and aid in unread(lan)
    assert "chưa đọc" in mai.get("/?state=").text
    assert mai.get(f"/articles/{aid}").status_code == 200
    assert aid not in unread(mai)
    assert aid in unread(lan)  # lan has not opened it
    # A missing article marks nothing (and is still a 404).
    assert mai.get("/articles/999999").status_code == 404


def test_dashboard_shows_the_newest_mail_and_the_mailbox_error_in_vietnamese(
    env: Seeded, client_for: Any
) -> None:
    three_hours_ago = utcnow() - timedelta(hours=3, minutes=5)
    _add(env, "Thư mới nhất", "x", received_at=three_hours_ago)
    key = env.config.mailbox.url.key
    stored = "the server refused the login for btdkt-snv: check the password"
    with Session(env.engine) as s:
        state = s.get(MailboxState, key) or MailboxState(
            key=key, uidvalidity=0, last_uid=0, consecutive_failures=0
        )
        state.last_error, state.last_error_at = stored, utcnow()
        s.add(state)
        s.add(PollRun(kind="poll", mailbox=key, status="error", error=stored, finished_at=utcnow()))
        s.commit()
    page = client_for().get("/dashboard").text
    local = three_hours_ago.astimezone(ICT).strftime("%d/%m/%Y %H:%M")
    newest = page.split('id="newest-mail"')[1].split("</p>")[0]
    assert local in newest and "(3 giờ trước)" in newest
    assert page.count("Sai mật khẩu hộp thư") == 2  # the mailbox and its last poll
    # The stored English is for admins only, folded under "Chi tiết kỹ thuật".
    assert stored not in page
    add_user(env.engine, "quantri", role="admin")
    admin_page = client_for("quantri").get("/dashboard").text
    assert admin_page.count("Sai mật khẩu hộp thư") == 2
    assert f'<summary>Chi tiết kỹ thuật</summary><pre lang="en">{stored}</pre>' in admin_page


# --- one date format -------------------------------------------------------------------

# Any other shape of a date or time than dd/mm/yyyy HH:MM.
_OTHER_SHAPES = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),  # ISO 2026-12-06
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b(?![/.-]?\d)"),  # 06/12/26
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),  # seconds
    re.compile(r"\b\d{1,2}:\d{2} \d{1,2}/\d{1,2}/\d{4}\b"),  # time before date
    re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b(?! \d{2}:\d{2}\b)"),  # a date without its time
    re.compile(r"(?<!\d/)\b\d/\d{1,2}/\d{4}|\b\d{1,2}/\d/\d{4}"),  # not zero-padded
]
# The sender's own text (raw headers, the article being edited, a forwarded message's date
# line) may hold any date: it is shown as sent, not formatted by the console.
_SENDERS_TEXT = re.compile(
    r'<pre class="headers".*?</pre>|<div class="article-text".*?</div>|<textarea.*?</textarea>'
    r"|<ol class=\"forward-chain\">.*?</ol>",
    re.DOTALL,
)


def _visible_text(page: str) -> str:
    page = _SENDERS_TEXT.sub(" ", page)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<[^>]+>", " ", page)  # attributes (hrefs with ?period=2024-03) go too
    return htmllib.unescape(page)


def test_every_page_shows_dates_in_one_format(env: Seeded, client_for: Any) -> None:
    """Every date or time the console shows goes through the one ``localtime`` filter:
    dd/mm/yyyy HH:MM, Asia/Ho_Chi_Minh. Renders the queue, an article (after an approval,
    a conflict draft and a publication), a message, the review list, the dashboard (with
    an alert and a failed run), compliance, users and the audit log, and scans them."""
    aid = env.article("Bài viết gương sáng y đức")
    admin = client_for("quan")
    page = admin.get(f"/articles/{aid}").text
    r = admin.post(
        f"/articles/{aid}/approve",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{aid}/approve"),
        },
    )
    assert r.status_code == 303
    key = env.config.mailbox.url.key
    with Session(env.engine) as s:
        state = s.get(MailboxState, key) or MailboxState(
            key=key, uidvalidity=0, last_uid=0, consecutive_failures=3
        )
        state.last_success_at = utcnow() - timedelta(days=2)
        state.last_poll_finished_at = utcnow()
        state.last_error, state.last_error_at = "could not reach the mail server x:993", utcnow()
        s.add(state)
        s.add(PollRun(kind="poll", mailbox=key, status="error", error="x", finished_at=utcnow()))
        msg_id = s.execute(select(Article.message_pk).where(Article.id == aid)).scalar_one()
        s.commit()
        search.refresh(s)
    year = datetime.now(ICT).year
    pages = {
        "/": admin.get("/?state=").text,
        "search": admin.get("/?q=bai").text,
        "article": admin.get(f"/articles/{aid}").text,
        "message": admin.get(f"/messages/{msg_id}").text,
        "review": admin.get("/messages/review").text,
        "dashboard": admin.get("/dashboard").text,
        "compliance": admin.get("/compliance?year=2024").text,
        "compliance-now": admin.get(f"/compliance?year={year}").text,
        "users": admin.get("/admin/users").text,
        "audit": admin.get("/admin/audit").text,
    }
    shown = 0
    for name, page in pages.items():
        text = _visible_text(page)
        for shape in _OTHER_SHAPES:
            found = shape.search(text)
            assert found is None, (name, found.group(), text[max(0, found.start() - 80) :][:200])
        shown += len(re.findall(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", text))
    assert shown >= 20  # the pages do show dates, in the one format
    # The alert's time is in that format too, and its error in Vietnamese.
    assert re.search(r"thành công từ \d{2}/\d{2}/\d{4} \d{2}:\d{2}", pages["dashboard"])
    assert "Lỗi gần nhất: Không kết nối được hộp thư" in pages["dashboard"]
