"""The publication queue on SQLite and PostgreSQL: enqueue/withdraw/retry, claims, the
catch boundary, backoff, and the article reaching ``published``."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import ClassVar

import pytest
from sqlalchemy import select

from dienhinh.core.errors import (
    ConfigError,
    IllegalTransition,
    PermanentPublishError,
    RetryablePublishError,
)
from dienhinh.publish import config as publish_config
from dienhinh.publish.base import PublicationItem, Receipt
from dienhinh.publish.queue import enqueue, retry, run_queue, withdraw
from dienhinh.store.models import Article, AuditLog, Publication
from dienhinh.store.states import ArticleState, transition
from pubtools import T0, PubEnv, later


class Fake:
    """A publisher whose answers are scripted per call: a Receipt, or an exception."""

    name: ClassVar[str] = "fake"

    def __init__(self, target: str, script: list[object] | None = None) -> None:
        self.target = target
        self.script = list(script or [])
        self.calls: list[PublicationItem] = []
        self.during: Callable[[PublicationItem], None] | None = None

    def publish(self, item: PublicationItem) -> Receipt:
        self.calls.append(item)
        if self.during is not None:
            self.during(item)
        step = self.script.pop(0) if self.script else None
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, Receipt):
            return step
        return Receipt(
            remote_id=f"{self.target}-{item.article_id}",
            url=f"https://portal.example/{self.target}/{item.article_id}",
        )


def pubs_of(env: PubEnv, article_id: int) -> dict[str, Publication]:
    with env.session() as s:
        rows = s.execute(select(Publication).where(Publication.article_id == article_id))
        return {p.target: p for p in rows.scalars()}


def approve_and_enqueue(env: PubEnv, aid: int, targets: tuple[str, ...] = ("feed", "folder")):
    with env.session() as s:
        art = s.get(Article, aid)
        pubs = enqueue(s, art, actor="editor:lan", targets=targets)
        s.commit()
        return [p.id for p in pubs]


def test_enqueue_is_idempotent_and_checks_targets_and_state(pub_env, db_url):
    env = pub_env()
    aid = env.article()
    first = approve_and_enqueue(env, aid)
    again = approve_and_enqueue(env, aid)
    assert first == again and len(first) == 2
    pubs = pubs_of(env, aid)
    assert {t: p.status for t, p in pubs.items()} == {"feed": "queued", "folder": "queued"}
    assert pubs["feed"].created_by == "editor:lan"

    with env.session() as s, pytest.raises(ConfigError) as err:
        enqueue(s, s.get(Article, aid), actor="x", targets=["facebook"])
    assert err.value.key == "publish.targets"

    pending = env.article(status=ArticleState.PENDING_REVIEW)
    with env.session() as s, pytest.raises(IllegalTransition, match="approved"):
        enqueue(s, s.get(Article, pending), actor="x", targets=["feed"])


def test_enqueue_without_targets_uses_the_configured_default(pub_env, db_url):
    env = pub_env(targets=["folder"])
    aid = env.article()
    publish_config.reset()
    with env.session() as s, pytest.raises(ConfigError, match="configure"):
        enqueue(s, s.get(Article, aid), actor="x")
    publish_config.configure(env.config)
    with env.session() as s:
        pubs = enqueue(s, s.get(Article, aid), actor="x")
        assert [p.target for p in pubs] == ["folder"]


def test_a_run_publishes_stores_ids_and_publishes_the_article(pub_env, db_url):
    env = pub_env()
    aid = env.article()
    approve_and_enqueue(env, aid)
    feed, folder = Fake("feed", [Receipt(remote_id="tag:x")]), Fake("folder")
    report = run_queue(
        env.engine, env.config, now=T0, holder="w1", publishers={"feed": feed, "folder": folder}
    )
    assert [o.status for o in report.outcomes] == ["published", "published"]
    assert report.articles_published == [aid]
    assert report.ok
    pubs = pubs_of(env, aid)
    assert pubs["feed"].remote_id == "tag:x" and pubs["feed"].url is None
    assert pubs["folder"].url == f"https://portal.example/folder/{aid}"
    assert all(p.status == "published" and p.attempts == 1 for p in pubs.values())
    assert all(p.claimed_by is None and p.published_at == T0 for p in pubs.values())
    with env.session() as s:
        art = s.get(Article, aid)
        assert art.status == ArticleState.PUBLISHED
        assert art.published_at == T0
        # the first target (configured order) that gave a URL
        assert art.published_url == f"https://portal.example/folder/{aid}"
        actions = [
            (a.object_type, a.action, a.actor)
            for a in s.execute(select(AuditLog).order_by(AuditLog.id)).scalars()
            if a.object_type in ("publication", "article") and a.action != "state:approved"
        ]
    assert ("publication", "state:published", "publisher:feed") in actions
    assert ("article", "state:published", "publish-queue") in actions
    # nothing is due any more
    assert run_queue(env.engine, env.config, now=later(1), publishers={"feed": feed}).outcomes == []
    assert len(feed.calls) == 1


def test_retryable_errors_back_off_exponentially_then_succeed(pub_env, db_url):
    env = pub_env(retry_backoff_seconds=60, max_attempts=5)
    aid = env.article()
    approve_and_enqueue(env, aid, ("folder",))
    fake = Fake("folder", [RetryablePublishError("HTTP 503 busy"), RetryablePublishError("t/o")])
    pubs = {"folder": fake}

    r1 = run_queue(env.engine, env.config, now=T0, publishers=pubs)
    assert [(o.status, o.attempts) for o in r1.outcomes] == [("retrying", 1)]
    assert r1.outcomes[0].next_attempt_at == later(60)
    assert not r1.ok
    p = pubs_of(env, aid)["folder"]
    assert p.status == "queued" and p.last_error == "HTTP 503 busy" and p.claimed_by is None

    assert run_queue(env.engine, env.config, now=later(59), publishers=pubs).outcomes == []
    r2 = run_queue(env.engine, env.config, now=later(60), publishers=pubs)
    assert r2.outcomes[0].next_attempt_at == later(60 + 120)  # doubled
    r3 = run_queue(env.engine, env.config, now=later(180), publishers=pubs)
    assert r3.outcomes[0].status == "published"
    p = pubs_of(env, aid)["folder"]
    assert (p.status, p.attempts, p.last_error, p.next_attempt_at) == ("published", 3, None, None)
    assert [c.attempt for c in fake.calls] == [1, 2, 3]


def test_out_of_retries_or_refused_ends_failed_with_the_error(pub_env, db_url):
    env = pub_env(max_attempts=2, retry_backoff_seconds=10)
    a1, a2 = env.article(), env.article()
    approve_and_enqueue(env, a1, ("folder",))
    approve_and_enqueue(env, a2, ("feed",))
    folder = Fake(
        "folder", [RetryablePublishError("timeout 1"), RetryablePublishError("timeout 2")]
    )
    feed = Fake("feed", [PermanentPublishError("HTTP 401 incorrect_password: wrong")])
    pubs = {"folder": folder, "feed": feed}
    r = run_queue(env.engine, env.config, now=T0, publishers=pubs)
    assert sorted(o.status for o in r.outcomes) == ["failed", "retrying"]
    run_queue(env.engine, env.config, now=later(10), publishers=pubs)
    p1, p2 = pubs_of(env, a1)["folder"], pubs_of(env, a2)["feed"]
    assert (p1.status, p1.attempts, p1.last_error) == ("failed", 2, "timeout 2")
    assert (p2.status, p2.attempts) == ("failed", 1)
    assert "incorrect_password" in p2.last_error
    with env.session() as s:
        assert s.get(Article, a1).status == ArticleState.APPROVED  # not published
        reasons = [
            a.reason
            for a in s.execute(
                select(AuditLog).where(AuditLog.object_type == "publication")
            ).scalars()
        ]
    assert any(r and r.startswith("gave up after 2 attempts") for r in reasons)
    assert any(r and r.startswith("refused: HTTP 401") for r in reasons)

    # an operator fixes the cause and retries: a fresh budget, published at once
    with env.session() as s:
        retry(s, s.get(Publication, p1.id), actor="cli")
        s.commit()
    r = run_queue(env.engine, env.config, now=later(20), publishers=pubs)
    assert [o.status for o in r.outcomes] == ["published"]
    assert r.articles_published == [a1]


def test_one_item_crashing_never_stops_the_run(pub_env, db_url):
    env = pub_env()
    a1, a2 = env.article(), env.article()
    approve_and_enqueue(env, a1, ("folder",))
    approve_and_enqueue(env, a2, ("folder",))
    fake = Fake("folder", [ValueError("a bug")])
    r = run_queue(env.engine, env.config, now=T0, publishers={"folder": fake})
    assert [o.status for o in r.outcomes] == ["retrying", "published"]
    p = pubs_of(env, a1)["folder"]
    assert p.last_error == "internal error: ValueError: a bug" and p.claimed_by is None


def test_withdrawn_or_unapproved_articles_are_not_published(pub_env, db_url):
    env = pub_env()
    a1, a2 = env.article(), env.article()
    approve_and_enqueue(env, a1)
    approve_and_enqueue(env, a2)
    with env.session() as s:
        art = s.get(Article, a1)
        transition(s, art, ArticleState.PENDING_REVIEW, actor="editor:lan", reason="sửa lại")
        withdraw(s, art, actor="editor:lan")
        # a2 goes back to review without withdraw(): the queue notices and cancels
        transition(s, s.get(Article, a2), ArticleState.PENDING_REVIEW, actor="editor:lan")
        s.commit()
    assert {p.status for p in pubs_of(env, a1).values()} == {"cancelled"}
    fake = Fake("feed")
    r = run_queue(env.engine, env.config, now=T0, publishers={"feed": fake, "folder": fake})
    assert fake.calls == []
    assert [o.status for o in r.outcomes] == ["cancelled", "cancelled"]
    assert {p.status for p in pubs_of(env, a2).values()} == {"cancelled"}
    with env.session() as s, pytest.raises(IllegalTransition):
        retry(s, s.get(Publication, pubs_of(env, a2)["feed"].id), actor="cli")

    # approved again: the same rows are queued again, not new ones
    with env.session() as s:
        transition(s, s.get(Article, a1), ArticleState.APPROVED, actor="editor:lan")
        s.commit()
    ids = approve_and_enqueue(env, a1)
    assert sorted(ids) == sorted(p.id for p in pubs_of(env, a1).values())
    assert {p.status for p in pubs_of(env, a1).values()} == {"queued"}


def test_republishing_an_edit_passes_the_previous_remote_id(pub_env, db_url):
    env = pub_env()
    aid = env.article()
    approve_and_enqueue(env, aid, ("folder",))
    fake = Fake("folder")
    run_queue(env.engine, env.config, now=T0, publishers={"folder": fake})
    assert fake.calls[0].remote_id is None
    with env.session() as s:
        art = s.get(Article, aid)
        transition(s, art, ArticleState.PENDING_REVIEW, actor="editor:lan", reason="sửa")
        art.title = "Tiêu đề đã sửa"
        transition(s, art, ArticleState.APPROVED, actor="editor:lan")
        s.commit()
    approve_and_enqueue(env, aid, ("folder",))
    r = run_queue(env.engine, env.config, now=later(100), publishers={"folder": fake})
    assert r.articles_published == [aid]
    assert fake.calls[1].remote_id == f"folder-{aid}"
    assert fake.calls[1].title == "Tiêu đề đã sửa"
    with env.session() as s:
        assert s.get(Article, aid).published_at == later(100)


def test_a_claimed_row_is_not_taken_by_another_worker_until_the_claim_expires(pub_env, db_url):
    env = pub_env(claim_seconds=300)
    aid = env.article()
    approve_and_enqueue(env, aid, ("folder",))
    other_reports = []
    fake = Fake("folder")
    # while worker 1 publishes (its claim committed), worker 2 runs: it must find nothing
    fake.during = lambda item: other_reports.append(
        run_queue(env.engine, env.config, now=T0, holder="w2", publishers={"folder": Fake("x")})
    )
    run_queue(env.engine, env.config, now=T0, holder="w1", publishers={"folder": fake})
    assert [r.outcomes for r in other_reports] == [[]]
    assert pubs_of(env, aid)["folder"].status == "published"

    # a worker that died holding a claim: its rows come back once the claim expires
    a2 = env.article()
    approve_and_enqueue(env, a2, ("folder",))
    with env.session() as s:
        p = pubs_of(env, a2)["folder"]
        row = s.get(Publication, p.id)
        row.claimed_by, row.claimed_until = "dead-worker", later(300)
        s.commit()
    assert (
        run_queue(env.engine, env.config, now=later(299), publishers={"folder": fake}).outcomes
        == []
    )
    r = run_queue(env.engine, env.config, now=later(301), publishers={"folder": fake})
    assert [o.status for o in r.outcomes] == ["published"]


def test_a_row_withdrawn_while_publishing_keeps_the_remote_id(pub_env, db_url):
    env = pub_env()
    aid = env.article()
    approve_and_enqueue(env, aid, ("folder",))
    fake = Fake("folder")

    def withdraw_now(item: PublicationItem) -> None:
        with env.session() as s:
            art = s.get(Article, aid)
            transition(s, art, ArticleState.PENDING_REVIEW, actor="editor:lan")
            withdraw(s, art, actor="editor:lan")
            s.commit()

    fake.during = withdraw_now
    r = run_queue(env.engine, env.config, now=T0, publishers={"folder": fake})
    assert [o.status for o in r.outcomes] == ["superseded"]
    p = pubs_of(env, aid)["folder"]
    assert (p.status, p.remote_id) == ("cancelled", f"folder-{aid}")


def test_partial_failure_keeps_the_article_approved_until_every_target_has_it(pub_env, db_url):
    env = pub_env()
    aid = env.article()
    approve_and_enqueue(env, aid)
    feed, folder = Fake("feed"), Fake("folder", [PermanentPublishError("disk says no")])
    pubs = {"feed": feed, "folder": folder}
    r = run_queue(env.engine, env.config, now=T0, publishers=pubs)
    assert r.articles_published == []
    with env.session() as s:
        assert s.get(Article, aid).status == ArticleState.APPROVED
        retry(s, s.get(Publication, pubs_of(env, aid)["folder"].id), actor="cli")
        s.commit()
    r = run_queue(env.engine, env.config, now=later(5), publishers=pubs)
    assert r.articles_published == [aid]


def test_concurrent_workers_publish_each_row_exactly_once(pub_env, db_url):
    env = pub_env(batch_size=100)
    ids = [env.article(images=[]) for _ in range(12)]
    for aid in ids:
        approve_and_enqueue(env, aid, ("folder",))
    seen: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    class Slow(Fake):
        def publish(self, item: PublicationItem) -> Receipt:
            with lock:
                seen[item.article_id] += 1
            return super().publish(item)

    reports = []

    def worker(n: int) -> None:
        barrier.wait()
        reports.append(
            run_queue(
                env.engine,
                env.config,
                now=T0,
                holder=f"w{n}",
                publishers={"folder": Slow("folder")},
            )
        )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reports) == 3
    assert sorted(seen) == sorted(ids) and set(seen.values()) == {1}
    assert sum(len(r.published) for r in reports) == 12
    assert sorted(a for r in reports for a in r.articles_published) == sorted(ids)
