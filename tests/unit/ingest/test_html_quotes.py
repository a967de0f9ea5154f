"""The tree walks that find quoted replies and signature blocks (ingest/extractors/html.py,
ingest/extract.py) stand for CSS selectors; they must find what the selectors find, in the
same order, on markup webmail clients write and on markup that only nearly matches."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from dienhinh.ingest.extractors.html import _any_signature_block, _is_quote, _main_signature_block

QUOTES = (
    "blockquote, .gmail_quote, .gmail_extra, .moz-cite-prefix, .yahoo_quoted, "
    "[class*=yahoo_quoted], .OutlookMessageHeader"
)
MAIN_SIGNATURE = ".gmail_signature, [data-smartmail=gmail_signature], .signature"
ANY_SIGNATURE = (
    ".gmail_signature, [data-smartmail=gmail_signature], .signature, #Signature, "
    ".moz-signature, #signature, .yahoo-signature"
)

MARKUP = [
    '<div class="gmail_quote"><div dir="ltr">On Mon <blockquote class="gmail_quote">q'
    "<blockquote>inner</blockquote></blockquote></div></div>",
    '<div class="gmail_extra"><br><div class="gmail_quote">x</div></div>',
    '<div class="moz-cite-prefix">On 1/1</div><blockquote type="cite">t</blockquote>',
    '<div id="ydp3f2a1yahoo_quoted_123" class="ydp3f2a1yahoo_quoted">y</div>',
    '<div class="yahoo_quoted">y</div><div class="yahoo_quoted_x">z</div>',
    '<div class="a yahoo_quotedb c">partial token</div>',
    '<div class="OutlookMessageHeader">h</div><div class="outlookmessageheader">case</div>',
    '<div class="Gmail_Quote">case</div><div class="gmail_quote2">near</div>',
    '<div class="  gmail_quote   other ">spaces</div><BLOCKQUOTE>upper</BLOCKQUOTE>',
    '<p class="">empty</p><p>none</p><span class="gmail_signature">s</span>',
    '<div data-smartmail="gmail_signature">sig</div><div data-smartmail="Gmail_signature">c</div>',
    '<div class="signature">a<img src="cid:logo"></div><div class="signatures">n</div>',
    '<div id="Signature">o</div><div id="signature">p</div><div id="SIGNATURE">q</div>',
    '<div class="moz-signature">m</div><div class="yahoo-signature">y</div>',
    '<table><tr><td class="signature gmail_quote">both</td></tr></table>',
    '<svg><g class="gmail_quote"></g></svg><math class="signature"></math>',
]


def _walk(soup: BeautifulSoup, test: object) -> list[Tag]:
    return [t for t in soup.descendants if type(t) is Tag and test(t)]  # type: ignore[operator]


@pytest.mark.parametrize("html", MARKUP)
def test_the_walks_find_what_the_selectors_find(html: str) -> None:
    soup = BeautifulSoup(f"<html><body>{html}</body></html>", "lxml")
    assert _walk(soup, _is_quote) == soup.select(QUOTES)
    assert _walk(soup, _any_signature_block) == soup.select(ANY_SIGNATURE)
    assert soup.find(_main_signature_block) == soup.select_one(MAIN_SIGNATURE)


def test_every_marker_is_found_somewhere() -> None:
    soup = BeautifulSoup("".join(MARKUP), "lxml")
    assert len(soup.select(QUOTES)) >= 12
    assert len(_walk(soup, _any_signature_block)) >= 8
