"""The post-actions (ingest/sources/actions.py): one class per value of
``mailbox.post_action``, each asking the source for one thing. The sources' own flag and
move are tested on real mailboxes (tests/integration/test_imap_source.py, dovecot, and
test_pipeline_maildir.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from dienhinh.core.config import POST_ACTIONS as CONFIG_VALUES
from dienhinh.core.errors import ConfigError
from dienhinh.ingest.sources.actions import POST_ACTIONS, post_action_named
from dienhinh.ingest.sources.base import SourceItem


class Asked:
    """A mailbox that writes down what it was asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[SourceItem]]] = []

    def flag(self, items: Sequence[SourceItem]) -> None:
        self.calls.append(("flag", list(items)))

    def move(self, items: Sequence[SourceItem]) -> None:
        self.calls.append(("move", list(items)))


ITEMS = [SourceItem(uid=7), SourceItem(uid=9)]


@pytest.mark.parametrize(
    ("name", "calls", "changes"),
    [("none", [], False), ("flag", [("flag", ITEMS)], True), ("move", [("move", ITEMS)], True)],
)
def test_each_post_action_asks_the_mailbox_for_its_one_thing(name, calls, changes) -> None:
    source = Asked()
    action = post_action_named(name)
    action.apply(source, ITEMS)
    assert action.name == name and source.calls == calls
    assert action.changes_mail is changes  # deliveries wait (`pending`) only for a change


def test_every_value_the_config_accepts_has_its_action_and_no_other() -> None:
    assert set(POST_ACTIONS) == set(CONFIG_VALUES)


def test_an_unknown_post_action_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"mailbox\.post_action.*'delete'"):
        post_action_named("delete")
