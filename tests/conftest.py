"""Shared fixtures. Database fixtures live in dbfixtures.py; dovecot ones in dovecot.py."""

from __future__ import annotations

from dbfixtures import db_url, make_config  # noqa: F401 - fixtures
