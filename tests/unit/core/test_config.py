from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.core.config import Secret, config_from_mapping, load_config, parse_mailbox_url
from dienhinh.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]


def test_shipped_config_loads_with_embedded_defaults():
    cfg = load_config(REPO / "config.toml", environ={})
    assert cfg.database.url.startswith("sqlite:///") and cfg.database.url.endswith(
        "dienhinh.sqlite3"
    )
    assert cfg.mailbox.url.scheme == "maildir"
    assert cfg.mailbox.url.path == REPO / "demo" / "maildir"
    assert cfg.timezone == "Asia/Ho_Chi_Minh"


def test_environment_overrides_file(tmp_path):
    env = {
        "DIENHINH_DATABASE_URL": "postgresql://dienhinh@db/dienhinh",
        "DIENHINH_MAILBOX_URL": "imaps://btdkt-snv%40laocai.gov.vn@mail.example.vn:993/INBOX",
        "DIENHINH_IMAP_PASSWORD": "s3cret",
    }
    cfg = load_config(REPO / "config.toml", environ=env)
    assert cfg.database.url == "postgresql://dienhinh@db/dienhinh"
    assert cfg.mailbox.url.username == "btdkt-snv@laocai.gov.vn"
    assert cfg.mailbox.url.host == "mail.example.vn" and cfg.mailbox.url.port == 993
    assert cfg.mailbox.password.reveal() == "s3cret"
    assert "s3cret" not in repr(cfg)


def test_password_from_file(tmp_path):
    (tmp_path / "pw").write_text("from-file\n")
    cfg = config_from_mapping(
        {"mailbox": {"url": "imap://u@127.0.0.1:1143/INBOX", "password_file": "pw"}},
        path=tmp_path / "config.toml",
    )
    assert cfg.mailbox.password.reveal() == "from-file"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"mailbox": {"url": "maildir:x", "post_action": "delete"}}, "mailbox.post_action"),
        ({"mailbox": {"url": "maildir:x", "batch_size": "100"}}, "mailbox.batch_size"),
        ({"mailbox": {"url": "maildir:x", "batch_size": 0}}, "mailbox.batch_size"),
        ({"mailbox": {"url": "maildir:x", "colour": "red"}}, "mailbox.colour"),
        (
            {"mailbox": {"url": "maildir:x"}, "ingest": {"max_mime_depth": True}},
            "ingest.max_mime_depth",
        ),
        ({"mailbox": {"url": "pop3://u@h/INBOX"}}, "mailbox.url"),
        ({"mailbox": {"url": "imap://u@mail.example.vn/INBOX"}}, "mailbox.url"),
        ({"mailbox": {"url": "imaps://u:pw@mail.example.vn/INBOX"}}, "mailbox.url"),
        ({"mailbox": {"url": "maildir:x"}, "timezone": "Mars/Olympus"}, "timezone"),
        ({"mailbox": {"url": "maildir:x"}, "databse": {"url": "x"}}, "databse"),
    ],
)
def test_invalid_config_names_the_key(data, key):
    with pytest.raises(ConfigError) as err:
        config_from_mapping(data)
    assert err.value.key == key
    assert key in str(err.value)


def test_plain_imap_allowed_on_loopback_only():
    assert parse_mailbox_url("imap://u@127.0.0.1:10143/INBOX").port == 10143
    assert parse_mailbox_url("imap+starttls://u@mail.example.vn/Hộp thư").folder == "Hộp thư"
    with pytest.raises(ConfigError):
        parse_mailbox_url("imap://u@10.0.0.5/INBOX")


def test_secret_is_masked():
    s = Secret("hunter2")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s) and s.reveal() == "hunter2"


def test_bad_toml_is_one_clear_error(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text("[mailbox\nurl=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p, environ={})
