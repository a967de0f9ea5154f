"""Taggers: attribute articles to units and campaigns, with confidence and evidence.

The interface lives in ``base.py``; the built-in taggers are listed in ``BUILTINS`` below,
explicitly (no import-time scanning), and the configuration chooses among them by name.
The tagging issue adds the unit, campaign, subject and kind taggers here.
"""

from __future__ import annotations

from dienhinh.classifiers.base import Classifier, ClassifyContext, TagSuggestion, build_registry

__all__ = ["BUILTINS", "Classifier", "ClassifyContext", "TagSuggestion", "build_registry"]

BUILTINS: tuple[type[Classifier], ...] = ()
