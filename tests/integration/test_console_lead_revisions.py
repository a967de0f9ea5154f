"""Publish exactly what the editor approved (issue 13), over HTTP on SQLite and PostgreSQL,
on mail imported by the real pipeline:

* the lead (sapo) is a field of its own: extraction takes it out of the body, the editor
  edits both apart, and the feed sends it once, however either was edited;
* "Xem trước" on the article page is the publishers' own HTML (the very bytes the feed
  sends, image addresses aside);
* a revision ("bản sửa") found by ingest is linked both ways, compared word by word with
  its original, and either replaces the original's text ("Dùng bản sửa", the old text kept
  in the original's history and shown) or is dropped ("Giữ bản cũ").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html
from revisionkit import TEXT_SEED, revision_mail
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, csrf_of, login, seed, version_of
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.publish import config as publish_config
from dienhinh.publish.atom import ATOM_NS
from dienhinh.publish.queue import run_queue
from dienhinh.review.app import create_app
from dienhinh.store.models import Article, AuditLog, Publication
from factory import article_text

A = "{%s}" % ATOM_NS  # noqa: UP031 - lxml's Clark notation


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    raw, _paras, _title = revision_mail()
    path = tmp_path / "revision.eml"
    path.write_bytes(raw)
    Ingestor(config, seeded.engine).import_from(FileImportSource([path]))
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "lan")
    yield seeded
    publish_config.reset()


@pytest.fixture
def client_for(env: Seeded) -> Iterator[Callable[..., TestClient]]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    clients: list[TestClient] = []

    def make(user: str | None = "mai") -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        if user:
            r = login(c, user, follow=False)
            assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def pair(env: Seeded) -> tuple[int, int]:
    """(original, revision) of the plain-text article."""
    with Session(env.engine) as s:
        rev = s.execute(select(Article).where(Article.revision_of_id.is_not(None))).scalar_one()
        return rev.revision_of_id, rev.id


def field_of(page: str, form_action: str, name: str) -> str:
    start = page.index(f'action="{form_action}"')
    m = re.search(rf'name="{name}" value="(\d+)"', page[start:])
    assert m, name
    return m.group(1)


def preview_of(page: str) -> html.HtmlElement:
    doc = html.document_fromstring(page)
    (art,) = doc.xpath("//*[@id='preview-article']")
    return art


def flat(s: str) -> str:
    return " ".join(s.split())


def feed_entry(c: TestClient, aid: int) -> etree._Element:
    root = etree.fromstring(c.get("/feed.atom").content)
    for e in root.findall(A + "entry"):
        if e.findtext(A + "id").endswith(f":article:{aid}"):
            return e
    raise AssertionError(f"article {aid} is not in the feed")


def approve_and_publish(c: TestClient, env: Seeded, aid: int) -> None:
    page = c.get(f"/articles/{aid}").text
    r = c.post(
        f"/articles/{aid}/approve",
        data={"csrf_token": csrf_of(page), "version": version_of(page, f"/articles/{aid}/approve")},
    )
    assert r.status_code == 303, r.text
    run_queue(env.engine, env.config)
    with Session(env.engine) as s:
        assert s.get(Article, aid).status == "published"


# --- the lead and the body --------------------------------------------------------------


def test_extraction_stores_the_lead_apart_and_the_editor_edits_both(
    client_for: Any, env: Seeded
) -> None:
    title, paras = article_text(TEXT_SEED)
    original, _rev = pair(env)
    with Session(env.engine) as s:
        art = s.get(Article, original)
        assert art.lead == paras[0]
        assert art.text == "\n\n".join(paras[1:])  # the body does not repeat the lead
    c = client_for()
    url = f"/articles/{original}"
    page = c.get(url).text
    doc = html.document_fromstring(page)
    assert doc.get_element_by_id("edit-lead").text_content() == paras[0]
    assert paras[0] not in doc.get_element_by_id("edit-text").text_content()

    # The editor rewrites the lead and pastes a body that still starts with the old one:
    # the new lead is stored, and the body loses the copy of the lead it was given.
    new_lead = "Sapo mới do biên tập viên viết: một tấm gương thanh niên Bắc Hà."
    r = c.post(
        f"{url}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"{url}/save"),
            "title": title,
            "lead": new_lead,
            "text": "\n\n".join([new_lead, *paras[1:]]),
        },
    )
    assert r.status_code == 303, r.text
    with Session(env.engine) as s:
        art = s.get(Article, original)
        assert (art.lead, art.text) == (new_lead, "\n\n".join(paras[1:]))

    # Published: the lead once (the edited one), the old first paragraph nowhere, each body
    # paragraph once. Before, the old lead stayed in the text and went out as well.
    approve_and_publish(c, env, original)
    entry = feed_entry(client_for(None), original)
    content = html.fragment_fromstring(entry.findtext(A + "content"), create_parent="div")
    texts = [flat(p.text_content()) for p in content.iter("p")]
    assert texts == [flat(new_lead), *[flat(p) for p in paras[1:]]]
    assert content.xpath("//p[@class='lead']")[0].text_content() == new_lead
    assert flat(paras[0]) not in flat(content.text_content())
    assert entry.findtext(A + "summary") == new_lead  # the entry's teaser, its own element


def test_preview_is_what_the_feed_sends(client_for: Any, env: Seeded) -> None:
    aid = env.article("Gửi bài điển hình tháng 3")  # the .docx with photos and a caption
    c = client_for()
    page = c.get(f"/articles/{aid}").text
    assert "Xem trước" in page
    preview = preview_of(page)
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        title, lead, body = art.title, art.lead, art.text
        captions = [a.caption for a in art.images if a.caption]
    assert preview.get_element_by_id("preview-title").text_content() == title
    ps = [flat(p.text_content()) for p in preview.iter("p")]
    assert ps[0] == flat(lead) and ps.count(flat(lead)) == 1
    assert ps[1:] == [flat(p) for p in body.split("\n\n")]
    assert captions and [f.text_content() for f in preview.iter("figcaption")] == captions
    srcs = [i.get("src") for i in preview.iter("img")]
    assert srcs and all(re.fullmatch(r"/assets/\d+", s) for s in srcs)

    # The feed's content is the same HTML, its photos at the feed's public address.
    approve_and_publish(c, env, aid)
    content = feed_entry(client_for(None), aid).findtext(A + "content")
    # (the feed's links are built from the configured review.base_url, never the Host)
    sent = re.sub(r"https?://[^/\s\"]+/feed/media/", "/assets/", content)
    shown = [el for el in preview if el.get("id") != "preview-title"]
    norm = html.fragment_fromstring(sent, create_parent="div")

    def markup(els: Any) -> list[str]:
        return [html.tostring(el, encoding="unicode", with_tail=False) for el in els]

    assert len(shown) == 7 and markup(norm) == markup(shown)


# --- revisions ------------------------------------------------------------------------------


def test_revision_and_original_link_to_each_other_and_compare(client_for: Any, env: Seeded) -> None:
    original, rev = pair(env)
    _raw, new_paras, _new_title = revision_mail()
    _title, old_paras = article_text(TEXT_SEED)
    c = client_for()
    orig_page = c.get(f"/articles/{original}").text
    assert "Có bản sửa:" in orig_page
    assert f'<a href="/articles/{rev}">#{rev}:' in orig_page
    assert f'href="/articles/{rev}/compare"' in orig_page
    rev_page = c.get(f"/articles/{rev}").text
    assert f'Bản sửa của <a href="/articles/{original}">#{original}:' in rev_page
    assert f'href="/articles/{rev}/compare"' in rev_page

    r = c.get(f"/articles/{rev}/compare")
    assert r.status_code == 200
    doc = html.document_fromstring(r.text)
    legend = doc.get_element_by_id("diff-legend")
    assert legend.xpath(".//ins") and legend.xpath(".//del")
    old_title, new_title_el = doc.get_element_by_id("old-title"), doc.get_element_by_id("new-title")
    assert [i.text_content() for i in new_title_el.iter("ins")] == ["(bản sửa)"]
    assert not old_title.xpath(".//del")
    new_lead = doc.get_element_by_id("new-lead")
    assert not doc.get_element_by_id("old-lead").xpath(".//del")  # only added to
    assert "Bổ sung: gia đình vừa được tỉnh khen thưởng." in [
        i.text_content() for i in new_lead.iter("ins")
    ]
    old_text, new_text = doc.get_element_by_id("old-text"), doc.get_element_by_id("new-text")
    assert "mạnh dạn" in [d.text_content() for d in old_text.iter("del")]
    assert "quyết định" in [i.text_content() for i in new_text.iter("ins")]
    assert flat(old_paras[-1]) in [flat(d.text_content()) for d in old_text.iter("del")]
    # Unchanged words are plain text on both sides; every side shows its whole text.
    assert flat(old_paras[2]) in flat(old_text.text_content())
    assert flat(new_paras[2]) in flat(new_text.text_content())
    assert doc.get_element_by_id("use-revision").text_content() == "Dùng bản sửa"
    assert doc.get_element_by_id("keep-original").text_content() == "Giữ bản cũ"
    # An article that revises nothing has no comparison.
    assert c.get(f"/articles/{original}/compare").status_code == 404


def test_use_revision_replaces_the_text_and_keeps_the_old_one_in_history(
    client_for: Any, env: Seeded
) -> None:
    original, rev = pair(env)
    _raw, new_paras, new_title = revision_mail()
    title, old_paras = article_text(TEXT_SEED)
    c = client_for()
    page = c.get(f"/articles/{rev}/compare").text
    action = f"/articles/{rev}/use-revision"
    r = c.post(
        action,
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, action),
            "original_version": field_of(page, action, "original_version"),
        },
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/articles/{original}?msg=revision-used")
    with Session(env.engine) as s:
        orig = s.get(Article, original)
        assert (orig.title, orig.lead) == (new_title, new_paras[0])
        assert orig.text == "\n\n".join(new_paras[1:])
        assert orig.status == "pending-review"
        revision = s.get(Article, rev)
        assert revision.status == "duplicate" and revision.duplicate_of_id == original
        assert revision.revision_of_id == original  # still linked both ways
        (row,) = s.execute(
            select(AuditLog).where(
                AuditLog.object_id == original, AuditLog.action == "use-revision"
            )
        ).scalars()
        assert row.actor == "mai"
        assert row.before["title"] == title
        assert row.before["lead"] == old_paras[0]
        assert row.before["text"] == "\n\n".join(old_paras[1:])  # the full old text
        assert row.after["revision"] == rev

    page = c.get(r.headers["location"]).text
    assert "mang nội dung của bản sửa" in page  # the flash
    doc = html.document_fromstring(page)
    history = doc.get_element_by_id("history")
    assert f"Bản trước khi dùng bản sửa #{rev}" in flat(history.text_content())
    assert flat(old_paras[-1]) in flat(history.text_content())  # the dropped paragraph kept
    assert f'href="/articles/{rev}/compare"' in page  # "có bản sửa" stays
    # The comparison now shows the decision and the text that was replaced.
    doc = html.document_fromstring(c.get(f"/articles/{rev}/compare").text)
    assert "Đã dùng bản sửa" in doc.get_element_by_id("decision").text_content()
    assert "mạnh dạn" in [d.text_content() for d in doc.get_element_by_id("old-text").iter("del")]
    assert not doc.xpath("//*[@id='use-revision']")  # decided: no buttons


def test_use_revision_on_a_published_original_sends_it_back_to_review(
    client_for: Any, env: Seeded
) -> None:
    """Publish exactly what the editor approved: the revision's text was never approved."""
    original, rev = pair(env)
    _raw, new_paras, _new_title = revision_mail()
    c = client_for()
    approve_and_publish(c, env, original)
    page = c.get(f"/articles/{rev}/compare").text
    assert "trở về hàng chờ để duyệt lại" in page
    action = f"/articles/{rev}/use-revision"
    r = c.post(
        action,
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, action),
            "original_version": field_of(page, action, "original_version"),
        },
    )
    assert r.status_code == 303, r.text
    with Session(env.engine) as s:
        orig = s.get(Article, original)
        assert orig.status == "pending-review" and orig.lead == new_paras[0]
        states = [
            a.action
            for a in s.execute(
                select(AuditLog)
                .where(AuditLog.object_type == "article", AuditLog.object_id == original)
                .order_by(AuditLog.id)
            ).scalars()
        ]
        assert states[-3:] == ["use-revision", "state:pending-review", "merge"]
    # Approved again, the feed sends the new text, its lead once.
    approve_and_publish(c, env, original)
    content = feed_entry(client_for(None), original).findtext(A + "content")
    texts = [flat(p.text_content()) for p in html.fragments_fromstring(content)]
    assert texts == [flat(p) for p in new_paras]
    with Session(env.engine) as s:
        pubs = s.execute(select(Publication).where(Publication.article_id == original)).scalars()
        assert [p.status for p in pubs] == ["published"]


