"""A parser that hangs fails its message after ``ingest.extraction_timeout_seconds``
instead of stalling the extraction pool: stopped by its own timer when it runs Python
code, its process killed and replaced when it is deaf to that timer (stuck in C code);
the rest of the mailbox goes on (issue 12, item 10)."""

from __future__ import annotations

import signal
import time

import pytest

import dienhinh.ingest.extract as extract
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.maildir import MaildirSource
from factory import article_text, make_email
from helpers import deliver, ingestor, messages

# Long enough that an ordinary message (the first one in a fresh worker loads the tagging
# model) never reaches it on a busy machine; short enough to keep the tests quick.
LIMIT = 4
REASON = f"timeout: extraction took over {LIMIT} s"


def _mail(seed: int, mid: str, marker: str = "") -> bytes:
    title, paras = article_text(seed)
    return make_email(
        message_id=f"<{mid}@laocai.gov.vn>",
        subject=f"Bai viet {seed} {marker}".strip(),  # ASCII: stays readable in the bytes
        text=title + "\n\n" + "\n\n".join(paras),
    )


def _loops_in_python(data: bytes, ctx: object) -> object:
    while True:  # a parser's endless loop: Python code, the timer can stop it
        pass


def _deaf_to_the_timer(data: bytes, ctx: object) -> object:
    # Stuck where no Python signal handler runs (a C parser): SIGALRM is blocked.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(3600)
    raise AssertionError("not reached")


@pytest.fixture
def hanging(monkeypatch):
    real = extract.extract_message

    def extract_message(data, ctx):
        if b"HANG-PYTHON" in data:
            return _loops_in_python(data, ctx)
        if b"HANG-C" in data:
            return _deaf_to_the_timer(data, ctx)
        return real(data, ctx)

    monkeypatch.setattr(extract, "extract_message", extract_message)
    # fork, so that the workers run the patched function (a forkserver re-imports it)
    monkeypatch.setattr(Ingestor, "mp_start_method", "fork")


def _statuses(ing):
    return {m.message_id.split("@")[0]: (m.status, m.reason) for m in messages(ing)}


def test_hung_extractions_in_the_pool_fail_their_message_and_the_rest_goes_on(make_config, hanging):
    config = make_config(
        ingest={"workers": 2, "parallel_threshold": 2, "extraction_timeout_seconds": LIMIT}
    )
    md = config.mailbox.url.path
    for i in range(6):
        deliver(md, _mail(i, f"ok{i}"))
    deliver(md, _mail(10, "loops", "HANG-PYTHON"))
    deliver(md, _mail(11, "deaf", "HANG-C"))
    ing = ingestor(config)
    started = time.monotonic()
    report = ing.poll(MaildirSource.from_config(config.mailbox))
    took = time.monotonic() - started
    st = _statuses(ing)
    assert st["loops"] == ("failed", REASON)
    assert st["deaf"] == ("failed", REASON)
    assert all(st[f"ok{i}"][0] == "ingested" for i in range(6)), st
    assert report.ok and report.processed == 8 and report.failed == 2
    assert took < 60, f"the poll took {took:.0f} s"

    # The pool was replaced: the next poll extracts in processes again, normally.
    for i in range(6, 9):
        deliver(md, _mail(i, f"ok{i}"))
    again = ing.poll(MaildirSource.from_config(config.mailbox))
    assert again.processed == 3 and again.failed == 0
    assert all(_statuses(ing)[f"ok{i}"][0] == "ingested" for i in range(6, 9))


def test_a_hung_extraction_in_process_is_stopped_too(make_config, hanging):
    """Small runs extract in the command's own process (below parallel_threshold)."""
    config = make_config(ingest={"workers": 1, "extraction_timeout_seconds": LIMIT})
    md = config.mailbox.url.path
    deliver(md, _mail(20, "loops", "HANG-PYTHON"))
    deliver(md, _mail(21, "ok"))
    ing = ingestor(config)
    report = ing.poll(MaildirSource.from_config(config.mailbox))
    st = _statuses(ing)
    assert st["loops"] == ("failed", REASON) and st["ok"][0] == "ingested"
    assert report.processed == 2 and report.failed == 1
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)  # put back


def test_the_timeout_is_configurable_and_checked(make_config):
    from dienhinh.core.config import IngestConfig
    from dienhinh.core.errors import ConfigError

    assert IngestConfig().extraction_timeout_seconds == 300
    assert (
        make_config(ingest={"extraction_timeout_seconds": 45}).ingest.extraction_timeout_seconds
        == 45
    )
    with pytest.raises(ConfigError):
        make_config(ingest={"extraction_timeout_seconds": 0})
