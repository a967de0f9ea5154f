"""Read the Board's mailbox over IMAP (imapclient), as the :class:`MailSource` contract says.

How the contract maps onto IMAP:

- **Selection by UID only.** ``list_new`` sends ``UID SEARCH UID n:*`` and then fetches
  ``RFC822.SIZE`` for just those UIDs, so an idle poll costs two tiny commands whatever the
  mailbox holds (no ``SEARCH ALL``, no ``FETCH 1:*``). No SEARCH criterion ever carries
  text, so there is never a non-ASCII SEARCH (servers disagree on CHARSET handling).
- **Exact bytes, flags untouched.** ``BODY.PEEK[]`` returns the whole message as stored
  (CRLF line ends) without setting ``\\Seen``: staff still see the mail as unread.
- **Large messages in pieces.** A message above ``ImapSource.large_message_bytes`` is
  fetched alone as ``BODY.PEEK[]<offset.length>`` ranges of ``fetch_chunk_bytes`` and
  joined once at the end: imaplib/imapclient hold several copies of a literal while
  reading and parsing it (a 35 MB message in one FETCH peaks at about 3.4x its size),
  while in pieces only the pieces and the joined result are alive at once (about 2x).
  The bytes are the same as one ``BODY.PEEK[]``.
- **Post-actions never delete mail.** ``move`` uses ``UID MOVE``; without the MOVE
  capability it copies, marks ``\\Deleted`` and ``UID EXPUNGE``\\ s exactly the copied UIDs
  (UIDPLUS). A plain ``EXPUNGE`` would also remove whatever a person had marked deleted
  in that folder, so without UIDPLUS the move is refused.
- **Errors an operator can act on.** Refused logins, missing folders and TLS failures are
  :class:`AccountError`; a connection that cannot be made is :class:`SourceError`; one
  that drops mid-session (socket error, ``BYE``, imaplib ``abort``) is
  :class:`ConnectionLost`, so the poll is simply retried later.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from dienhinh.core.config import MailboxConfig
from dienhinh.core.errors import AccountError, ConnectionLost, SourceError
from dienhinh.core.types import RawMail
from dienhinh.ingest.sources.actions import post_action_named
from dienhinh.ingest.sources.base import SourceItem

__all__ = ["ImapSource"]

log = logging.getLogger(__name__)

# Pauses before asking LOGIN again after an [UNAVAILABLE] answer (then the poll gives up
# and the next one retries).
_UNAVAILABLE_PAUSES = (0.5, 1.5, 3.0)

# UIDs per FETCH/STORE/COPY/SEARCH command. Bounds the command line (some servers cap it
# at 8 kB; 500 seven-digit UIDs with commas is 4 kB, and imapclient's fetch wants a list
# of ints, not a compressed "1:500" set) and the size of one response, while a first poll
# of a large mailbox still takes only a few round trips.
UID_CHUNK = 500

# Messages larger than this (RFC822.SIZE, from list_new) are fetched alone, in partial
# ranges of FETCH_CHUNK_BYTES (see the module docstring). ImapSource copies both into
# attributes, so a test can lower them on one instance.
LARGE_MESSAGE_BYTES = 4 * 1024 * 1024
FETCH_CHUNK_BYTES = 2 * 1024 * 1024

_BODY_KEY = b"BODY[]"
_PARTIAL_PREFIX = b"BODY[]<"
_DELETED = "\\Deleted"


def _uid_set(uids: Iterable[int]) -> str:
    """Compress UIDs into an IMAP sequence set: ``[1, 2, 3, 7, 9, 10]`` -> ``"1:3,7,9:10"``.

    For SEARCH criteria, which imapclient sends as given (its FETCH and STORE take lists).
    """
    out: list[str] = []
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("empty UID set")
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        out.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    out.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(out)


def _partial_body(data: dict[bytes, Any], offset: int) -> bytes | None:
    """The piece in a ``BODY.PEEK[]<offset.length>`` answer, or None when there is none
    (the message is gone, or ``BODY[]<n> NIL``).

    imapclient keys it as the server names it, ``b"BODY[]<offset>"`` (dovecot, RFC 3501);
    any other ``BODY[]<...>`` key is accepted too, should a server spell the origin oddly.
    """
    piece = data.get(_PARTIAL_PREFIX + str(offset).encode("ascii") + b">")
    if piece is None:
        for key, value in data.items():
            if isinstance(key, bytes) and key.startswith(_PARTIAL_PREFIX):
                piece = value
                break
    return None if piece is None else bytes(piece)


def _has_prefix(name: str, prefix: str) -> bool:
    """``name`` starts with the namespace ``prefix`` (INBOX in any case: RFC 3501 5.1)."""
    if prefix[:5].upper() == "INBOX":
        return name[:5].upper() == "INBOX" and name[5:].startswith(prefix[5:])
    return name.startswith(prefix)


def _chunks(uids: Sequence[int], size: int = UID_CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(uids), size):
        yield list(uids[i : i + size])


class ImapSource:
    """One IMAP folder as a :class:`~dienhinh.ingest.sources.base.MailSource`.

    Use as a context manager; ``open()`` is called on entry::

        with ImapSource(cfg.mailbox) as src:
            items = src.list_new(after_uid=last_uid)
            for raw in src.fetch(items): ...
    """

    supports_uids = True
    large_message_bytes = LARGE_MESSAGE_BYTES  # above this, fetch in pieces...
    fetch_chunk_bytes = FETCH_CHUNK_BYTES  # ...of this many bytes

    def __init__(self, cfg: MailboxConfig) -> None:
        if not cfg.url.is_imap:
            raise ValueError(f"ImapSource needs an IMAP URL, not {cfg.url.display()}")
        self.cfg = cfg
        self.key = cfg.url.key
        self.uidvalidity = 0
        self.uidnext: int | None = None  # from SELECT; None when the server did not say
        self._client: IMAPClient | None = None
        self._permanent_flags: tuple[bytes, ...] = ()
        self._processed_name: str | None = None  # processed_folder_name(), once per session

    # --- connection ----------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        """Verifying by default; ``ca_file`` adds a private CA (a self-hosted server)."""
        ctx = ssl.create_default_context(
            cafile=str(self.cfg.ca_file) if self.cfg.ca_file is not None else None
        )
        if not self.cfg.tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _who(self) -> str:
        url = self.cfg.url
        return f"{url.username} on {url.host}:{url.port}"

    def _tls_error(self, err: ssl.SSLError) -> AccountError:
        url = self.cfg.url
        if isinstance(err, ssl.SSLCertVerificationError):
            hint = (
                "its certificate could not be verified"
                f" ({err.verify_message}); set mailbox.ca_file to the server's CA"
            )
        else:
            hint = f"the TLS handshake failed ({err})"
        return AccountError(
            f"TLS with {url.host}:{url.port} failed: {err}",
            user_message=f"could not open a secure connection to {url.host}: {hint}",
        )

    def _connect(self) -> IMAPClient:
        url = self.cfg.url
        use_ssl = url.scheme == "imaps"
        try:
            client = IMAPClient(
                url.host,
                port=url.port,
                ssl=use_ssl,
                ssl_context=self._ssl_context() if use_ssl else None,
                timeout=self.cfg.timeout_seconds,
            )
        except ssl.SSLError as err:  # before OSError: SSLError is an OSError
            raise self._tls_error(err) from err
        except OSError as err:  # refused, DNS (socket.gaierror), timeout, unreachable
            raise SourceError(
                f"cannot connect to {url.host}:{url.port}: {err}",
                user_message=(
                    f"could not reach the mail server {url.host}:{url.port} ({err});"
                    " check the address and the network"
                ),
            ) from err
        except IMAPClientError as err:  # a greeting that is BYE or garbage
            raise SourceError(
                f"{url.host}:{url.port} refused the IMAP session: {err}",
                user_message=f"the mail server {url.host} refused the connection: {err}",
            ) from err
        # Aware datetimes with the server's own offset, not naive local time.
        client.normalise_times = False
        return client

    def _starttls(self, client: IMAPClient) -> None:
        """Upgrade to TLS or refuse: sending the password in clear is never a fallback."""
        url = self.cfg.url
        if not client.has_capability("STARTTLS"):
            raise AccountError(
                f"{url.host}:{url.port} does not offer STARTTLS",
                user_message=(
                    f"the mail server {url.host}:{url.port} does not offer STARTTLS, so the"
                    " password would travel unencrypted; use imaps:// or a server with STARTTLS"
                ),
            )
        try:
            client.starttls(self._ssl_context())
        except ssl.SSLError as err:
            raise self._tls_error(err) from err

    def open(self) -> int:
        """Connect, log in, select the folder read-write and return its UIDVALIDITY.

        Read-write because ``flag``/``move`` need it; ``BODY.PEEK[]`` keeps ``\\Seen``
        untouched all the same.
        """
        self.close()
        client = self._connect()
        self._client = client
        opened = False
        try:
            self._login_and_select(client)
            opened = True
        finally:
            if not opened:
                self.close()  # log out of a half-open session: no socket left behind
        return self.uidvalidity

    def _login(self, client: IMAPClient) -> None:
        """LOGIN, asked again after a short pause when the server answers [UNAVAILABLE]
        (RFC 5530: it could not check the credentials just now, e.g. its auth process was
        busy): a moment's hiccup should not cost a whole poll interval. Still unavailable
        after the last pause, the LoginError goes to the caller."""
        for pause in (*_UNAVAILABLE_PAUSES, None):
            try:
                client.login(self.cfg.url.username, self.cfg.password.reveal())
                return
            except LoginError as err:
                if pause is None or "[UNAVAILABLE]" not in str(err):
                    raise
                log.warning(
                    "%s: login temporarily unavailable, again in %.1f s", self._who(), pause
                )
                time.sleep(pause)

    def _login_and_select(self, client: IMAPClient) -> None:
        url = self.cfg.url
        with self._session("login"):
            if url.scheme == "imap+starttls":
                self._starttls(client)
            try:
                self._login(client)
            except LoginError as err:
                if "[UNAVAILABLE]" in str(err):
                    # RFC 5530: the server cannot check credentials right now (its
                    # directory is down); the password may be fine, so try again later.
                    raise SourceError(
                        f"login for {self._who()} temporarily unavailable: {err}",
                        user_message=(
                            f"the mail server could not check the login for {url.username}"
                            " right now (temporary failure on the server); it will be retried"
                        ),
                    ) from err
                raise AccountError(
                    f"login refused for {self._who()}: {err}",
                    user_message=(
                        f"the server refused the login for {url.username}: check the password"
                    ),
                ) from err
            try:
                resp: dict[bytes, Any] = client.select_folder(url.folder, readonly=False)
            except IMAPClientError as err:
                if isinstance(err, imaplib.IMAP4.abort):
                    raise
                exists = client.folder_exists(url.folder)
                problem = "does not exist" if not exists else f"could not be opened ({err})"
                raise AccountError(
                    f"folder {url.folder!r} {problem} for {self._who()}: {err}",
                    user_message=(
                        f"the folder {url.folder!r} {problem} in the mailbox of {url.username}"
                    ),
                ) from err
        self.uidvalidity = int(resp[b"UIDVALIDITY"])
        uidnext = resp.get(b"UIDNEXT")
        self.uidnext = int(uidnext) if uidnext is not None else None
        self._permanent_flags = tuple(resp.get(b"PERMANENTFLAGS", ()))
        log.debug(
            "opened %s uidvalidity=%s exists=%s", self.key, self.uidvalidity, resp.get(b"EXISTS")
        )

    def close(self) -> None:
        """Log out quietly.

        Errors are swallowed here, as imapclient's ``__exit__`` does: ``close()`` runs in
        ``finally`` blocks and after ``ConnectionLost``, when the connection is usually
        already gone; raising would hide the error that actually ended the session. If
        LOGOUT fails the socket is shut down so it is not leaked.
        """
        client, self._client = self._client, None
        self._processed_name = None
        self.uidnext = None
        if client is None:
            return
        try:
            client.logout()
        except (IMAPClientError, OSError) as err:
            log.debug("logout from %s failed (%s); shutting the socket down", self.key, err)
            try:
                client.shutdown()
            except OSError as err2:
                log.debug("shutdown of %s failed: %s", self.key, err2)

    def __enter__(self) -> ImapSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _session(self, what: str) -> Iterator[None]:
        """Turn a dropped connection into ConnectionLost and a refused command into
        SourceError, naming the command and the mailbox."""
        try:
            yield
        except imaplib.IMAP4.abort as err:  # BYE, EOF, protocol abort: before IMAP4.error
            raise ConnectionLost(
                f"{self.key}: connection lost during {what}: {err}",
                user_message=f"the connection to the mail server dropped during {what}",
            ) from err
        except ssl.SSLError as err:
            raise ConnectionLost(
                f"{self.key}: TLS error during {what}: {err}",
                user_message=f"the secure connection to the mail server broke during {what}",
            ) from err
        except OSError as err:  # reset, broken pipe, timeout
            raise ConnectionLost(
                f"{self.key}: connection lost during {what}: {err}",
                user_message=f"the connection to the mail server dropped during {what} ({err})",
            ) from err
        except IMAPClientError as err:  # NO/BAD, CapabilityError, ProtocolError
            raise SourceError(
                f"{self.key}: the server refused {what}: {err}",
                user_message=f"the mail server refused {what}: {err}",
            ) from err

    def _require(self) -> IMAPClient:
        if self._client is None:
            raise SourceError(f"{self.key}: not open", user_message="internal: mailbox not open")
        return self._client

    def _has_capability(self, name: str) -> bool:
        """The one seam tests override to pretend a server lacks an extension."""
        return bool(self._require().has_capability(name))

    # --- listing and fetching --------------------------------------------------------------

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]:
        """Every message with a UID above ``after_uid``, oldest first, with its size.

        ``known`` is for sources without UIDs and is ignored here.
        """
        client = self._require()
        with self._session("UID SEARCH"):
            found = client.search(["UID", f"{after_uid + 1}:*"])
        # "n:*" always matches the highest UID, even when it is below n (RFC 3501 6.4.8).
        uids = sorted(uid for uid in found if uid > after_uid)
        items: list[SourceItem] = []
        for chunk in _chunks(uids):
            with self._session("FETCH RFC822.SIZE"):
                resp = client.fetch(chunk, ["RFC822.SIZE"])
            for uid in chunk:
                data = resp.get(uid)
                if data is None or b"RFC822.SIZE" not in data:
                    continue  # expunged between SEARCH and FETCH
                items.append(SourceItem(uid=uid, size=int(data[b"RFC822.SIZE"])))
        return items

    def _is_large(self, item: SourceItem) -> bool:
        return bool(item.size > self.large_message_bytes)

    def _batches(self, items: Sequence[SourceItem]) -> Iterator[list[SourceItem]]:
        """At most ``batch_size`` messages and ``batch_max_bytes`` per FETCH; a message
        larger than the byte limit goes alone, and so does a large one (``_is_large``),
        which ``fetch`` then reads in pieces."""
        batch: list[SourceItem] = []
        size = 0
        for item in sorted(items, key=lambda i: i.uid):
            if self._is_large(item):
                if batch:
                    yield batch
                    batch, size = [], 0
                yield [item]
                continue
            if batch and (
                len(batch) >= self.cfg.batch_size or size + item.size > self.cfg.batch_max_bytes
            ):
                yield batch
                batch, size = [], 0
            batch.append(item)
            size += item.size
        if batch:
            yield batch

    def fetch(self, items: Sequence[SourceItem]) -> Iterator[RawMail]:
        """The exact bytes of each item, in UID order; vanished UIDs are skipped."""
        client = self._require()
        for batch in self._batches(items):
            if len(batch) == 1 and self._is_large(batch[0]):
                mail = self._fetch_in_pieces(client, batch[0])
                if mail is not None:
                    yield mail
                continue
            uids = [i.uid for i in batch]
            with self._session("FETCH BODY.PEEK[]"):
                resp = client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
            for uid in uids:
                data = resp.get(uid) or {}
                body = data.get(_BODY_KEY)
                if body is None:
                    # Not returned at all, or BODY[] NIL: dovecot's answer for a message
                    # another session expunged that this session has not yet been told of.
                    self._vanished(uid)
                    continue
                yield self._raw_mail(uid, bytes(body), data.get(b"INTERNALDATE"))

    def _fetch_in_pieces(self, client: IMAPClient, item: SourceItem) -> RawMail | None:
        """One large message as ``BODY.PEEK[]<offset.length>`` ranges, joined once.

        RFC 3501 6.4.5: a range reaching past the end returns what is left, and one
        starting at or past the end returns an empty string. A piece shorter than asked
        is taken as the end only once ``item.size`` bytes are in; before that the next
        range is asked for, so a server that hands out less than asked mid-message is
        still read whole. An empty piece always ends the message. Returns None when the
        message vanished, before the first piece or between two.
        """
        uid = item.uid
        step = max(1, int(self.fetch_chunk_bytes))
        parts: list[bytes] = []
        offset = 0
        when: object = None
        while True:
            wanted = [f"BODY.PEEK[]<{offset}.{step}>"]
            if offset == 0:
                wanted.append("INTERNALDATE")  # once, with the first piece
            with self._session(f"FETCH BODY.PEEK[]<{offset}.{step}>"):
                resp = client.fetch([uid], wanted)
            data = resp.get(uid) or {}
            piece = _partial_body(data, offset)
            if offset == 0:
                when = data.get(b"INTERNALDATE")
            del resp, data  # only the piece stays referenced
            if piece is None:
                self._vanished(uid, offset)
                return None
            if not piece:
                break
            parts.append(piece)
            offset += len(piece)
            if len(piece) < step and offset >= item.size:
                break
        body = b"".join(parts)
        parts.clear()
        if len(body) != item.size:
            # RFC822.SIZE is the size of BODY[]; a mismatch is the server's business, and
            # the bytes it handed out are what is stored, but it is worth a line in the log.
            log.warning(
                "%s: UID %s: RFC822.SIZE %s but %s bytes fetched",
                self.key,
                uid,
                item.size,
                len(body),
            )
        return self._raw_mail(uid, body, when)

    def _vanished(self, uid: int, offset: int = 0) -> None:
        where = f" (after {offset} bytes)" if offset else ""
        log.info("%s: UID %s vanished before it could be fetched%s", self.key, uid, where)

    def _raw_mail(self, uid: int, data: bytes, when: object) -> RawMail:
        return RawMail(
            data=data,
            mailbox=self.key,
            uidvalidity=self.uidvalidity,
            uid=uid,
            internal_date=when if isinstance(when, datetime) else None,
        )

    # --- post-actions ----------------------------------------------------------------------

    def post_action(self, items: Sequence[SourceItem]) -> None:
        """Apply ``cfg.post_action`` (ingest/sources/actions.py) to committed items.
        Idempotent; never deletes mail."""
        if items:
            post_action_named(self.cfg.post_action).apply(self, items)

    def flag(self, items: Sequence[SourceItem]) -> None:
        """Add ``mailbox.flag`` to the items (the ``flag`` post-action)."""
        uids = sorted({i.uid for i in items})
        if uids:
            self._flag(uids)

    def move(self, items: Sequence[SourceItem]) -> None:
        """Move the items to ``mailbox.processed_folder`` (the ``move`` post-action)."""
        uids = sorted({i.uid for i in items})
        if uids:
            self._move(uids)

    def _flag(self, uids: list[int]) -> None:
        flag = self.cfg.flag
        allowed = {f.decode("ascii", "replace").lower() for f in self._permanent_flags}
        if "\\*" not in allowed and flag.lower() not in allowed:
            raise SourceError(
                f"{self.key}: the server does not keep the flag {flag!r}"
                f" (PERMANENTFLAGS {sorted(allowed)})",
                user_message=(
                    f"the mail server does not allow the keyword {flag!r} in"
                    f' {self.cfg.url.folder}; use post_action = "move" or "none"'
                ),
            )
        client = self._require()
        for chunk in _chunks(uids):
            # STORE on UIDs that no longer exist is a no-op, so repeating this is harmless.
            with self._session(f"STORE +FLAGS {flag}"):
                client.add_flags(chunk, [flag], silent=True)

    def _present(self, uids: list[int]) -> list[int]:
        """Which of ``uids`` are still in the folder (cost bounded by ``uids``)."""
        client = self._require()
        present: list[int] = []
        for chunk in _chunks(uids):
            with self._session("UID SEARCH"):
                present.extend(client.search(["UID", _uid_set(chunk)]))
        wanted = set(uids)
        return sorted(u for u in set(present) if u in wanted)

    def _ensure_folder(self, folder: str) -> None:
        client = self._require()
        with self._session(f"LIST {folder}"):
            if client.folder_exists(folder):
                return
        try:
            with self._session(f"CREATE {folder}"):
                client.create_folder(folder)
        except SourceError:
            # Another poller may have created it in between; only a still-missing folder
            # is an error.
            with self._session(f"LIST {folder}"):
                if client.folder_exists(folder):
                    return
            raise
        log.info("%s: created folder %r for processed mail", self.key, folder)
        # Subscribed, so that mail clients showing only subscribed folders (the usual
        # setting on Cyrus and Courier) show the staff where their mail went.
        try:
            with self._session(f"SUBSCRIBE {folder}"):
                client.subscribe_folder(folder)
        except SourceError as err:
            if isinstance(err, ConnectionLost):
                raise
            log.warning("%s: could not subscribe to %r: %s", self.key, folder, err)

    def _personal_namespace(self) -> tuple[str, str]:
        """The (prefix, delimiter) of the user's own folders: from NAMESPACE (RFC 2342)
        when the server has it, else the delimiter of ``LIST "" ""`` and no prefix."""
        client = self._require()
        if self._has_capability("NAMESPACE"):
            with self._session("NAMESPACE"):
                ns = client.namespace()
            personal = ns.personal or ()
            if personal:
                prefix, delimiter = personal[0]
                return str(prefix or ""), str(delimiter or "")
        with self._session('LIST "" ""'):
            listed = client.list_folders("", "")
        delimiter = ""
        for _flags, delim, _name in listed:
            if delim:
                delimiter = delim.decode("ascii") if isinstance(delim, bytes) else str(delim)
                break
        return "", delimiter

    def processed_folder_name(self) -> str:
        """``mailbox.processed_folder`` as this server names it.

        The configured name uses ``/`` between levels (``Processed``,
        ``Lưu trữ/Đã xử lý``). Each ``/`` becomes the server's hierarchy delimiter, and the
        personal namespace prefix is put in front unless the name already starts with it:
        Cyrus and Courier keep every folder under ``INBOX.`` with ``.`` as the delimiter,
        so ``Processed`` is ``INBOX.Processed`` there and stays ``Processed`` on dovecot's
        default layout. A name that already uses the server's form is kept as it is.
        """
        if self._processed_name is not None:
            return self._processed_name
        name = self.cfg.processed_folder.strip("/")
        prefix, delimiter = self._personal_namespace()
        if delimiter and delimiter != "/":
            name = name.replace("/", delimiter)
        if prefix and name.upper() != "INBOX" and not _has_prefix(name, prefix):
            name = prefix + name
        self._processed_name = name
        log.debug(
            "%s: processed folder %r is %r on this server",
            self.key,
            self.cfg.processed_folder,
            name,
        )
        return name

    def _move(self, uids: list[int]) -> None:
        target = self.processed_folder_name()
        if target == self.cfg.url.folder:
            raise SourceError(
                f"{self.key}: processed_folder is the folder being read ({target!r})",
                user_message="mailbox.processed_folder must differ from the folder being read",
            )
        self._ensure_folder(target)
        # Already-moved UIDs are gone from this folder: skipping them keeps repeats harmless
        # and stops the COPY fallback from copying anything twice.
        present = self._present(uids)
        if not present:
            return
        client = self._require()
        if self._has_capability("MOVE"):
            for chunk in _chunks(present):
                with self._session(f"UID MOVE to {target}"):
                    client.move(chunk, target)
            return
        if not self._has_capability("UIDPLUS"):
            raise SourceError(
                f"{self.key}: server has neither MOVE nor UIDPLUS; refusing to EXPUNGE",
                user_message=(
                    "the mail server cannot move mail safely (no MOVE or UIDPLUS); use"
                    ' post_action = "flag" or "none"'
                ),
            )
        for chunk in _chunks(present):
            with self._session(f"UID COPY to {target}"):
                client.copy(chunk, target)
            with self._session("STORE +FLAGS \\Deleted"):
                client.add_flags(chunk, [_DELETED], silent=True)
            # Exactly the copied UIDs: a plain EXPUNGE would also remove mail a person
            # had marked \Deleted. A crash between COPY and EXPUNGE leaves a duplicate in
            # the processed folder on the next try, never a loss.
            with self._session("UID EXPUNGE"):
                client.uid_expunge(chunk)
