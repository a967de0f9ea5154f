"""The [notify] section: off by default, URLs checked like the IMAP one, secrets outside."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dienhinh.core.config import config_from_mapping, load_config
from dienhinh.core.errors import ConfigError
from dienhinh.notify.config import load, parse_smtp_url

REPO = Path(__file__).resolve().parents[3]


def _config(tmp_path: Path, notify: dict) -> object:
    return config_from_mapping(
        {"mailbox": {"url": "maildir:md"}, "notify": notify}, path=tmp_path / "config.toml"
    )


def test_shipped_config_sends_nothing():
    """GIVEN the shipped config.toml WHEN loaded THEN every kind of mail is disabled."""
    cfg = load(load_config(REPO / "config.toml", environ={}), environ={})
    assert not any(getattr(cfg, k).enabled for k in ("ack", "remind", "digest", "alert"))
    assert cfg.from_address == "btdkt-snv@laocai.gov.vn"
    assert cfg.dry_run is False


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "user"),
    [
        ("smtps://btdkt-snv%40laocai.gov.vn@mail.laocai.gov.vn", "smtps", "mail.laocai.gov.vn",
         465, "btdkt-snv@laocai.gov.vn"),
        ("smtp+starttls://u@mail.laocai.gov.vn:587", "smtp+starttls", "mail.laocai.gov.vn",
         587, "u"),
        ("smtp+starttls://mail.laocai.gov.vn", "smtp+starttls", "mail.laocai.gov.vn", 587, ""),
        ("smtp://127.0.0.1:2525", "smtp", "127.0.0.1", 2525, ""),
        ("smtp://localhost", "smtp", "localhost", 25, ""),
    ],
)  # fmt: skip
def test_smtp_urls(url, scheme, host, port, user):
    u = parse_smtp_url(url)
    assert (u.scheme, u.host, u.port, u.username) == (scheme, host, port, user)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("smtp://mail.laocai.gov.vn:25", "only allowed on loopback"),
        ("smtps://u:secret@mail.laocai.gov.vn", "must not contain a password"),
        ("imaps://u@mail.laocai.gov.vn", "unknown scheme"),
        ("smtps://", "has no host"),
        ("smtps://u@h:99999", "bad port"),
        ("smtps://u@h/INBOX", "has a path"),
    ],
)
def test_bad_smtp_urls_name_the_key(url, problem):
    with pytest.raises(ConfigError, match=problem) as err:
        parse_smtp_url(url)
    assert err.value.key == "notify.smtp_url"


def test_password_from_environment_or_file(tmp_path):
    (tmp_path / "smtp-pw").write_text("from-file\n")
    notify = {
        "smtp_url": "smtp+starttls://u@mail.laocai.gov.vn",
        "password_file": "smtp-pw",
        "ack": {"enabled": True},
    }
    cfg = _config(tmp_path, notify)
    assert load(cfg, environ={}).password.reveal() == "from-file"
    env = {"DIENHINH_SMTP_PASSWORD": "from-env"}
    loaded = load(cfg, environ=env)
    assert loaded.password.reveal() == "from-env"
    assert "from-env" not in repr(loaded)


@pytest.mark.parametrize(
    ("notify", "key"),
    [
        ({"ack": {"enabled": True}}, "notify.smtp_url"),
        ({"smtp_url": "smtps://u@h", "ack": {"enabled": True}}, "notify.smtp_url"),  # no pw
        ({"dry_run": True, "digest": {"enabled": True}}, "notify.editors"),
        ({"dry_run": True, "alert": {"enabled": True}}, "notify.admins"),
        ({"editors": ["not an address"]}, "notify.editors"),
        ({"ack": {"enabled": "yes"}}, "notify.ack.enabled"),
        ({"ack": {"since": "yesterday"}}, "notify.ack.since"),
        ({"digest": {"time": "25:00"}}, "notify.digest.time"),
        ({"remind": {"days_before": 0}}, "notify.remind.days_before"),
        ({"remind": {"weeks": 1}}, "notify.remind.weeks"),
        ({"colour": "red"}, "notify.colour"),
        ({"from_address": "ban thi dua"}, "notify.from_address"),
        ({"timeout_seconds": 60, "sending_timeout_minutes": 1}, "notify.sending_timeout_minutes"),
    ],
)
def test_bad_values_name_the_key(tmp_path, notify, key):
    with pytest.raises(ConfigError) as err:
        load(_config(tmp_path, notify), environ={})
    assert err.value.key == key


def test_dry_run_needs_no_server_and_since_is_local_time(tmp_path):
    cfg = load(
        _config(
            tmp_path,
            {
                "dry_run": True,
                "dry_run_dir": "outbox",
                "editors": ["Bientap@LaoCai.gov.vn"],
                "ack": {"enabled": True, "since": "2018-03-01T00:00"},
                "digest": {"enabled": True, "time": "16:45"},
            },
        ),
        environ={},
    )
    assert cfg.dry_run_dir == tmp_path / "outbox"
    assert cfg.editors == ("bientap@laocai.gov.vn",)
    assert cfg.ack.since == datetime(2018, 3, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert cfg.digest.time == time(16, 45)


def test_command_line_dry_run_overrides_a_missing_server(tmp_path):
    """--dry-run lets an operator preview a kind before any SMTP server is configured."""
    config = _config(tmp_path, {"ack": {"enabled": True}})
    assert load(config, environ={}, dry_run=True).dry_run is True
