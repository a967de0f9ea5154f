"""The Atom feed: RFC 4287 structure checked by parsing the output back with lxml."""

from __future__ import annotations

from datetime import datetime

from lxml import etree, html
from sqlalchemy import select

from dienhinh.publish.atom import ATOM_NS, feed_media, render_feed
from dienhinh.publish.queue import enqueue, run_queue
from dienhinh.store.models import Article, Asset
from dienhinh.store.states import ArticleState
from pubtools import T0, PubEnv, later

A = "{%s}" % ATOM_NS  # noqa: UP031
BASE = "https://btdkt.example.vn/"


def publish(env: PubEnv, aid: int, when: datetime) -> None:
    with env.session() as s:
        enqueue(s, s.get(Article, aid), actor="editor:lan", targets=["feed"])
        s.commit()
    report = run_queue(env.engine, env.config, now=when)
    assert report.articles_published == [aid]


def parse(data: bytes) -> etree._Element:
    # a real XML parser with no entity expansion or network: what a portal would do
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def test_feed_lists_published_articles_newest_first_with_required_elements(pub_env, db_url):
    env = pub_env(targets=["feed"])
    old = env.article(title="Bài cũ", campaigns=["giao-duc"], images=[])
    new = env.article(title="Gương sáng thoát nghèo ở Y Tý", cover=1)
    waiting = env.article(title="Chưa duyệt")  # approved, never published
    publish(env, old, T0)
    publish(env, new, later(3600))
    with env.session() as s:
        data = render_feed(s, env.config, base_url=BASE)
        assets = {a.position: a for a in s.get(Article, new).images}

    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse(data)
    assert root.tag == A + "feed"
    for required in ("id", "title", "updated"):
        assert root.find(A + required) is not None, required
    assert root.find(f"{A}author/{A}name").text == "Ban Thi đua - Khen thưởng tỉnh Lào Cai"
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == "https://btdkt.example.vn/feed.atom"
    assert root.findtext(A + "updated") == "2024-05-06T04:00:00Z"

    entries = root.findall(A + "entry")
    assert [e.findtext(A + "title") for e in entries] == ["Gương sáng thoát nghèo ở Y Tý", "Bài cũ"]
    assert waiting not in [int(e.findtext(A + "id").rsplit(":", 1)[1]) for e in entries]
    e = entries[0]
    for required in ("id", "title", "updated", "published", "author", "content", "summary"):
        assert e.find(A + required) is not None, required
    assert e.findtext(A + "id") == f"tag:laocai.gov.vn,2024:dienhinh:article:{new}"
    assert e.findtext(A + "published") == "2024-05-06T04:00:00Z"
    assert e.findtext(f"{A}author/{A}name") == "UBND huyện Bát Xát"
    cats = [(c.get("term"), c.get("label")) for c in e.findall(A + "category")]
    assert cats == [
        ("nong-thon-moi", "Lào Cai xây dựng nông thôn mới và giảm nghèo bền vững"),
        ("du-lich", "Năm Du lịch Quốc gia 2017"),
    ]
    assert e.findtext(A + "summary").startswith("Ông Vàng Seo Chứ ở xã Y Tý")

    # the editor's cover (position 1, a PNG) is the enclosure
    enc = e.find(f"{A}link[@rel='enclosure']")
    assert enc.get("href") == f"https://btdkt.example.vn/feed/media/{assets[1].id}"
    assert (enc.get("type"), enc.get("length")) == ("image/png", str(assets[1].size))

    content = e.find(A + "content")
    assert content.get("type") == "html"
    body = html.fragment_fromstring(content.text, create_parent="div")
    srcs = [img.get("src") for img in body.iter("img")]
    assert srcs == [f"{BASE}feed/media/{assets[1].id}", f"{BASE}feed/media/{assets[0].id}"]
    assert body.find("p").get("class") == "lead"
    assert "Ông Chứ bên vườn thảo quả" in body.findtext(".//figcaption")
    # the older entry has no photo: no enclosure
    assert entries[1].find(f"{A}link[@rel='enclosure']") is None


def test_hostile_text_stays_text_and_ids_are_stable(pub_env, db_url):
    env = pub_env(targets=["feed"])
    aid = env.article(
        title='<script>alert("x")</script> & "Bản" <b>',
        text="Đoạn một <img src=x onerror=alert(1)>\x0b\n\nĐoạn hai & ba.",
        lead="",
        images=[],
    )
    publish(env, aid, T0)
    with env.session() as s:
        first = render_feed(s, env.config, base_url=BASE)
        second = render_feed(s, env.config, base_url=BASE)
    root = parse(first)
    entry = root.find(A + "entry")
    assert entry.findtext(A + "title") == '<script>alert("x")</script> & "Bản" <b>'
    body = html.fragment_fromstring(entry.findtext(A + "content"), create_parent="div")
    assert list(body.iter("script")) == [] and list(body.iter("img")) == []
    assert "<img src=x onerror=alert(1)>" in body.text_content()
    assert entry.find(A + "summary") is None  # no lead, no summary
    assert parse(second).findtext(f"{A}entry/{A}id") == entry.findtext(A + "id")


def test_empty_feed_is_valid_and_limit_applies(pub_env, db_url):
    env = pub_env(targets=["feed"])
    with env.session() as s:
        root = parse(render_feed(s, env.config, base_url=BASE))
    assert root.tag == A + "feed" and root.findall(A + "entry") == []
    assert root.findtext(A + "updated")
    for n in range(3):
        publish(env, env.article(images=[]), later(n))
    with env.session() as s:
        root = parse(render_feed(s, env.config, base_url=BASE, limit=2))
    assert len(root.findall(A + "entry")) == 2


def test_feed_media_serves_only_photos_of_published_articles(pub_env, db_url):
    env = pub_env(targets=["feed"])
    published = env.article()
    waiting = env.article()
    publish(env, published, T0)
    with env.session() as s:
        shown = [a.id for a in s.get(Article, published).images]
        hidden = [a.id for a in s.get(Article, waiting).images]
        assert all(feed_media(s, i) is not None for i in shown)
        assert all(feed_media(s, i) is None for i in hidden)
        assert feed_media(s, 999999) is None
        # an attachment of the message that is not one of the article's photos
        msg_pk = s.get(Article, published).message_pk
        doc = Asset(
            message_pk=msg_pk,
            article_pk=published,
            sha256="0" * 64,
            size=1,
            content_type="application/pdf",
            role="document",
        )
        s.add(doc)
        s.flush()
        assert feed_media(s, doc.id) is None
        assert s.execute(select(Article.status).where(Article.id == published)).scalar() == (
            ArticleState.PUBLISHED
        )
