"""The article taggers come from the one registry (classifiers.BUILTINS), chosen and
ordered by the configuration; a new tagger is one module and one line there."""

from __future__ import annotations

from typing import ClassVar

import pytest

from dienhinh.classifiers import BUILTINS
from dienhinh.classifiers.base import ClassifyContext, TagSuggestion
from dienhinh.classifiers.scan import Lexicon, analyse
from dienhinh.classifiers.tagging import article_taggers
from dienhinh.core.config import config_from_mapping
from dienhinh.core.errors import ConfigError
from dienhinh.core.types import ArticleDraft, MailHeaders


def test_every_builtin_article_tagger_runs_by_default_in_registry_order() -> None:
    names = [t.name for t in article_taggers()]
    assert names == [c.name for c in BUILTINS if c.level == "article"]
    assert names == ["campaign", "subject_type", "kind"]


def test_the_configuration_chooses_and_orders_them() -> None:
    cfg = config_from_mapping(
        {"mailbox": {"url": "maildir:/tmp/x"}, "tagging": {"taggers": ["kind", "campaign"]}}
    )
    assert cfg.tagging is not None and cfg.tagging.taggers == ("kind", "campaign")
    assert [t.name for t in article_taggers(cfg.tagging.taggers)] == ["kind", "campaign"]


@pytest.mark.parametrize(
    ("names", "words"), [(["campain"], "unknown tagger"), (["unit"], "once per message")]
)
def test_a_wrong_name_is_a_configuration_error_naming_the_key(names: list[str], words: str) -> None:
    with pytest.raises(ConfigError, match=words) as err:
        config_from_mapping({"mailbox": {"url": "maildir:/tmp/x"}, "tagging": {"taggers": names}})
    assert "tagging" in str(err.value)


def test_a_new_tagger_is_one_class() -> None:
    class DomainTagger:
        name: ClassVar[str] = "domain"
        level: ClassVar[str] = "article"

        def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]:
            return [TagSuggestion("domain", "y-te", 1.0, [article.title], self.name)]

    from dienhinh.classifiers.base import build_registry

    (tagger,) = build_registry([*BUILTINS, DomainTagger], ["domain"])
    draft = ArticleDraft(title="Trạm y tế xã", text="...", source="body")
    (tag,) = tagger.classify(
        draft, ClassifyContext(headers=MailHeaders("m@x", False, "a@x.vn", "", "Bài", None))
    )
    assert (tag.field, tag.value, tag.evidence) == ("domain", "y-te", ["Trạm y tế xã"])


def test_one_pass_finds_every_phrase_with_or_without_diacritics() -> None:
    lex = Lexicon(["nông thôn mới", "hộ nghèo", "HTX", "bản"])
    _, toned = analyse("", "Xây dựng nông thôn mới, giúp hộ nghèo ở bản Phùng; HTX chè.")
    assert lex.count(toned) == {"nông thôn mới": 1, "hộ nghèo": 1, "HTX": 1, "bản": 1}
    _, bare = analyse("", "Xay dung nong thon moi, giup ho ngheo o ban Phung; HTX che.")
    # Without tones a lone Vietnamese syllable is ambiguous (bản/bán/bạn) and is skipped.
    assert lex.count(bare) == {"nông thôn mới": 1, "hộ nghèo": 1, "HTX": 1}
    # Tones decide the word: "trưởng" is not "trường".
    _, chief = analyse("", "Ông là trưởng thôn, trưởng ban công tác mặt trận.")
    assert Lexicon(["trường"]).count(chief) == {}
