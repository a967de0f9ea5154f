"""Near-real-time ingestion: an IMAP IDLE connection that asks for a poll when mail arrives.

IDLE only *notices* mail; fetching stays the poll's job (through the scheduler, so it never
overlaps the scheduled poll, and under the mailbox lease). What can go wrong with a
connection that sits silent for hours, and what this module does about each:

- **The server ends it** (restart, ``doveadm kick``, its inactivity timer): a ``BYE`` or
  end-of-file is noticed at once; the thread reconnects with exponential backoff and asks
  for a poll, since mail may have arrived while it was away.
- **It dies silently** (a NAT or firewall forgets it; no RST ever comes): IDLE is re-issued
  every ``idle_refresh_seconds`` (RFC 2177 wants at most 29 minutes), and the ``DONE`` +
  ``NOOP`` round trip of that refresh runs under the socket timeout, so a dead peer turns
  into a timeout and a reconnect. TCP keepalive is on as well, so the kernel notices sooner.
- **The thread hangs** where no timeout applies: every sign of life (a connection attempt,
  a server response, a refresh) moves the *heartbeat*; the worker's watchdog (``check()``,
  a scheduler job) restarts IDLE when the heartbeat is older than the watchdog limit,
  closing the socket under the stuck call and starting a fresh thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from dienhinh.core.config import MailboxConfig
from dienhinh.core.errors import AccountError, ConnectionLost, SourceError
from dienhinh.ingest.sources.imap import ImapSource

__all__ = ["IdleWatcher", "classify"]

log = logging.getLogger(__name__)

# idle_check waits at most this long per call, so a stop or a refresh is never far off.
_CHECK_SECONDS = 30.0


def classify(responses: Sequence[Any]) -> tuple[bool, bool]:
    """(new mail, server said goodbye) from parsed IDLE responses such as
    ``[(3, b'EXISTS'), (b'OK', b'Still here')]``. EXISTS or RECENT means new mail;
    EXPUNGE and FETCH (flags: our own post-actions) do not."""
    new = bye = False
    for resp in responses:
        if not isinstance(resp, tuple) or not resp:
            continue
        if resp[0] == b"BYE":
            bye = True
        elif len(resp) > 1 and resp[1] in (b"EXISTS", b"RECENT"):
            new = True
    return new, bye


def _keepalive(sock: socket.socket) -> None:
    """TCP keepalive: a dead peer is noticed in ~2 minutes instead of never."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


class _IdleSource(ImapSource):
    """ImapSource's connection (TLS, login, folder, plain-language errors), held open for
    waiting in IDLE instead of fetching."""

    def client(self) -> IMAPClient:
        return self._require()

    def kill(self) -> None:
        """Shut the socket down from another thread: a call blocked on it returns."""
        client = self._client
        if client is None:
            return
        try:
            client.socket().shutdown(socket.SHUT_RDWR)
        except OSError as err:  # already closed
            log.debug("IDLE socket shutdown: %s", err)


