"""Post-actions: what is done to a message in its mailbox once its rows are committed.

Small classes with one interface, as paperless-ngx's mail actions: ``apply(source,
items)`` is called by the source's ``post_action`` (see base.py: only after the items and
everything extracted from them are committed; idempotent; never deletes mail). The action
says *what* is done; the source knows *how* on its kind of mailbox (``flag``: an IMAP
keyword, a Maildir ``S`` flag; ``move``: an IMAP folder, a Maildir++ subfolder).
``mailbox.post_action`` in config.toml chooses one by ``name``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from dienhinh.core.errors import ConfigError
from dienhinh.ingest.sources.base import SourceItem

__all__ = ["POST_ACTIONS", "Flag", "Move", "NoAction", "PostAction", "Target", "post_action_named"]


class Target(Protocol):
    """A mailbox the post-actions can act on."""

    def flag(self, items: Sequence[SourceItem]) -> None: ...

    def move(self, items: Sequence[SourceItem]) -> None: ...


class PostAction(Protocol):
    name: ClassVar[str]  # the value of mailbox.post_action
    # Whether the action changes the mailbox, so that each delivery waits for it
    # (its post-action state starts `pending`, and a refusal is retried).
    changes_mail: ClassVar[bool]

    def apply(self, source: Target, items: Sequence[SourceItem]) -> None: ...


class NoAction:
    """Leave the mail as it is: the mailbox is only read."""

    name: ClassVar[str] = "none"
    changes_mail: ClassVar[bool] = False

    def apply(self, source: Target, items: Sequence[SourceItem]) -> None:
        return


class Flag:
    """Mark the mail processed where it is (``mailbox.flag`` on IMAP)."""

    name: ClassVar[str] = "flag"
    changes_mail: ClassVar[bool] = True

    def apply(self, source: Target, items: Sequence[SourceItem]) -> None:
        source.flag(items)


class Move:
    """Move the mail to ``mailbox.processed_folder``."""

    name: ClassVar[str] = "move"
    changes_mail: ClassVar[bool] = True

    def apply(self, source: Target, items: Sequence[SourceItem]) -> None:
        source.move(items)


# The built-in post-actions, by name (one explicit list, as the extractors' and taggers').
POST_ACTIONS: dict[str, type[PostAction]] = {a.name: a for a in (NoAction, Flag, Move)}


def post_action_named(name: str) -> PostAction:
    """The post-action called ``name``; ConfigError naming the key for any other."""
    try:
        return POST_ACTIONS[name]()
    except KeyError:
        raise ConfigError(
            "mailbox.post_action", f"has value {name!r}, expected one of {tuple(POST_ACTIONS)}"
        ) from None
