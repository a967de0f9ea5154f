"""A login answered [UNAVAILABLE] (RFC 5530: the server could not check credentials just
now) is asked again after short pauses before the poll gives up; a refused password is
never retried. The real server's side is in tests/integration/test_imap_source.py."""

from __future__ import annotations

import pytest
from imapclient.exceptions import LoginError

from dienhinh.core.config import config_from_mapping
from dienhinh.ingest.sources import imap
from dienhinh.ingest.sources.imap import ImapSource


class _Client:
    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers
        self.calls = 0

    def login(self, user: str, password: str) -> None:
        self.calls += 1
        answer = self.answers.pop(0)
        if answer is not None:
            raise LoginError(answer)


@pytest.fixture
def source(monkeypatch: pytest.MonkeyPatch) -> ImapSource:
    monkeypatch.setattr(imap.time, "sleep", lambda s: None)
    cfg = config_from_mapping(
        {"mailbox": {"url": "imap://u@127.0.0.1:1143/INBOX"}},
        environ={"DIENHINH_IMAP_PASSWORD": "pw"},
    )
    return ImapSource(cfg.mailbox)


UNAVAILABLE = "[UNAVAILABLE] Temporary authentication failure."


def test_a_momentary_unavailable_login_is_asked_again(source: ImapSource) -> None:
    client = _Client([UNAVAILABLE, UNAVAILABLE, None])
    source._login(client)  # type: ignore[arg-type]
    assert client.calls == 3


def test_still_unavailable_after_the_last_pause_goes_to_the_caller(source: ImapSource) -> None:
    client = _Client([UNAVAILABLE] * 4)
    with pytest.raises(LoginError, match="UNAVAILABLE"):
        source._login(client)  # type: ignore[arg-type]
    assert client.calls == 4


def test_a_refused_password_is_not_retried(source: ImapSource) -> None:
    client = _Client(["[AUTHENTICATIONFAILED] Authentication failed."])
    with pytest.raises(LoginError, match="AUTHENTICATIONFAILED"):
        source._login(client)  # type: ignore[arg-type]
    assert client.calls == 1
