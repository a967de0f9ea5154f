"""Tools of the fault tests: the mailbox they ingest, a TCP proxy that breaks connections
on purpose, `dienhinh` as a subprocess, and the "nothing lost, nothing twice" check.

Everything here is real: the mail sits in a real dovecot, the poller is the real command
in its own process, the database is SQLite or the machine's PostgreSQL. The only thing put
between them is :class:`Proxy`, a plain TCP relay on loopback that forwards bytes
unchanged until a test tells it to cut, stall or refuse, which is what a flaky network, a
restarted server or a database that went away look like to the poller.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.header import Header
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Article, Delivery, MailboxState, Message
from dovecot import PASSWORD, USER, Dovecot
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email

REPO = Path(__file__).resolve().parents[2]

# `make test` runs the CI budget; `make chaos` raises it (CHAOS_TRIALS=100).
TRIALS = int(os.environ.get("CHAOS_TRIALS", "30"))


# --- the mailbox -----------------------------------------------------------------------------


def text_mail(i: int) -> bytes:
    """A plain-text article mail (built directly: the stdlib builder costs 25 ms a mail)."""
    title, paras = article_text(31_000 + i, n_paragraphs=3)
    body = title + "\n\n" + "\n\n".join(paras) + "\n"
    head = (
        "From: ubnd-bacha@laocai.gov.vn\r\n"
        "To: btdkt-snv@laocai.gov.vn\r\n"
        f"Subject: {Header(title, 'utf-8').encode()}\r\n"
        f"Date: Mon, 12 Mar 2018 {8 + i % 10:02d}:{i % 60:02d}:00 +0700\r\n"
        f"Message-ID: <chaos-{i}@laocai.gov.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body.replace("\n", "\r\n").encode()


def docx_mail(i: int) -> bytes:
    title, paras = article_text(31_000 + i, n_paragraphs=3)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        message_id=f"<chaos-{i}@laocai.gov.vn>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)]
    )


def chaos_mailbox(n: int) -> list[bytes]:
    """``n`` deliveries: mostly plain-text articles, every 40th a .docx attachment (the
    extraction path that writes derived blobs), one without a Message-ID (a generated id)
    and the last two resends of earlier mails (same bytes: one message, two deliveries)."""
    mails: list[bytes] = []
    for i in range(n - 2):
        if i % 40 == 7:
            mails.append(docx_mail(i))
        elif i == 13:
            mails.append(text_mail(i).replace(b"Message-ID: <chaos-13@laocai.gov.vn>\r\n", b""))
        else:
            mails.append(text_mail(i))
    mails += [mails[5], mails[n // 2]]
    return mails


@dataclass(frozen=True)
class Held:
    """What the server holds, read once with BODY.PEEK[]: sha256 per UID."""

    by_uid: dict[int, str]

    @property
    def distinct(self) -> set[str]:
        return set(self.by_uid.values())


def held_by_server(server: Dovecot, user: str = USER, folder: str = "INBOX") -> Held:
    with server.client(user) as c:
        c.select_folder(folder, readonly=True)
        uids = c.search("ALL")
        data = c.fetch(uids, ["BODY.PEEK[]"])
    return Held({uid: hashlib.sha256(data[uid][b"BODY[]"]).hexdigest() for uid in uids})


# --- "nothing lost, nothing twice" -------------------------------------------------------------


@dataclass
class Census:
    messages: int
    distinct_ids: int
    statuses: dict[str, int]
    deliveries: int
    distinct_places: int
    articles: int
    article_statuses: dict[str, int]
    per_message_max: int


def census(engine: Engine) -> Census:
    with Session(engine) as s:

        def one(q):  # type: ignore[no-untyped-def]
            return int(s.execute(q).scalar_one())

        per_message = s.execute(
            select(Article.message_pk, func.count()).group_by(Article.message_pk)
        ).all()
        return Census(
            messages=one(select(func.count()).select_from(Message)),
            distinct_ids=one(select(func.count(func.distinct(Message.message_id)))),
            statuses=dict(
                s.execute(select(Message.status, func.count()).group_by(Message.status)).all()
            ),
            deliveries=one(select(func.count()).select_from(Delivery)),
            distinct_places=len(
                set(s.execute(select(Delivery.mailbox, Delivery.uidvalidity, Delivery.uid)).all())
            ),
            articles=one(select(func.count()).select_from(Article)),
            article_statuses=dict(
                s.execute(select(Article.status, func.count()).group_by(Article.status)).all()
            ),
            per_message_max=max((c for _pk, c in per_message), default=0),
        )


def check_exactly_once(engine: Engine, raw_dir: Path, held: Held) -> Census:
    """Every mail the server holds is stored once with its exact bytes, delivered once
    per UID, processed once (one article, never a duplicate of itself), nothing left in
    `received`. Raises AssertionError naming what is wrong."""
    c = census(engine)
    n_distinct = len(held.distinct)
    assert c.messages == n_distinct, f"{c.messages} messages for {n_distinct} distinct mails"
    assert c.distinct_ids == c.messages, "two Message rows share a Message-ID"
    assert c.deliveries == len(held.by_uid) == c.distinct_places, (
        f"{c.deliveries} deliveries ({c.distinct_places} places) for {len(held.by_uid)} UIDs"
    )
    assert c.statuses == {"ingested": c.messages}, c.statuses
    assert c.articles == c.messages and c.per_message_max == 1, (
        f"{c.articles} articles for {c.messages} messages (max {c.per_message_max} per message)"
    )
    assert "duplicate" not in c.article_statuses, c.article_statuses
    blobs = BlobStore(raw_dir)
    with Session(engine) as s:
        stored = dict(s.execute(select(Delivery.uid, Delivery.sha256)).all())
        message_shas = set(s.execute(select(Message.sha256)).scalars())
    assert stored == held.by_uid, "a delivery's bytes differ from the server's"
    assert message_shas == held.distinct
    for sha in message_shas:  # the file on disk, not just its name
        assert hashlib.sha256(blobs.read(sha)).hexdigest() == sha, f"raw file {sha} is corrupt"
    return c


PROCESSED_FLAG = "$DienhinhProcessed"  # mailbox.flag's default


def flagged(server: Dovecot, user: str = USER) -> set[int]:
    """UIDs the poller has flagged as processed (post_action = "flag")."""
    with server.client(user) as c:
        c.select_folder("INBOX", readonly=True)
        return set(c.search(["KEYWORD", PROCESSED_FLAG]))


def unflag_all(server: Dovecot, user: str = USER) -> None:
    with server.client(user) as c:
        c.select_folder("INBOX")
        c.remove_flags(c.search("ALL"), [PROCESSED_FLAG], silent=True)


def check_nothing_claimed_early(engine, server: Dovecot, held: Held) -> tuple[int, int]:
    """After a failed poll: no Message-ID twice, and whatever is flagged on the server or
    lies below ``last_uid`` was committed. Returns (stored, processed)."""
    with Session(engine) as s:
        rows = s.execute(
            select(Delivery.uid, Message.status).join(Message, Message.id == Delivery.message_pk)
        ).all()
        last_uid = max(s.execute(select(MailboxState.last_uid)).scalars(), default=0)
        ids = list(s.execute(select(Message.message_id)).scalars())
    assert len(ids) == len(set(ids))
    done = {uid for uid, status in rows if status != "received"}
    delivered = {uid for uid, _status in rows}
    assert flagged(server) <= done, "flagged on the server before its results were committed"
    assert {u for u in held.by_uid if u <= last_uid} <= delivered, "last_uid passed unstored mail"
    return len(ids), len(done)


# --- configuration and the command -------------------------------------------------------------


def imap_url(port: int, folder: str = "INBOX", user: str = USER) -> str:
    return f"imap://{user.replace('@', '%40')}@127.0.0.1:{port}/{folder}"


def write_config(
    path: Path,
    *,
    db_url: str,
    mailbox_url: str,
    data_dir: Path,
    mailbox: dict[str, object] | None = None,
    ingest: dict[str, object] | None = None,
    extra: str = "",
) -> Path:
    def table(name: str, values: dict[str, object]) -> str:
        lines = [f"[{name}]"]
        for k, v in values.items():
            lines.append(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"')
        return "\n".join(lines) + "\n"

    mb: dict[str, object] = {"url": mailbox_url, "timeout_seconds": 5, "batch_size": 20}
    path.write_text(
        table("paths", {"data_dir": str(data_dir)})
        + table("database", {"url": db_url})
        + table("mailbox", mb | (mailbox or {}))
        + table("ingest", {"workers": 1} | (ingest or {}))
        + extra,
        encoding="utf-8",
    )
    return path


def command_env() -> dict[str, str]:
    """The caller's environment without DIENHINH_* overrides, plus the IMAP password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIENHINH_")}
    env["DIENHINH_IMAP_PASSWORD"] = PASSWORD
    env["PYTHONPATH"] = ""  # the installed package, as an operator runs it
    return env


