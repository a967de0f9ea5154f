"""Helpers for the notification tests: messages imported through the real ingest pipeline
into a migrated database, and a recording transport for the outbox's own unit tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.config import Config
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.notify.config import NotifyConfig, load
from dienhinh.notify.transport import Delivered
from dienhinh.store.models import Notification
from factory import DOCX_TYPE, ICT, Attach, DocSpec, article_text, make_docx, make_email
from helpers import ingestor


def article_mail(seed: int, when: datetime, **kw: Any) -> bytes:
    """A unit's mail with one .docx article, received (Date) at ``when``."""
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    kw.setdefault("message_id", f"<bai-{seed}@laocai.gov.vn>")
    return make_email(attachments=[Attach("bai.docx", doc, DOCX_TYPE)], date=when, **kw)


@dataclass
class Env:
    config: Config
    ing: Ingestor
    folder: Path
    n: int = 0

    @property
    def engine(self) -> Any:
        return self.ing.engine

    def notify(self, **overrides: Any) -> NotifyConfig:
        return load(self.config, environ={}, **overrides)

    def ingest(self, *raws: bytes, failures: int = 0) -> None:
        """Import the messages through the real pipeline (file import)."""
        paths = []
        for raw in raws:
            self.n += 1
            p = self.folder / f"m{self.n:04d}.eml"
            p.write_bytes(raw)
            paths.append(p)
        report = self.ing.import_from(FileImportSource(paths))
        assert report.failed == failures, report

    def rows(self) -> list[Notification]:
        with Session(self.engine) as s:
            return list(
                s.execute(
                    select(Notification)
                    .where(Notification.status != "enabled")
                    .order_by(Notification.id)
                ).scalars()
            )


@dataclass
class Recording:
    """A transport that records what it was given and answers what the test says."""

    name: str = "recording"
    sent: list[tuple[EmailMessage, list[str], str]] = field(default_factory=list)
    fail_with: Sequence[Exception] = ()
    closed: int = 0

    def send(
        self, msg: EmailMessage, *, sender: str, recipients: Sequence[str], key: str
    ) -> Delivered:
        if self.fail_with:
            err, *rest = self.fail_with
            self.fail_with = rest
            raise err
        self.sent.append((msg, list(recipients), key))
        return Delivered(status="sent")

    def close(self) -> None:
        self.closed += 1


__all__ = ["ICT", "Env", "Recording", "article_mail", "make_env"]


def make_env(make_config: Callable[..., Config], tmp_path: Path, **notify: Any) -> Env:
    notify.setdefault("dry_run", True)
    notify.setdefault("dry_run_dir", str(tmp_path / "outbox"))
    config = make_config(notify=notify)
    folder = tmp_path / "eml"
    folder.mkdir(exist_ok=True)
    return Env(config=config, ing=ingestor(config), folder=folder)
