"""Imported only as a preload of the extraction pool's forkserver (see ingest/extraction.py
and ingest/procguard.py): the forkserver then ends when the process that started it ends,
even when that process was killed with SIGKILL. Never import this anywhere else: it would
tie the importing process to its own parent."""

from __future__ import annotations

import os

from dienhinh.ingest.procguard import OWNER_ENV, watch_parent

watch_parent(owner=int(os.environ.get(OWNER_ENV, "0") or 0) or None)
