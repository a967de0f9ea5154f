"""Periods in the province's time: months and quarters start at local midnight (+07:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dienhinh.core.periods import (
    check_year,
    month_index,
    month_starts_utc,
    period_bounds,
    period_label,
    period_of,
    periods_of_year,
)

TZ = "Asia/Ho_Chi_Minh"
ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("local", "monthly", "quarterly"),
    [
        # The issue's case: still March in UTC, April (Q2) for the Board.
        (datetime(2018, 4, 1, 5, 0, tzinfo=ICT), "2018-04", "2018-Q2"),
        (datetime(2018, 4, 1, 0, 0, tzinfo=ICT), "2018-04", "2018-Q2"),
        (datetime(2018, 3, 31, 23, 59, 59, tzinfo=ICT), "2018-03", "2018-Q1"),
        (datetime(2018, 1, 1, 0, 0, tzinfo=ICT), "2018-01", "2018-Q1"),
        (datetime(2017, 12, 31, 23, 59, tzinfo=ICT), "2017-12", "2017-Q4"),
        (datetime(2018, 7, 1, 6, 59, tzinfo=ICT), "2018-07", "2018-Q3"),
        (datetime(2018, 6, 30, 23, 0, tzinfo=ICT), "2018-06", "2018-Q2"),
        (datetime(2018, 10, 1, 0, 0, tzinfo=ICT), "2018-10", "2018-Q4"),
        (datetime(2018, 9, 30, 23, 59, tzinfo=ICT), "2018-09", "2018-Q3"),
        (datetime(2020, 2, 29, 12, 0, tzinfo=ICT), "2020-02", "2020-Q1"),
    ],
)
def test_period_of_in_local_time(local, monthly, quarterly):
    as_utc = local.astimezone(UTC)
    assert period_of(as_utc, "monthly", TZ) == monthly
    assert period_of(as_utc, "quarterly", TZ) == quarterly


def test_the_issue_case_written_in_utc():
    utc = datetime(2018, 3, 31, 22, 0, tzinfo=UTC)
    assert period_of(utc, "monthly", "UTC") == "2018-03"
    assert period_of(utc, "monthly", TZ) == "2018-04"
    assert period_of(utc, "quarterly", TZ) == "2018-Q2"


def test_bounds_are_local_midnights_half_open():
    assert period_bounds("2018-03", TZ) == (
        datetime(2018, 3, 1, tzinfo=ICT),
        datetime(2018, 4, 1, tzinfo=ICT),
    )
    assert period_bounds("2018-Q4", TZ) == (
        datetime(2018, 10, 1, tzinfo=ICT),
        datetime(2019, 1, 1, tzinfo=ICT),
    )
    assert period_bounds("2018-12", TZ)[1] == datetime(2019, 1, 1, tzinfo=ICT)
    start, end = period_bounds("2018-Q2", TZ)
    assert start.astimezone(UTC) == datetime(2018, 3, 31, 17, 0, tzinfo=UTC)
    assert start.tzinfo is not None and end.tzinfo is not None


def test_periods_of_year():
    assert periods_of_year(2018, "monthly") == [f"2018-{m:02d}" for m in range(1, 13)]
    assert periods_of_year(2018, "quarterly") == ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]


@pytest.mark.parametrize("bad", ["2018-13", "2018-00", "2018-Q5", "2018-3", "18-03", "2018Q1", ""])
def test_bad_periods_are_refused(bad):
    with pytest.raises(ValueError, match="not a period"):
        period_bounds(bad, TZ)


def test_naive_times_and_unknown_cadences_are_refused():
    with pytest.raises(ValueError, match="naive"):
        period_of(datetime(2018, 4, 1), "monthly", TZ)
    with pytest.raises(ValueError, match="cadence"):
        period_of(datetime(2018, 4, 1, tzinfo=UTC), "weekly", TZ)
    with pytest.raises(ValueError, match="cadence"):
        periods_of_year(2018, "yearly")


def test_year_range_and_labels():
    assert check_year(2018) == 2018
    with pytest.raises(ValueError, match="outside"):
        check_year(1999)
    with pytest.raises(ValueError, match="outside"):
        check_year(20188)
    assert period_label("2018-03") == "Tháng 3/2018"
    assert period_label("2018-Q4") == "Quý IV/2018"


@given(
    st.datetimes(
        min_value=datetime(2001, 1, 1),
        max_value=datetime(2098, 12, 31),
        timezones=st.just(UTC),
    ),
    st.sampled_from(["monthly", "quarterly"]),
)
def test_a_time_lies_within_the_bounds_of_its_period(dt, cadence):
    period = period_of(dt, cadence, TZ)
    start, end = period_bounds(period, TZ)
    assert start <= dt < end
    assert period in periods_of_year(int(period[:4]), cadence)
    # The fast bucketing used by the report agrees with period_of.
    local = dt.astimezone(ICT)
    idx = month_index(dt, month_starts_utc(local.year, TZ))
    assert idx == local.month - 1
    assert month_index(dt, month_starts_utc(local.year + 1, TZ)) is None