def test_keep_original_drops_the_revision_and_leaves_the_original(
    client_for: Any, env: Seeded
) -> None:
    original, rev = pair(env)
    with Session(env.engine) as s:
        before = {k: getattr(s.get(Article, original), k) for k in ("title", "lead", "text")}
    c = client_for()
    page = c.get(f"/articles/{rev}/compare").text
    action = f"/articles/{rev}/keep-original"
    r = c.post(
        action,
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, action),
            "original_version": field_of(page, action, "original_version"),
        },
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/articles/{original}?msg=original-kept")
    with Session(env.engine) as s:
        orig = s.get(Article, original)
        assert {k: getattr(orig, k) for k in before} == before
        revision = s.get(Article, rev)
        assert (revision.status, revision.duplicate_of_id) == ("duplicate", original)
        assert s.execute(
            select(AuditLog).where(
                AuditLog.object_id == original, AuditLog.action == "keep-original"
            )
        ).scalar_one().after == {"revision": rev}
    doc = html.document_fromstring(c.get(f"/articles/{rev}/compare").text)
    assert "Đã giữ bản cũ" in doc.get_element_by_id("decision").text_content()
    assert not doc.xpath("//*[@id='history']")


def test_a_comparison_made_stale_by_an_edit_of_the_original_is_refused(
    client_for: Any, env: Seeded
) -> None:
    original, rev = pair(env)
    mai, lan = client_for("mai"), client_for("lan")
    compare = mai.get(f"/articles/{rev}/compare").text  # mai compares ...
    page = lan.get(f"/articles/{original}").text  # ... while lan edits the original
    r = lan.post(
        f"/articles/{original}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{original}/save"),
            "title": "Tiêu đề lan vừa sửa",
            "lead": "",
            "text": "Nội dung lan vừa sửa.",
        },
    )
    assert r.status_code == 303
    action = f"/articles/{rev}/use-revision"
    r = mai.post(
        action,
        data={
            "csrf_token": csrf_of(compare),
            "version": version_of(compare, action),
            "original_version": field_of(compare, action, "original_version"),
        },
    )
    assert r.status_code == 400
    assert "hãy so sánh lại" in r.text
    with Session(env.engine) as s:
        assert s.get(Article, original).title == "Tiêu đề lan vừa sửa"  # not overwritten
        assert s.get(Article, rev).status == "pending-review"
