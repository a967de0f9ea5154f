"""The extractor registry: built-ins listed here, explicitly, in one place.

No import-time scanning: adding an extractor means adding it to ``BUILTINS``. Names must
be unique; a duplicate is a configuration error found at start-up, not a silent override.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dienhinh.core.errors import ConfigError
from dienhinh.core.types import Part
from dienhinh.ingest.extractors.base import Extractor
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.extractors.html import HtmlExtractor
from dienhinh.ingest.extractors.legacy import LegacyExtractor
from dienhinh.ingest.extractors.pdf import PdfExtractor
from dienhinh.ingest.extractors.text import TextExtractor

__all__ = [
    "BODY_EXTRACTORS",
    "BUILTINS",
    "Extractor",
    "Registry",
    "build_registry",
    "default_registry",
]

BUILTINS: tuple[type[Extractor], ...] = (
    DocxExtractor,
    PdfExtractor,
    LegacyExtractor,
    HtmlExtractor,
    TextExtractor,
)
# Extractors that read mail bodies: their output is a body (article or cover note), not
# a document; the assembly treats them differently.
BODY_EXTRACTORS = frozenset({HtmlExtractor.name, TextExtractor.name})


@dataclass(frozen=True)
class Registry:
    extractors: tuple[Extractor, ...]

    def choose(self, part: Part) -> Extractor | None:
        """The extractor with the highest score; ties go to the one registered first."""
        best: Extractor | None = None
        best_score = -1
        for ex in self.extractors:
            score = ex.score(part)
            if score is not None and score > best_score:
                best, best_score = ex, score
        return best

    def names(self) -> tuple[str, ...]:
        return tuple(ex.name for ex in self.extractors)


def build_registry(classes: Iterable[type[Extractor]] = BUILTINS) -> Registry:
    seen: set[str] = set()
    instances: list[Extractor] = []
    for cls in classes:
        if cls.name in seen:
            raise ConfigError("ingest.extractors", f"duplicate extractor name {cls.name!r}")
        seen.add(cls.name)
        instances.append(cls())
    return Registry(tuple(instances))


_DEFAULT = build_registry()


def default_registry() -> Registry:
    return _DEFAULT
