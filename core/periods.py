"""Reporting periods: "2018-03" (a month) and "2018-Q1" (a quarter), in local time.

A unit's quota is counted per period of the province's calendar, not UTC's: a mail the
Board received on 2018-04-01 at 05:00 +07:00 is still 2018-03-31 22:00 in UTC but belongs
to April and to Q2. So every function here takes the time zone (``config.timezone``) and
periods start at local midnight. Bounds are half-open, ``[start, end)``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "CADENCES",
    "MAX_YEAR",
    "MIN_YEAR",
    "check_year",
    "month_index",
    "month_starts_utc",
    "period_bounds",
    "period_label",
    "period_of",
    "periods_of_year",
]

CADENCES: Final = ("monthly", "quarterly")
# The Board's archive starts well after 2000; a year outside this range is a typing mistake.
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100

_PERIOD = re.compile(r"(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))")
_ROMAN: Final = ("I", "II", "III", "IV")


def check_year(year: int) -> int:
    """``year`` itself, or ValueError saying which years a report can cover."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    return year


def _check_cadence(cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}, expected one of {CADENCES}")


def period_of(dt: datetime, cadence: str, tz: str) -> str:
    """The period holding the instant ``dt`` (aware) in zone ``tz``."""
    _check_cadence(cadence)
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt!r}: periods need an aware time")
    local = dt.astimezone(ZoneInfo(tz))
    if cadence == "monthly":
        return f"{local.year:04d}-{local.month:02d}"
    return f"{local.year:04d}-Q{(local.month - 1) // 3 + 1}"


def _parse(period: str) -> tuple[int, int, int]:
    """(year, first month, number of months) of a period string."""
    m = _PERIOD.fullmatch(period)
    if m is None:
        raise ValueError(f"not a period: {period!r} (expected '2018-03' or '2018-Q1')")
    year = int(m["year"])
    if m["quarter"]:
        return year, (int(m["quarter"]) - 1) * 3 + 1, 3
    month = int(m["month"])
    if not 1 <= month <= 12:
        raise ValueError(f"not a period: {period!r} (month {month})")
    return year, month, 1


def period_bounds(period: str, tz: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a period: local midnights in ``tz``, as aware datetimes."""
    year, month, length = _parse(period)
    zone = ZoneInfo(tz)
    start = datetime(year, month, 1, tzinfo=zone)
    end_month = month + length
    end = (
        datetime(year + 1, 1, 1, tzinfo=zone)
        if end_month > 12
        else datetime(year, end_month, 1, tzinfo=zone)
    )
    return start, end


def periods_of_year(year: int, cadence: str) -> list[str]:
    """Every period of ``year`` in order: twelve months or four quarters."""
    _check_cadence(cadence)
    if cadence == "monthly":
        return [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    return [f"{year:04d}-Q{q}" for q in range(1, 5)]


def period_label(period: str) -> str:
    """How a Vietnamese report names a period: "Tháng 3/2018", "Quý I/2018"."""
    year, month, length = _parse(period)
    if length == 3:
        return f"Quý {_ROMAN[(month - 1) // 3]}/{year}"
    return f"Tháng {month}/{year}"


@lru_cache(maxsize=64)
def month_starts_utc(year: int, tz: str) -> tuple[datetime, ...]:
    """The thirteen local month starts of ``year`` (January 1st .. next January 1st) in UTC.

    The report buckets thousands of receipt times; a bisect over these is the same rule as
    :func:`period_of` at a fraction of its cost (no zone conversion per row).
    """
    zone = ZoneInfo(tz)
    starts = [datetime(year, m, 1, tzinfo=zone) for m in range(1, 13)]
    starts.append(datetime(year + 1, 1, 1, tzinfo=zone))
    return tuple(s.astimezone(UTC) for s in starts)


def month_index(dt_utc: datetime, starts: tuple[datetime, ...]) -> int | None:
    """0..11 for the local month of ``dt_utc`` within the year ``starts`` describes, None
    when it falls outside that year."""
    i = bisect_right(starts, dt_utc) - 1
    return i if 0 <= i < 12 else None
