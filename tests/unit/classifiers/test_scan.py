"""scan.text_split: one split per text gives the words and their spans, and a text made
of another text's lead, a blank line and that text reuses the latter's split."""

from __future__ import annotations

import pytest

from dienhinh.classifiers import scan

TEXTS = [
    "Anh Giàng A Chư, thôn Lao Chải, xã Y Tý.",
    "  Hội LHPN huyện Bảo Yên:\n\n“Mô hình” nuôi_cá – 9X khởi nghiệp…  ",
    "e\u0301 cafe\u0301 ; Đà Nẵng__x\n\n\n\u0301o\u0323 (UBND) 2019-2020\n",
    "",
    "...",
    "một",
]


def _reference(text: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    spaced = text.replace("_", " ")
    return (
        tuple(scan.WORD.findall(spaced)),
        [m.span() for m in scan.WORD.finditer(spaced)],
    )


@pytest.mark.parametrize("text", TEXTS)
def test_split_gives_the_words_and_their_spans(text: str) -> None:
    scan._SPLITS.clear()
    split = scan.text_split(text)
    words, spans = _reference(text)
    assert split.words == words == scan.split_words(text)
    assert [split.span(i) for i in range(len(words))] == spans
    assert all(text[s:e] == w for (s, e), w in zip(spans, words, strict=True) if "_" not in w)


@pytest.mark.parametrize("lead", ["I. SƠ LƯỢC LÝ LỊCH", "", "  _ ", "Tiêu đề\n\nhai đoạn"])
@pytest.mark.parametrize("text", TEXTS)
def test_a_lead_and_a_text_already_split_join_as_one_split(lead: str, text: str) -> None:
    scan._SPLITS.clear()
    scan.text_split(text)  # the unit directory reads the text first
    joined = f"{lead}\n\n{text}"
    reused = scan.text_split(joined)
    scan._SPLITS.clear()
    fresh = scan.text_split(joined)
    assert reused.parts == fresh.parts
    words, spans = _reference(joined)
    assert reused.words == words
    assert [reused.span(i) for i in range(len(words))] == spans


@pytest.mark.parametrize("text", TEXTS)
def test_a_lead_the_text_opens_with_is_read_from_the_text_s_split(text: str) -> None:
    """An article's text repeats its lead: the lead's words come from the text's split,
    cut where the lead ends (inside a word or not)."""
    for at in range(len(text) + 1):
        lead = text[:at]
        scan._SPLITS.clear()
        scan.text_split(text)
        reused = scan.text_split(f"{lead}\n\n{text}")
        scan._SPLITS.clear()
        assert reused.parts == scan.text_split(f"{lead}\n\n{text}").parts, at


# --- campaigns._layout reads the paragraphs' words from the same split -------------------


def _layout_by_definition(text: str) -> tuple[tuple[int, ...], frozenset[int]]:
    """Each paragraph's first word index, and the paragraphs repeating an earlier one
    (spacing apart): counted paragraph by paragraph, every paragraph compared."""
    from dienhinh.classifiers.campaigns import _PARAGRAPH
    from dienhinh.core.text import collapse_ws

    starts, skipped, seen, pos = [], set(), set(), 0
    for i, para in enumerate(_PARAGRAPH.split(text)):
        n = scan.count_words(para)
        starts.append(pos)
        pos += n
        if n:
            key = collapse_ws(para)
            if key in seen:
                skipped.add(i)
            seen.add(key)
    return tuple(starts), frozenset(skipped)


LAYOUTS = [
    "I. SƠ LƯỢC LÝ LỊCH\n\nI. SƠ LƯỢC LÝ LỊCH\n\n- Họ và tên: Lý A Chừ.\n\nNăm sinh: 1990.",
    "Mở đầu  bài\n \n\tMở đầu bài\n\nMở đầu, bài\n\n\n\nMở   đầu bài\n\n...\n\n...",
    "\n\nđoạn một\n\nđoạn_hai\n\nđoạn hai\n\n",
    "một đoạn không có dòng trống\nvà dòng thứ hai",
    "",
    "x\n\nx\n\nx",
]


@pytest.mark.parametrize("text", LAYOUTS)
def test_layout_counts_and_repeats_as_by_definition(text: str) -> None:
    from dienhinh.classifiers.campaigns import _layout

    scan._SPLITS.clear()
    layout = _layout(text)
    assert (layout.starts, layout.skipped) == _layout_by_definition(text)


def test_phrases_found_along_a_host_s_pass_are_those_found_alone() -> None:
    """A lexicon riding along a host's pass (scan.ride) finds, in the words the host read
    and in their openings, what it finds alone, in the same order; the host too."""
    from dienhinh.classifiers import scan
    from dienhinh.classifiers.scan import Lexicon, Words, analyse

    host = Lexicon(["nông thôn mới", "nông thôn", "giảm nghèo", "hộ", "xã", "HTX"], host=True)
    rider = Lexicon(["mô hình", "hộ", "nông", "hợp tác xã", "HTX", "thôn mới", "xã", "giảm"])
    scan.ride(rider)
    try:
        text = (
            "Xã xây dựng nông thôn mới, mô hình hợp tác xã giúp hộ nghèo. HTX nông thôn "
            "mới; hộ hộ xã hợp tác xã mô hình nông thôn mới."
        )
        for title, body in ((text, text), ("Nong thon moi", "xa ho HTX nong thon moi mo hinh")):
            words = analyse(title, body)[1]
            assert host.find(words) == host._find_one(words)
            for view in (words, words.opening(5), words.opening(12), words.opening(12).opening(3)):
                alone = Words(view.words, view.keys, view.toned)
                assert list(rider.find(view).items()) == list(rider._find_one(alone).items())
                assert rider.count(view) == rider.count(alone)
    finally:
        scan._RIDERS.remove(rider)
        scan._JOINT.clear()
