"""One exception tree for the whole product.

Each class says *when* it is raised. Code catches the narrowest class it can handle;
the only catch-all boundaries are the per-item loops (``core/runner.py``; the ingest's
extraction boundary in ``ingest/extraction.py``) and the command-line entry point.
"""

from __future__ import annotations


class DienhinhError(Exception):
    """Base of every error dienhinh raises on purpose."""


class ConfigError(DienhinhError):
    """The configuration file or an environment override is invalid.

    The message always names the offending key (``mailbox.url``) so one line tells the
    operator what to fix.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"config: {key}: {problem}")
        self.key = key
        self.problem = problem


class SourceError(DienhinhError):
    """The mailbox could not be read. ``user_message`` is plain language for `status`."""

    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message)
        self.user_message = user_message or message


class ConnectionLost(SourceError):
    """The connection to the mail server dropped in the middle of a poll."""


class AccountError(SourceError):
    """Login refused, folder missing, TLS failure: the account needs an operator."""


class UidValidityChanged(SourceError):
    """The server reset the folder's UIDVALIDITY; a resync is required."""


class LeaseHeld(DienhinhError):
    """Another poll holds the lease on this mailbox folder."""

    def __init__(self, name: str, holder: str, until: str) -> None:
        super().__init__(
            f"another poll is already running on {name} (held by {holder} until {until})"
        )
        self.name = name
        self.holder = holder


class StorageError(DienhinhError):
    """Writing a blob or a database row failed for a reason that may pass (disk full,
    database restarting). Transient: the message is retried on a later poll."""


class ExtractionError(DienhinhError):
    """A part could not be turned into an article."""


class NeedsConversion(ExtractionError):
    """A legacy document (.doc, .odt, .rtf) needs a converter that is not installed."""


class NeedsOCR(ExtractionError):
    """A scanned document needs OCR that is not installed."""


class LimitExceeded(ExtractionError):
    """An input is over a configured safety limit (size, depth, count, ratio)."""


class MalformedDocument(ExtractionError):
    """A document is corrupt, truncated, encrypted or not what its name claims."""


class IllegalTransition(DienhinhError):
    """A state change that ``store/states.py`` does not allow."""


class PublishError(DienhinhError):
    """Publishing to a portal failed."""


class RetryablePublishError(PublishError):
    """Publishing failed in a way that a later retry may fix (timeout, 5xx)."""


class PermanentPublishError(PublishError):
    """Publishing failed and retrying will not help (4xx, bad credentials)."""
