"""Learned sender addresses in the console (issue 13): changing an article's unit asks
"Ghi nhớ địa chỉ ... cho đơn vị ...?" and learns nothing unless answered; an admin sees
every learned address (unit, who, when, from which article) and undoes one; each teach
and undo is in the audit log. On SQLite and PostgreSQL, over HTTP (TestClient)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, csrf_of, login, seed, version_of
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.publish import config as publish_config
from dienhinh.review.app import create_app
from dienhinh.store.models import Article, AuditLog, Message, SenderAddress
from factory import ICT, article_text, make_email

GMAIL = "nguyenthihoa.1987@gmail.com"  # a local part naming no unit (it would be a hint)
SUBJECT = "Bài từ hộp thư cá nhân"


def _gmail_mail(n: int) -> bytes:
    title, paras = article_text(400 + n)
    return make_email(
        from_=f"Cán bộ <{GMAIL}>",
        subject=f"{SUBJECT} {n}",
        message_id=f"<learn-{n}@gmail.com>",
        date=datetime(2024, 6, 3 + n, 9, 0, tzinfo=ICT),
        text=title + "\n\n" + "\n\n".join(paras) + "\n",
    )


def _import(env: Seeded, tmp: Path, n: int) -> int:
    """Import one more message from the personal address; its first article's id."""
    path = tmp / f"learn-{n}.eml"
    path.write_bytes(_gmail_mail(n))
    Ingestor(env.config, env.engine).import_from(FileImportSource([path]))
    with Session(env.engine) as s:
        return (
            s.execute(
                select(Article.id)
                .join(Message, Message.id == Article.message_pk)
                .where(Message.message_id == f"learn-{n}@gmail.com")
                .order_by(Article.id)
            )
            .scalars()
            .first()
        )


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "quan", role="admin")
    seeded.by_subject[SUBJECT] = _import(seeded, tmp_path, 1)
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


def _save_unit(c: TestClient, aid: int, unit: str) -> Any:
    url = f"/articles/{aid}"
    page = c.get(url).text
    with_tags = {
        "title": unescape(re.search(r'id="edit-title" value="([^"]*)"', page).group(1)),
        "lead": "",
        "text": unescape(re.search(r'id="edit-text"[^>]*>([^<]*)</textarea>', page).group(1)),
    }
    return c.post(
        f"{url}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"{url}/save"),
            "tags_present": "1",
            "unit": unit,
            **with_tags,
        },
    )


def _audit(env: Seeded, action: str) -> list[AuditLog]:
    with Session(env.engine) as s:
        return list(
            s.execute(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            ).scalars()
        )


def _learn_form(page: str) -> dict[str, str]:
    start = page.index('id="learn-form"')
    form = page[start : page.index("</form>", start)]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


def test_a_unit_change_asks_and_learns_nothing_until_answered(
    client_for: Any, env: Seeded, tmp_path: Path
) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    # The mail names no sender (at most the lowest guess, the district its story is set
    # in): the editor chooses.
    with Session(env.engine) as s:
        assert s.get(Article, aid).unit != "bao-yen"
    r = _save_unit(c, aid, "bao-yen")
    assert r.status_code == 303
    assert "ask=learn" in r.headers["location"]
    with Session(env.engine) as s:
        assert s.get(Article, aid).unit == "bao-yen"  # the unit is saved at once
        assert s.get(SenderAddress, GMAIL) is None  # the address is not learned silently
    assert _audit(env, "assign-unit") and not _audit(env, "learn-address")

    page = c.get(r.headers["location"]).text
    assert f'Ghi nhớ địa chỉ <span class="address">{GMAIL}</span> cho đơn vị ' in page
    assert "UBND huyện Bảo Yên?" in page
    assert 'id="learn-yes"' in page and 'id="learn-no"' in page
    assert "confirm(" not in page  # an in-page question, no JavaScript dialog
    # Asked once, after the save: the plain article page does not keep asking.
    assert 'id="learn-ask"' not in c.get(f"/articles/{aid}").text
    # "Không ghi nhớ" is only a link back: still nothing learned.
    with Session(env.engine) as s:
        assert s.get(SenderAddress, GMAIL) is None

    # Later mail from the address is not attributed to the unit meanwhile.
    second = _import(env, tmp_path, 2)
    with Session(env.engine) as s:
        assert s.get(Article, second).unit != "bao-yen"

    # "Ghi nhớ": learned, with who, when and the article it came from, and audited.
    form = _learn_form(page)
    assert form["address"] == GMAIL and form["unit"] == "bao-yen"
    r = c.post(f"/articles/{aid}/learn-address", data=form)
    assert r.status_code == 303 and "msg=address-learned" in r.headers["location"]
    with Session(env.engine) as s:
        row = s.get(SenderAddress, GMAIL)
        msg_pk = s.get(Article, aid).message_pk
        assert (row.unit, row.active, row.created_by) == ("bao-yen", True, "mai")
        assert (row.source_article_id, row.source_message_pk) == (aid, msg_pk)
    (audit,) = _audit(env, "learn-address")
    assert audit.actor == "mai" and audit.object_type == "address"
    assert audit.after["address"] == GMAIL and audit.after["unit"] == "bao-yen"
    assert audit.after["article_id"] == aid
    assert "Đã ghi nhớ địa chỉ người gửi" in c.get(r.headers["location"]).text
    # The message page says where its receipt time came from (an import: its Date header).
    assert "(theo ngày gửi ghi trong thư)" in c.get(f"/messages/{msg_pk}").text

    # Now later mail from it counts for the unit.
    third = _import(env, tmp_path, 3)
    with Session(env.engine) as s:
        assert s.get(Article, third).unit == "bao-yen"
    # Nothing more to ask for this unit.
    r = c.post(f"/articles/{aid}/learn-address", data=form)
    assert "msg=address-known" in r.headers["location"]
    assert len(_audit(env, "learn-address")) == 1


