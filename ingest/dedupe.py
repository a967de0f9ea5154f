"""Issue 15 (merge-time shim, delete at merge): ``ingest/dedupe.py`` is now
``ingest/similarity.py``; ``ingest/pipeline.py``, being split on another branch, still
imports ``minhash`` from here. Swap that import and delete this file."""

from dienhinh.ingest.similarity import minhash

__all__ = ["minhash"]
