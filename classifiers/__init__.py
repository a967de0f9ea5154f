"""Taggers: attribute articles to units and campaigns, with confidence and evidence.

The interface lives in ``base.py``; the built-in taggers are listed in ``BUILTINS`` below,
explicitly (no import-time scanning), and the configuration chooses among them by name.
"""

from __future__ import annotations

from dienhinh.classifiers.base import Classifier, ClassifyContext, TagSuggestion, build_registry
from dienhinh.classifiers.campaigns import CampaignTagger
from dienhinh.classifiers.kinds import KindTagger, SubjectTypeTagger
from dienhinh.classifiers.units import UnitTagger
from dienhinh.core.config import TAGGERS

__all__ = ["BUILTINS", "Classifier", "ClassifyContext", "TagSuggestion", "build_registry"]

# The built-in taggers, by name. The pipeline (classifiers/tagging.py) runs the unit
# attribution once per message and these per article.
BUILTINS: tuple[type[Classifier], ...] = (UnitTagger, CampaignTagger, SubjectTypeTagger, KindTagger)

# The configuration checks ``tagging.taggers`` against core's table of names (core must not
# import this package): a tagger added here is added there too, or nothing starts.
if {c.name: c.level for c in BUILTINS} != TAGGERS:
    raise RuntimeError(f"classifiers.BUILTINS differ from dienhinh.core.config.TAGGERS {TAGGERS}")
