"""The word-level comparison of an article and its revision (review/diff.py)."""

from __future__ import annotations

import random
import time

from lxml import html

from dienhinh.review.diff import diff_texts


def parts(markup: str, tag: str) -> list[str]:
    root = html.fragment_fromstring(f"<div>{markup}</div>")
    return [el.text_content() for el in root.iter(tag)]


def test_changed_words_are_marked_on_their_side_only() -> None:
    old = "Ông A trồng 3 ha chè.\n\nĐoạn hai giữ nguyên.\n\nĐoạn ba bị bỏ."
    new = "Ông A trồng 5 ha chè shan tuyết.\n\nĐoạn hai giữ nguyên.\n\nĐoạn mới thêm vào."
    d = diff_texts(old, new)
    assert parts(d.old, "del") == ["3", "chè.", "ba bị bỏ."]
    assert parts(d.new, "ins") == ["5", "chè shan tuyết.", "mới thêm vào."]
    assert parts(d.old, "ins") == [] and parts(d.new, "del") == []
    assert (d.removed, d.added) == (5, 7) and d.changed
    # Both sides keep their whole text and paragraphs.
    assert html.fragment_fromstring(f"<div>{d.old}</div>").text_content() == old
    assert html.fragment_fromstring(f"<div>{d.new}</div>").text_content() == new


def test_a_dropped_and_an_added_paragraph_are_marked_whole() -> None:
    d = diff_texts("Một.\n\nHai.\n\nBa.", "Một.\n\nBa.\n\nBốn mới.")
    assert parts(d.old, "del") == ["Hai."]
    assert parts(d.new, "ins") == ["Bốn mới."]


def test_same_text_with_other_spacing_is_unchanged() -> None:
    d = diff_texts("Một  hai\nba.\n\n\nBốn.", "Một hai ba.\n\nBốn.")
    assert not d.changed
    assert parts(d.old, "del") == [] and parts(d.new, "ins") == []


def test_the_senders_markup_stays_text() -> None:
    d = diff_texts("a <b>x</b>", 'a <script>alert(1)</script> <img src=x onerror="y">')
    root = html.fragment_fromstring(f"<div>{d.new}</div>")
    assert {el.tag for el in root.iter()} == {"div", "ins"}
    assert "<script>alert(1)</script>" in root.text_content()
    assert {el.tag for el in html.fragment_fromstring(f"<div>{d.old}</div>").iter()} == {
        "div",
        "del",
    }


def test_a_long_article_with_a_few_edits_compares_fast() -> None:
    rnd = random.Random(7)
    vocab = [
        "và",
        "của",
        "các",
        "người",
        "thôn",
        "xã",
        "bản",
        "hộ",
        "gia",
        "đình",
        "trồng",
        "chè",
        "thảo",
        "quả",
        "năm",
        "nay",
    ]
    paras = [" ".join(rnd.choice(vocab) for _ in range(120)) + "." for _ in range(50)]
    edited = list(paras)
    for i in (3, 20, 41):
        words = edited[i].split()
        words[10:12] = ["SỬA", "ĐỔI", "MỚI"]
        edited[i] = " ".join(words)
    started = time.perf_counter()
    d = diff_texts("\n\n".join(paras), "\n\n".join(edited))
    assert time.perf_counter() - started < 1.0
    assert parts(d.new, "ins") == ["SỬA ĐỔI MỚI"] * 3
    assert d.added == 9 and d.removed == 6