class IdleWatcher:
    """One thread holding an IDLE connection on the configured folder.

    ``on_new_mail`` is called (from the IDLE thread) when the server announces new mail and
    after every reconnect; it must return quickly (the worker schedules a poll).
    ``clock`` is monotonic seconds (tests pass their own to drive the watchdog).
    """

    def __init__(
        self,
        mailbox: MailboxConfig,
        on_new_mail: Callable[[], None],
        *,
        refresh_seconds: float,
        watchdog_seconds: float,
        reconnect_max_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mailbox = mailbox
        self.on_new_mail = on_new_mail
        self.refresh_seconds = refresh_seconds
        self.watchdog_seconds = watchdog_seconds
        self.reconnect_max_seconds = reconnect_max_seconds
        self.clock = clock
        self.heartbeat = clock()  # monotonic time of the last sign of life
        self.heartbeat_at: datetime | None = None  # the same, as a wall-clock time
        self.connects = 0  # IDLE sessions started
        self.restarts = 0  # watchdog restarts
        self.notices = 0  # new-mail notices passed on
        self.idling = threading.Event()  # set while an IDLE command is active
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._generation = 0
        self._source: _IdleSource | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------

    def start(self) -> None:
        self._spawn()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._kill()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def check(self) -> bool:
        """The watchdog: restart IDLE if the heartbeat is too old. True if it did."""
        if self._stop.is_set():
            return False
        age = self.clock() - self.heartbeat
        if age <= self.watchdog_seconds:
            return False
        log.warning(
            "IDLE on %s: no sign of life for %.0f s (limit %.0f s); restarting it",
            self.mailbox.url.key,
            age,
            self.watchdog_seconds,
            extra={"idle_restarts": self.restarts + 1},
        )
        self.restarts += 1
        self._kill()
        self._spawn()
        return True

    def _spawn(self) -> None:
        with self._lock:
            self._generation += 1
            gen = self._generation
        self._beat()
        thread = threading.Thread(
            target=self._run, args=(gen,), name=f"dienhinh-idle-{gen}", daemon=True
        )
        self._thread = thread
        thread.start()

    def _kill(self) -> None:
        with self._lock:
            source = self._source
        if source is not None:
            source.kill()

    def _current(self, gen: int) -> bool:
        return not self._stop.is_set() and gen == self._generation

    def _beat(self) -> None:
        self.heartbeat = self.clock()
        self.heartbeat_at = datetime.now(UTC)

    def _notice(self) -> None:
        self.notices += 1
        self.on_new_mail()

    # --- the thread ------------------------------------------------------------------------

    def _run(self, gen: int) -> None:
        """Connect, IDLE, reconnect: until stopped or replaced by the watchdog.

        This loop is the IDLE thread's catch boundary: whatever ends a session (an
        IMAP or socket error, or a bug) is logged and followed by a reconnect after a
        backoff, because a thread that died would end near-real-time ingestion silently.
        """
        backoff = 1.0
        first = True
        while self._current(gen):
            self._beat()
            try:
                self._session(gen, catch_up=not first)
                backoff = 1.0
            except AccountError as err:
                log.error("IDLE on %s: %s", self.mailbox.url.key, err.user_message)
            except (SourceError, IMAPClientError, OSError) as err:
                if self._current(gen):
                    log.warning(
                        "IDLE on %s: %s: %s; reconnecting in %.0f s",
                        self.mailbox.url.key,
                        type(err).__name__,
                        err,
                        backoff,
                    )
            except Exception:  # the boundary: see the docstring
                log.exception("IDLE on %s: unexpected error", self.mailbox.url.key)
            if self.connects:
                first = False
            if not self._current(gen):
                break
            self._stop.wait(backoff)
            backoff = min(backoff * 2, self.reconnect_max_seconds)
        log.debug("IDLE thread %s ends", gen)

    def _session(self, gen: int, *, catch_up: bool) -> None:
        source = _IdleSource(self.mailbox)
        with self._lock:
            if not self._current(gen):
                return
            self._source = source
        try:
            source.open()
            client = source.client()
            _keepalive(client.socket())
            if not client.has_capability("IDLE"):
                raise AccountError(
                    f"{self.mailbox.url.key}: the server does not support IDLE",
                    user_message="the mail server does not support IDLE; set worker.idle = false",
                )
            self.connects += 1
            client.idle()
            self.idling.set()
            self._beat()
            log.info("IDLE on %s: waiting for new mail", self.mailbox.url.key)
            if catch_up:
                self._notice()  # mail may have come while the connection was down
            self._wait(gen, client)
        finally:
            self.idling.clear()
            with self._lock:
                if self._source is source:
                    self._source = None
            source.close()

    def _wait(self, gen: int, client: IMAPClient) -> None:
        started = self.clock()
        while self._current(gen):
            left = self.refresh_seconds - (self.clock() - started)
            if left <= 0:
                # The refresh: ends IDLE, proves the connection alive (under the socket
                # timeout), starts it again.
                _text, responses = client.idle_done()
                self.idling.clear()
                new, bye = classify(responses)
                client.noop()
                if bye:
                    raise ConnectionLost(f"{self.mailbox.url.key}: the server said BYE")
                self._beat()
                if new:
                    self._notice()
                client.idle()
                self.idling.set()
                started = self.clock()
                continue
            wait = min(left, _CHECK_SECONDS)
            t0 = time.monotonic()
            responses = client.idle_check(timeout=wait)
            if not responses:
                # idle_check returns early and empty only when the socket said "readable"
                # and then gave end-of-file: the connection is closed.
                if time.monotonic() - t0 < wait / 2 and self._current(gen):
                    raise ConnectionLost(f"{self.mailbox.url.key}: IDLE connection closed")
                continue
            self._beat()
            new, bye = classify(responses)
            if new:
                log.info("IDLE on %s: new mail announced", self.mailbox.url.key)
                self._notice()
            if bye:
                raise ConnectionLost(f"{self.mailbox.url.key}: the server said BYE")
