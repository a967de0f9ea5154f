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
import socket
import ssl
import stat
import subprocess
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from dienhinh.core.config import MailboxConfig, MailboxURL, Secret
from imapclient import IMAPClient

__all__ = ["PASSWORD", "SECOND_USER", "USER", "Dovecot", "DovecotError", "dovecot_missing", "free_port"]

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


def _make_traversable(path: Path) -> None:
    """Give o+x to ``path`` and every folder above it (see the module docstring)."""
    for p in (path, *path.parents):
        mode = p.stat().st_mode
        if not mode & stat.S_IXOTH:
            p.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


class Dovecot:
    """One dovecot master process with its own config under ``dir``.

    ``port`` is the plain IMAP listener. With ``tls=True`` a self-signed certificate for
    127.0.0.1/localhost is made in ``dir`` (``cert`` is its path, usable as ``ca_file``),
    ``ssl = required`` makes the plain listener STARTTLS-only, and ``imaps_port`` (a free
    port unless given) carries IMAP over TLS.
    """

    def __init__(
        self, dir: Path, port: int, *, tls: bool = False, imaps_port: int | None = None
    ) -> None:
        self.dir = dir.resolve()
        self.port = port
        self.tls = tls
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
service imap-login {{
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
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.dir / "key.pem"), "-out", str(self.dir / "cert.pem")],
            check=True, capture_output=True,
        )
        # The login process (dovenull) never reads the key: the master reads it as root.
        (self.dir / "key.pem").chmod(0o600)

    def start(self) -> None:
        shutil.chown(self.mail, "dovecot", "dovecot")
        for p in self.mail.rglob("*"):
            shutil.chown(p, "dovecot", "dovecot")
        proc = subprocess.run(["dovecot", "-c", str(self.conf)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise DovecotError(f"dovecot did not start: {proc.stderr.strip()}\n{self._log_tail()}")
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
        self._pid = int((self.dir / "run" / "master.pid").read_text().strip())

    def stop(self) -> None:
        """Stop the master and wait until it is gone, so the ports are free again."""
        if self._pid is None:
            return
        subprocess.run(["dovecot", "-c", str(self.conf), "stop"], capture_output=True)
        deadline = time.monotonic() + 5
        while Path(f"/proc/{self._pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._pid = None

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
            c = IMAPClient("127.0.0.1", self.imaps_port, ssl=True, ssl_context=self.ssl_context(),
                           timeout=10)
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
        """APPEND one message and return the UID the server gave it (UIDPLUS)."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            resp = c.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
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
        for p in (self.mail, box, *box.rglob("*")):
            shutil.chown(p, "dovecot", "dovecot")
        return n

    def set_uidvalidity(self, n: int, user: str = USER, folder: str = "INBOX") -> None:
        self._doveadm("mailbox", "update", "-u", user, "--uid-validity", str(n), folder)

    def kick(self, user: str = USER) -> None:
        """Drop every connection of ``user``: the client's next command gets BYE/EOF."""
        self._doveadm("kick", user)

    def _doveadm(self, *args: str) -> None:
        proc = subprocess.run(["doveadm", "-c", str(self.conf), *args], capture_output=True,
                              text=True)
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

    def mailbox_config(self, *, scheme: str = "imap", folder: str = "INBOX", **kw: object
                       ) -> MailboxConfig:
        """A MailboxConfig for this server; ``kw`` overrides MailboxConfig fields."""
        port = self.imaps_port if scheme == "imaps" else self.port
        url = MailboxURL(scheme=scheme, host="127.0.0.1", port=port, username=USER,
                         folder=folder)
        fields: dict[str, object] = {"password": Secret(PASSWORD), "timeout_seconds": 10.0}
        if self.tls and "ca_file" not in kw:
            fields["ca_file"] = self.cert
        fields.update(kw)
        return MailboxConfig(url=url, **fields)  # type: ignore[arg-type]
