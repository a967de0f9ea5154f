"""Learning from editors: addresses they attribute to units, and articles they confirm.

The database side of the taggers' learning (the review console and the command line call
these). An address the directory does not know is learned only when someone says so: the
command line's ``assign`` teaches it (its documented effect), the console asks the editor
after a unit change ("Ghi nhớ địa chỉ ... cho đơn vị ...?", not learned unless answered
yes). Undoing deactivates it; both are audited (object type ``address``). Retraining the
campaign model uses the articles editors approved or published.
"""

from __future__ import annotations

import json
import logging
import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dienhinh.classifiers import kinds as k
from dienhinh.classifiers import model as m
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.classifiers.kinds import cue_weights_path, load_cue_weights
from dienhinh.classifiers.seed import SEED_ARTICLES
from dienhinh.core.errors import DienhinhError
from dienhinh.core.evidence import EvidenceKind, item
from dienhinh.core.states import ArticleState
from dienhinh.core.text import lead_and_body
from dienhinh.store.audit import record_audit
from dienhinh.store.models import Article, Message, SenderAddress, Tag, utcnow

__all__ = [
    "MIN_CONFIRMED",
    "AssignResult",
    "LearnOffer",
    "NotEnoughConfirmed",
    "UnknownUnit",
    "assign_unit",
    "confirmed_examples",
    "cue_weights_path",
    "forget_address",
    "learn_address",
    "learn_offer",
    "learned_addresses",
    "load_cue_weights",
    "retrain",
    "retrain_cues",
]

log = logging.getLogger(__name__)

CONFIRMED_STATES = (ArticleState.APPROVED, ArticleState.PUBLISHED)


# Fewer confirmed articles than this leave nothing meaningful to hold back.
MIN_CONFIRMED = 10


class NotEnoughConfirmed(DienhinhError):
    """Too few editor-confirmed articles to retrain and check the result."""


class UnknownUnit(DienhinhError):
    """The unit code is not in the unit directory."""


@dataclass(frozen=True)
class AssignResult:
    message_id: str
    unit: str
    learned_address: str | None  # the address now remembered, if one was learned


@dataclass(frozen=True)
class LearnOffer:
    """The question to put after a unit change: remember ``address`` for ``unit``?"""

    address: str
    unit: str
    learned_unit: str | None  # the unit it is remembered for now (another one), if any


def _address(msg: Message) -> str:
    return (msg.from_addr or "").strip().lower()


def assign_unit(
    session: Session,
    msg: Message,
    unit: str,
    *,
    editor: str,
    directory: UnitDirectory,
    learn: bool,
    article_id: int | None = None,
) -> AssignResult:
    """An editor's unit for a message (and its articles), audited. With ``learn``, a
    sender address the directory does not know is remembered for later mail from it
    (:func:`learn_address`); the console passes False and asks first."""
    if directory.get(unit) is None:
        raise UnknownUnit(f"no unit with code {unit!r} in the directory")
    before = msg.unit
    msg.unit = unit
    msg.unit_confidence = 1.0
    msg.flags = [f for f in (msg.flags or []) if "unit" not in f and "sender" not in f]
    for art in msg.articles:
        art.unit = unit
    session.add(
        Tag(
            message_pk=msg.id,
            article_id=None,
            field="unit",
            value=unit,
            confidence=1.0,
            evidence=[item(EvidenceKind.EDITOR_ASSIGNED, editor=editor)],
            tagger=f"editor:{editor}",
        )
    )
    record_audit(
        session,
        actor=editor,
        object_type="message",
        object_id=msg.id,
        action="assign-unit",
        before={"unit": before},
        after={"unit": unit},
    )
    learned = None
    if learn:
        learned = learn_address(
            session, msg, editor=editor, directory=directory, article_id=article_id
        )
    return AssignResult(msg.message_id, unit, learned)


def learn_offer(session: Session, msg: Message, directory: UnitDirectory) -> LearnOffer | None:
    """What to ask after an editor set ``msg``'s unit: None when there is nothing to learn
    (no unit, no address, an address of the directory, or one already remembered for
    this unit)."""
    address = _address(msg)
    if not msg.unit or not address or directory.by_address(address) is not None:
        return None
    row = session.get(SenderAddress, address)
    if row is not None and row.active and row.unit == msg.unit:
        return None
    return LearnOffer(address, msg.unit, row.unit if row is not None and row.active else None)


