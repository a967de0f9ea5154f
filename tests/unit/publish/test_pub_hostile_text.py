"""Everything a sender wrote reaches every publisher as text: the title, lead, text and
photo captions of an article full of hostile markup, checked target by target by parsing
what each one sends or writes the way a browser (or a feed reader) would. The same
article against the real WordPress, in chromium: tests/browser/test_portal_hostile_text.py.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
from lxml import etree, html
from test_pub_wordpress import FakeWordPress, _multipart_fields, publisher

from dienhinh.publish.atom import ATOM_NS, render_feed
from dienhinh.publish.folder import FolderPublisher
from dienhinh.publish.queue import enqueue, run_queue
from dienhinh.publish.render import article_html, html_document
from dienhinh.publish.wordpress import wp_html, wp_text
from dienhinh.store.models import Article
from factory import make_jpeg
from pubtools import T0, make_item

TITLE = (
    "Gương sáng <script>alert(1)</script> Hội LHPN & Đoàn <img src=x onerror=alert(2)> "
    "&lt;svg onload=alert(3)&gt; \"kép\" 'đơn' a < b [gallery] -- ... 3x4 :)"
)
LEAD = 'Tóm tắt <a href="javascript:alert(4)">bấm</a> &amp; &#60;b&#62; [embed]x[/embed]'
TEXT = (  # the body: the lead is a field of its own
    "Đoạn <iframe src=javascript:alert(5)></iframe> 5 < 7 & 8 > 3\n"
    "dòng hai <!-- wp:html --><script>alert(6)</script><!-- /wp:html -->"
)
CAPTION = "Ảnh <img src=x onerror=alert(7)> & <svg onload=alert(8)> chú thích -- [caption]"
SAFE_TAGS = {"div", "p", "br", "figure", "img", "figcaption"}


def hostile(tmp_path: Any, **kw: Any) -> Any:
    item = make_item(tmp_path, **kw)
    images = tuple(dataclasses.replace(img, caption=CAPTION) for img in item.images)
    return dataclasses.replace(item, title=TITLE, lead=LEAD, text=TEXT, images=images)


def fragment(value: str) -> html.HtmlElement:
    return html.fragment_fromstring(value, create_parent="div")


def assert_only_text(value: str, expected: str) -> None:
    """``value`` parsed as HTML is no markup at all, and its text is ``expected``."""
    root = fragment(value)
    assert len(root) == 0, etree.tostring(root)
    assert root.text_content() == expected


def assert_safe_markup(root: html.HtmlElement) -> None:
    for el in root.iter():
        assert el.tag in SAFE_TAGS, el.tag
        assert not [a for a in el.attrib if a.lower().startswith("on")], el.attrib
        for attr in ("src", "href"):
            assert not el.get(attr, "").lower().lstrip().startswith("javascript:")


def paragraph_texts(root: html.HtmlElement) -> list[str]:
    return [p.text_content() for p in root.iter("p")]


def expected_paragraphs() -> list[str]:
    # a line break is "<br>\n": the text keeps its "\n"
    return [LEAD, *TEXT.split("\n\n")]


# -- WordPress ---------------------------------------------------------------------------


def test_wp_text_escapes_and_keeps_the_characters_wordpress_would_rewrite():
    assert wp_text("Hội LHPN & Đoàn") == "Hội LHPN &amp; Đoàn"  # escaped once, not twice
    assert wp_text("&amp;") == "&amp;amp;"  # a sender's literal "&amp;" stays visible
    assert wp_text("<b>") == "&lt;b&gt;"
    out = wp_text("[embed] a -- b ... 3x4 :) ;) (tm) ``q``")
    for rewritten in ("[", "--", "...", "3x4", " :)", " ;)", "(tm)", "``"):
        assert rewritten not in out
    assert fragment(out).text_content() == "[embed] a -- b ... 3x4 :) ;) (tm) ``q``"
    # no false alarm: words, "x" in words, a single "-", "." and ":" stay as they are
    assert wp_text("Lào Cai: x-quang 2x. Hết.") == "Lào Cai: x-quang 2x. Hết."


def test_wp_html_leaves_our_tags_and_urls_alone():
    built = '<p class="lead">a -- [b]</p><img src="http://h:1/a--b[1].jpg" alt="x -- y">'
    out = wp_html(built)
    assert out.startswith('<p class="lead">a &#45;&#45; &#91;b]</p>')
    assert out.endswith('<img src="http://h:1/a--b[1].jpg" alt="x -- y">')


def test_wordpress_receives_every_field_as_text(tmp_path):
    wp = FakeWordPress()
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return wp(request)

    publisher(record).publish(hostile(tmp_path, cover=1))
    (post,) = [
        json.loads(r.content) for r in sent if r.method == "POST" and r.url.path.endswith("/posts")
    ]
    assert_only_text(post["title"], TITLE)
    assert_only_text(post["excerpt"], LEAD)
    content = fragment(post["content"])
    assert_safe_markup(content)
    assert paragraph_texts(content) == expected_paragraphs()
    # the cover is WordPress's featured image; the other photo is in the content
    (img,) = content.iter("img")
    assert img.get("alt") == CAPTION
    assert content.find(".//figcaption").text_content() == CAPTION
    uploads = [
        _multipart_fields(r) for r in sent if r.method == "POST" and r.url.path.endswith("/media")
    ]
    assert len(uploads) == 2
    for form in uploads:
        for field in ("title", "caption", "alt_text"):
            assert_only_text(form[field], CAPTION)


# -- the export folder and the shared renderer -------------------------------------------


def test_folder_page_and_manifest_carry_the_senders_text(tmp_path):
    root = tmp_path / "export"
    receipt = FolderPublisher(root, timezone="Asia/Ho_Chi_Minh", durable=False).publish(
        hostile(tmp_path, images=2)
    )
    d = root / receipt.remote_id
    doc = html.document_fromstring((d / "index.html").read_text(encoding="utf-8"))
    assert doc.findtext(".//title") == TITLE
    assert doc.find(".//h1").text_content() == TITLE
    assert doc.xpath("//script|//iframe|//svg|//a|//*[@*[starts-with(name(), 'on')]]") == []
    article = doc.find(".//article")
    assert [p.text_content() for p in article.iter("p")][1:] == expected_paragraphs()
    assert [f.text_content() for f in article.iter("figcaption")] == [CAPTION, CAPTION]
    assert [i.get("alt") for i in article.iter("img")] == [CAPTION, CAPTION]
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    # JSON is data: the sender's characters exactly, for a consumer to escape where it shows
    assert (manifest["title"], manifest["lead"]) == (TITLE, LEAD)
    assert [i["caption"] for i in manifest["images"]] == [CAPTION, CAPTION]


def test_render_escapes_every_field(tmp_path):
    item = hostile(tmp_path, images=1)
    page = html.document_fromstring(html_document(item, lambda i: "a.jpg", timezone="UTC"))
    assert page.xpath("//script|//iframe|//svg|//a|//*[@*[starts-with(name(), 'on')]]") == []
    frag = fragment(article_html(item, lambda i: "a.jpg"))
    assert_safe_markup(frag)
    assert paragraph_texts(frag) == expected_paragraphs()
    assert frag.find(".//img").get("alt") == CAPTION
    # no caption: the alt text is the title, escaped too
    bare = dataclasses.replace(item, images=(dataclasses.replace(item.images[0], caption=""),))
    assert fragment(article_html(bare, lambda i: "a.jpg")).find(".//img").get("alt") == TITLE


# -- the Atom feed ---------------------------------------------------------------------------


def test_atom_entry_title_summary_content_and_enclosure_are_text(pub_env, db_url):
    env = pub_env(targets=["feed"])
    aid = env.article(
        title=TITLE, lead=LEAD, text=TEXT, images=[(make_jpeg(seed=5), "image/jpeg", CAPTION)]
    )
    with env.session() as s:
        enqueue(s, s.get(Article, aid), actor="editor:lan", targets=["feed"])
        s.commit()
    assert run_queue(env.engine, env.config, now=T0).articles_published == [aid]
    with env.session() as s:
        data = render_feed(s, env.config, base_url="https://btdkt.example.vn/")
    a = "{%s}" % ATOM_NS  # noqa: UP031
    entry = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True)).find(
        a + "entry"
    )
    title = entry.find(a + "title")
    assert title.get("type") in (None, "text") and title.text == TITLE
    summary = entry.find(a + "summary")
    assert summary.get("type") == "text" and summary.text == LEAD
    assert entry.find(f"{a}link[@rel='enclosure']").get("title") == CAPTION
    content = entry.find(a + "content")
    assert content.get("type") == "html"
    body = fragment(content.text)
    assert_safe_markup(body)
    assert paragraph_texts(body) == expected_paragraphs()
    assert body.find(".//figcaption").text_content() == CAPTION
