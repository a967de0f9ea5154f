"""The search index follows the articles (refresh by updated_at, cascade on delete) and
matches without diacritics, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.orm import Session

from dienhinh.review import search
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, ArticleSearch, Message


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_engine(db_url)
    if eng.dialect.name == "sqlite":
        from sqlalchemy import event

        event.listen(eng, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    upgrade(eng)
    yield eng
    eng.dispose()


def _article(s: Session, n: int, title: str, body: str) -> Article:
    msg = Message(
        message_id=f"m{n}@x",
        sha256="0" * 64,
        body_sha256="0" * 64,
        size=1,
        received_at=datetime(2024, 3, 1, tzinfo=UTC),
        status="ingested",
        subject=f"Gửi bài {n}",
        from_name="Phòng Nội vụ",
        from_addr="pnv@laocai.gov.vn",
    )
    s.add(msg)
    s.flush()
    art = Article(
        message_pk=msg.id,
        ordinal=1,
        title=title,
        text=body,
        source="text-body",
        status="pending-review",
    )
    s.add(art)
    s.flush()
    return art


def _found(s: Session, query: str) -> set[int]:
    cond = search.match(s, query)
    assert cond is not None
    return set(s.execute(select(Article.id).where(cond)).scalars())


def test_refresh_indexes_and_search_ignores_diacritics_case_and_đ(engine: Engine) -> None:
    with Session(engine) as s:
        a = _article(s, 1, "Đồng chí Vàng Seo Chứ", "Trồng thảo quả dưới tán rừng ở Bắc Hà.")
        b = _article(s, 2, "Nuôi cá hồi", "Mô hình nuôi cá hồi nước lạnh ở Sa Pa.")
        s.commit()
        assert search.refresh(s) == search.RefreshResult(2, 0)
        assert search.refresh(s).indexed == 0  # nothing stale
        assert _found(s, "thao qua") == {a.id}
        assert _found(s, "THẢO QUẢ") == {a.id}
        assert _found(s, "dong chi") == {a.id}  # đ -> d
        assert _found(s, "ca hoi sa pa") == {b.id}
        assert _found(s, "thao") == {a.id}  # a prefix
        assert _found(s, "pnv") == {a.id, b.id}  # the sender is searched too
        assert _found(s, "ca hoi bac ha") == set()  # every word must match


def test_an_edited_article_is_reindexed_and_a_deleted_one_disappears(engine: Engine) -> None:
    with Session(engine) as s:
        a = _article(s, 1, "Tiêu đề cũ", "Nội dung về hợp tác xã chè.")
        s.commit()
        search.refresh(s)
        a.text = "Nội dung mới về homestay Tả Van."
        a.updated_at = datetime.now(UTC)
        s.commit()
        assert search.refresh(s, limit=10, quick=True) == search.RefreshResult(1, 0)
        assert _found(s, "homestay ta van") == {a.id}
        assert _found(s, "hop tac xa") == set()
        s.execute(delete(Article).where(Article.id == a.id))
        s.commit()
        assert s.execute(select(ArticleSearch)).first() is None  # cascade
        assert _found(s, "homestay") == set()
        if engine.dialect.name == "sqlite":  # the FTS5 index followed the table
            n = s.execute(
                text("SELECT count(*) FROM article_fts WHERE article_fts MATCH 'homestay'")
            )
            assert n.scalar_one() == 0


@pytest.mark.parametrize(
    "query", ['"', "a*", "OR", "NOT x", "a:b", "(", "'", "\\", "&|!", "NEAR(a b)"]
)
def test_search_syntax_in_a_query_is_plain_text(engine: Engine, query: str) -> None:
    with Session(engine) as s:
        _article(s, 1, "Một bài", "Không có gì đặc biệt.")
        s.commit()
        search.refresh(s)
        cond = search.match(s, query)
        # No syntax error, and the operators are words like any other: none of them is a
        # word of the article, so nothing matches (an "OR" or "NOT x" read as syntax would).
        found = [] if cond is None else s.execute(select(Article.id).where(cond)).all()
        assert found == []


def test_query_terms() -> None:
    assert search.query_terms("  Bắc   Hà! ") == ["bac", "ha"]
    assert search.query_terms("Đường bê-tông") == ["duong", "be", "tong"]
    assert search.query_terms("***") == []


def test_a_common_word_finds_the_same_articles_by_the_other_plan(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``_COMMON`` matches the condition is written differently (SQLite: the queue's
    index drives, ``id + 0``; PostgreSQL: a subquery run with sequential scans off): the
    queue's page and neighbours must come out the same as by the rare-word plan, and its
    state counts the same up to the cap (``_COMMON + 1`` above it: "hơn ...")."""
    from dienhinh.review import queue

    with Session(engine) as s:
        for n in range(12):
            body = "Thôn bản đổi mới. " * 30 + ("Nông thôn mới ở xã." if n % 3 else "")
            art = _article(s, n, f"Bài {n}", body)
            if n % 4 == 0:
                art.status = "approved"
        s.commit()
        search.refresh(s)

    def results() -> tuple[list[int], dict[str, int], int | None]:
        out = []
        for q in ("thon", "nong thon moi"):
            f = queue.Filters(state="", q=q)
            with Session(engine) as s:
                rows, _next = queue.page(s, f, "Asia/Ho_Chi_Minh", 5)
                counts = queue.counts(s, f, "Asia/Ho_Chi_Minh")
                nxt = queue.neighbour(s, f, "Asia/Ho_Chi_Minh", rows[0].id, older=True)
                # the transaction's settings are back to normal for what follows
                if engine.dialect.name == "postgresql":
                    assert s.execute(text("SHOW enable_seqscan")).scalar() == "on"
            out.append(([r.id for r in rows], counts, nxt))
        return out  # type: ignore[return-value]

    rare = results()
    monkeypatch.setattr(search, "_COMMON", 3)
    common = results()
    assert [(ids, nxt) for ids, _c, nxt in common] == [(ids, nxt) for ids, _c, nxt in rare]
    capped = [{k: min(v, 4) for k, v in c.items()} for _ids, c, _nxt in rare]
    assert [c for _ids, c, _nxt in common] == capped
    assert common[0][1]["pending-review"] == 4  # 9 past the cap of 3
    assert rare[0][1]["approved"] == 3 and sum(rare[0][1].values()) == 12
    assert sum(rare[1][1].values()) == 8


