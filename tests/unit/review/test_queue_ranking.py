"""The queue's search ranked by relevance, the "today" filter at the day's edges and the
unread marks per editor, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from dienhinh.review import queue, reads, search
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message, User

TZ = "Asia/Ho_Chi_Minh"
ICT = ZoneInfo(TZ)
FILLER = "Người dân trong thôn cùng làm, cùng hưởng và giữ gìn nếp sống mới."


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_engine(db_url)
    if eng.dialect.name == "sqlite":
        event.listen(eng, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    upgrade(eng)
    yield eng
    eng.dispose()


_n = iter(range(1, 10_000))


def _article(
    s: Session,
    title: str,
    body: str = FILLER,
    *,
    status: str = "pending-review",
    received_at: datetime | None = None,
) -> int:
    n = next(_n)
    msg = Message(
        message_id=f"rank-{n}@x",
        sha256=f"{n:064d}",
        body_sha256=f"{n:064d}",
        size=1,
        received_at=received_at or datetime(2024, 3, 1, tzinfo=UTC),
        status="ingested",
        subject=f"Gửi bài số {n}",
        from_name="Phòng Nội vụ",
        from_addr="pnv@laocai.gov.vn",
    )
    s.add(msg)
    s.flush()
    art = Article(
        message_pk=msg.id, ordinal=1, title=title, text=body, source="text-body", status=status
    )
    s.add(art)
    s.flush()
    return art.id


def _ranked(engine: Engine, q: str, **filters: object) -> list[int] | None:
    with Session(engine) as s:
        return queue.ranked_ids(s, queue.Filters(q=q, **filters), TZ)  # type: ignore[arg-type]


def test_search_is_ranked_title_phrase_then_title_words_then_phrase_then_newest(
    engine: Engine,
) -> None:
    """A fixed set of articles and queries with the order expected: the query as a phrase
    in the title, then more of its words in the title, then the phrase in the text, then
    scattered words, the newest first among equals."""
    with Session(engine) as s:
        phrase_title = _article(s, "Bắc Hà đổi mới từ cây chè", FILLER)
        both_words_title = _article(s, "Người Hà Nhì ở Bắc Yên", FILLER)
        one_word_title = _article(
            s, "Chợ phiên vùng cao phía Bắc", "Người Hà Nhì đi chợ, uống chè. " + FILLER
        )
        phrase_body = _article(s, "Mô hình chăn nuôi", "Xã Bảo Nhai, huyện Bắc Hà, có mô hình mới.")
        scattered = _article(s, "Cây chè cổ thụ", "Từ Bắc Giang tới Hà Nội, chè được ưa chuộng.")
        scattered_newer = _article(s, "Cây chè shan", "Người Hà Nhì mang chè về phía Bắc.")
        _article(s, "Homestay ở Sa Pa", FILLER)  # no "ha": not a match at all
        s.commit()
        search.refresh(s)

    want = [phrase_title, both_words_title, one_word_title, phrase_body, scattered_newer, scattered]
    assert _ranked(engine, "bắc hà") == want
    assert _ranked(engine, "BAC HA") == want  # no diacritics, any case: the same order
    # One word: a title match above a text match, the newest first among each.
    assert _ranked(engine, "chè") == [scattered_newer, scattered, phrase_title, one_word_title]
    # The queue's page shows that order, and its neighbours follow it.
    with Session(engine) as s:
        f = queue.Filters(state="", q="bac ha")
        ranked = queue.ranked_ids(s, f, TZ)
        assert ranked is not None
        rows, next_skip = queue.ranked_page(s, ranked, 0, 4)
        assert [r.id for r in rows] == want[:4] and next_skip == 4
        rows, next_skip = queue.ranked_page(s, ranked, 4, 4)
        assert [r.id for r in rows] == want[4:] and next_skip is None
        assert queue.neighbour(s, f, TZ, phrase_body, older=True) == scattered_newer
        assert queue.neighbour(s, f, TZ, phrase_body, older=False) == one_word_title
        assert queue.neighbour(s, f, TZ, phrase_title, older=False) is None


def test_ranked_search_keeps_the_other_filters_and_the_approved_article_s_place(
    engine: Engine,
) -> None:
    with Session(engine) as s:
        first = _article(s, "Lào Cai vươn lên", FILLER)
        second = _article(s, "Kinh nghiệm ở Lào Cai", FILLER, status="approved")
        third = _article(s, "Tin vắn", "Tỉnh Lào Cai có nhiều mô hình hay.")
        s.commit()
        search.refresh(s)
    assert _ranked(engine, "lao cai", state="pending-review") == [first, third]
    assert _ranked(engine, "lao cai", state="") == [second, first, third]  # newer first
    with Session(engine) as s:
        # The first article was just approved out of the "pending" tab: the next one is
        # still the one after its place in the ranking.
        s.get(Article, first).status = "approved"  # type: ignore[union-attr]
        s.commit()
        f = queue.Filters(state="pending-review", q="lao cai")
        assert queue.neighbour(s, f, TZ, first, older=True) == third


def test_vietnamese_diacritics_and_case_do_not_matter(engine: Engine) -> None:
    """Decision: search ignores diacritics, case and đ both ways (an editor types without
    marks on a phone): "lao cai", "Lào Cai" and "LAO CAI" all find "LÀO CAI" and "Lao Cai"."""
    with Session(engine) as s:
        upper = _article(s, "LÀO CAI VƯƠN LÊN", FILLER)
        plain = _article(s, "Tin từ Lao Cai", FILLER)
        dong = _article(s, "Đồng bào Dao đỏ", FILLER)
        s.commit()
        search.refresh(s)
    for q in ("lao cai", "Lào Cai", "LAO CAI", "lào cái"):
        assert _ranked(engine, q) == [plain, upper], q
    assert _ranked(engine, "dong bao") == [dong]
    assert _ranked(engine, "ĐỒNG BÀO") == [dong]


def test_a_common_search_is_ranked_within_a_window_title_matches_first(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap a search ranks a bounded window, never every match: its newest matches
    and the newest articles whose title holds every word. The old article with the phrase
    in its title still comes first; an old one holding the words in its text only, outside
    the window, is not read."""
    with Session(engine) as s:
        best = _article(s, "Phong trào thi đua ở Bắc Hà", FILLER)
        old_text = _article(s, "Tin cũ", "Phong trào thi đua của thôn. " + FILLER)
        newer = [_article(s, f"Bài {i}", "Phong trào thi đua của xã. " + FILLER) for i in range(6)]
        s.commit()
        search.refresh(s)
    everything = _ranked(engine, "phong trao")
    assert everything == [best, *newer[::-1], old_text]  # few matches: every one ranked
    monkeypatch.setattr(search, "_COMMON", 3)
    monkeypatch.setattr(search, "_RANK_LIMIT", 3)
    monkeypatch.setattr(search, "_WINDOW", 4)
    assert _ranked(engine, "phong trao") == [best, *newer[::-1][:4]]
    assert _ranked(engine, "phong trao", state="pending-review") == [best, *newer[::-1][:4]]
    assert _ranked(engine, "phong trao", state="approved") == []
    assert _ranked(engine, "") is None


