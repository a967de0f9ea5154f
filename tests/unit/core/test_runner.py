"""The per-item loop base (core/runner.py) that the ingest's drain, the publication queue
and the notification jobs run on: what its one boundary catches, what it lets through,
and that the run is recorded whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from dienhinh.core.runner import Runner


class Halt(Exception):
    pass


class NotTheItems(Exception):
    pass


@dataclass
class Log:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    halted: list[int] = field(default_factory=list)
    claimed: list[int] = field(default_factory=list)
    finished: bool = False
    recorded: int = 0


class Numbers(Runner[int, Log]):
    """Disposes of numbers; ``bad`` raise a bug, ``halt`` a halting error, ``gone`` an
    error that is not the item's; ``stop_after`` requests a stop after that many."""

    halts = (Halt,)

    def __init__(self, n: int, *, bad=(), halt=(), gone=(), stop_after=None) -> None:
        self.n, self.bad, self.halt, self.gone, self.stop_after = n, bad, halt, gone, stop_after
        self.log = Log()

    def _claim(self) -> Iterator[int]:
        for i in range(self.n):
            self.log.claimed.append(i)  # claimed lazily, when the loop asks
            yield i

    def _dispose(self, item: int, report: Log) -> None:
        if item in self.bad:
            raise ValueError(f"bug on {item}")
        if item in self.halt:
            raise Halt(str(item))
        if item in self.gone:
            raise NotTheItems("the database is gone")
        report.done.append(item)

    def _record_failure(self, item: int, err: Exception, report: Log) -> None:
        report.failed.append((item, str(err)))

    def _passes(self, err: Exception) -> bool:
        return isinstance(err, NotTheItems)

    def _halted(self, item: int, err: Exception, report: Log) -> None:
        report.halted.append(item)

    def _stopping(self) -> bool:
        return self.stop_after is not None and len(self.log.done) >= self.stop_after

    def _done(self, report: Log) -> None:
        report.finished = True

    def _record_run(self, report: Log) -> None:
        report.recorded += 1


def test_one_items_error_is_recorded_on_it_and_the_run_goes_on() -> None:
    r = Numbers(5, bad={1, 3})
    log = r.run(r.log)
    assert log.done == [0, 2, 4]
    assert log.failed == [(1, "bug on 1"), (3, "bug on 3")]
    assert log.finished and log.recorded == 1


def test_a_halting_error_is_recorded_on_its_item_and_ends_the_run() -> None:
    r = Numbers(5, halt={2})
    log = r.run(r.log)
    assert log.done == [0, 1] and log.halted == [2] and log.failed == []
    assert log.claimed == [0, 1, 2]  # the rest is left for the next run, not even claimed
    assert log.finished and log.recorded == 1


def test_an_error_that_is_not_the_items_ends_the_run_and_the_run_is_still_recorded() -> None:
    r = Numbers(5, gone={2})
    with pytest.raises(NotTheItems):
        r.run(r.log)
    assert r.log.done == [0, 1] and r.log.failed == []  # nothing recorded on item 2
    assert not r.log.finished and r.log.recorded == 1


def test_a_base_exception_is_never_caught_as_the_items_failure() -> None:
    class Crash(BaseException):
        pass

    class Crashing(Numbers):
        def _dispose(self, item: int, report: Log) -> None:
            if item == 1:
                raise Crash
            super()._dispose(item, report)

    r = Crashing(3)
    with pytest.raises(Crash):
        r.run(r.log)
    assert r.log.failed == [] and r.log.recorded == 1


def test_a_stop_request_ends_the_run_before_the_next_item_is_claimed() -> None:
    r = Numbers(10, stop_after=3)
    log = r.run(r.log)
    assert log.done == [0, 1, 2] and log.claimed == [0, 1, 2]
    assert log.finished and log.recorded == 1
