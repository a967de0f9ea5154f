"""Shared fixtures. Database fixtures live in dbfixtures.py; dovecot ones in dovecot.py."""

from __future__ import annotations

import pytest

from dbfixtures import db_url, make_config  # noqa: F401 - fixtures
from dovecot import dovecot, dovecot_courier, dovecot_tls, imap_config  # noqa: F401 - fixtures
from helpers import ENGINES
from wordpress import wordpress  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close the pooled connections a test opened before its database is dropped."""
    yield
    while ENGINES:
        ENGINES.pop().dispose()