def dienhinh(config: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dienhinh", "--config", str(config), "-q", *args],
        cwd=config.parent,
        env=command_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# What `dienhinh poll` says when dovecot answers a login with [UNAVAILABLE] (its auth
# process is slow to answer, seen when the machine is very busy): a transient failure that
# the product rightly leaves to the next poll. The tests then poll again, as cron would.
TEMPORARY_LOGIN = "temporary failure on the server"


def poll_cli(config: Path, attempts: int = 4) -> subprocess.CompletedProcess[str]:
    """`dienhinh poll`, again while the server's login is temporarily unavailable."""
    for _ in range(attempts - 1):
        done = dienhinh(config, "poll")
        if TEMPORARY_LOGIN not in done.stdout:
            return done
    return dienhinh(config, "poll")


class Poller:
    """`dienhinh poll` as a subprocess in its own session (so that what it leaves behind
    after a SIGKILL, its extraction processes, is found and reaped by the test)."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        self._fh = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dienhinh", "--config", str(config), "-q", "poll"],
            cwd=config.parent,
            env=command_env(),
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> bool:
        """SIGKILL the poller itself (not its group: its children are orphaned, as with
        `kill -9 PID`), then reap the rest of its session. True if it was still running."""
        running = self.proc.poll() is None
        if running:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: pgid == its pid
        self._fh.close()
        return running

    def wait(self, timeout: float = 300) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._fh.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until(what: str, predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``predicate`` until true (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# --- the proxy -------------------------------------------------------------------------------


@dataclass
class _Cut:
    """Break the connection once the server has sent ``marker`` for the ``nth`` time
    and ``after`` more bytes followed (in the middle of the response the marker starts)."""

    marker: bytes
    after: int
    nth: int = 1
    # "close": EOF in the middle of the response; "stall": stop forwarding (a silent
    # peer); "continue": forward everything (only ``then`` happens at that moment).
    mode: str = "close"
    then: Callable[[], None] | None = None  # called at that moment, in the relay thread


@dataclass
class _Pair:
    client: socket.socket
    server: socket.socket
    carry: bytes = b""  # the stream's last len(marker) - 1 bytes
    countdown: int | None = None  # bytes still to forward before the cut


class Proxy:
    """A TCP relay 127.0.0.1:``port`` -> ``target`` for fault injection.

    - ``cut_when(marker, after, nth=1)``: once the server has sent ``marker`` (say
      ``b"BODY[] {"``, the start of a message in a FETCH response) for the ``nth`` time
      and ``after`` more bytes, that connection is closed: the client sees EOF in the
      middle of the response. ``mode="stall"`` stops forwarding instead (a silent peer),
      ``mode="continue"`` goes on; ``then`` is called at that moment (restart the server,
      take the database away). The rule fires once.
    - ``down()``: closes every connection and stops listening (connection refused);
      ``up()`` listens again on the same port.
    - ``cuts``: how many times a rule fired; ``connections``: how many were accepted.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.cuts = 0
        self.connections = 0
        self._rule: _Cut | None = None
        self._marks = 0
        self._lock = threading.Lock()
        self._pairs: list[_Pair] = []
        self._listener: socket.socket | None = None
        self._closing = threading.Event()
        self.up()

    # -- control ------------------------------------------------------------------------

    def up(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.port))
            s.listen(64)
            self.port = s.getsockname()[1]
            self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for p in pairs:
            self._close(p)

    @property
    def is_down(self) -> bool:
        return self._listener is None

    def cut_when(
        self,
        marker: bytes,
        after: int,
        *,
        nth: int = 1,
        mode: str = "close",
        then: Callable[[], None] | None = None,
    ) -> None:
        with self._lock:
            self._rule = _Cut(marker, after, nth, mode, then)
            self._marks = 0

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            self._rule = None
        self.down()

    # -- relay --------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # down() closed it
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            pair = _Pair(client, server)
            with self._lock:
                if self._listener is not listener:
                    self._close(pair)
                    return
                self._pairs.append(pair)
                self.connections += 1
            threading.Thread(target=self._pump, args=(pair, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, False), daemon=True).start()

    @staticmethod
    def _close(pair: _Pair) -> None:
        for sock in (pair.client, pair.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _pump(self, pair: _Pair, downstream: bool) -> None:
        src, dst = (pair.server, pair.client) if downstream else (pair.client, pair.server)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                cut, rest = None, b""
                if downstream:
                    data, cut, rest = self._inspect(pair, data)
                if data:
                    dst.sendall(data)
                if cut is not None:
                    if cut.then is not None:
                        cut.then()
                    if cut.mode == "continue":
                        if rest:
                            dst.sendall(rest)
                        continue
                    if cut.mode == "stall":
                        self._closing.wait()  # hold the connection, send nothing more
                    break
        except OSError:
            pass
        finally:
            self._close(pair)
            with self._lock:
                if pair in self._pairs:
                    self._pairs.remove(pair)

    def _inspect(self, pair: _Pair, data: bytes) -> tuple[bytes, _Cut | None, bytes]:
        """``data`` split where a rule fires: (before, the rule or None, after)."""
        with self._lock:
            rule = self._rule
            if rule is None:
                return data, None, b""
            if pair.countdown is None:
                buf = pair.carry + data
                offset = len(pair.carry)  # where ``data`` starts in ``buf``
                at = buf.find(rule.marker)
                while at >= 0:
                    self._marks += 1
                    if self._marks >= rule.nth:
                        end = at + len(rule.marker) + rule.after - offset
                        pair.carry = b""
                        if end <= len(data):
                            return self._fire(rule, data, max(0, end))
                        pair.countdown = end - len(data)
                        return data, None, b""
                    at = buf.find(rule.marker, at + 1)
                keep = len(rule.marker) - 1
                pair.carry = buf[-keep:] if keep else b""
                return data, None, b""
            if len(data) < pair.countdown:
                pair.countdown -= len(data)
                return data, None, b""
            at, pair.countdown = pair.countdown, None
            return self._fire(rule, data, at)

    def _fire(self, rule: _Cut, data: bytes, at: int) -> tuple[bytes, _Cut, bytes]:
        self.cuts += 1
        self._rule = None
        return data[:at], rule, data[at:]


@contextlib.contextmanager
def proxy(target: tuple[str, int]) -> Iterator[Proxy]:
    p = Proxy(target)
    try:
        yield p
    finally:
        p.close()
