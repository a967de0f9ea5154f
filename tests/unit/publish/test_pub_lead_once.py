"""The lead (sapo) goes out once, and the body once, on every target, whatever the editor
changed (issue 13).

Before, the stored text still held the lead as its first paragraph and the renderer left
that paragraph out only while it was equal to the lead: once the editor changed either, the
old lead went out in the body as well. Now the lead is a field of its own and the body never
repeats it (extraction takes it out, ``review.actions.edit`` too); the renderer sends both
as they are. Checked on the Atom feed and the export folder through the queue, and on
WordPress through a fake REST API; the real WordPress in
tests/browser/test_portal_lead_once.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree, html
from sqlalchemy import select
from test_pub_wordpress import FakeWordPress, publisher

from consolekit import write_outcome
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.types import ArticleDraft
from dienhinh.publish.atom import ATOM_NS, render_feed
from dienhinh.publish.config import configure
from dienhinh.publish.config import load as load_settings
from dienhinh.publish.items import item_from_article, labels
from dienhinh.publish.queue import run_queue
from dienhinh.publish.render import article_html, paragraphs
from dienhinh.review import actions
from dienhinh.store.models import Article
from dienhinh.store.states import ArticleState, transition
from pubtools import LEAD, T0, TEXT, PubEnv, later, make_item

A = "{%s}" % ATOM_NS  # noqa: UP031 - lxml's Clark notation
NEW_LEAD = "Sapo biên tập viên viết lại: một tấm gương thoát nghèo ở Y Tý."


def flat(s: str) -> str:
    return " ".join(s.split())


def lead_and_body_once(fragment: str, lead: str) -> None:
    """``fragment`` (article HTML) holds ``lead`` once, as its first paragraph with class
    "lead", then each paragraph of the body once, in order."""
    root = html.fragment_fromstring(fragment, create_parent="div")
    ps = [flat(p.text_content()) for p in root.iter("p")]
    assert ps == [flat(lead), *[flat(p) for p in paragraphs(TEXT)]]
    assert root.find("p").get("class") == "lead"
    assert flat(root.text_content()).count(flat(lead)) == 1
    if lead != LEAD:
        assert flat(LEAD) not in flat(root.text_content())  # the old lead is gone


def test_the_renderer_sends_lead_and_body_as_they_are(tmp_path: Path) -> None:
    item = make_item(tmp_path, images=0)
    lead_and_body_once(article_html(item, str), LEAD)


def extracted(env: PubEnv) -> int:
    """An article stored by ingest's own writer from what extraction gives: the whole text
    (its first paragraph, the lead, included) and that paragraph as the lead."""
    draft = ArticleDraft(title="Gương sáng", text=f"{LEAD}\n\n{TEXT}", lead=LEAD, source="docx")
    with env.session() as s:
        mid = write_outcome(
            s, received_at=T0, subject="Gửi bài", status="ingested", articles=[draft]
        )
        aid = s.execute(select(Article.id).where(Article.message_pk == mid)).scalar_one()
        art = s.get(Article, aid)
        assert (art.lead, art.text) == (LEAD, TEXT)  # the body does not repeat the lead
        return aid


def edit(env: PubEnv, aid: int, *, lead: str, text: str | None = None) -> None:
    """The editor's save (``text=None``: the body as the form showed it), then approval."""
    with env.session() as s:
        art = s.get(Article, aid)
        if art.status != ArticleState.PENDING_REVIEW:
            transition(s, art, ArticleState.PENDING_REVIEW, actor="editor:lan", reason="restore")
        actions.edit(
            s,
            art,
            actor="lan",
            title=art.title,
            lead=lead,
            text=art.text if text is None else text,
            unit=None,
            campaigns=None,
            subject_type=None,
            kind=None,
            directory=UnitDirectory([]),
            known_campaigns=[],
            subject_values=[],
            kind_values=[],
        )
        actions.approve(s, art, actor="lan")
        s.commit()


def test_feed_and_folder_send_the_edited_lead_once(pub_env, db_url) -> None:
    env = pub_env(targets=["feed", "folder"])
    configure(env.config)  # approval queues for the configured targets
    aid = extracted(env)
    edit(env, aid, lead=LEAD)
    run_queue(env.engine, env.config, now=later(0))
    # The editor rewrites the lead and saves the body as the form shows it; then, again,
    # with the new lead pasted on top of the body.
    edit(env, aid, lead=NEW_LEAD)
    edit(env, aid, lead=NEW_LEAD, text=f"{NEW_LEAD}\n\n{TEXT}")
    with env.session() as s:
        art = s.get(Article, aid)
        assert (art.lead, art.text) == (NEW_LEAD, TEXT)  # the body does not repeat it
    report = run_queue(env.engine, env.config, now=later(60))
    assert report.articles_published == [aid], report

    with env.session() as s:
        assert s.get(Article, aid).status == ArticleState.PUBLISHED
        feed = etree.fromstring(render_feed(s, env.config, base_url="https://x.example"))
    (entry,) = feed.findall(A + "entry")
    lead_and_body_once(entry.findtext(A + "content"), NEW_LEAD)
    assert entry.findtext(A + "summary") == NEW_LEAD  # the entry's teaser, its own element

    folder = load_settings(env.config).folder.path
    (d,) = [p for p in folder.iterdir() if p.name.startswith(f"{aid:06d}-")]
    doc = html.document_fromstring((d / "index.html").read_text(encoding="utf-8"))
    article = doc.find(".//article")
    body = "".join(
        html.tostring(p, encoding="unicode") for p in article.iter("p") if p.get("class") != "meta"
    )
    lead_and_body_once(body, NEW_LEAD)
    assert json.loads((d / "manifest.json").read_text(encoding="utf-8"))["lead"] == NEW_LEAD


def test_wordpress_gets_the_edited_lead_once(pub_env, tmp_path: Path) -> None:
    env = pub_env(targets=["feed"])
    configure(env.config)
    aid = extracted(env)
    edit(env, aid, lead=NEW_LEAD)  # the body as the form shows it
    with env.session() as s:
        item = item_from_article(s.get(Article, aid), labels(env.config), blobs=env.blobs)
    wp = FakeWordPress()
    publisher(wp).publish(item)
    (post,) = wp.posts.values()
    lead_and_body_once(post["content"], NEW_LEAD)
    assert post["excerpt"] == NEW_LEAD  # WordPress's listing teaser, not the post's text
