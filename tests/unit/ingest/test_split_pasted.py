"""Several articles pasted into one mail body ("Bài 1: ...", "Bài 2: ..." or "1. ...",
"2. ..."): one article each, as a document holding several is split (ingest/split.py)."""

from __future__ import annotations

from dienhinh.core.types import ArticleDraft
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.split import split_pasted
from factory import article_text, make_email

T1, P1 = article_text(21, 6)
T2, P2 = article_text(22, 6)


def _draft(title: str, paras: list[str]) -> ArticleDraft:
    return ArticleDraft(title=title, text="\n\n".join(paras), source="text-body", origin="body")


def test_bai_markers_split_a_pasted_body() -> None:
    parts = split_pasted(_draft(f"Bài 1: {T1}", [*P1, f"Bài 2: {T2}", *P2]))
    assert [a.title for a in parts] == [T1, T2]
    assert [a.flags for a in parts] == [["split:1/2"], ["split:2/2"]]
    assert P2[0] in parts[1].text and P2[0] not in parts[0].text


def test_numbered_titles_split_only_from_the_first_line() -> None:
    parts = split_pasted(_draft(f"1. {T1}", [*P1, f"2. {T2}", *P2]))
    assert [a.title for a in parts] == [T1, T2]
    # a numbered list inside one article: its first line is not "1." and the items are short
    listed = [P1[0], "1. Trồng 2 ha quế", "2. Nuôi 30 con lợn đen", *P1[1:]]
    assert split_pasted(_draft(T1, listed)) == [_draft(T1, listed)]
    # "1." then "2." without an article's worth of text after each: one article
    short = split_pasted(_draft(f"1. {T1}", [P1[0], f"2. {T2}", P2[0]]))
    assert len(short) == 1


def test_a_body_pasting_two_articles_gives_two(ctx: ExtractContext) -> None:
    body = "\n\n".join(["Dạ em gửi 2 bài tháng này ạ.", f"Bài 1: {T1}", *P1, f"Bài 2: {T2}", *P2])
    out = extract_message(make_email(from_="Lan <lan.sp@gmail.com>", text=body), ctx)
    assert [a.title for a in out.articles] == [T1, T2]
