"""The article HTML every target shares: built from plain text, every piece escaped."""

from __future__ import annotations

import dataclasses

from lxml import html

from dienhinh.publish.render import article_html, paragraphs
from pubtools import LEAD, make_item


def test_lead_paragraphs_line_breaks_and_figures(tmp_path):
    item = make_item(tmp_path, cover=1)
    frag = article_html(item, lambda img: f"/m/{img.asset_id}")
    root = html.fragment_fromstring(frag, create_parent="div")
    ps = root.findall("p")
    assert ps[0].get("class") == "lead" and ps[0].text == LEAD
    assert len(ps) == 1 + len(paragraphs(item.text))  # the lead, then the body
    assert len(ps[1].findall("br")) == 1  # a line break inside a paragraph
    assert [i.get("src") for i in root.iter("img")] == ["/m/101", "/m/100"]  # cover first
    assert root.findall("figure")[1].findtext("figcaption") == "Chú thích ảnh 0"
    without = html.fragment_fromstring(
        article_html(item, lambda img: f"/m/{img.asset_id}", include_cover=False),
        create_parent="div",
    )
    assert [i.get("src") for i in without.iter("img")] == ["/m/100"]


def test_a_lead_not_in_the_text_is_added_and_markup_is_escaped(tmp_path):
    item = dataclasses.replace(
        make_item(tmp_path, images=0),
        lead="Tóm tắt <b>đậm</b>",
        text='Đoạn "một" <a href="javascript:x">link</a>',
    )
    frag = article_html(item, str)
    assert frag == (
        '<p class="lead">Tóm tắt &lt;b&gt;đậm&lt;/b&gt;</p>\n'
        "<p>Đoạn &quot;một&quot; &lt;a href=&quot;javascript:x&quot;&gt;link&lt;/a&gt;</p>"
    )
