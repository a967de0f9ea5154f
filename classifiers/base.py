"""The tagger interface (Mailman's one-method handlers, paperless's parser registry)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from dienhinh.core.errors import ConfigError
from dienhinh.core.types import ArticleDraft, MailHeaders

__all__ = ["Classifier", "ClassifyContext", "TagSuggestion", "build_registry"]


@dataclass(frozen=True)
class TagSuggestion:
    """One proposed tag. ``field`` is "unit", "campaign", "subject_type" or "kind"."""

    field: str
    value: str
    confidence: float  # 0..1
    # The matched address, line or terms, shown to editors as "why": core.evidence items.
    evidence: list[dict[str, Any]]
    tagger: str = ""


@dataclass(frozen=True)
class ClassifyContext:
    headers: MailHeaders
    cover_note: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)


class Classifier(Protocol):
    """A tagger. ``level`` says when it runs: "article" taggers run once per extracted
    article, in registry order (classifiers/tagging.py iterates them); the "message"
    tagger (the unit) weighs the whole message's evidence once, before them, and its
    result reaches the article taggers as ``ctx.settings["unit_code"]``/``["unit_group"]``.
    Resources a tagger needs beyond the article (the campaign vocabulary and model) arrive
    in ``ctx.settings``, loaded once per process by the caller."""

    name: ClassVar[str]
    level: ClassVar[str]

    def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]: ...


def build_registry(
    classes: Iterable[type[Classifier]],
    enabled: Iterable[str] | None = None,
    *,
    key: str = "tagging.taggers",
) -> list[Classifier]:
    """Instantiate the enabled taggers in order; a duplicate or unknown name is an error."""
    by_name: dict[str, type[Classifier]] = {}
    for cls in classes:
        if cls.name in by_name:
            raise ConfigError("classifiers", f"two taggers are named {cls.name!r}")
        by_name[cls.name] = cls
    names = list(by_name) if enabled is None else list(enabled)
    out = []
    for n in names:
        if n not in by_name:
            raise ConfigError(key, f"unknown tagger {n!r}; known: {sorted(by_name)}")
        out.append(by_name[n]())
    return out
