"""The taggers' evidence as data: a kind and its values, never a sentence.

A tag's "why" (``Tag.evidence``, a JSON list) is read by editors in Vietnamese and by
tools and logs in English. Storing a sentence in either language forces the other to
parse it; storing ``{"kind": "address", "value": "x@y"}`` lets the console render it
(``core/labels.py``: one line per kind) and :func:`describe` write it for logs.

Every kind a tagger may write is a member of :class:`EvidenceKind`; a test checks the
console has a label for each, so a new kind without one fails before an editor sees it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["EvidenceKind", "Where", "describe", "item"]


class EvidenceKind(StrEnum):
    # Which unit sent the message (classifiers/units.py); ``value`` is what was seen.
    ADDRESS = "address"  # the From address is in the directory
    LEARNED_ADDRESS = "learned-address"  # an editor taught the address
    DOMAIN = "domain"  # an unknown address whose words or domain point to a unit
    DISPLAY_NAME = "display-name"  # the sender's display name
    SIGNATURE = "signature"  # the closing lines of a note or of the article
    LETTERHEAD = "letterhead"  # a document's header line
    SUBJECT = "subject"  # the mail's subject
    FORWARD_ORIGIN = "forward-origin"  # the original sender of a forward
    BODY = "body"  # a line of the note or article naming the unit
    AGAINST = "against"  # a clue for another unit: ``unit`` and ``clue`` (an item)
    FLAG = "flag"  # a reason to check the unit: ``flag`` (units.FLAG_*)
    # The campaign (classifiers/campaigns.py).
    TERM = "term"  # a campaign term: ``term``, ``in_title`` (bool), ``count``
    UNIT_PRIOR = "unit-prior"  # the unit usually serves this campaign: ``unit``
    NOTHING_CONVINCING = "nothing-convincing"  # the rest scored lower: ``best`` (0..1)
    NO_CAMPAIGN_CONVINCING = "no-campaign-convincing"  # fallback campaign: ``best``
    NO_VOCABULARY = "no-vocabulary"  # no campaign list configured
    MODEL = "model"  # the learned model's probability: ``p``
    # Subject type and kind (classifiers/kinds.py).
    TITLE_OPENS = "title-opens"  # the title starts with ``phrase``
    TITLE_OPENS_MODEL = "title-opens-model"  # "Mô hình ...", "Cách làm ..."
    SENT_AS = "sent-as"  # the sender calls it one kind: ``phrase`` ("gửi bài nhân tố mới")
    TITLE_NAMES = "title-names"  # the title names ``phrase`` ``name`` ("anh Sành")
    NAME_REPEATED = "name-repeated"  # the text names ``name`` ``count`` times
    PHRASE = "phrase"  # ``phrase`` in the text, ``count`` times
    TITLE_TERM = "title-term"  # ``phrase`` in the title
    YOUNG_TITLE = "young-title"  # the title says the subject is young
    YOUNG = "young"  # the text gives a young age or birth year: ``phrase``
    YEARS_OF_SERVICE = "years-of-service"  # long service: an exemplar's mark
    EVENT = "event"  # the lead dates one recent event: ``phrase`` ("đêm 21/9/2019")
    DEFAULT = "default"  # no marker found: the default value
    # An editor's choice (review/actions.py, learning/editors.py).
    EDITOR_ASSIGNED = "editor-assigned"  # the unit, by ``editor``
    EDITOR_CHOSE = "editor-chose"  # a tag value, by ``editor``
    MERGED_FROM = "merged-from"  # a campaign merged in from ``article``


class Where(StrEnum):
    """Where a unit clue was seen, beyond its kind (``item(..., where=...)``)."""

    NOTE = ""  # the sender's own note (the default)
    FORWARDED = "forwarded"  # the text of a forwarded message
    ARTICLE = "article"  # the article (its byline or text)
    FROM_NAME = "from-name"  # the original sender's display name (forward-origin)
    ORIGIN_SIGNATURE = "origin-signature"  # the original sender's signature


def item(kind: EvidenceKind, **values: Any) -> dict[str, Any]:
    """One piece of evidence: ``{"kind": kind, **values}`` (empty values left out)."""
    return {"kind": str(kind), **{k: v for k, v in values.items() if v not in (None, "")}}


def describe(ev: object) -> str:
    """English for logs and the command line: ``kind: value, value``. A stored string
    (rows written before evidence was data) is returned as it is."""
    if not isinstance(ev, dict):
        return str(ev)
    rest = ", ".join(
        f"{k}={describe(v) if isinstance(v, dict) else v}" for k, v in ev.items() if k != "kind"
    )
    return f"{ev.get('kind', '?')}: {rest}" if rest else str(ev.get("kind", "?"))