def test_a_search_page_read_from_the_index_newest_first_is_the_queue_s_page(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reads a search's page from the full-text index newest first, the state from
    the index too (queue._walk_search); every state, page size and keyset position gives
    what the queue's condition gives."""
    from dienhinh.review import queue

    states = ["pending-review", "approved", "rejected", "published"]
    with Session(engine) as s:
        for n in range(30):
            body = "Mô hình nông thôn mới ở thôn. " * 20 + (
                "Homestay bản Cát Cát." if n % 2 else ""
            )
            art = _article(s, n, f"Bài {n}", body)
            art.status = states[n % 7 % 4]
        s.commit()
        search.refresh(s)
    tz = "Asia/Ho_Chi_Minh"
    walked = 0
    real_walk = queue._walk_search

    def spy(f: queue.Filters) -> bool:
        nonlocal walked
        used = real_walk(f)
        walked += used
        return used

    for q in ("thon", "homestay cat", "khong co"):
        for state in ["", *states]:
            for before in (None, 25, 12):
                f = queue.Filters(state=state, q=q, before=before)
                with Session(engine) as s:
                    monkeypatch.setattr(queue, "_walk_search", spy)
                    counts = queue.counts(s, f, tz)
                    got = queue.page(s, f, tz, 4, counts)
                    monkeypatch.setattr(queue, "_walk_search", lambda _f: False)
                    want = queue.page(s, f, tz, 4, None)
                assert [r.id for r in got[0]] == [r.id for r in want[0]], (q, state, before)
                assert got[1] == want[1], (q, state, before)
    if engine.dialect.name == "sqlite":
        assert walked > 0


def test_each_state_is_told_apart_by_its_words_in_the_text_index() -> None:
    """SQLite finds a state in ``article_fts`` by all of its words ("needs-ocr": needs AND
    ocr): no state's words may all be among another state's, or a search in one state
    would count the other's articles too."""
    from dienhinh.store.states import ArticleState

    words = {state.value: set(search.state_words(state.value)) for state in ArticleState}
    assert words["needs-ocr"] == {"needs", "ocr"}
    for state, mine in words.items():
        assert mine, state
        for other, theirs in words.items():
            assert other == state or not mine <= theirs, (state, other)