def learn_address(
    session: Session,
    msg: Message,
    *,
    editor: str,
    directory: UnitDirectory,
    article_id: int | None = None,
) -> str | None:
    """Remember ``msg``'s sender address for ``msg``'s unit (later mail from it counts as
    that unit), audited with the article and message it was taught from. Returns the
    address, or None when there was nothing to learn (see :func:`learn_offer`)."""
    offer = learn_offer(session, msg, directory)
    if offer is None:
        return None
    row = session.get(SenderAddress, offer.address)
    before = None if row is None else {"unit": row.unit, "active": row.active}
    if row is None:
        row = SenderAddress(address=offer.address, unit=offer.unit, active=True, created_by=editor)
        session.add(row)
    row.unit, row.active, row.created_by = offer.unit, True, editor
    row.created_at = utcnow()  # when it was (last) taught: the admins' list shows it
    row.source_article_id, row.source_message_pk = article_id, msg.id
    record_audit(
        session,
        actor=editor,
        object_type="address",
        object_id=msg.id,
        action="learn-address",
        before={"address": offer.address, **before} if before else {"address": offer.address},
        after={
            "address": offer.address,
            "unit": offer.unit,
            "article_id": article_id,
            "message_id": msg.message_id,
        },
    )
    log.info("%s taught %s = %s", editor, offer.address, offer.unit)
    return offer.address


def learned_addresses(session: Session) -> list[SenderAddress]:
    """Every address ever taught, the remembered ones first, the newest first."""
    return list(
        session.execute(
            select(SenderAddress).order_by(
                SenderAddress.active.desc(),
                SenderAddress.created_at.desc(),
                SenderAddress.address,
            )
        ).scalars()
    )


def forget_address(session: Session, address: str, *, editor: str) -> bool:
    """Undo a learned address (kept, inactive, for the audit trail). False if unknown."""
    address = address.strip().lower()
    row = session.get(SenderAddress, address)
    unit = row.unit if row is not None else None
    res = session.execute(
        update(SenderAddress)
        .where(SenderAddress.address == address, SenderAddress.active)
        .values(active=False, updated_at=utcnow())
    )
    if res.rowcount:  # type: ignore[attr-defined]
        record_audit(
            session,
            actor=editor,
            object_type="address",
            object_id=0,
            action="forget-address",
            before={"address": address, "unit": unit},
            after=None,
        )
    return bool(res.rowcount)  # type: ignore[attr-defined]


def confirmed_examples(session: Session) -> list[m.Example]:
    rows = session.execute(
        select(Article.title, Article.lead, Article.text, Article.campaigns).where(
            Article.status.in_(CONFIRMED_STATES), Article.duplicate_of_id.is_(None)
        )
    ).all()
    return [
        m.Example(f"{title}\n\n{lead_and_body(lead, text)}", tuple(campaigns or ()))
        for title, lead, text, campaigns in rows
        if campaigns
    ]


def retrain(session: Session, model_file: Path) -> m.RetrainReport:
    """Train on the confirmed articles (plus the seed set, for campaigns editors have not
    confirmed yet) and replace the saved model only if the new one is not worse on a
    held-back part of the confirmed articles. ``trained_on`` records how many confirmed
    articles the saved model learned from (the tagger trusts it from 50 on)."""
    confirmed = confirmed_examples(session)
    if len(confirmed) < MIN_CONFIRMED:
        raise NotEnoughConfirmed(
            f"{len(confirmed)} editor-confirmed article(s) with campaigns; retraining needs at "
            f"least {MIN_CONFIRMED} to hold some back for the not-worse check"
        )
    current = None
    if model_file.is_file():
        try:
            current = m.load(model_file)
        except m.ModelFileError as err:
            log.warning("current model %s not usable (%s): a new one replaces it", model_file, err)
    try:
        retrain_cues(session, cue_weights_path(model_file))
    except (NotEnoughConfirmed, OSError) as err:
        log.info("subject and kind cue weights not retrained: %s", err)
    model, report = m.retrain_if_not_worse(current, confirmed, also_train_on=SEED_ARTICLES)
    if report.replaced:
        model.trained_on = report.n_train  # confirmed articles it learned from (seed excluded)
        model.save(model_file)
    log.info("retrain: %s", report)
    return report


