"""Search matches marked in the sender's text: escaped first, never markup of the sender's;
diacritics and case ignored as the search ignores them."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from dienhinh.review import highlight as highlight_module
from dienhinh.review.highlight import excerpt, highlight
from dienhinh.review.search import query_terms


def test_hostile_text_around_the_match_stays_text() -> None:
    text = '<script>alert("x")</script> Lào Cai & <b>Sa Pa</b> <img src=x onerror=alert(1)>'
    out = highlight(text, query_terms("lao cai"))
    assert isinstance(out, Markup)
    assert str(out) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Lào Cai</mark> &amp; "
        "&lt;b&gt;Sa Pa&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;"
    )
    # The only tags left are the marks.
    assert str(out).replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_match_inside_hostile_markup_is_marked_and_escaped() -> None:
    out = str(highlight("<script>lao</script>&amp;cai", query_terms("script lao cai amp")))
    assert out == (
        "&lt;<mark>script</mark>&gt;<mark>lao</mark>&lt;/<mark>script</mark>&gt;&amp;"
        "<mark>amp</mark>;<mark>cai</mark>"
    )


def test_diacritics_and_case_are_ignored_both_ways() -> None:
    for q in ("lao cai", "Lào Cai", "LAO CAI", "lào cái"):
        assert str(highlight("TỈNH LÀO CAI", query_terms(q))) == "TỈNH <mark>LÀO CAI</mark>", q
    assert str(highlight("Tin từ Lao Cai", query_terms("Lào Cai"))) == (
        "Tin từ <mark>Lao Cai</mark>"
    )
    assert str(highlight("Đồng bào", query_terms("dong"))) == "<mark>Đồng</mark> bào"


def test_whole_words_and_the_last_word_as_a_prefix() -> None:
    terms = query_terms("lung phi")
    assert str(highlight("Bản Lùng Phình, Lùng Cẩu", terms)) == (
        "Bản <mark>Lùng Phình</mark>, <mark>Lùng</mark> Cẩu"
    )
    # Not the middle of a word, and a short last word is a whole word only.
    assert str(highlight("Lào Cai, Cai Kinh, Caiman", query_terms("ca"))) == (
        "Lào Cai, Cai Kinh, Caiman"
    )
    assert str(highlight("Nhà văn hóa", [])) == "Nhà văn hóa"
    assert str(highlight(None, query_terms("x"))) == ""


def test_decomposed_text_keeps_its_words() -> None:
    nfd = "La\u0300o Cai"  # "Lào" with a combining grave accent
    assert str(highlight(nfd, query_terms("lao"))) == f"<mark>{nfd[:4]}</mark> Cai"


def test_excerpt_around_the_first_match() -> None:
    body = " ".join(["Mở đầu dài dòng."] * 20) + " Xã Bản Lầu trồng chuối. " + "Kết thúc. " * 30
    part = excerpt(body, query_terms("ban lau"), width=80)
    assert part.startswith("…") and part.endswith("…")
    assert "Bản Lầu" in part and len(part) <= 82
    assert excerpt("Không có gì", query_terms("ban lau")) == ""
    assert excerpt("Bản Lầu", query_terms("ban lau")) == "Bản Lầu"


def test_the_fast_path_marks_what_the_word_by_word_path_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text that folds in place is searched in C (core.text.fold_in_place); text that
    cannot ("ß" case-folds to two letters, combining marks) word by word: the same words
    marked, the same excerpts."""
    texts = [
        "TỈNH LÀO CAI: Hội Nông dân xã Bản Lầu (huyện Mường Khương) tổng kết phong trào.",
        "Lùng Phình, Lùng Cẩu; Caiman—cai-cai, lao_cai, 2024-Lao Cai, Đồng bào đồng lòng",
        "phong trào thi đua «yêu nước», PHONG TRÀO, trào lưu, traodoi, thi-dua " * 20,
        "Hà Nội, ha noi, HÀ NỘI1, 1hà, hà_nội, hà\u00a0nội, hà\tnội\n\n  Hà   Nội ",
    ]
    queries = ["lao cai", "lung phi", "ca", "phong trao", "thi dua", "ha noi", "dong", "1", "x"]
    cases = [(t, query_terms(q), w) for t in texts for q in queries for w in (200, 40, 7)]
    fast = [(str(highlight(t, terms)), excerpt(t, terms, width=w)) for t, terms, w in cases]
    assert sum("<mark>" in h for h, _e in fast) > 20
    monkeypatch.setattr(highlight_module, "fold_in_place", lambda _text: None)
    slow = [(str(highlight(t, terms)), excerpt(t, terms, width=w)) for t, terms, w in cases]
    assert slow == fast
