"""How a composed mail leaves: over SMTP, or into a folder as an .eml file (dry run).

A :class:`Transport` sends one message at a time and says how it went by returning a
:class:`Delivered` or raising one of the :class:`SendError` classes below, which decide what
the outbox records:

* :class:`ServerUnavailable` (connection refused, timeout, TLS or login failure, server gone):
  nothing can pass until it is fixed. The row is ``failed`` and the job stops at once, so a
  dead server does not turn every candidate into a failed row; the next run retries.
* :class:`TransientSendError` (a 4xx answer: greylisting, mailbox busy, quota): ``failed``,
  retried by the next run.
* :class:`PermanentSendError` (a 5xx answer to the recipients or the content): ``refused``,
  never retried (the address is wrong; sending again would only repeat the refusal).

The SMTP connection is opened at the first message and reused for the whole run, then
closed by :meth:`SmtpTransport.close`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol

from dienhinh.core.errors import DienhinhError
from dienhinh.core.states import NotificationState
from dienhinh.notify.config import NotifyConfig

__all__ = [
    "Delivered",
    "DryRunTransport",
    "PermanentSendError",
    "SendError",
    "ServerUnavailable",
    "SmtpTransport",
    "TransientSendError",
    "Transport",
    "make_transport",
]

log = logging.getLogger(__name__)


class SendError(DienhinhError):
    """A mail could not be handed over."""


class TransientSendError(SendError):
    """The server answered 4xx (try again later): the row is ``failed`` and retried."""


class ServerUnavailable(TransientSendError):
    """The SMTP server could not be reached, refused TLS or the login: no mail can pass,
    so the job stops after recording this one as ``failed``."""


class PermanentSendError(SendError):
    """The server refused this mail for good (5xx): the row is ``refused``, not retried."""


@dataclass(frozen=True)
class Delivered:
    """A mail handed over: ``status`` is SENT or DRY_RUN; ``path`` the .eml written in
    dry-run mode; ``refused`` recipients the server refused while accepting others."""

    status: str
    path: str | None = None
    refused: tuple[str, ...] = ()


class Transport(Protocol):
    name: str

    def send(
        self, msg: EmailMessage, *, sender: str, recipients: Sequence[str], key: str
    ) -> Delivered: ...

    def close(self) -> None: ...


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DryRunTransport:
    """Writes each mail to ``folder`` as an .eml file instead of sending it.

    The name is readable and unique per notification: ``<kind>-<readable part of the key>-
    <hash of the key>.eml``. The file is written under a temporary name and renamed, so a
    reader of the folder never sees half a mail.
    """

    name = "dry-run"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(
        self, msg: EmailMessage, *, sender: str, recipients: Sequence[str], key: str
    ) -> Delivered:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        stem = _UNSAFE.sub("_", key)[:80].strip("_")
        path = self.folder / f"{stem}-{digest}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(msg.as_bytes(policy=SMTP))
        tmp.replace(path)
        return Delivered(status=NotificationState.DRY_RUN, path=str(path))

    def close(self) -> None:
        return None


class SmtpTransport:
    """smtplib over implicit TLS (smtps), STARTTLS, or plain SMTP on loopback."""

    name = "smtp"

    def __init__(self, cfg: NotifyConfig) -> None:
        if cfg.smtp_url is None:
            raise ServerUnavailable("notify.smtp_url is not set")
        self.cfg = cfg
        self.url = cfg.smtp_url
        self._client: smtplib.SMTP | None = None

    def _ssl_context(self) -> ssl.SSLContext:
        """Verifying by default; ``ca_file`` adds a private CA (a self-hosted server)."""
        ctx = ssl.create_default_context(
            cafile=str(self.cfg.ca_file) if self.cfg.ca_file is not None else None
        )
        if not self.cfg.tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _connect(self) -> smtplib.SMTP:
        url, timeout = self.url, self.cfg.timeout_seconds
        where = url.display()
        client: smtplib.SMTP | None = None
        try:
            if url.scheme == "smtps":
                client = smtplib.SMTP_SSL(
                    url.host, url.port, timeout=timeout, context=self._ssl_context()
                )
            else:
                client = smtplib.SMTP(url.host, url.port, timeout=timeout)
            client.ehlo()
            if url.scheme == "smtp+starttls":
                client.starttls(context=self._ssl_context())
                client.ehlo()
            if url.username:
                _login(client, url.username, self.cfg.password.reveal())
        except ssl.SSLCertVerificationError as err:
            _quit(client)
            raise ServerUnavailable(
                f"{where}: TLS certificate not trusted ({err.verify_message}); "
                "set notify.ca_file to the server's CA"
            ) from err
        except smtplib.SMTPAuthenticationError as err:
            _quit(client)
            raise ServerUnavailable(f"{where}: login refused: {_reply(err)}") from err
        except smtplib.SMTPNotSupportedError as err:
            _quit(client)
            raise ServerUnavailable(f"{where}: {err} (STARTTLS or AUTH not offered)") from err
        except smtplib.SMTPResponseException as err:
            _quit(client)
            raise ServerUnavailable(f"{where}: {_reply(err)}") from err
        except (smtplib.SMTPException, OSError) as err:  # refused, timeout, DNS, TLS, EOF
            _quit(client)
            raise ServerUnavailable(f"{where}: {type(err).__name__}: {err}") from err
        return client

    def send(
        self, msg: EmailMessage, *, sender: str, recipients: Sequence[str], key: str
    ) -> Delivered:
        if self._client is None:
            self._client = self._connect()
        data = msg.as_bytes(policy=SMTP)
        try:
            refused = self._client.sendmail(sender, list(recipients), data)
        except smtplib.SMTPRecipientsRefused as err:
            codes = {code for code, _ in err.recipients.values()}
            detail = "; ".join(
                f"{rcpt}: {_reply_text(code, text)}"
                for rcpt, (code, text) in err.recipients.items()
            )
            self._reset()
            if all(code >= 500 for code in codes):
                raise PermanentSendError(f"recipients refused: {detail}") from err
            raise TransientSendError(f"recipients deferred: {detail}") from err
        except smtplib.SMTPSenderRefused as err:
            self._reset()
            raise ServerUnavailable(f"sender {sender} refused: {_reply(err)}") from err
        except smtplib.SMTPDataError as err:
            self._reset()
            if err.smtp_code >= 500:
                raise PermanentSendError(f"message refused: {_reply(err)}") from err
            raise TransientSendError(f"message deferred: {_reply(err)}") from err
        except smtplib.SMTPResponseException as err:  # e.g. HELO refused mid-session
            self._drop()
            raise TransientSendError(_reply(err)) from err
        except (smtplib.SMTPException, OSError) as err:  # dropped connection, timeout
            self._drop()
            raise ServerUnavailable(f"{self.url.display()}: {type(err).__name__}: {err}") from err
        return Delivered(
            status=NotificationState.SENT,
            refused=tuple(f"{r}: {_reply_text(c, t)}" for r, (c, t) in refused.items()),
        )

    def _reset(self) -> None:
        """After a refused transaction the connection is still good; RSET clears it."""
        if self._client is None:
            return
        try:
            self._client.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        _quit(self._client)
        self._client = None

    def close(self) -> None:
        self._drop()


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII, so a password with Vietnamese letters would
    raise UnicodeEncodeError; RFC 4616 defines PLAIN over UTF-8, so send that one ourselves."""
    if (user + password).isascii():
        client.login(user, password)
        return
    mechanisms = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in mechanisms:
        raise smtplib.SMTPNotSupportedError(
            "a non-ASCII password needs AUTH PLAIN, which the server does not offer"
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _quit(client: smtplib.SMTP | None) -> None:
    """QUIT politely; a connection that is already broken is simply closed."""
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):  # TimeoutError is an OSError
        client.close()


def _reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _reply(err: smtplib.SMTPResponseException) -> str:
    return _reply_text(err.smtp_code, err.smtp_error)


def make_transport(cfg: NotifyConfig) -> Transport:
    """Dry-run writes files; otherwise SMTP."""
    if cfg.dry_run:
        return DryRunTransport(cfg.dry_run_dir)
    return SmtpTransport(cfg)
