"""IMAP IDLE against a real dovecot: new mail is ingested without waiting for the next
scheduled poll (set to an hour here), a kicked connection comes back, and the watchdog
restarts an IDLE connection that died silently (a proxy that stops forwarding: no FIN,
no RST, the way a NAT forgets a connection)."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.header import Header

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dienhinh.core.config import Secret
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message, PollRun
from dienhinh.worker.runtime import Worker
from dienhinh.worker.scheduler import Features
from dovecot import PASSWORD, USER, Dovecot
from factory import article_text
from helpers import ENGINES

pytestmark = pytest.mark.imap


def _mail(i: int) -> bytes:
    title, paras = article_text(9100 + i)
    return (
        "From: ubnd-bacha@laocai.gov.vn\r\nTo: btdkt-snv@laocai.gov.vn\r\n"
        f"Subject: {Header(title, 'utf-8').encode()}\r\n"
        f"Message-ID: <idle-{i}@laocai.gov.vn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + (title + "\n\n" + "\n\n".join(paras)).replace("\n", "\r\n")
    ).encode()


def wait_for(what: str, predicate: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Proxy:
    """A TCP relay to dovecot whose existing connections can be made to swallow every
    byte from then on, while staying open: a silently dead connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[tuple[socket.socket, socket.socket, dict[str, bool]]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            state = {"frozen": False}
            self.connections.append((client, server, state))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b, state), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, state: dict[str, bool]) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                break
            if not data:
                break
            if state["frozen"]:
                continue  # swallowed
            try:
                dst.sendall(data)
            except OSError:
                break
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def freeze_all(self) -> None:
        for _c, _s, state in self.connections:
            state["frozen"] = True

    def close(self) -> None:
        self.listener.close()
        for c, s, _st in self.connections:
            c.close()
            s.close()


@pytest.fixture
def start_worker(make_config, dovecot: Dovecot) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(port: int | None = None, **worker: object) -> Worker:
        url = f"imap://{USER.replace('@', '%40')}@127.0.0.1:{port or dovecot.port}/INBOX"
        settings = {"poll_minutes": 60, "idle": True} | worker
        cfg = make_config(mailbox_url=url, worker=settings)
        cfg = dataclasses.replace(
            cfg,
            mailbox=dataclasses.replace(cfg.mailbox, password=Secret(PASSWORD), timeout_seconds=60),
        )
        engine = make_engine(cfg.database.url)
        ENGINES.append(engine)
        upgrade(engine)
        w = Worker(cfg, engine, feats=Features())
        w.start()
        started.append(w)
        return w

    yield start
    for w in started:
        w.shutdown()


def _articles(w: Worker) -> int:
    with Session(w.engine) as s:
        return int(s.execute(select(func.count()).select_from(Article)).scalar_one())


def _settled(w: Worker) -> bool:
    """IDLE is active and the start-up polls (the poll, the daily run's) are over."""
    if w.idle is None or not w.idle.idling.is_set():
        return False
    with Session(w.engine) as s:
        daily = s.execute(
            select(PollRun.finished_at).where(PollRun.kind == "daily")
        ).scalar_one_or_none()
    if daily is None or not w.ctx.mail_lock.acquire(blocking=False):
        return False
    w.ctx.mail_lock.release()
    return True


def test_new_mail_is_ingested_without_waiting_for_the_scheduled_poll(start_worker, dovecot):
    dovecot.append(USER, _mail(0))
    w = start_worker()
    wait_for("the start-up poll", lambda: _articles(w) == 1)
    wait_for("IDLE and the end of the start-up polls", lambda: _settled(w))
    next_poll = w.scheduler.get_job("poll").next_run_time
    dovecot.append(USER, _mail(1))
    wait_for("the new mail", lambda: _articles(w) == 2)
    assert w.idle.notices >= 1
    # the scheduled poll is still an hour away: IDLE brought the mail
    assert (next_poll - w.ctx.now()).total_seconds() > 3000
    with Session(w.engine) as s:
        ids = s.execute(select(Message.message_id).order_by(Message.id)).scalars().all()
    assert ids == ["idle-0@laocai.gov.vn", "idle-1@laocai.gov.vn"]


def test_a_kicked_idle_connection_reconnects(start_worker, dovecot):
    w = start_worker()
    assert w.idle is not None
    wait_for("IDLE", lambda: _settled(w))
    dovecot.kick()  # the server drops every session of the user (BYE, then EOF)
    wait_for("the reconnect", lambda: w.idle.connects >= 2 and w.idle.idling.is_set())
    assert w.idle.restarts == 0  # noticed by the IDLE thread itself, not the watchdog
    dovecot.append(USER, _mail(2))
    wait_for("the new mail", lambda: _articles(w) == 1)


def test_watchdog_restarts_a_silently_dead_idle_connection(start_worker, dovecot):
    """GIVEN IDLE through a relay, refreshed every second, a watchdog limit of 3 s and a
    socket timeout of 60 s WHEN the relay silently drops the IDLE connection's traffic
    THEN the refresh's DONE gets no answer, the heartbeat stops, and the watchdog closes
    the socket and starts IDLE again; new mail is then ingested at once."""
    proxy = Proxy(dovecot.port)
    try:
        w = start_worker(proxy.port, idle_refresh_seconds=1, idle_watchdog_seconds=3)
        assert w.idle is not None
        wait_for("IDLE", lambda: _settled(w))
        proxy.freeze_all()
        wait_for("the watchdog", lambda: w.idle.restarts >= 1, timeout=30)
        wait_for("IDLE again", lambda: w.idle.idling.is_set() and w.idle.connects >= 2)
        dovecot.append(USER, _mail(3))
        wait_for("the new mail", lambda: _articles(w) == 1)
    finally:
        proxy.close()
