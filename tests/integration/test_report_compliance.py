"""Quota compliance counted from real rows, on SQLite and PostgreSQL.

Articles are built directly with the real models (a message per article, as units send
them), so each test states exactly which receipts, states, duplicates and revisions exist.
The builder here (``Board``) is shared with the other test_report_* modules.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from dienhinh.report.compliance import UnknownUnit, build_report, compliance
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from dienhinh.store.states import transition
from helpers import ENGINES

ICT = timezone(timedelta(hours=7))

UNITS_TOML = """
[[unit]]
code = "bac-ha"
name = "UBND huyện Bắc Hà"
group = "district"
cadence = "monthly"

[[unit]]
code = "so-noi-vu"
name = "Sở Nội vụ"
group = "department"
cadence = "quarterly"

[[unit]]
code = "hoi-nong-dan"
name = "Hội Nông dân tỉnh"
group = "mass-org"
cadence = "quarterly"

[[unit]]
code = "sa-pa"
name = "UBND thị xã Sa Pa"
group = "district"
cadence = "monthly"
"""
UNIT_ORDER = ["bac-ha", "so-noi-vu", "hoi-nong-dan", "sa-pa"]


class Board:
    """Writes what the Board received: one message per article unless told otherwise."""

    _ids = itertools.count(1)

    def __init__(self, session: Session) -> None:
        self.s = session

    def message(self, received_at: datetime, unit: str | None) -> Message:
        n = next(self._ids)
        digest = hashlib.sha256(f"m{n}".encode()).hexdigest()
        msg = Message(
            message_id=f"report-{n}@laocai.gov.vn",
            sha256=digest,
            body_sha256=digest,
            size=1000,
            received_at=received_at,
            status="ingested",
            unit=unit,
        )
        self.s.add(msg)
        self.s.flush()
        return msg

    def article(
        self,
        unit: str | None,
        received_at: datetime,
        status: str = "pending-review",
        *,
        revision_of: int | None = None,
        duplicate_of: int | None = None,
        message: Message | None = None,
        article_unit: Any = "same",
    ) -> int:
        """An article of ``unit`` received at ``received_at``; ``article_unit=None``
        leaves Article.unit empty (the message's unit is the fallback)."""
        msg = message or self.message(received_at, unit)
        art = Article(
            message_pk=msg.id,
            ordinal=len(msg.articles) + 1 if message is not None else 1,
            title="Gương điển hình",
            text="Nội dung bài viết.",
            source="docx",
            status=status,
            unit=unit if article_unit == "same" else article_unit,
            revision_of_id=revision_of,
            duplicate_of_id=duplicate_of,
        )
        self.s.add(art)
        self.s.flush()
        return art.id


@pytest.fixture
def units_file(tmp_path: Path) -> Path:
    p = tmp_path / "units.toml"
    p.write_text(UNITS_TOML, encoding="utf-8")
    return p


@pytest.fixture
def config(make_config, units_file):
    return make_config(tagging={"units_file": str(units_file)})


@pytest.fixture
def session(config):
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    with Session(engine) as s:
        yield s


def at(y: int, mo: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    """A local (+07:00) time, as the Board's clock shows it."""
    return datetime(y, mo, d, h, mi, tzinfo=ICT)


def cell(rows, unit: str, period: str):
    (row,) = [r for r in rows if r.unit == unit and r.period == period]
    return row


def counts(rows, unit: str, period: str) -> tuple[int, int, int, bool]:
    r = cell(rows, unit, period)
    return r.received, r.approved, r.published, r.met


# --- periods in local time ------------------------------------------------------------------


def test_receipt_time_decides_the_period_in_local_time(config, session):
    """GIVEN mails received either side of local month, quarter and year ends
    WHEN the reports for 2017 and 2018 are made
    THEN each counts in the local period, although UTC still says the previous one."""
    b = Board(session)
    # 2018-04-01 05:00 +07:00 is 2018-03-31 22:00 UTC: April and Q2.
    b.article("bac-ha", at(2018, 4, 1, 5))
    b.article("so-noi-vu", at(2018, 4, 1, 5))
    # 2018-03-31 23:59 +07:00: still March and Q1.
    b.article("sa-pa", at(2018, 3, 31, 23, 59))
    b.article("hoi-nong-dan", at(2018, 3, 31, 23, 59))
    # 2018-01-01 03:00 +07:00 is 2017-12-31 20:00 UTC: January 2018, not December 2017.
    b.article("bac-ha", at(2018, 1, 1, 3))
    # 2017-12-31 23:30 +07:00: December 2017.
    b.article("bac-ha", at(2017, 12, 31, 23, 30))
    # Stored in UTC as the database keeps it: 2018-06-30 17:00 UTC = 2018-07-01 00:00 +07.
    b.article("so-noi-vu", datetime(2018, 6, 30, 17, 0, tzinfo=UTC))
    session.commit()

    rows = compliance(session, config, 2018)
    assert counts(rows, "bac-ha", "2018-04")[0] == 1
    assert counts(rows, "bac-ha", "2018-03")[0] == 0
    assert counts(rows, "so-noi-vu", "2018-Q2")[0] == 1
    assert counts(rows, "so-noi-vu", "2018-Q3")[0] == 1  # local midnight of July 1st
    assert counts(rows, "sa-pa", "2018-03")[0] == 1
    assert counts(rows, "sa-pa", "2018-04")[0] == 0
    assert counts(rows, "hoi-nong-dan", "2018-Q1")[0] == 1
    assert counts(rows, "bac-ha", "2018-01")[0] == 1
    rows_2017 = compliance(session, config, 2017)
    assert counts(rows_2017, "bac-ha", "2017-12")[0] == 1
    assert sum(r.received for r in rows_2017) == 1


def test_cadence_gives_months_or_quarters_and_every_unit_appears(config, session):
    b = Board(session)
    b.article("bac-ha", at(2018, 2, 10))
    b.article("bac-ha", at(2018, 2, 20))
    b.article("so-noi-vu", at(2018, 2, 10))
    session.commit()

    rows = compliance(session, config, 2018)
    assert [r.unit for r in rows] == (
        ["bac-ha"] * 12 + ["so-noi-vu"] * 4 + ["hoi-nong-dan"] * 4 + ["sa-pa"] * 12
    )
    assert [r.period for r in rows[:12]] == [f"2018-{m:02d}" for m in range(1, 13)]
    assert [r.period for r in rows[12:16]] == ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]
    assert counts(rows, "bac-ha", "2018-02") == (2, 0, 0, True)
    assert counts(rows, "bac-ha", "2018-01") == (0, 0, 0, False)
    assert counts(rows, "so-noi-vu", "2018-Q1") == (1, 0, 0, True)
    # A unit that never sent anything: every period present, all zeros, none met.
    nong_dan = [r for r in rows if r.unit == "hoi-nong-dan"]
    assert [(r.received, r.approved, r.published, r.met) for r in nong_dan] == [
        (0, 0, 0, False)
    ] * 4
    assert all(r.required == 1 for r in rows)
    assert cell(rows, "so-noi-vu", "2018-Q1").unit_name == "Sở Nội vụ"
    q1 = cell(rows, "so-noi-vu", "2018-Q1")
    assert (q1.start, q1.end) == (at(2018, 1, 1, 0), at(2018, 4, 1, 0))


# --- what counts ------------------------------------------------------------------------------


def test_duplicates_and_rejected_do_not_count(config, session):
    b = Board(session)
    first = b.article("bac-ha", at(2018, 5, 2), "approved")
    b.article("bac-ha", at(2018, 5, 3), "duplicate", duplicate_of=first)  # resent
    # duplicate_of set while the state says otherwise (a restore in progress): still not counted
    b.article("bac-ha", at(2018, 5, 4), "pending-review", duplicate_of=first)
    b.article("bac-ha", at(2018, 5, 5), "rejected")
    b.article("sa-pa", at(2018, 5, 5), "rejected")
    session.commit()

    rows = compliance(session, config, 2018)
    assert counts(rows, "bac-ha", "2018-05") == (1, 1, 0, True)
    assert counts(rows, "sa-pa", "2018-05") == (0, 0, 0, False)


def test_received_approved_published_and_the_waiting_states(make_config, units_file, session):
    b = Board(session)
    for status in ("pending-review", "approved", "published", "needs-conversion", "needs-ocr"):
        b.article("so-noi-vu", at(2018, 8, 1), status)
    b.article("hoi-nong-dan", at(2018, 8, 1), "failed")
    session.commit()

    default = make_config(tagging={"units_file": str(units_file)})
    rows = compliance(session, default, 2018)
    assert counts(rows, "so-noi-vu", "2018-Q3") == (5, 2, 1, True)
    # A failed extraction (corrupt, encrypted document) is not a readable submission ...
    assert counts(rows, "hoi-nong-dan", "2018-Q3") == (0, 0, 0, False)
    # ... unless the Board decides to count it.
    lenient = make_config(tagging={"units_file": str(units_file)}, report={"count_failed": True})
    assert counts(compliance(session, lenient, 2018), "hoi-nong-dan", "2018-Q3")[0] == 1


def test_states_changed_by_transition_are_counted(config, session):
    b = Board(session)
    aid = b.article("bac-ha", at(2018, 9, 9))
    session.commit()
    assert counts(compliance(session, config, 2018), "bac-ha", "2018-09") == (1, 0, 0, True)
    art = session.get(Article, aid)
    transition(session, art, "approved", actor="editor:lan")
    transition(session, art, "published", actor="editor:lan")
    session.commit()
    assert counts(compliance(session, config, 2018), "bac-ha", "2018-09") == (1, 1, 1, True)
    transition(session, art, "pending-review", actor="editor:lan", reason="withdrawn")
    session.commit()
    assert counts(compliance(session, config, 2018), "bac-ha", "2018-09") == (1, 0, 0, True)


def test_a_revision_counts_once_with_the_article_it_revises(config, session):
    b = Board(session)
    # Original pending, corrected version approved: one submission, approved.
    orig = b.article("bac-ha", at(2018, 6, 3), "pending-review")
    b.article("bac-ha", at(2018, 6, 20), "approved", revision_of=orig)
    # The editor rejected the first version and published the correction: it counts.
    orig2 = b.article("sa-pa", at(2018, 6, 3), "rejected")
    b.article("sa-pa", at(2018, 6, 5), "published", revision_of=orig2)
    # A correction sent the next month counts in the original's month, not its own.
    orig3 = b.article("so-noi-vu", at(2018, 3, 30), "approved")
    rev3 = b.article("so-noi-vu", at(2018, 4, 2), "pending-review", revision_of=orig3)
    # A revision of a revision is still the same submission.
    b.article("so-noi-vu", at(2018, 4, 9), "rejected", revision_of=rev3)
    session.commit()

    rows = compliance(session, config, 2018)
    assert counts(rows, "bac-ha", "2018-06") == (1, 1, 0, True)
    assert counts(rows, "sa-pa", "2018-06") == (1, 1, 1, True)
    assert counts(rows, "so-noi-vu", "2018-Q1") == (1, 1, 0, True)
    assert counts(rows, "so-noi-vu", "2018-Q2") == (0, 0, 0, False)
    report = build_report(session, config, 2018)
    (sub,) = report.articles("so-noi-vu", "2018-Q1")
    assert sub.article_id == orig3 and len(sub.article_ids) == 3


def test_revision_across_the_year_end_counts_in_the_original_year(config, session):
    """A December article corrected in January: 2018 counts it (with the correction's
    approval), 2019 does not count it again."""
    b = Board(session)
    orig = b.article("bac-ha", at(2018, 12, 28), "rejected")
    rev = b.article("bac-ha", at(2019, 1, 3), "approved", revision_of=orig)
    # A second correction of the first, also in January, then published.
    b.article("bac-ha", at(2019, 1, 10), "published", revision_of=rev)
    # Corrections of articles of other years are not looked at for 2018.
    other = b.article("sa-pa", at(2019, 2, 1), "rejected")
    b.article("sa-pa", at(2019, 2, 5), "approved", revision_of=other)
    session.commit()
    assert counts(compliance(session, config, 2018), "bac-ha", "2018-12") == (1, 1, 1, True)
    assert sum(r.received for r in compliance(session, config, 2018)) == 1
    rows_2019 = compliance(session, config, 2019)
    assert sum(r.received for r in rows_2019) == 1
    assert counts(rows_2019, "sa-pa", "2019-02") == (1, 1, 0, True)


def test_article_without_unit_falls_back_to_the_message_unit(config, session):
    b = Board(session)
    b.article("hoi-nong-dan", at(2018, 11, 11), article_unit=None)
    # The article's own unit wins over the message's (an editor re-assigned it).
    msg = b.message(at(2018, 11, 12), "hoi-nong-dan")
    b.article("so-noi-vu", at(2018, 11, 12), message=msg)
    # Nobody knows the unit, or it is not in the directory: counted for nobody, reported.
    b.article(None, at(2018, 11, 13))
    b.article("khong-co", at(2018, 11, 14))
    session.commit()

    report = build_report(session, config, 2018)
    assert counts(report.rows, "hoi-nong-dan", "2018-Q4")[0] == 1
    assert counts(report.rows, "so-noi-vu", "2018-Q4")[0] == 1
    assert report.unattributed == 2


def test_unit_filter_and_unknown_unit(config, session):
    b = Board(session)
    b.article("sa-pa", at(2018, 7, 7))
    b.article("bac-ha", at(2018, 7, 7))
    session.commit()
    rows = compliance(session, config, 2018, unit="sa-pa")
    assert {r.unit for r in rows} == {"sa-pa"} and len(rows) == 12
    assert counts(rows, "sa-pa", "2018-07") == (1, 0, 0, True)
    with pytest.raises(UnknownUnit, match="khong-co"):
        compliance(session, config, 2018, unit="khong-co")
    with pytest.raises(ValueError, match="1899"):
        compliance(session, config, 1899)


def test_future_periods_are_listed_not_met(config, session):
    b = Board(session)
    b.article("bac-ha", at(2018, 5, 2))
    session.commit()
    now = at(2018, 5, 15)
    rows = compliance(session, config, 2018, now=now)
    may, june = cell(rows, "bac-ha", "2018-05"), cell(rows, "bac-ha", "2018-06")
    assert (may.future, may.met) == (False, True)  # the current period is not future
    assert (june.future, june.met, june.received) == (True, False, 0)
    assert cell(rows, "so-noi-vu", "2018-Q2").future is False
    assert cell(rows, "so-noi-vu", "2018-Q3").future is True
    assert set(june.as_json()) == {
        "unit",
        "period",
        "required",
        "received",
        "approved",
        "published",
        "met",
        "unresolved",
    }


def test_minimum_per_cadence_from_config(make_config, units_file, session):
    b = Board(session)
    b.article("bac-ha", at(2018, 1, 5))
    b.article("so-noi-vu", at(2018, 1, 5))
    b.article("so-noi-vu", at(2018, 2, 5))
    session.commit()
    cfg = make_config(
        tagging={"units_file": str(units_file)},
        report={"monthly_minimum": 2, "quarterly_minimum": 2},
    )
    rows = compliance(session, cfg, 2018)
    assert cell(rows, "bac-ha", "2018-01").required == 2
    assert counts(rows, "bac-ha", "2018-01") == (1, 0, 0, False)
    assert counts(rows, "so-noi-vu", "2018-Q1") == (2, 0, 0, True)


def test_a_report_costs_three_queries(config, session):
    """One query for the year's articles, one (recursive) for later revisions, one for the
    messages waiting for a decision ("chưa rõ", an index look-up); the look-up of earlier
    versions happens only when a revision of the year points at an older year."""
    b = Board(session)
    for i in range(60):
        b.article(UNIT_ORDER[i % 4], at(2018, 1 + i % 12, 1 + i % 28))
    session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        compliance(session, config, 2018)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 3, statements


def test_undecided_no_article_messages_make_a_period_unresolved(config, session):
    """Issue 12: a message from a unit that yielded no article and waits for an editor
    (``review_needed``) makes its unit-period "chưa rõ": ``met`` stays false, ``unresolved``
    counts the messages; once decided the period is plainly missed. A period already met
    stays met, and a message of another year counts there."""
    b = Board(session)
    waiting = b.message(at(2018, 3, 10), "bac-ha")
    waiting.status, waiting.review_needed = "failed", True
    other_year = b.message(at(2017, 12, 30), "bac-ha")
    other_year.status, other_year.review_needed = "no-article", True
    b.article("so-noi-vu", at(2018, 2, 1))
    b.article("so-noi-vu", at(2018, 2, 2))
    met_anyway = b.message(at(2018, 2, 3), "so-noi-vu")
    met_anyway.status, met_anyway.review_needed = "no-article", True
    session.commit()

    rows = compliance(session, config, 2018, now=at(2018, 12, 31))
    march = cell(rows, "bac-ha", "2018-03")
    assert (march.met, march.unresolved, march.undecided) == (False, 1, True)
    assert march.as_json()["met"] is False and march.as_json()["unresolved"] == 1
    assert cell(rows, "bac-ha", "2018-01").unresolved == 0  # December 2017 is not here
    q1 = cell(rows, "so-noi-vu", "2018-Q1")
    assert (q1.met, q1.unresolved, q1.undecided) == (True, 1, False)

    waiting.review_needed = False  # an editor confirmed: no article
    session.commit()
    march = cell(compliance(session, config, 2018, now=at(2018, 12, 31)), "bac-ha", "2018-03")
    assert (march.met, march.unresolved, march.undecided) == (False, 0, False)
