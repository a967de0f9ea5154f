"""A Maildir folder as a mail source: the embedded default, and for installs on the mail host.

Maildir has no UIDs: an item is identified by its unique name (the file name before
``:2,``), which stays the same when flags change or the file moves from new/ to cur/.
The pipeline passes the names it has already stored, so nothing is read twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from dienhinh.core.config import MailboxConfig
from dienhinh.core.errors import AccountError, SourceError
from dienhinh.core.types import RawMail
from dienhinh.ingest.sources.actions import post_action_named
from dienhinh.ingest.sources.base import SourceItem

__all__ = ["MaildirSource"]

log = logging.getLogger(__name__)


def _unique_name(filename: str) -> str:
    return filename.split(":", 1)[0]


class MaildirSource:
    supports_uids = False
    uidnext = None

    def __init__(
        self,
        path: Path,
        *,
        post_action: str = "none",
        processed_folder: str = "Processed",
        key: str | None = None,
    ) -> None:
        self.path = path
        self.post_action_kind = post_action
        self.processed_folder = processed_folder
        self.key = key or f"maildir:{path}"
        self._index: dict[str, Path] = {}

    @classmethod
    def from_config(cls, cfg: MailboxConfig) -> MaildirSource:
        assert cfg.url.path is not None
        return cls(
            cfg.url.path,
            post_action=cfg.post_action,
            processed_folder=cfg.processed_folder,
            key=cfg.url.key,
        )

    def open(self) -> int:
        # A Maildir checked out of git may lack its empty cur/ or tmp/ (git keeps no empty
        # folders): one of new/ and cur/ is enough to recognise it.
        if not any((self.path / sub).is_dir() for sub in ("new", "cur")):
            raise AccountError(
                f"{self.path} is not a Maildir (no new/ or cur/ folder)",
                user_message=f"the mail folder {self.path} does not exist or is not a Maildir",
            )
        return 0

    def close(self) -> None:
        self._index.clear()

    def __enter__(self) -> MaildirSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _scan(self) -> dict[str, Path]:
        index: dict[str, Path] = {}
        for sub in ("new", "cur"):
            if not (self.path / sub).is_dir():
                continue
            for entry in sorted((self.path / sub).iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    index[_unique_name(entry.name)] = entry
        return index

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]:
        self._index = self._scan()
        seen = set(known)
        items = []
        for name, path in self._index.items():
            if name in seen:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            items.append(SourceItem(location=name, size=size))
        # Maildir names start with the delivery time, so sorting by name is arrival order.
        return sorted(items, key=lambda i: i.location)

    def fetch(self, items: Sequence[SourceItem]) -> Iterator[RawMail]:
        for item in items:
            path = self._index.get(item.location)
            if path is None:
                continue
            try:
                data = path.read_bytes()
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except FileNotFoundError:
                # Moved between scan and read (another client set a flag): look again.
                refreshed = self._scan().get(item.location)
                if refreshed is None:
                    log.warning("maildir item %s vanished before it was read", item.location)
                    continue
                data = refreshed.read_bytes()
                mtime = datetime.fromtimestamp(refreshed.stat().st_mtime, UTC)
            # The file's time, not a server's: a Maildir copied or cloned today has today's
            # times, and its older headers date the mail (ingest.received).
            yield RawMail(data=data, mailbox=self.key, location=item.location, file_time=mtime)

    def post_action(self, items: Sequence[SourceItem]) -> None:
        """Flag (``S``, moved to cur/) or move to the Maildir++ subfolder. A file system
        refusal (permissions, disk) is a SourceError naming the folder: the pipeline
        records it on the deliveries and retries it on a later poll."""
        action = post_action_named(self.post_action_kind)
        if not action.changes_mail:
            return
        try:
            action.apply(self, items)
        except OSError as err:
            raise SourceError(
                f"{self.key}: post-action {self.post_action_kind} failed: {err}",
                user_message=(
                    f"could not {self.post_action_kind} processed mail in {self.path}: "
                    f"{err.strerror or err}"
                ),
            ) from err

    def _files(self, items: Sequence[SourceItem]) -> Iterator[Path]:
        """The items' files still in the folder (one already moved is skipped: idempotent)."""
        index = self._scan()
        for item in items:
            path = index.get(item.location)
            if path is not None:
                yield path

    def flag(self, items: Sequence[SourceItem]) -> None:
        """Mark the items seen (``S``, moved to cur/): the ``flag`` post-action."""
        for path in self._files(items):
            base, _, flags = path.name.partition(":2,")
            if "S" not in flags:
                (self.path / "cur").mkdir(exist_ok=True)
                target = self.path / "cur" / f"{base}:2,{''.join(sorted(flags + 'S'))}"
                path.rename(target)

    def move(self, items: Sequence[SourceItem]) -> None:
        """Move the items to the processed folder: the ``move`` post-action."""
        for path in self._files(items):
            # Maildir++ subfolder, as dovecot and Courier lay them out.
            dest = self.path / f".{self.processed_folder}"
            for sub in ("cur", "new", "tmp"):
                (dest / sub).mkdir(parents=True, exist_ok=True)
            path.rename(dest / "cur" / path.name)
