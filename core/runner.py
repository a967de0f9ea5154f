"""The per-item loop of the ingest, the publication queue and the notifications.

As GNU Mailman 3's ``Runner`` (``core/runner.py``: ``_one_iteration`` calls ``_dispose``
on each queued message under the one ``except`` that shunts a failing one), a run here
is three steps, written once:

1. **claim** the items this run holds (``_claim``): rows locked ``SKIP LOCKED`` or
   claimed by a compare-and-set, candidates whose claim happens item by item, results
   read from the extraction pool. It may be a generator: an item is claimed only when
   the loop asks for it, after the stop request is checked.
2. **dispose** of each item (``_dispose``) under **one failure boundary**: an error that
   is the item's (a bug, a value the database refuses, a hostile input) is recorded on
   that item by ``_record_failure`` and the run goes on with the next one. Errors that are
   not the item's pass through: ``_passes(err)`` (the database is gone: the run ends and
   the items stay claimable) and ``BaseException`` (a stop, a crash: nothing is recorded
   that did not happen). Errors in ``halts`` end the run after ``_halted`` recorded them
   on the item (the mail server is down: the next items would fail the same way).
3. **record the run** (``_record_run``), in a ``finally``: also when the run ends on an
   error, so the run's row (or the release of what it holds) is never skipped.

``run`` is the only public method. The item's own states and the run's report belong to
the subclass; this module knows nothing of the database, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, TypeVar

__all__ = ["Runner"]

ItemT = TypeVar("ItemT")
ReportT = TypeVar("ReportT")

_END = object()


class Runner(Generic[ItemT, ReportT]):
    """Claim items, dispose of each under one boundary, record the run (module docstring).

    Subclasses implement ``_claim``, ``_dispose`` and ``_record_failure``; the other
    hooks have defaults that do nothing.
    """

    #: Errors that end the run rather than fail one item (recorded by ``_halted``).
    halts: ClassVar[tuple[type[Exception], ...]] = ()

    def run(self, report: ReportT) -> ReportT:
        """Dispose of every claimed item unless a stop is requested; returns ``report``."""
        try:
            items = iter(self._claim())
            while not self._stopping():
                item = next(items, _END)  # a generator claims (or extracts) here
                if item is _END:
                    break
                if not self._boundary(item, report):  # type: ignore[arg-type]
                    break
            self._done(report)
        finally:
            self._record_run(report)
        return report

    def _boundary(self, item: ItemT, report: ReportT) -> bool:
        """The failure boundary: False when the run must end (a halting error)."""
        try:
            self._dispose(item, report)
        except self.halts as err:
            self._halted(item, err, report)
            return False
        except Exception as err:  # the boundary (module docstring); logged by the subclass
            if self._passes(err):
                raise
            self._record_failure(item, err, report)
        return True

    # --- what subclasses say -------------------------------------------------------------

    def _claim(self) -> Iterable[ItemT]:
        """The items this run holds, in the order they are disposed of."""
        raise NotImplementedError

    def _dispose(self, item: ItemT, report: ReportT) -> None:
        """The work for one item; raises for a failure of that item."""
        raise NotImplementedError

    def _record_failure(self, item: ItemT, err: Exception, report: ReportT) -> None:
        """Record ``err`` on ``item`` (its state, its error, a log line) and count it."""
        raise NotImplementedError

    def _passes(self, err: Exception) -> bool:
        """True for an error that is not the item's: it ends the run, recorded on nothing."""
        return False

    def _halted(self, item: ItemT, err: Exception, report: ReportT) -> None:
        """Record a halting error (one of ``halts``) on the item and the report."""

    def _stopping(self) -> bool:
        """True when the run must end before the next item (a stop request)."""
        return False

    def _done(self, report: ReportT) -> None:
        """After the last item, when the run ended without an error (a final flush)."""

    def _record_run(self, report: ReportT) -> None:
        """Record the run and release what it holds; runs whatever happened."""
