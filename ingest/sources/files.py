"""Backfill from files: single .eml files, mbox files and Maildir folders (``dienhinh import``).

Each imported message is a delivery at ``import:<absolute path>[#n]``, so importing the
same file twice stores nothing new, and the same Message-ID already polled is one message.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from dienhinh.core.errors import AccountError
from dienhinh.core.types import RawMail
from dienhinh.ingest.sources.base import SourceItem
from dienhinh.ingest.sources.maildir import MaildirSource

__all__ = ["FileImportSource", "classify_path"]


def classify_path(path: Path) -> str:
    """'maildir', 'mbox', 'eml' or 'dir' (a folder of .eml files)."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "dir"
    with path.open("rb") as fh:
        head = fh.read(5)
    return "mbox" if head == b"From " else "eml"


class FileImportSource:
    """All messages under the given paths, as one source."""

    supports_uids = False

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [p.resolve() for p in paths]
        self.key = "import"
        self._items: dict[str, tuple[str, Path, str]] = {}

    def open(self) -> int:
        for p in self.paths:
            if not p.exists():
                raise AccountError(f"{p} does not exist", user_message=f"nothing to import at {p}")
        return 0

    def close(self) -> None:
        self._items.clear()

    def __enter__(self) -> FileImportSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _enumerate(self) -> Iterator[tuple[str, str, Path, str]]:
        """(location, kind, path, inner key) for every message."""
        for p in self.paths:
            kind = classify_path(p)
            if kind == "eml":
                yield f"import:{p}", "eml", p, ""
            elif kind == "dir":
                for f in sorted(p.rglob("*.eml")):
                    yield f"import:{f}", "eml", f, ""
            elif kind == "mbox":
                box = mailbox.mbox(p, create=False)
                try:
                    for n, key in enumerate(box.keys()):
                        yield f"import:{p}#{n}", "mbox", p, str(key)
                finally:
                    box.close()
            else:
                md = MaildirSource(p)
                for item in md.list_new(0):
                    yield f"import:{p}/{item.location}", "maildir", p, item.location

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]:
        seen = set(known)
        items = []
        for location, kind, path, inner in self._enumerate():
            self._items[location] = (kind, path, inner)
            if location not in seen:
                items.append(SourceItem(location=location))
        return items

    def fetch(self, items: Sequence[SourceItem]) -> Iterator[RawMail]:
        mboxes: dict[Path, mailbox.mbox] = {}
        try:
            for item in items:
                kind, path, inner = self._items[item.location]
                if kind == "eml":
                    data = path.read_bytes()
                elif kind == "mbox":
                    box = mboxes.get(path) or mboxes.setdefault(
                        path, mailbox.mbox(path, create=False)
                    )
                    # get_bytes() returns the message without the mbox "From " line, as sent.
                    data = box.get_bytes(int(inner))
                else:
                    md = MaildirSource(path)
                    md.list_new(0)
                    data = next(iter(md.fetch([SourceItem(location=inner)]))).data
                yield RawMail(data=data, mailbox=self.key, location=item.location)
        finally:
            for box in mboxes.values():
                box.close()

    def post_action(self, items: Sequence[SourceItem]) -> None:
        """Imported files are never changed."""
