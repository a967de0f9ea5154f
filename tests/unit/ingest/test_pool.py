"""The extraction pool's tasks (several messages each) and its forkserver's warm-up."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest

from dienhinh.core.config import TaggingConfig
from dienhinh.ingest import forkserver_warm
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extraction import _chunked, _extract_chunk
from factory import article_text, make_email

ROOT = Path(__file__).resolve().parents[3]


def test_tasks_are_cut_by_size_and_where_the_context_changes(tmp_path: Path) -> None:
    a = ExtractContext(blob_root=tmp_path)
    b = ExtractContext(blob_root=tmp_path)  # equal, but another object: sent on its own
    jobs = [(i, f"/raw/{i}", a) for i in range(7)] + [(7, "/raw/7", b), (8, "/raw/8", b)]
    chunks = _chunked(jobs, 3)
    assert [[pk for pk, _p, _c in c] for c in chunks] == [[0, 1, 2], [3, 4, 5], [6], [7, 8]]
    assert [pk for c in chunks for pk, _p, _c in c] == list(range(9))
    assert _chunked([], 3) == []
    assert [len(c) for c in _chunked(jobs[:4], 1)] == [1, 1, 1, 1]


def test_a_task_returns_one_result_per_message_in_order(tmp_path: Path) -> None:
    """A message that cannot be read fails alone (transient); its task-mates are extracted."""
    good = tmp_path / "good.eml"
    title, paras = article_text(3)
    good.write_bytes(make_email(subject=title, text=title + "\n\n" + "\n\n".join(paras)))
    ctx = ExtractContext(blob_root=tmp_path / "blobs")
    results = _extract_chunk((ctx, [(1, str(good)), (2, str(tmp_path / "gone")), (3, str(good))]))
    assert [(pk, kind) for pk, kind, _p in results] == [(1, "ok"), (2, "transient"), (3, "ok")]
    draft = results[0][2].articles[0]  # type: ignore[union-attr]
    assert draft.signature and draft.fingerprint
    assert len(draft.bands) == 16 and all(b.startswith("b") for b in draft.bands)


@pytest.fixture
def settings(tmp_path: Path) -> TaggingConfig:
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path / "absent.pkl",
    )


def test_the_forkserver_warms_the_taggers_with_the_settings_it_is_given(
    settings: TaggingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dienhinh.classifiers import tagging

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tagging, "_RESOURCES", tagging._Resources())
    monkeypatch.delenv(forkserver_warm.WARM_ENV, raising=False)
    assert forkserver_warm.warm() is False
    assert tagging._RESOURCES.directory is None
    monkeypatch.setenv(forkserver_warm.WARM_ENV, forkserver_warm.encode_settings(settings))
    assert forkserver_warm.warm() is True
    assert tagging._RESOURCES.directory is not None
    assert not list(tmp_path.glob("dienhinh-warm-*"))  # its scratch folder is gone


def test_a_failed_warm_up_is_logged_and_never_raises(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(forkserver_warm.WARM_ENV, "not base64 of a pickle")
    with caplog.at_level(logging.WARNING, logger=forkserver_warm.__name__):
        assert forkserver_warm.warm() is False
    assert "could not warm up" in caplog.text
