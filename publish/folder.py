"""The export folder: one directory per article, ready for a manual upload to any portal.

``<root>/<id>-<slug>/`` holds ``index.html`` (clean, self-contained, UTF-8), ``images/``
(the photos, copied from the blob store, named by position and type: never by the name
the sender gave) and ``manifest.json`` (the article's data and tags).

Atomic: the directory is built under a hidden ``.tmp-<id>-*`` name, fsync'ed, then
renamed into place, so a reader (or a crash) never sees half an article. Re-publishing
moves the old directory aside (``.old-<id>-*``), renames the new one in and removes the
old; a crash between the two renames leaves complete copies only, and the next
publication of the article sweeps the hidden leftovers. The directory name starts with
the zero-padded article id, so an edited title renames the article's directory instead
of adding a second one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from dienhinh.core.config import Config
from dienhinh.core.errors import RetryablePublishError

from .base import ImageItem, PublicationItem, Receipt
from .config import PublishSettings
from .render import html_document, slugify

__all__ = ["FolderPublisher", "directory_name"]

log = logging.getLogger(__name__)


def directory_name(item: PublicationItem) -> str:
    return f"{item.article_id:06d}-{slugify(item.title)}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderPublisher:
    name: ClassVar[str] = "folder"

    def __init__(self, root: Path, *, timezone: str, durable: bool = True) -> None:
        self.root = root
        self.timezone = timezone
        self.durable = durable

    @classmethod
    def from_settings(cls, settings: PublishSettings, config: Config) -> FolderPublisher:
        return cls(settings.folder.path, timezone=config.timezone)

    def publish(self, item: PublicationItem) -> Receipt:
        """Write the article's directory; a file-system error (disk full, permissions) is
        a RetryablePublishError naming the folder: it may pass, and retrying is safe."""
        try:
            return self._publish(item)
        except OSError as err:
            raise RetryablePublishError(
                f"export folder {self.root}: cannot write article {item.article_id}: "
                f"{err.strerror or err}"
            ) from err

    def _publish(self, item: PublicationItem) -> Receipt:
        self.root.mkdir(parents=True, exist_ok=True)
        prefix = f"{item.article_id:06d}-"
        for hidden in (".tmp-", ".old-"):
            for leftover in self.root.glob(f"{hidden}{prefix}*"):
                shutil.rmtree(leftover, ignore_errors=True)
        name = directory_name(item)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{prefix}", dir=self.root))
        try:
            self._write(tmp, item)
            final = self.root / name
            old: list[Path] = [p for p in self.root.glob(f"{prefix}*") if p.is_dir()]
            aside: list[Path] = []
            for p in old:
                moved = Path(tempfile.mkdtemp(prefix=f".old-{prefix}", dir=self.root))
                p.replace(moved / "d")
                aside.append(moved)
            tmp.replace(final)
            if self.durable:
                _fsync(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for moved in aside:
            shutil.rmtree(moved, ignore_errors=True)
        log.info("exported article %s to %s", item.article_id, final)
        return Receipt(remote_id=name, url=None, detail=str(final))

    def _write(self, tmp: Path, item: PublicationItem) -> None:
        tmp.chmod(0o755)  # mkdtemp makes 0700; the folder is meant to be read by others
        images_dir = tmp / "images"
        names: dict[int, str] = {}
        ordered = sorted(item.images, key=lambda i: (i.position, i.asset_id))
        if ordered:
            images_dir.mkdir()
        for n, img in enumerate(ordered, start=1):
            rel = f"images/{n:02d}{img.extension}"
            shutil.copyfile(img.path, tmp / rel)
            names[img.asset_id] = rel

        def src(img: ImageItem) -> str:
            return names[img.asset_id]

        (tmp / "index.html").write_text(
            html_document(item, src, timezone=self.timezone), encoding="utf-8"
        )
        (tmp / "manifest.json").write_text(
            json.dumps(self._manifest(item, names), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        if self.durable:
            for f in [
                tmp / "index.html",
                tmp / "manifest.json",
                *(tmp / r for r in names.values()),
            ]:
                _fsync(f)
            if ordered:
                _fsync(images_dir)
            _fsync(tmp)

    def _manifest(self, item: PublicationItem, names: dict[int, str]) -> dict[str, Any]:
        received = item.received_at.astimezone(ZoneInfo(self.timezone))
        cover = item.cover
        return {
            "article_id": item.article_id,
            "key": item.key,
            "title": item.title,
            "lead": item.lead,
            "unit": {"code": item.unit_code, "name": item.unit_name},
            "campaigns": [{"code": c.code, "label": c.label} for c in item.campaigns],
            "subject_type": item.subject_type,
            "kind": item.kind,
            "source": item.source,
            "received_at": received.isoformat(),
            "received_date": received.date().isoformat(),
            "message_id": item.message_id,
            "cover": names[cover.asset_id] if cover is not None else None,
            "images": [
                {
                    "file": names[img.asset_id],
                    "caption": img.caption,
                    "content_type": img.content_type,
                    "size": img.size,
                    "sha256": img.sha256,
                    "original_filename": img.filename,
                    "cover": img is cover,
                }
                for img in sorted(item.images, key=lambda i: (i.position, i.asset_id))
            ],
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
