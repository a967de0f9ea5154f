"""Persistence: typed SQLAlchemy models, sessions, Alembic migrations, the blob store
and the only place where states change (``states.py``)."""