def test_a_stale_question_learns_nothing(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    page = c.get(_save_unit(c, aid, "bao-yen").headers["location"]).text
    form = _learn_form(page)
    # Another save changes the unit before the answer: the old question is refused.
    _save_unit(c, aid, "bac-ha")
    r = c.post(f"/articles/{aid}/learn-address", data=form)
    assert r.status_code == 409
    assert "chưa ghi nhớ địa chỉ nào" in r.text
    with Session(env.engine) as s:
        assert s.get(SenderAddress, GMAIL) is None
    # Without the CSRF token nothing happens either.
    form = _learn_form(c.get(f"/articles/{aid}?ask=learn").text)
    assert form["unit"] == "bac-ha"
    r = c.post(f"/articles/{aid}/learn-address", data={**form, "csrf_token": "x"})
    assert r.status_code == 403
    with Session(env.engine) as s:
        assert s.get(SenderAddress, GMAIL) is None


def test_an_address_of_the_directory_is_never_asked_about(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article("Bài viết gương sáng y đức")  # from syt@laocai.gov.vn, in the directory
    r = _save_unit(c, aid, "bac-ha")
    assert r.status_code == 303 and "ask=learn" not in r.headers["location"]
    assert 'id="learn-ask"' not in c.get(f"/articles/{aid}?ask=learn").text


def test_admin_sees_and_undoes_learned_addresses(client_for: Any, env: Seeded) -> None:
    editor = client_for("mai")
    aid = env.article(SUBJECT)
    page = editor.get(_save_unit(editor, aid, "bao-yen").headers["location"]).text
    editor.post(f"/articles/{aid}/learn-address", data=_learn_form(page))
    # Editors cannot see or undo: /admin is for admins.
    assert editor.get("/admin/addresses").status_code == 403
    assert 'href="/admin/addresses"' not in editor.get("/").text

    admin = client_for("quan")
    assert 'id="nav-addresses"' in admin.get("/").text
    page = admin.get("/admin/addresses").text
    table = page[page.index('id="learned-addresses"') : page.index("</table>")]
    row = table[table.index(f'data-address="{GMAIL}"') :]
    assert "UBND huyện Bảo Yên" in row and ">mai</td>" in row
    assert f'href="/articles/{aid}"' in row
    assert re.search(r'class="date"[^>]*>\d\d/\d\d/\d{4} \d\d:\d\d<', row)
    assert "Bỏ ghi nhớ" in row

    r = admin.post("/admin/addresses", data={"csrf_token": csrf_of(page), "address": GMAIL.upper()})
    assert r.status_code == 303 and "msg=address-forgotten" in r.headers["location"]
    with Session(env.engine) as s:
        assert s.get(SenderAddress, GMAIL).active is False
    (undo,) = _audit(env, "forget-address")
    assert undo.actor == "quan" and undo.before == {"address": GMAIL, "unit": "bao-yen"}
    page = admin.get(r.headers["location"]).text
    assert "Đã bỏ ghi nhớ địa chỉ" in page
    assert f'data-address="{GMAIL}"' not in page[: page.index("</table>")]
    assert 'id="forgotten-addresses"' in page
    # Undoing twice says so and audits nothing more.
    r = admin.post("/admin/addresses", data={"csrf_token": csrf_of(page), "address": GMAIL})
    assert "msg=address-not-learned" in r.headers["location"]
    assert len(_audit(env, "forget-address")) == 1
    # Both are in the audit log, with the address named.
    log = admin.get("/admin/audit").text
    assert "learn-address" in log and "forget-address" in log
    assert f"địa chỉ {GMAIL}" in log
    # Both read as Vietnamese sentences there and in the article's own history.
    assert "ghi nhớ địa chỉ người gửi" in log and "bỏ ghi nhớ địa chỉ người gửi" in log
    history = editor.get(f"/articles/{aid}").text
    history = history[history.index('id="audit"') :]
    assert "ghi nhớ địa chỉ người gửi" in history
    assert f"Địa chỉ {GMAIL}: thư sau tính cho UBND huyện Bảo Yên." in history
    # Without the CSRF token the form does nothing.
    assert admin.post("/admin/addresses", data={"address": GMAIL}).status_code == 403
