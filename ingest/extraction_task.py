"""What one extraction runs, in a process of the extraction pool or in the polling
process itself: read a stored message, extract it, compute its de-duplication features and
tag it, every failure turned into a recorded result (see :func:`_extract_boundary`).

Its own module, apart from the queue that claims messages and runs the pool
(ingest/extraction.py): the pool's forkserver imports this and the extraction code only,
not SQLAlchemy, the models or the writers, which no extraction process uses (about a third
of the forkserver's start-up, before the first message can be extracted).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dienhinh.core.config import TaggingConfig
from dienhinh.core.errors import StorageError
from dienhinh.core.types import Outcome
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.procguard import alive, die_with_parent

if TYPE_CHECKING:  # the taggers are imported where a message is tagged (start-up cost)
    from dienhinh.classifiers.tagging import MessageTags

__all__ = ["ExtractionTimeout", "Job", "Result", "extract_bytes"]

log = logging.getLogger("dienhinh.ingest.extraction")

Job = tuple[int, str, ExtractContext]  # (message pk, path of its raw bytes, context)
Result = tuple[int, str, object]


class ExtractionTimeout(BaseException):
    """Raised (by SIGALRM) in a message's extraction that outlived
    ``ingest.extraction_timeout_seconds``. A BaseException, so that the extractors' own
    ``except Exception`` boundaries (one attachment's failure) cannot swallow it."""


# In an extraction worker: the table shared with the parent (pid, message pk, start time
# per worker) and this worker's row in it; see ExtractionQueue._kill_hung.
_SLOTS: Any = None
_SLOT = -1


def _init_worker(slots: Any, owner: int) -> None:
    """Pool initializer: die with the forkserver (so with the poll, see procguard), or at
    once if the poll (``owner``) already ended; then take a row of the shared table where
    the parent sees what this worker is doing."""
    global _SLOTS, _SLOT
    die_with_parent()
    if not alive(owner):
        os._exit(1)
    _SLOTS = slots
    with slots.get_lock():
        for i in range(len(slots) // 3):
            if slots[3 * i] == 0:
                slots[3 * i] = os.getpid()
                _SLOT = i
                break


def _on_alarm(signum: int, frame: object) -> None:
    raise ExtractionTimeout


@contextmanager
def _time_limit(pk: int, seconds: int) -> Iterator[None]:
    """Stop the extraction after ``seconds``: SIGALRM raises ExtractionTimeout in it (only
    in a main thread: an extraction worker, the command's own process). The parent's
    watchdog kills a worker that a C-level hang keeps deaf to it (see _kill_hung)."""
    if _SLOTS is not None and _SLOT >= 0:
        with _SLOTS.get_lock():
            _SLOTS[3 * _SLOT + 1] = pk
            _SLOTS[3 * _SLOT + 2] = time.monotonic()
    armed = seconds > 0 and threading.current_thread() is threading.main_thread()
    previous: Any = None
    if armed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if _SLOTS is not None and _SLOT >= 0:
            with _SLOTS.get_lock():
                _SLOTS[3 * _SLOT + 1] = 0
                _SLOTS[3 * _SLOT + 2] = 0


def _timeout_result(pk: int, seconds: int, how: str) -> Result:
    return (
        pk,
        "error",
        (f"timeout: extraction took over {seconds} s", f"ExtractionTimeout: {how}"),
    )


def _extract_boundary(args: Job) -> Result:
    """Run extraction for one stored message; never raises.

    Returns (message pk, kind, payload): ("ok", Outcome), ("transient", (error, detail))
    or ("error", (error, detail)). This is the documented catch-all boundary: any bug or
    hostile input in a parser becomes a recorded failure of this message only, and so does
    an extraction running past ``ingest.extraction_timeout_seconds``.
    """
    pk, _blob_path, ctx = args
    seconds = int(getattr(ctx.limits, "extraction_timeout_seconds", 0) or 0)
    try:
        with _time_limit(pk, seconds):
            return _extract_one(args)
    except ExtractionTimeout:
        log.error("message pk=%s: extraction stopped after %s s", pk, seconds)
        return _timeout_result(pk, seconds, "stopped by the extraction's own timer")


def _extract_chunk(chunk: tuple[ExtractContext, list[tuple[int, str]]]) -> list[Result]:
    """A pool task: several messages, with the context they share sent once."""
    ctx, items = chunk
    return [_extract_boundary((pk, path, ctx)) for pk, path in items]


def _extract_one(args: Job) -> Result:
    """The extraction of one message, with every exception turned into a result."""
    pk, blob_path, ctx = args
    try:
        return pk, "ok", extract_bytes(Path(blob_path).read_bytes(), ctx)
    except StorageError as err:
        return pk, "transient", (str(err), traceback.format_exc())
    except OSError as err:
        return pk, "transient", (f"cannot read stored message: {err}", traceback.format_exc())
    except Exception as err:  # noqa: BLE001 - the boundary: see docstring
        return (
            pk,
            "error",
            (
                f"internal error while extracting: {type(err).__name__}: {err}",
                traceback.format_exc(),
            ),
        )


def extract_bytes(data: bytes, ctx: ExtractContext) -> Outcome:
    """Everything the extraction computes for one message, so that the process writing
    the results only looks duplicates up and writes: the extraction itself, the dedupe
    features (MinHash, fingerprint, LSH band keys) and the tags."""
    from dienhinh.ingest.extract import extract_message
    from dienhinh.ingest.similarity import lsh_bands, minhash, text_fingerprint

    outcome = extract_message(data, ctx)
    for draft in outcome.articles:
        if draft.text.strip():
            draft.signature = list(minhash(draft.text))
            draft.fingerprint = text_fingerprint(draft.text)
            draft.bands = lsh_bands(tuple(draft.signature))
    if ctx.tagging is not None:
        outcome.tags = _tag(outcome, ctx.tagging)
    return outcome


def _tag(outcome: Outcome, settings: TaggingConfig) -> MessageTags | None:
    """Tags for an extracted message. A tagger's failure must not lose the extraction:
    the message is stored untagged and flagged for an editor instead."""
    from dienhinh.classifiers.tagging import tag_outcome

    try:
        return tag_outcome(outcome, settings)
    except Exception:  # the tagging boundary: see docstring; logged with its traceback
        log.exception("tagging failed for %s", outcome.headers.message_id)
        return None
