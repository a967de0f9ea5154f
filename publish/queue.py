"""The publication queue: one Publication row per article and target, and the run that
works through the due rows.

States (``store.states.PublicationState``), changed only through ``transition()``:
queued -> published | failed | cancelled; failed -> queued (retry); published -> queued
(an edited, re-approved article updates the same post); cancelled -> queued.

:func:`run_queue` claims due rows first (``claimed_by``/``claimed_until``, a
compare-and-set UPDATE; on PostgreSQL the candidate rows are also read ``FOR UPDATE SKIP
LOCKED`` so two workers never wait on each other), so several workers never publish the
same row at once, and a crashed worker's claim simply expires. Each row is published
outside any database transaction (a slow portal holds no lock), inside the queue's one
catch boundary (the :class:`~dienhinh.core.runner.Runner` base's): whatever happens to one
row is recorded on it and the run goes on.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, exists, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config
from dienhinh.core.errors import (
    ConfigError,
    IllegalTransition,
    PermanentPublishError,
    PublishError,
    RetryablePublishError,
)
from dienhinh.core.runner import Runner
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Article, Publication
from dienhinh.store.states import ArticleState, PublicationState, initial, transition

from .base import Publisher, Receipt
from .config import PublishSettings, configured
from .config import load as load_settings
from .items import Labels, build_item, labels

__all__ = ["ItemOutcome", "QueueReport", "enqueue", "retry", "run_queue", "withdraw"]

log = logging.getLogger(__name__)

_PUBLISHABLE = (ArticleState.APPROVED, ArticleState.PUBLISHED)
_ERROR_MAX = 4000
QUEUE_ACTOR = "publish-queue"


# --- editor-side operations (called inside the caller's transaction) --------------------


def _reset(pub: Publication) -> None:
    pub.attempts = 0
    pub.next_attempt_at = None
    pub.last_error = None
    pub.claimed_by = None
    pub.claimed_until = None


def _check_article(article: Article) -> None:
    if article.status not in _PUBLISHABLE:
        raise IllegalTransition(
            f"article {article.id} is {article.status}: only an approved article is published"
        )


def enqueue(
    session: Session, article: Article, *, actor: str, targets: Sequence[str] | None = None
) -> list[Publication]:
    """One queued Publication per target for an approved article, in target order.

    Idempotent: a target already queued is left as it is; a failed, cancelled or
    published one is queued again (a published one is then *updated* on its target, with
    the id it answered before). ``targets=None`` means the process default (see
    ``dienhinh.publish.config.configure``). Flushes; the caller commits.
    """
    from dienhinh.publish import publisher_names

    names = tuple(targets) if targets is not None else configured().targets
    for t in names:
        if t not in publisher_names():
            raise ConfigError("publish.targets", f"unknown target {t!r}")
    _check_article(article)
    existing = {
        p.target: p
        for p in session.execute(
            select(Publication).where(Publication.article_id == article.id)
        ).scalars()
    }
    out: list[Publication] = []
    for target in names:
        pub = existing.get(target)
        if pub is None:
            pub = Publication(article_id=article.id, target=target, created_by=actor, attempts=0)
            initial(pub, PublicationState.QUEUED)
            session.add(pub)
        elif pub.status != PublicationState.QUEUED:
            transition(
                session,
                pub,
                PublicationState.QUEUED,
                actor=actor,
                reason=f"approved ({pub.status})",
            )
            _reset(pub)
        out.append(pub)
    session.flush()
    return out


def withdraw(session: Session, article: Article, *, actor: str) -> None:
    """Cancel the article's publications that have not gone out (queued or failed), when
    it is sent back to review or rejected. What is already published stays published: the
    next approval re-queues it and updates the same post."""
    pubs = session.execute(
        select(Publication).where(
            Publication.article_id == article.id,
            Publication.status.in_([PublicationState.QUEUED, PublicationState.FAILED]),
        )
    ).scalars()
    for pub in pubs:
        transition(
            session, pub, PublicationState.CANCELLED, actor=actor, reason="article withdrawn"
        )
        pub.next_attempt_at = None
    session.flush()


def retry(session: Session, publication: Publication, *, actor: str) -> None:
    """Queue a publication again now, with a fresh budget of attempts (an editor's or an
    operator's decision after fixing the cause: a password, the portal, a photo)."""
    article = session.get(Article, publication.article_id)
    if article is None:
        raise IllegalTransition(f"publication {publication.id}: its article no longer exists")
    _check_article(article)
    transition(session, publication, PublicationState.QUEUED, actor=actor, reason="retry requested")
    _reset(publication)
    session.flush()


# --- the run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one publication in a run. ``status``: "published", "retrying"
    (queued again for ``next_attempt_at``), "failed" (an editor must look), "cancelled"
    (its article is no longer approved) or "superseded" (withdrawn or re-claimed while it
    was being published; the target's id is kept)."""

    publication_id: int
    article_id: int
    target: str
    status: str
    remote_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None


@dataclass
class QueueReport:
    holder: str
    outcomes: list[ItemOutcome] = field(default_factory=list)
    articles_published: list[int] = field(default_factory=list)

    def _with(self, status: str) -> list[ItemOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def published(self) -> list[ItemOutcome]:
        return self._with("published")

    @property
    def retrying(self) -> list[ItemOutcome]:
        return self._with("retrying")

    @property
    def failed(self) -> list[ItemOutcome]:
        return self._with("failed")

    @property
    def ok(self) -> bool:
        return not self.retrying and not self.failed


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_queue(
    engine: Engine,
    config: Config,
    *,
    now: datetime | None = None,
    holder: str = "",
    publishers: Mapping[str, Publisher] | None = None,
) -> QueueReport:
    """Publish every due publication once; returns what happened to each.

    ``now`` fixes the clock (tests); ``holder`` names this worker in the claims
    (default host:pid); ``publishers`` replaces the configured ones (tests).
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("run_queue: now must be timezone-aware")
    settings = load_settings(config)
    if publishers is None:
        from dienhinh.publish import build_publishers

        publishers = build_publishers(settings, config)
    run = _Run(
        factory=sessionmaker(engine, expire_on_commit=False),
        settings=settings,
        publishers=publishers,
        blobs=BlobStore(config.blob_dir),
        config=config,
        holder=holder or default_holder(),
        clock=(lambda: now) if now is not None else (lambda: datetime.now(UTC)),
        postgres=engine.dialect.name == "postgresql",
    )
    return run.run(QueueReport(holder=run.holder))


@dataclass
class _Run(Runner[int, QueueReport]):
    """One pass over the due publications: claimed rows, each published (``_dispose``)
    under the runner's boundary, which records an unexpected error on that row."""

    factory: sessionmaker[Session]
    settings: PublishSettings
    publishers: Mapping[str, Publisher]
    blobs: BlobStore
    config: Config
    holder: str
    clock: Callable[[], datetime]
    postgres: bool
    names: Labels = field(init=False)

    def run(self, report: QueueReport) -> QueueReport:
        report.articles_published.extend(self._settle_articles())
        self.names = labels(self.config)
        return super().run(report)

    def _dispose(self, pid: int, report: QueueReport) -> None:
        self._add(report, *self._one(pid, self.names))

    def _record_failure(self, pid: int, err: Exception, report: QueueReport) -> None:
        # Not a publish error: a bug, or the database failing under us. Record it on the
        # row as a retryable failure (so it is visible and backs off) and go on with the
        # next row; if even that fails, the claim expires and a later run takes the row
        # again (publishing is idempotent).
        log.exception("publication %s: unexpected error", pid)
        self._add(report, *self._failed(pid, f"internal error: {type(err).__name__}: {err}"))

    @staticmethod
    def _add(report: QueueReport, outcome: ItemOutcome, done: int | None) -> None:
        report.outcomes.append(outcome)
        if done is not None:
            report.articles_published.append(done)

    # -- claiming ----------------------------------------------------------------------

    def _claim(self) -> list[int]:
        now = self.clock()
        due = and_(
            Publication.status == PublicationState.QUEUED,
            Publication.target.in_(list(self.publishers)),
            or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at <= now),
            or_(Publication.claimed_until.is_(None), Publication.claimed_until < now),
        )
        until = now + timedelta(seconds=self.settings.claim_seconds)
        claimed: list[int] = []
        with self.factory.begin() as s:
            q = (
                select(Publication.id)
                .where(due)
                .order_by(Publication.next_attempt_at.asc().nulls_first(), Publication.id)
                .limit(self.settings.batch_size)
            )
            if self.postgres:
                q = q.with_for_update(skip_locked=True)
            for pid in s.execute(q).scalars().all():
                # compare-and-set: on SQLite (no row locks) two workers may read the same
                # candidates; only one UPDATE matches.
                res = s.execute(
                    update(Publication)
                    .where(Publication.id == pid, due)
                    .values(claimed_by=self.holder, claimed_until=until)
                    .execution_options(synchronize_session=False)
                )
                if res.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(pid)
        return claimed

    def _mine(self, s: Session, pid: int) -> Publication | None:
        """The row, locked on PostgreSQL, if this worker still holds it as queued."""
        pub = s.get(Publication, pid, with_for_update=self.postgres)
        if pub is None or pub.status != PublicationState.QUEUED or pub.claimed_by != self.holder:
            return None
        return pub

    # -- one publication ---------------------------------------------------------------

    def _one(self, pid: int, names: Labels) -> tuple[ItemOutcome, int | None]:
        with self.factory() as s:
            pub = s.get(Publication, pid)
            if pub is None:
                return ItemOutcome(pid, 0, "", "superseded", error="row deleted"), None
            article = s.get(Article, pub.article_id)
            if article is None or article.status not in _PUBLISHABLE:
                return self._cancel(pid, article.status if article else "deleted"), None
            target = pub.target
            try:
                item = build_item(s, pub, self.blobs, names)
            except PublishError as err:
                return self._failed(pid, str(err), retryable=False)
        try:
            receipt = self.publishers[target].publish(item)
        except RetryablePublishError as err:
            return self._failed(pid, str(err), retryable=True)
        except PermanentPublishError as err:
            return self._failed(pid, str(err), retryable=False)
        return self._succeeded(pid, receipt)

    def _cancel(self, pid: int, article_status: str) -> ItemOutcome:
        with self.factory.begin() as s:
            pub = self._mine(s, pid)
            if pub is None:
                return ItemOutcome(pid, 0, "", "superseded")
            reason = f"article is {article_status}, not approved"
            transition(s, pub, PublicationState.CANCELLED, actor=QUEUE_ACTOR, reason=reason)
            pub.claimed_by = pub.claimed_until = None
            log.info("publication %s (article %s): cancelled, %s", pid, pub.article_id, reason)
            return ItemOutcome(pid, pub.article_id, pub.target, "cancelled", error=reason)

    def _succeeded(self, pid: int, receipt: Receipt) -> tuple[ItemOutcome, int | None]:
        now = self.clock()
        with self.factory.begin() as s:
            pub = s.get(Publication, pid, with_for_update=self.postgres)
            if pub is None:
                return ItemOutcome(pid, 0, "", "superseded", error="row deleted"), None
            # Keep what the target answered even if the row was withdrawn meanwhile: a
            # later publication then updates that post instead of making another.
            pub.remote_id = receipt.remote_id
            pub.url = receipt.url
            if pub.status != PublicationState.QUEUED or pub.claimed_by != self.holder:
                log.warning(
                    "publication %s (article %s -> %s) went out but was %s meanwhile",
                    pid,
                    pub.article_id,
                    pub.target,
                    pub.status
                    if pub.status != PublicationState.QUEUED
                    else f"claimed by {pub.claimed_by}",
                )
                return ItemOutcome(
                    pid, pub.article_id, pub.target, "superseded", receipt.remote_id, receipt.url
                ), None
            pub.attempts += 1
            pub.last_error = None
            pub.next_attempt_at = None
            pub.claimed_by = pub.claimed_until = None
            pub.published_at = now
            transition(
                s,
                pub,
                PublicationState.PUBLISHED,
                actor=f"publisher:{pub.target}",
                reason=receipt.detail or None,
                extra={"remote_id": receipt.remote_id, "url": receipt.url},
            )
            log.info(
                "publication %s: article %s published on %s (%s)",
                pid,
                pub.article_id,
                pub.target,
                receipt.url or receipt.remote_id,
            )
            outcome = ItemOutcome(
                pid,
                pub.article_id,
                pub.target,
                "published",
                receipt.remote_id,
                receipt.url,
                attempts=pub.attempts,
            )
            done = self._settle(s, pub.article_id, now)
        return outcome, done

    def _failed(
        self, pid: int, error: str, *, retryable: bool = True
    ) -> tuple[ItemOutcome, int | None]:
        now = self.clock()
        error = error[:_ERROR_MAX]
        with self.factory.begin() as s:
            pub = self._mine(s, pid)
            if pub is None:
                return ItemOutcome(pid, 0, "", "superseded", error=error), None
            pub.attempts += 1
            pub.last_error = error
            pub.claimed_by = pub.claimed_until = None
            where = f"publication {pid} (article {pub.article_id} -> {pub.target})"
            if retryable and pub.attempts < self.settings.max_attempts:
                delay = min(
                    self.settings.retry_backoff_seconds * 2 ** (pub.attempts - 1),
                    self.settings.max_backoff_seconds,
                )
                pub.next_attempt_at = now + timedelta(seconds=delay)
                transition(
                    s,
                    pub,
                    PublicationState.QUEUED,
                    actor=QUEUE_ACTOR,
                    reason=f"attempt {pub.attempts} failed, retry in {delay} s: {error}",
                )
                log.warning(
                    "%s: attempt %s failed, retry in %s s: %s", where, pub.attempts, delay, error
                )
                status = "retrying"
            else:
                pub.next_attempt_at = None
                why = "refused" if not retryable else f"gave up after {pub.attempts} attempts"
                transition(
                    s, pub, PublicationState.FAILED, actor=QUEUE_ACTOR, reason=f"{why}: {error}"
                )
                log.error("%s: failed (%s): %s", where, why, error)
                status = "failed"
            return ItemOutcome(
                pid,
                pub.article_id,
                pub.target,
                status,
                error=error,
                attempts=pub.attempts,
                next_attempt_at=pub.next_attempt_at,
            ), None

    # -- articles ------------------------------------------------------------------------

    def _settle(self, s: Session, article_id: int, now: datetime) -> int | None:
        """Move the article to published when all its (non-cancelled) publications are;
        its URL is the first target (in configured order) that gave one."""
        pubs = [
            p
            for p in s.execute(
                select(Publication).where(Publication.article_id == article_id)
            ).scalars()
            if p.status != PublicationState.CANCELLED
        ]
        if not pubs or any(p.status != PublicationState.PUBLISHED for p in pubs):
            return None
        article = s.get(Article, article_id)
        if article is None or article.status not in _PUBLISHABLE:
            return None
        order = {t: i for i, t in enumerate(self.settings.targets)}
        urls = [p.url for p in sorted(pubs, key=lambda p: order.get(p.target, 99)) if p.url]
        article.published_url = urls[0] if urls else None
        article.published_at = now
        if article.status == ArticleState.APPROVED:
            transition(
                s,
                article,
                ArticleState.PUBLISHED,
                actor=QUEUE_ACTOR,
                reason="published on " + ", ".join(sorted(p.target for p in pubs)),
                extra={"url": article.published_url},
            )
            return article_id
        return None

    def _settle_articles(self) -> list[int]:
        """Articles left approved although every publication is published (the run that
        published the last one failed to record the article, e.g. an editor saved the
        article at that very moment): settle them now. One indexed query."""
        open_states = [PublicationState.QUEUED, PublicationState.FAILED]
        q = select(Article.id).where(
            Article.status == ArticleState.APPROVED,
            exists().where(
                Publication.article_id == Article.id,
                Publication.status == PublicationState.PUBLISHED,
            ),
            ~exists().where(
                Publication.article_id == Article.id, Publication.status.in_(open_states)
            ),
        )
        done: list[int] = []
        with self.factory() as s:
            ids = list(s.execute(q).scalars())
        for aid in ids:
            with self.factory.begin() as s:
                if self._settle(s, aid, self.clock()) is not None:
                    done.append(aid)
        return done
