"""Three years of submissions from every unit of the shipped directory, on SQLite and
PostgreSQL: the compliance grid and the workbook agree with counts kept independently
while the fixture was generated.

The generator mixes what a real archive holds: lazy and diligent units, a unit that never
writes, receipts in the first hours of a month (still the previous month in UTC), resent
duplicates, rejected articles and corrections that arrive days later (sometimes in the next
month or year).
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.report.compliance import compliance
from dienhinh.report.xlsx import SHEET_SUMMARY, write_compliance_xlsx
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from helpers import ENGINES

ICT = timezone(timedelta(hours=7))
YEARS = (2016, 2017, 2018)
STATUSES = ("pending-review", "approved", "published", "rejected", "needs-ocr")
WEIGHTS = (3, 3, 4, 2, 1)


def _local_time(rng: random.Random, year: int, month: int) -> datetime:
    """A receipt time in the month; one in five in its first or last hours."""
    first = datetime(year, month, 1, tzinfo=ICT)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=ICT)
    edge = rng.random()
    if edge < 0.1:
        return first + timedelta(minutes=rng.randrange(0, 7 * 60))  # 00:00-06:59 local
    if edge < 0.2:
        return nxt - timedelta(minutes=rng.randrange(1, 120))
    return first + timedelta(seconds=rng.randrange(int((nxt - first).total_seconds())))


def _period(unit_cadence: str, local: datetime) -> str:
    if unit_cadence == "monthly":
        return f"{local.year}-{local.month:02d}"
    return f"{local.year}-Q{(local.month + 2) // 3}"


def build_archive(session: Session, directory: UnitDirectory, seed: int = 2018) -> Counter:
    """Write the archive; return the expected (received, approved, published) per
    (unit, period, field)."""
    rng = random.Random(seed)
    expected: Counter = Counter()
    units = list(directory)
    silent = units[-1].code  # this one never sends anything
    zeal = {u.code: rng.choice((0.3, 0.8, 1.5, 2.5)) for u in units}
    originals: list[tuple[Article, str, datetime, str]] = []
    n = 0

    def article(code: str, when: datetime, status: str) -> Article:
        nonlocal n
        n += 1
        msg = Message(
            message_id=f"multi-{n}@laocai.gov.vn",
            sha256=f"{n:064x}",
            body_sha256=f"{n:064x}",
            size=2000,
            received_at=when,
            status="ingested",
            unit=code,
        )
        art = Article(
            message=msg, ordinal=1, source="docx", status=status, unit=code, title=f"Bài {n}"
        )
        session.add_all([msg, art])
        return art

    for year in YEARS:
        for month in range(1, 13):
            for u in units:
                if u.code == silent:
                    continue
                per_month = zeal[u.code] / (1 if u.cadence == "monthly" else 3)
                k = int(per_month) + (rng.random() < per_month - int(per_month))
                for _ in range(k):
                    when = _local_time(rng, year, month)
                    status = rng.choices(STATUSES, WEIGHTS)[0]
                    originals.append((article(u.code, when, status), u.code, when, status))
    session.flush()  # ids for the duplicates and revisions below

    for art, code, when, status in originals:
        cadence = directory.get(code).cadence
        period = _period(cadence, when)
        states = {status}
        roll = rng.random()
        if roll < 0.08:  # resent: a duplicate, never counted
            dup = article(code, when + timedelta(days=rng.randrange(1, 20)), "duplicate")
            dup.duplicate_of_id = art.id
        elif roll < 0.16:  # corrected later ("bản sửa"): one submission with the original
            rev_status = rng.choices(STATUSES, WEIGHTS)[0]
            rev = article(code, when + timedelta(days=rng.randrange(1, 25)), rev_status)
            rev.revision_of_id = art.id
            states.add(rev_status)
        received = bool(states - {"rejected"})
        if received:
            expected[(code, period, "received")] += 1
            expected[(code, period, "approved")] += bool(states & {"approved", "published"})
            expected[(code, period, "published")] += "published" in states
    session.commit()
    return expected


@pytest.fixture
def archive(make_config):
    config = make_config()  # the shipped directory: every unit of the province
    directory = UnitDirectory.load(config.tagging.units_file)
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    with Session(engine) as s:
        expected = build_archive(s, directory)
        yield config, directory, s, expected


def test_grid_matches_the_independent_counts(archive):
    config, directory, session, expected = archive
    periods_per_year = sum(12 if u.cadence == "monthly" else 4 for u in directory)
    total = 0
    for year in YEARS:
        rows = compliance(session, config, year)
        assert len(rows) == periods_per_year
        assert [r.unit for r in rows] == [
            u.code for u in directory for _ in range(12 if u.cadence == "monthly" else 4)
        ]
        for r in rows:
            want = tuple(
                expected[(r.unit, r.period, f)] for f in ("received", "approved", "published")
            )
            assert (r.received, r.approved, r.published) == want, (r.unit, r.period)
            assert r.met == (r.received >= 1)
        silent = [r for r in rows if r.unit == list(directory)[-1].code]
        assert silent and all(r.received == 0 and not r.met for r in silent)
        total += sum(r.received for r in rows)
    assert total == sum(v for (_u, _p, f), v in expected.items() if f == "received")
    assert total > 500  # the fixture is not trivially small
    # The contract on real data.
    doc = json.loads(json.dumps([r.as_json() for r in compliance(session, config, 2017)]))
    assert all(
        list(o)
        == ["unit", "period", "required", "received", "approved", "published", "met", "unresolved"]
        for o in doc
    )


def test_workbook_matches_the_grid(archive):
    config, directory, session, expected = archive
    rows = compliance(session, config, 2017)
    buf = io.BytesIO()
    write_compliance_xlsx(rows, directory, 2017, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue()))[SHEET_SUMMARY]
    assert ws["A4"].value == (
        "BÁO CÁO TÌNH HÌNH GỬI BÀI GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN NĂM 2017"
    )
    by_name = {ws.cell(row=i, column=2).value: i for i in range(1, ws.max_row + 1)}

    bac_ha = by_name["UBND huyện Bắc Hà"]
    for month in range(1, 13):  # T1..T12 in columns D..O
        assert (
            ws.cell(row=bac_ha, column=3 + month).value
            == expected[("bac-ha", f"2017-{month:02d}", "received")]
        )
    assert ws.cell(row=bac_ha, column=16).value == sum(
        expected[("bac-ha", f"2017-{m:02d}", "received")] for m in range(1, 13)
    )
    # A quarterly unit: Q3 sits in the merged July-September cell (J:L).
    so_noi_vu = by_name[directory.get("so-noi-vu").name]
    assert ws.cell(row=so_noi_vu, column=10).value == expected[("so-noi-vu", "2017-Q3", "received")]
    assert f"J{so_noi_vu}:L{so_noi_vu}" in {str(r) for r in ws.merged_cells.ranges}

    districts = by_name["Cộng các huyện, thành phố"]
    assert ws.cell(row=districts, column=16).value == sum(
        r.received for r in rows if r.group == "district"
    )
    grand = by_name["TỔNG CỘNG"]
    assert ws.cell(row=grand, column=16).value == sum(r.received for r in rows)
    assert ws.cell(row=grand, column=17).value == sum(r.approved for r in rows)
    assert ws.cell(row=grand, column=18).value == sum(r.published for r in rows)
