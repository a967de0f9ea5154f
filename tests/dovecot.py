"""A private dovecot on loopback for the IMAP integration tests.

Python port of ``shared/recipes/dovecot/imapd.sh`` (verified with Debian's dovecot-imapd
2.3.19): the config, Maildir, logs, pid and sockets all live in one temporary folder, the
server listens only on 127.0.0.1, and two users share the password ``secret``. Starting
one takes about 0.1 s, so every test gets a fresh server and no test sees another's mail.

The recipe's pitfalls, handled here:

- dovecot's auth and imap processes run as ``dovecot``/``dovenull``; every folder above the
  temporary folder must be traversable by others (pytest makes 0700 folders, ``/root`` is
  0700), or login fails with "Temporary authentication failure" (``missing +x perm``).
- the mail folder must belong to ``dovecot`` (the static userdb runs as that user).
- ``base_dir``/``state_dir`` inside the folder keep the system dovecot untouched.
- ``auth_failure_delay = 0``: dovecot waits 2 s after a refused login by default, which
  would make the wrong-password test slow for no benefit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from dienhinh.core.config import MailboxConfig, MailboxURL, Secret

__all__ = [
    "PASSWORD",
    "SECOND_USER",
    "USER",
    "Dovecot",
    "DovecotError",
    "dovecot",
    "dovecot_courier",
    "dovecot_missing",
    "dovecot_tls",
    "free_port",
    "imap_config",
]

USER = "btdkt-snv@laocai.gov.vn"
SECOND_USER = "second@laocai.gov.vn"
PASSWORD = "secret"

_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


class DovecotError(RuntimeError):
    """The test server could not be started or driven (its log is quoted)."""


def dovecot_missing() -> str | None:
    """Why the IMAP tests cannot run here, or None when they can."""
    for tool in ("dovecot", "doveadm"):
        if shutil.which(tool) is None:
            return "dovecot-imapd is not installed: run scripts/test-setup"
    if os.geteuid() != 0:
        # dovecot must start as root to switch to its dovecot/dovenull users.
        return "the dovecot test server needs root (it switches to the dovecot user)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def _make_traversable(path: Path) -> None:
    """Give o+x to ``path`` and every folder above it (see the module docstring)."""
    for p in (path, *path.parents):
        mode = p.stat().st_mode
        if not mode & stat.S_IXOTH:
            p.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


class Dovecot:
    """One dovecot master process with its own config under ``dir``.

    ``port`` is the plain IMAP listener. ``namespace=(prefix, separator)`` lays the user's
    folders out under that personal namespace: ``("INBOX.", ".")`` is how Cyrus and Courier
    present them (every folder below INBOX, "." between levels, so a top-level
    ``Processed`` cannot be created), where dovecot's default is ``("", "/")``-like with no
    prefix. With ``tls=True`` a self-signed certificate for
    127.0.0.1/localhost is made in ``dir`` (``cert`` is its path, usable as ``ca_file``),
    ``ssl = required`` makes the plain listener STARTTLS-only, and ``imaps_port`` (a free
    port unless given) carries IMAP over TLS.
    """

    def __init__(
        self,
        dir: Path,
        port: int,
        *,
        tls: bool = False,
        imaps_port: int | None = None,
        namespace: tuple[str, str] | None = None,
    ) -> None:
        self.dir = dir.resolve()
        self.port = port
        self.tls = tls
        self.namespace = namespace
        self.imaps_port = (imaps_port or free_port()) if tls else 0
        self.conf = self.dir / "dovecot.conf"
        self.log = self.dir / "dovecot.log"
        self.mail = self.dir / "mail"
        self.cert: Path | None = self.dir / "cert.pem" if tls else None
        self._pid: int | None = None
        self._write_config()

    # --- life cycle ------------------------------------------------------------------

    def _write_config(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        _make_traversable(self.dir)
        (self.dir / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{PASSWORD}::::::\n" for u in (USER, SECOND_USER))
        )
        if self.tls:
            self._make_cert()
            ssl_lines = (
                f"ssl = required\nssl_cert = <{self.dir / 'cert.pem'}\n"
                f"ssl_key = <{self.dir / 'key.pem'}\n"
            )
        else:
            ssl_lines = "ssl = no\n"
        d = self.dir
        ns_lines = ""
        if self.namespace is not None:
            prefix, separator = self.namespace
            ns_lines = (
                "namespace inbox {\n  inbox = yes\n"
                f"  prefix = {prefix}\n  separator = {separator}\n}}\n"
            )
        self.conf.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.log}
info_log_path = {self.log}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_max_userip_connections = 100
mail_location = maildir:{d}/mail/%u
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = dovecot
default_login_user = dovenull
{ns_lines}service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
"""
        )

    def _make_cert(self) -> None:
        """A self-signed certificate valid for 127.0.0.1 and localhost (SAN, not just CN:
        Python checks the subjectAltName, and the tests connect to the IP)."""
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                str(self.dir / "key.pem"),
                "-out",
                str(self.dir / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        # The login process (dovenull) never reads the key: the master reads it as root.
        (self.dir / "key.pem").chmod(0o600)

    def start(self) -> None:
        shutil.chown(self.mail, "dovecot", "dovecot")
        for p in self.mail.rglob("*"):
            shutil.chown(p, "dovecot", "dovecot")
        # Not capture_output: the daemon inherits the pipes and keeps them open, so reading
        # them to EOF would wait for the server to exit. Its own output goes to a file.
        errfile = self.dir / "dovecot.stderr"
        with errfile.open("wb") as err_fh:
            proc = subprocess.run(
                ["dovecot", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=err_fh,
                stderr=err_fh,
            )
        if proc.returncode != 0:
            raise DovecotError(
                f"dovecot did not start: {errfile.read_text(errors='replace').strip()}\n"
                f"{self._log_tail()}"
            )
        ports = [self.port] + ([self.imaps_port] if self.tls else [])
        deadline = time.monotonic() + 5
        for port in ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError as err:
                    if time.monotonic() > deadline:
                        raise DovecotError(
                            f"dovecot did not listen on {port}: {err}\n{self._log_tail()}"
                        ) from err
                    time.sleep(0.02)
        pidfile = self.dir / "run" / "master.pid"
        while not pidfile.is_file() or not pidfile.read_text().strip():
            # the master may write its pid file a moment after the listeners are open.
            if time.monotonic() > deadline:
                raise DovecotError(f"dovecot wrote no {pidfile}\n{self._log_tail()}")
            time.sleep(0.01)
        self._pid = int(pidfile.read_text().strip())
        self._wait_for_auth(deadline)

    def _wait_for_auth(self, deadline: float) -> None:
        """Log in once before handing the server to a test.

        A listening port does not mean the auth process is ready: a login in the first
        moments (seen under load, when other suites run at the same time) may get
        ``[UNAVAILABLE] Temporary authentication failure``.
        """
        while True:
            try:
                with self.client():
                    return
            except LoginError as err:
                if b"UNAVAILABLE" not in str(err).encode() or time.monotonic() > deadline:
                    raise DovecotError(f"test login failed: {err}\n{self._log_tail()}") from err
                time.sleep(0.05)

    def stop(self) -> None:
        """Kill the server's process group and wait until it is gone.

        ``dovecot stop`` (SIGTERM) takes 1.5-3 s here before the ports are free; a test
        server holds nothing worth a clean shutdown (Maildir writes are atomic and dovecot's
        indexes survive a crash), so SIGKILL to the master's own process group (dovecot
        calls setsid, so that group is exactly the server) makes stop and restart instant.
        """
        pid, self._pid = self._pid, None
        if pid is None:
            return
        try:
            pgid = os.getpgid(pid)
            if pgid == pid and pgid != os.getpgid(0):
                os.killpg(pgid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.01)
        # The killed master may stay a zombie until PID 1 reaps it, and dovecot refuses to
        # start while the pid in master.pid still answers kill(pid, 0).
        (self.dir / "run" / "master.pid").unlink(missing_ok=True)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no dovecot.log)"

    # --- clients and helpers ------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.cert) if self.cert else None)
        return ctx

    def client(self, user: str = USER) -> IMAPClient:
        """A logged-in imapclient; use it in a ``with`` block so it logs out."""
        if self.tls:
            c = IMAPClient(
                "127.0.0.1", self.imaps_port, ssl=True, ssl_context=self.ssl_context(), timeout=10
            )
        else:
            c = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        c.login(user, PASSWORD)
        return c

    def append(
        self,
        user: str,
        raw: bytes,
        flags: Sequence[str] = (),
        folder: str = "INBOX",
        msg_time: datetime | None = None,
    ) -> int:
        """APPEND one message and return the UID the server gave it (UIDPLUS).

        Dovecot has been seen (once, on a loaded CI machine) to answer an APPEND with
        ``NO [SERVERBUG] Internal error``: the fixture retries twice, and a third failure
        raises with the tail of the server's log, since that is a test-server problem,
        not one of the code under test."""
        for attempt in range(3):
            try:
                with self.client(user) as c:
                    if not c.folder_exists(folder):
                        c.create_folder(folder)
                    resp = c.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
                break
            except IMAPClient.Error as err:
                if b"SERVERBUG" not in str(err).encode() or attempt == 2:
                    raise DovecotError(f"APPEND failed: {err}\n{self._log_tail()}") from err
                time.sleep(0.2)
        m = _APPENDUID.search(resp if isinstance(resp, bytes) else str(resp).encode())
        if m is None:
            raise DovecotError(f"APPEND gave no APPENDUID: {resp!r}")
        return int(m.group(1))

    def bulk_load(self, user: str, raws: Iterable[bytes]) -> int:
        """Drop messages straight into the user's Maildir ``new/`` (dovecot gives UIDs on
        first sight). Thousands of messages load in a fraction of a second, where one APPEND
        each would take seconds."""
        box = self.mail / user
        for sub in ("new", "cur", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        n = 0
        for i, raw in enumerate(raws):
            p = box / "new" / f"{1_600_000_000 + i}.M{i}P1.dienhinh-test"
            p.write_bytes(raw.replace(b"\r\n", b"\n"))
            n += 1
        # A real server indexes mail as it delivers it; files dropped in by hand are indexed
        # here, or every SELECT would rebuild the index (0.7 s per 10,000 mails). doveadm
        # runs as root, so ownership is fixed afterwards: an index the imap process (user
        # dovecot) cannot update is rebuilt in memory at every SELECT.
        for p in (self.mail, box, *box.rglob("*")):
            shutil.chown(p, "dovecot", "dovecot")
        self._doveadm("index", "-u", user, "INBOX")
        for p in (self.mail, box, *box.rglob("*")):
            shutil.chown(p, "dovecot", "dovecot")
        return n

    def settle(self, user: str = USER, folder: str = "INBOX") -> None:
        """Let dovecot reach the steady state of a mailbox that has sat idle: the first
        SELECT moves bulk-loaded mail from new/ to cur/, and dovecot trusts a Maildir
        folder's mtime (and skips rescanning 10,000 files) only once it is a couple of
        seconds old. Benchmarks of an idle poll call this; tests need not."""
        with self.client(user) as c:
            c.select_folder(folder)
        time.sleep(2.5)
        with self.client(user) as c:
            c.select_folder(folder)

    def set_uidvalidity(self, n: int, user: str = USER, folder: str = "INBOX") -> None:
        self._doveadm("mailbox", "update", "-u", user, "--uid-validity", str(n), folder)

    def kick(self, user: str = USER) -> None:
        """Drop every connection of ``user``: the client's next command gets BYE/EOF."""
        self._doveadm("kick", user)

    def _doveadm(self, *args: str) -> None:
        proc = subprocess.run(
            ["doveadm", "-c", str(self.conf), *args], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise DovecotError(f"doveadm {' '.join(args)} failed: {proc.stderr.strip()}")

    def folder_uids(self, folder: str = "INBOX", user: str = USER) -> list[int]:
        """The UIDs in ``folder`` (empty if the folder does not exist)."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            return sorted(c.search("ALL"))

    def flags(self, uid: int, folder: str = "INBOX", user: str = USER) -> tuple[bytes, ...]:
        """The flags of one message, read without changing them."""
        with self.client(user) as c:
            c.select_folder(folder, readonly=True)
            data = c.fetch([uid], ["FLAGS"])
        if uid not in data:
            raise DovecotError(f"UID {uid} is not in {folder}")
        return tuple(data[uid][b"FLAGS"])

    def mailbox_config(
        self, *, scheme: str = "imap", folder: str = "INBOX", user: str = USER, **kw: object
    ) -> MailboxConfig:
        """A MailboxConfig for this server; ``kw`` overrides MailboxConfig fields. On a TLS
        server ``ca_file`` defaults to its self-signed certificate."""
        port = self.imaps_port if scheme == "imaps" else self.port
        url = MailboxURL(scheme=scheme, host="127.0.0.1", port=port, username=user, folder=folder)
        fields: dict[str, object] = {"password": Secret(PASSWORD), "timeout_seconds": 10.0}
        if self.tls and "ca_file" not in kw:
            fields["ca_file"] = self.cert
        fields.update(kw)
        return MailboxConfig(url=url, **fields)  # type: ignore[arg-type,unused-ignore]


# --- pytest fixtures (imported by tests/conftest.py) --------------------------------------


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    """A fresh plain-IMAP dovecot per test (start-up takes about 0.1 s)."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = Dovecot(tmp_path / "dovecot", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dovecot_tls(tmp_path: Path) -> Iterator[Dovecot]:
    """A fresh dovecot with a self-signed certificate (``.cert``): STARTTLS required on
    ``.port``, IMAPS on ``.imaps_port``."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = Dovecot(tmp_path / "dovecot-tls", free_port(), tls=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dovecot_courier(tmp_path: Path) -> Iterator[Dovecot]:
    """A fresh dovecot laid out as Cyrus and Courier lay a mailbox out: the personal
    namespace has the prefix ``INBOX.`` and the separator ``.``."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = Dovecot(tmp_path / "dovecot-courier", free_port(), namespace=("INBOX.", "."))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_config(dovecot: Dovecot) -> MailboxConfig:
    """A MailboxConfig for the ``dovecot`` fixture: imap://btdkt-snv@laocai.gov.vn@127.0.0.1,
    password ``secret``, folder INBOX, post_action "none"."""
    return dovecot.mailbox_config()
