"""Shared fixtures. Database fixtures live in dbfixtures.py; dovecot ones in dovecot.py."""

from __future__ import annotations

from dbfixtures import db_url, make_config  # noqa: F401 - fixtures
from dovecot import dovecot, dovecot_tls, imap_config  # noqa: F401 - fixtures


import pytest  # noqa: E402
from helpers import ENGINES  # noqa: E402


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close the pooled connections a test opened before its database is dropped."""
    yield
    while ENGINES:
        ENGINES.pop().dispose()
