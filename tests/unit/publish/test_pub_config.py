"""The [publish] section: defaults, one-line errors naming the key, secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dienhinh.core.config import config_from_mapping, load_config
from dienhinh.core.errors import ConfigError
from dienhinh.publish import build_publishers, publisher_names
from dienhinh.publish.config import load


def cfg(tmp_path: Path, **publish: Any):
    data = {
        "paths": {"data_dir": "var"},
        "mailbox": {"url": "maildir:mail"},
        "publish": publish,
    }
    return config_from_mapping(data, path=tmp_path / "config.toml")


def test_defaults(tmp_path):
    s = load(cfg(tmp_path), environ={})
    assert s.targets == ("feed",)
    assert s.folder.path == tmp_path / "var" / "export"
    assert (s.max_attempts, s.retry_backoff_seconds, s.wordpress.status) == (6, 60, "draft")
    assert publisher_names() == ("feed", "folder", "wordpress")


def test_the_shipped_config_loads():
    s = load(load_config(Path(__file__).parents[3] / "config.toml", environ={}), environ={})
    assert set(s.targets) <= set(publisher_names())


@pytest.mark.parametrize(
    ("publish", "key", "words"),
    [
        ({"targets": ["feed", "twitter"]}, "publish.targets", "unknown target 'twitter'"),
        ({"targets": ["feed", "feed"]}, "publish.targets", "twice"),
        ({"targets": "feed"}, "publish.targets", "wrong type"),
        ({"max_attempts": 0}, "publish.max_attempts", "positive"),
        ({"colour": "red"}, "publish.colour", "unknown key"),
        ({"folder": {"dir": "x"}}, "publish.folder.dir", "unknown key"),
        ({"feed": {"tag_prefix": "http://x"}}, "publish.feed.tag_prefix", "RFC 4151"),
        ({"targets": ["wordpress"]}, "publish.wordpress.url", "is empty"),
        (
            {"targets": ["wordpress"], "wordpress": {"url": "http://portal.laocai.gov.vn"}},
            "publish.wordpress.url",
            "only allowed on loopback",
        ),
        (
            {"wordpress": {"url": "https://u:p@portal.laocai.gov.vn"}},
            "publish.wordpress.url",
            "must not contain",
        ),
        (
            {"targets": ["wordpress"], "wordpress": {"url": "https://portal.laocai.gov.vn"}},
            "publish.wordpress.user",
            "is empty",
        ),
        ({"wordpress": {"status": "private"}}, "publish.wordpress.status", "expected one of"),
        ({"wordpress": {"timeout_seconds": True}}, "publish.wordpress.timeout_seconds", "type"),
        ({"wordpress": {"slug_prefix": "dh/../"}}, "publish.wordpress.slug_prefix", "ASCII"),
    ],
)
def test_bad_values_name_their_key(tmp_path, publish, key, words):
    with pytest.raises(ConfigError) as err:
        load(cfg(tmp_path, **publish), environ={})
    assert err.value.key == key
    assert words in str(err.value)
    assert str(err.value).startswith(f"config: {key}: ")


def test_password_from_environment_or_file_read_when_the_publisher_is_built(tmp_path):
    """The console loads the settings (for enqueue's targets) without the secret; building
    the WordPress publisher is what needs it."""
    wp = {"url": "http://127.0.0.1:8080", "user": "btdkt", "password_file": "wp-password"}
    c = cfg(tmp_path, targets=["feed", "wordpress"], wordpress=wp)
    s = load(c, environ={})  # no file yet: loading is fine
    assert s.targets == ("feed", "wordpress")
    with pytest.raises(ConfigError) as err:
        build_publishers(s, c)
    assert err.value.key == "publish.wordpress.password_file"
    assert str(tmp_path / "wp-password") in str(err.value)

    (tmp_path / "wp-password").write_text("file pass word\n")
    assert s.wordpress.secret().reveal() == "file pass word"
    assert sorted(build_publishers(s, c)) == ["feed", "wordpress"]
    assert "file pass" not in repr(build_publishers(s, c)["wordpress"].__dict__)
    env = load(c, environ={"DIENHINH_WP_PASSWORD": "env pw"})
    assert env.wordpress.secret().reveal() == "env pw"
    assert "env pw" not in repr(env)

    no_file = cfg(tmp_path, targets=["wordpress"], wordpress={**wp, "password_file": ""})
    with pytest.raises(ConfigError, match="DIENHINH_WP_PASSWORD"):
        build_publishers(load(no_file, environ={}), no_file)
