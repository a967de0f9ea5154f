"""Fixtures of the fault tests; every test in this folder carries the ``chaos`` marker.

One dovecot per module holds the mailbox the tests ingest, for both of its users (loaded
once: each trial is a fresh database, never a fresh mailbox; two users let two trials run
side by side), and ``held`` is what that server hands out, read once with BODY.PEEK[],
against which the stored bytes are compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chaoskit import Held, chaos_mailbox, held_by_server

from dovecot import SECOND_USER, USER, Dovecot, dovecot_missing, free_port

MAILS = 220  # deliveries in the chaos mailbox (218 distinct messages, 2 resent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.chaos)


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = Dovecot(tmp_path_factory.mktemp("chaos-imap"), free_port())
    server.start()
    mails = chaos_mailbox(MAILS)
    for user in (USER, SECOND_USER):
        server.bulk_load(user, mails)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def held(mail_server: Dovecot) -> Held:
    """What the server holds in USER's INBOX (SECOND_USER's is the same mail)."""
    got = held_by_server(mail_server)
    assert held_by_server(mail_server, SECOND_USER).by_uid == got.by_uid
    return got


SMALL = 60  # deliveries of the per-test mailbox (59 distinct): three FETCH batches of 20


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Dovecot]:
    """A fresh dovecot per test whose INBOX holds the first SMALL mails of the chaos
    mailbox (tests that flag or break things get a server of their own)."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    d = Dovecot(tmp_path / "imap", free_port())
    d.start()
    d.bulk_load(USER, chaos_mailbox(SMALL))
    try:
        yield d
    finally:
        d.stop()