def test_relevance_key() -> None:
    terms = search.query_terms("lung phi")
    assert search.relevance("Bản Lùng Phình", terms, True) == (1, 2, 1)  # a prefix last
    assert search.relevance("Phình ở Lùng", terms, False) == (0, 2, 0)
    assert search.relevance("", terms, True) == (0, 0, 1)
    assert search.relevance("Lùng", ["lung"], True) == (0, 1, 0)  # one word: no phrase


def _today_edges() -> tuple[datetime, datetime, datetime]:
    """Local midnight today and the minutes either side of it (23:59 yesterday, 00:01)."""
    now = datetime.now(ICT)
    midnight = datetime(now.year, now.month, now.day, tzinfo=ICT)
    return midnight, midnight - timedelta(minutes=1), midnight + timedelta(minutes=1)


def test_today_bounds_at_the_day_boundary() -> None:
    late = datetime(2026, 12, 6, 23, 59, tzinfo=ICT)
    early = datetime(2026, 12, 7, 0, 1, tzinfo=ICT)
    start, end = queue.period_bounds("today", TZ, now=early)  # type: ignore[misc]
    assert start == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 00:00 +07:00
    assert end == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert not start <= late < end and start <= early < end
    start, end = queue.period_bounds("today", TZ, now=late)  # type: ignore[misc]
    assert start <= late < end and not start <= early < end
    assert queue.Filters.from_params({"period": "today"}).period == "today"
    assert queue.Filters.from_params({"period": "yesterday"}).period == ""


def test_today_filter_keeps_the_mail_received_since_local_midnight(engine: Engine) -> None:
    _midnight, before, after = _today_edges()
    with Session(engine) as s:
        yesterday = _article(s, "Nhận lúc 23:59 hôm qua", received_at=before)
        today = _article(s, "Nhận lúc 00:01 hôm nay", received_at=after)
        _article(s, "Nhận tháng trước", received_at=before - timedelta(days=30))
        s.commit()
        search.refresh(s)
        f = queue.Filters(state="", period="today")
        rows, _next = queue.page(s, f, TZ, 50)
        assert [r.id for r in rows] == [today]
        assert sum(queue.counts(s, f, TZ).values()) == 1
        assert yesterday not in [r.id for r in rows]
        # With a search too (ranked): the same day.
        assert queue.ranked_ids(s, queue.Filters(state="", period="today", q="nhan"), TZ) == [today]


def test_unread_marks_are_per_editor(engine: Engine) -> None:
    with Session(engine) as s:
        a = _article(s, "Bài thứ nhất")
        b = _article(s, "Bài thứ hai")
        mai_user, lan_user = (
            User(login="mai", password_hash="-"),
            User(login="lan", password_hash="-"),
        )
        s.add_all([mai_user, lan_user])
        s.commit()
        mai, lan = mai_user.id, lan_user.id
        assert reads.read_ids(s, mai, [a, b]) == set()
        reads.mark_read(s, mai, a)
        reads.mark_read(s, mai, a)  # opening it again changes nothing
        assert reads.read_ids(s, mai, [a, b]) == {a}
        assert reads.read_ids(s, lan, [a, b]) == set()
        reads.mark_read(s, lan, b)
        assert reads.read_ids(s, lan, [a, b]) == {b}
        assert reads.read_ids(s, mai, []) == set()


def test_words_inside_markup_like_text_are_found_on_both_databases(engine: Engine) -> None:
    """PostgreSQL's parser drops words inside what looks like a tag ("xss" in
    ``<script>alert("xss")</script>``); the searched text has no markup characters, so
    both databases find what the sender wrote."""
    with Session(engine) as s:
        hostile = _article(s, 'Bài <script>alert("xss")</script><img src=x onerror=alert(1)>')
        s.commit()
        search.refresh(s)
    assert _ranked(engine, "xss") == [hostile]
    assert _ranked(engine, "onerror alert") == [hostile]