# ---------------------------------------------------------------------------------------
# Subject type and kind: cue weights from editors' choices
#
# The subject and kind rules are sums of cues (a title word, a repeated name, years of a
# record ...). What an editor chose on an approved article says which cues were right for
# this desk's mail: :func:`~dienhinh.classifiers.kinds.learn_weights` moves each cue's
# weight (a perceptron over the cues, within bounds), cheaply, since the rules run once
# per article. The weights are a small JSON file next to the campaign model, adopted only
# when they are not worse than the rules alone on a held-back part of the articles.

CUE_FIELDS = {
    "subject_type": (k.SUBJECT_VALUES, "tap-the", k.subject_parts, k.subject_type),
    "kind": (k.KIND_VALUES, "dien-hinh-tien-tien", k.kind_parts, k.kind),
}


@dataclass(frozen=True)
class CueReport:
    """Per field: accuracy on the held-back articles without and with learned weights."""

    before: dict[str, float]
    after: dict[str, float]
    adopted: dict[str, bool]
    n_train: int
    n_holdout: int


def confirmed_choices(session: Session) -> list[tuple[str, str, str | None, str | None]]:
    """(title, text, subject_type, kind) of the articles editors approved or published."""
    rows = session.execute(
        select(Article.title, Article.lead, Article.text, Article.subject_type, Article.kind)
        .where(Article.status.in_(CONFIRMED_STATES), Article.duplicate_of_id.is_(None))
        .order_by(Article.id)
    ).all()
    return [
        (title or "", "\n\n".join(p for p in (lead, text) if p), subject, kind)
        for title, lead, text, subject, kind in rows
    ]


def learn_cues(
    choices: list[tuple[str, str, str | None, str | None]], *, holdout: float = 0.2, seed: int = 0
) -> tuple[dict[str, dict[str, float]], CueReport]:
    """Cue weights per field from editors' choices, and whether each is adopted: weights
    learned on part of the articles must do at least as well as the plain rules on the
    rest; adopted ones are then learned again on all of them."""
    if len(choices) < MIN_CONFIRMED:
        raise NotEnoughConfirmed(
            f"{len(choices)} editor-confirmed article(s); learning cue weights needs at "
            f"least {MIN_CONFIRMED}"
        )
    order = list(range(len(choices)))
    random.Random(seed).shuffle(order)  # noqa: S311 - reproducible split, not security
    n_hold = max(1, round(len(choices) * holdout))
    held = {order[i] for i in range(n_hold)}
    out: dict[str, dict[str, float]] = {}
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    adopted: dict[str, bool] = {}
    for index, (field, (values, default, parts_of, rule)) in enumerate(CUE_FIELDS.items()):
        rows = [(i, c[0], c[1], c[2 + index]) for i, c in enumerate(choices)]
        rows = [(i, t, x, v) for i, t, x, v in rows if v in values]
        train = [(parts_of(t, x), v) for i, t, x, v in rows if i not in held]
        test = [(t, x, v) for i, t, x, v in rows if i in held]
        weights = k.learn_weights(train, values, default)
        before[field] = _accuracy(rule, test, None)
        after[field] = _accuracy(rule, test, weights)
        adopted[field] = bool(test) and after[field] >= before[field]
        if adopted[field]:
            every = [(parts_of(t, x), v) for _, t, x, v in rows]
            out[field] = k.learn_weights(every, values, default)
    report = CueReport(before, after, adopted, len(choices) - n_hold, n_hold)
    return out, report


def _accuracy(rule, test, weights) -> float:  # type: ignore[no-untyped-def]
    if not test:
        return 0.0
    return sum(rule(t, x, weights)[0] == v for t, x, v in test) / len(test)


def retrain_cues(session: Session, path: Path) -> CueReport:
    """Learn the cue weights from the confirmed articles and write the adopted ones."""
    weights, report = learn_cues(confirmed_choices(session))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(weights, fh, ensure_ascii=False, indent=1, sort_keys=True)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("cue weights: %s", report)
    return report
