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


def _html(blocks: list[tuple[str, str]]) -> str:
    return (
        "<html><body>"
        + "".join(f"<{tag}>{text}</{tag}>" for tag, text in blocks)
        + "</body></html>"
    )


def test_a_newsletter_body_with_two_headed_articles_gives_two(ctx: ExtractContext) -> None:
    """An HTML newsletter pasting two articles, each under an <h2> of its own (a kicker
    line above each, the masthead's issue line first): two articles, as a document whose
    headings of one level each carry an article's text."""
    t1, p1 = article_text(23, 7)
    t2, p2 = article_text(24, 7)
    html = _html(
        [
            ("p", "Bản tin số 07/2020 · Kết nối số, vì cộng đồng vùng cao"),
            ("p", "CÂU CHUYỆN CHUYỂN ĐỔI SỐ"),
            ("h2", t1),
            *(("p", p) for p in p1),
            ("p", "CÂU CHUYỆN CHUYỂN ĐỔI SỐ"),
            ("h2", t2),
            *(("p", p) for p in p2),
        ]
    )
    out = extract_message(make_email(from_="PR <pr@vnpt.example>", text=None, html=html), ctx)
    assert [a.title for a in out.articles] == [t1, t2]
    assert p1[-1] in out.articles[0].text and p2[0] in out.articles[1].text
    assert p2[0] not in out.articles[0].text
    assert [a.flags for a in out.articles] == [["split:1/2"], ["split:2/2"]]


def test_an_html_article_with_sections_stays_one(ctx: ExtractContext) -> None:
    """An <h1> title over <h2> sections is one article: only the top level splits."""
    t1, p1 = article_text(25, 8)
    html = _html(
        [
            ("h1", t1),
            ("h2", "Những ngày đầu khó khăn"),
            *(("p", p) for p in p1[:4]),
            ("h2", "Thành quả hôm nay"),
            *(("p", p) for p in p1[4:]),
        ]
    )
    out = extract_message(make_email(from_="Lan <lan.sp@gmail.com>", text=None, html=html), ctx)
    [art] = out.articles
    assert art.title == t1 and p1[-1] in art.text


def test_pieces_between_separator_lines_split_each_with_its_pictures(
    ctx: ExtractContext,
) -> None:
    """Two pieces pasted into one Outlook body with a "* * *" line between them, each with
    its title and an inline picture: two articles, each keeping the picture shown in it
    (they all went with the first)."""
    from factory import Attach, make_jpeg

    t1, p1 = article_text(25, 4)
    t2, p2 = article_text(26, 4)
    html = (
        "<html><body><p>Em gửi Ban hai bài ngắn ạ.</p>"
        + f"<p><b>{t1}</b></p><p>{p1[0]}</p>"
        + '<p><img src="cid:a1@x"></p><p>Ảnh: nhân vật tại bản.</p>'
        + "".join(f"<p>{p}</p>" for p in p1[1:])
        + "<p>* * *</p>"
        + f"<p><b>{t2}</b></p><p>{p2[0]}</p>"
        + '<p><img src="cid:a2@x"></p><p>Ảnh: buổi sơ cứu cho du khách.</p>'
        + "".join(f"<p>{p}</p>" for p in p2[1:])
        + "</body></html>"
    )
    raw = make_email(
        text=None,
        html=html,
        attachments=[
            Attach(
                "a1.jpg", make_jpeg(seed=1), "image/jpeg", disposition="inline", content_id="a1@x"
            ),
            Attach(
                "a2.jpg", make_jpeg(seed=2), "image/jpeg", disposition="inline", content_id="a2@x"
            ),
        ],
    )
    out = extract_message(raw, ctx)
    assert [a.title for a in out.articles] == [t1, t2]
    assert [[i.filename for i in a.images] for a in out.articles] == [["a1.jpg"], ["a2.jpg"]]
    assert [i.position for a in out.articles for i in a.images] == [0, 0]


def test_a_scene_break_inside_one_feature_does_not_split_it() -> None:
    """ "* * *" between two parts of one feature, its text going on in sentences: one
    article (a piece after a separator must open with a title and carry 100 words)."""
    paras = [*P1[:3], "* * *", P1[3] + " " + P1[4], *P1[5:]]
    assert split_pasted(_draft(T1, paras)) == [_draft(T1, paras)]
    short = [*P1, "* * *", T2, P2[0][:200]]
    assert len(split_pasted(_draft(T1, short))) == 1
    two = split_pasted(_draft(T1, [*P1, "***", T2, *P2]))
    assert [a.title for a in two] == [T1, T2]
