"""The one configuration schema: every section of config.toml checked at load with a one-line
error naming the key, environment overrides read in core/config.py alone, one TaggingConfig,
and core importing nothing above it for its checks."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dienhinh.core.config import (
    TAGGERS,
    WEBMAIL_DOMAINS,
    TaggingConfig,
    config_from_mapping,
    load_config,
)
from dienhinh.core.config_sections import PUBLISH_TARGETS
from dienhinh.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]
MAILBOX = {"url": "maildir:md"}


def _load(data: dict[str, Any], tmp_path: Path, env: dict[str, str] | None = None):
    return config_from_mapping(
        {"mailbox": MAILBOX, **data}, path=tmp_path / "config.toml", environ=env or {}
    )


def _error(data: dict[str, Any], tmp_path: Path, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        _load(data, tmp_path, env)
    return err.value


# (data, key) per section: a value of the wrong type, an unknown key, a bad value.
CASES = [
    # top level
    ({"timezone": 7}, "timezone", "wrong type"),
    ({"timezon": "Asia/Ho_Chi_Minh"}, "timezon", "unknown key"),
    ({"timezone": "Asia/Hanoi_City"}, "timezone", "unknown time zone"),
    ({"mailbx": {}}, "mailbx", "unknown section"),
    ({"worker": 5}, "worker", "must be a table"),
    # [paths]
    ({"paths": {"data_dir": 3}}, "paths.data_dir", "wrong type"),
    ({"paths": {"blob_dir": "b"}}, "paths.blob_dir", "unknown key"),
    # [database]
    ({"database": {"url": ["x"]}}, "database.url", "wrong type"),
    ({"database": {"uri": "x"}}, "database.uri", "unknown key"),
    ({"database": {"url": "dienhinh.sqlite3"}}, "database.url", "SQLAlchemy URL"),
    # [mailbox]
    ({"mailbox": {**MAILBOX, "tls_verify": "no"}}, "mailbox.tls_verify", "wrong type"),
    ({"mailbox": {**MAILBOX, "pasword_file": "x"}}, "mailbox.pasword_file", "unknown key"),
    ({"mailbox": {**MAILBOX, "lease_seconds": -5}}, "mailbox.lease_seconds", "positive"),
    ({"mailbox": {**MAILBOX, "post_action": "flag", "flag": ""}}, "mailbox.flag", "is empty"),
    # [ingest]
    ({"ingest": {"workers": 1.5}}, "ingest.workers", "wrong type"),
    ({"ingest": {"worker": 2}}, "ingest.worker", "unknown key"),
    ({"ingest": {"workers": -1}}, "ingest.workers", "0 (one per core)"),
    ({"ingest": {"ocr_languages": "vie, eng"}}, "ingest.ocr_languages", "Tesseract"),
    # [logging]
    ({"logging": {"json": "yes"}}, "logging.json", "wrong type"),
    ({"logging": {"format": "json"}}, "logging.format", "unknown key"),
    ({"logging": {"level": "verbose"}}, "logging.level", "expected one of"),
    # [tagging]
    ({"tagging": {"webmail_domains": "gmail.com"}}, "tagging.webmail_domains", "wrong type"),
    ({"tagging": {"official_domains": ["a.vn", 3]}}, "tagging.official_domains", "item 3"),
    ({"tagging": {"unit_file": "u.toml"}}, "tagging.unit_file", "unknown key"),
    ({"tagging": {"review_threshold": 1.5}}, "tagging.review_threshold", "between 0 and 1"),
    ({"tagging": {"taggers": ["kind", "kind"]}}, "tagging.taggers", "twice"),
    # [notify] and its tables
    ({"notify": {"dry_run": 1}}, "notify.dry_run", "wrong type"),
    ({"notify": {"smtp": "smtps://h"}}, "notify.smtp", "unknown key"),
    ({"notify": {"smtp_url": "smtp://mail.laocai.gov.vn"}}, "notify.smtp_url", "loopback"),
    ({"notify": {"digest": {"max_items": "15"}}}, "notify.digest.max_items", "wrong type"),
    ({"notify": {"ack": []}}, "notify.ack", "must be a table"),
    ({"notify": {"remind": {"days_before": -1}}}, "notify.remind.days_before", "positive"),
    # [publish] and its tables
    ({"publish": {"batch_size": "50"}}, "publish.batch_size", "wrong type"),
    ({"publish": {"wordpress": {"url": "ftp://portal.vn"}}}, "publish.wordpress.url", "https"),
    ({"publish": {"feed": {"limt": 5}}}, "publish.feed.limt", "unknown key"),
    ({"publish": {"folder": {"path": 1}}}, "publish.folder.path", "wrong type"),
    # [worker]
    ({"worker": {"idle": 1}}, "worker.idle", "wrong type"),
    ({"worker": {"poll_minute": 3}}, "worker.poll_minute", "unknown key"),
    ({"worker": {"remind_at": "8h"}}, "worker.remind_at", "HH:MM"),
    # [review]
    ({"review": {"port": "8080"}}, "review.port", "wrong type"),
    ({"review": {"adress": "x"}}, "review.adress", "unknown key"),
    ({"review": {"port": 70000}}, "review.port", "TCP port"),
    ({"review": {"secure_cookies": "sometimes"}}, "review.secure_cookies", "expected one of"),
    ({"review": {"base_url": "bantdkt.laocai.gov.vn"}}, "review.base_url", "http(s)://"),
    # [report]
    ({"report": {"count_failed": 0}}, "report.count_failed", "wrong type"),
    ({"report": {"montly_minimum": 1}}, "report.montly_minimum", "unknown key"),
    ({"report": {"quarterly_minimum": -1}}, "report.quarterly_minimum", "0 or more"),
]


@pytest.mark.parametrize(("data", "key", "words"), CASES)
def test_every_section_fails_at_load_in_one_line_naming_the_key(tmp_path, data, key, words):
    err = _error(data, tmp_path)
    assert err.key == key
    assert str(err).startswith(f"config: {key}: "), str(err)
    assert words in str(err)
    assert "\n" not in str(err)


def test_every_section_of_the_shipped_file_is_covered_by_the_cases():
    import tomllib

    shipped = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    sections = {name for name, v in shipped.items() if isinstance(v, dict)}
    covered = {key.split(".")[0] for _, key, _ in CASES}
    assert sections <= covered


def test_the_shipped_file_spells_out_the_defaults():
    """config.toml documents every default: read alone, each section equals its defaults
    (publish.targets aside: the shipped file turns the export folder on too)."""
    shipped = load_config(REPO / "config.toml", environ={})
    bare = config_from_mapping({"mailbox": {"url": "maildir:demo/maildir"}}, path=shipped.path)
    for f in dataclasses.fields(shipped):
        if f.name == "raw":
            continue
        a, b = getattr(shipped, f.name), getattr(bare, f.name)
        if f.name == "publish":
            assert a.targets == ("feed", "folder") and b.targets == ("feed",)
            a = dataclasses.replace(a, targets=b.targets)
        assert a == b, f.name


# --- environment overrides ---------------------------------------------------------------


def test_environment_wins_over_the_file_which_wins_over_the_default(tmp_path):
    (tmp_path / "imap-pw").write_text("file-imap\n")
    (tmp_path / "smtp-pw").write_text("file-smtp\n")
    data = {
        "paths": {"data_dir": "from-file"},
        "database": {"url": "postgresql://file@db/dienhinh"},
        "mailbox": {"url": "maildir:file-md", "password_file": "imap-pw"},
        "logging": {"json": False},
        "notify": {"password_file": "smtp-pw"},
    }
    from_file = _load(data, tmp_path)
    assert from_file.data_dir == tmp_path / "from-file"
    assert from_file.database.url == "postgresql://file@db/dienhinh"
    assert from_file.mailbox.url.path == tmp_path / "file-md"
    assert from_file.mailbox.password.reveal() == "file-imap"
    assert from_file.logging.json is False

    env = {
        "DIENHINH_DATA_DIR": str(tmp_path / "from-env"),
        "DIENHINH_DATABASE_URL": "postgresql://env@db/dienhinh",
        "DIENHINH_MAILBOX_URL": "imaps://u@mail.laocai.gov.vn/INBOX",
        "DIENHINH_IMAP_PASSWORD": "env-imap",
        "DIENHINH_LOG_JSON": "true",
        "DIENHINH_SMTP_PASSWORD": "env-smtp",
        "DIENHINH_WP_PASSWORD": "env-wp",
    }
    over = _load(data, tmp_path, env)
    assert over.data_dir == tmp_path / "from-env"
    assert over.database.url == "postgresql://env@db/dienhinh"
    assert over.mailbox.url.host == "mail.laocai.gov.vn"
    assert over.mailbox.password.reveal() == "env-imap"
    assert over.logging.json is True
    assert over.notify.password.reveal() == "env-smtp"
    assert over.publish.wordpress.secret().reveal() == "env-wp"
    # Paths that default under data_dir follow the override.
    assert over.publish.folder.path == tmp_path / "from-env" / "export"
    assert over.notify.dry_run_dir == tmp_path / "from-env" / "outbox"

    default = _load({}, tmp_path)
    assert default.data_dir == tmp_path / "var"
    assert default.database.url == f"sqlite:///{tmp_path / 'var' / 'dienhinh.sqlite3'}"
    assert default.logging.json is False


def test_an_empty_variable_does_not_override(tmp_path):
    cfg = _load({"database": {"url": "postgresql://file@db/d"}}, tmp_path,
                {"DIENHINH_DATABASE_URL": ""})  # fmt: skip
    assert cfg.database.url == "postgresql://file@db/d"


def test_a_bad_override_names_the_variable(tmp_path):
    err = _error({}, tmp_path, {"DIENHINH_MAILBOX_URL": "pop3://u@h/INBOX"})
    assert err.key == "DIENHINH_MAILBOX_URL"
    err = _error({}, tmp_path, {"DIENHINH_DATABASE_URL": "just-a-name"})
    assert err.key == "DIENHINH_DATABASE_URL"


def test_the_command_line_path_wins_over_DIENHINH_CONFIG(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('[mailbox]\nurl = "maildir:a"\n')
    b.write_text('[mailbox]\nurl = "maildir:b"\n')
    assert load_config(environ={"DIENHINH_CONFIG": str(a)}).mailbox.url.path == tmp_path / "a"
    cfg = load_config(b, environ={"DIENHINH_CONFIG": str(a)})
    assert cfg.mailbox.url.path == tmp_path / "b"


def test_package_loaders_read_the_environment_they_are_given_through_core(tmp_path):
    from dienhinh.notify.config import load as load_notify
    from dienhinh.publish.config import load as load_publish

    cfg = _load({}, tmp_path, {"DIENHINH_SMTP_PASSWORD": "one", "DIENHINH_WP_PASSWORD": "a"})
    assert load_notify(cfg).password.reveal() == "one"
    assert load_notify(cfg, environ={"DIENHINH_SMTP_PASSWORD": "two"}).password.reveal() == "two"
    assert load_publish(cfg).wordpress.password.reveal() == "a"
    assert not load_publish(cfg, environ={}).wordpress.password


# --- one module reads the environment ------------------------------------------------------

# The config package: core/config.py reads the environment; the schema modules name the
# variables in their messages.
CONFIG_MODULES = {"core/config.py", "core/config_schema.py", "core/config_sections.py"}
# Reads of the environment that are not configuration.
NOT_CONFIGURATION = {
    # The extraction pool's forkserver learns which process owns it (ingest/procguard.py)
    # and the tagging settings to warm up with, from the process that starts it.
    "ingest/forkserver_guard.py",
    "ingest/forkserver_warm.py",
}
NOT_PRODUCT = {"tests", "bench", "demo", "scripts", ".venv", "build"}


def _product_modules() -> list[Path]:
    """The installed package's modules: the top-level packages (folders with an
    ``__init__.py``) and the top-level modules, not what a run leaves in the checkout
    (var/ holds other projects' files after `make outside`)."""
    packages = [
        d for d in REPO.iterdir() if (d / "__init__.py").is_file() and d.name not in NOT_PRODUCT
    ]
    return sorted([*REPO.glob("*.py"), *(p for d in packages for p in d.rglob("*.py"))])


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the process environment. Setting a variable for a child process
    (``os.environ[K] = v``) and copying the whole environment into a child's
    (``dict(os.environ)``, ``{**os.environ}``) are not reads of configuration."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in ("environ", "getenv", "environb") for a in node.names)
        ):
            lines.append(node.lineno)
        if not (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "environb")
        ):
            continue
        parent = parents.get(node)
        if node.attr == "environ":
            if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
                continue
            if (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Name)
                and parent.func.id == "dict"
                and parent.args[:1] == [node]
            ):
                continue
            if isinstance(parent, ast.Dict) and any(
                k is None and v is node for k, v in zip(parent.keys, parent.values, strict=True)
            ):
                continue
        lines.append(node.lineno)
    return lines


def test_only_the_config_module_reads_the_environment():
    modules = _product_modules()
    assert len(modules) > 50 and REPO / "core" / "config.py" in modules
    offenders = []
    for path in modules:
        rel = path.relative_to(REPO).as_posix()
        if rel in CONFIG_MODULES or rel in NOT_CONFIGURATION:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{rel}:{line}" for line in _environment_reads(tree)]
        # A configuration variable named outside the config package is read somewhere else.
        offenders += [
            f"{rel}:{n.lineno} names {n.value}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and n.value.startswith("DIENHINH_")
            # the pool's forkserver's inherited values (ingest/procguard.py, forkserver_warm.py)
            and n.value not in ("DIENHINH_POOL_OWNER", "DIENHINH_POOL_WARM")
        ]
    assert offenders == []


def test_the_environment_check_sees_a_read():
    """The check above would catch the reads the loaders used to make."""
    reads = _environment_reads(
        ast.parse(
            "import os\n"
            "env = os.environ if environ is None else environ\n"
            "pw = os.getenv('DIENHINH_SMTP_PASSWORD')\n"
            "os.environ['DIENHINH_CONFIG'] = '/etc/dienhinh.toml'\n"
            "child = {**os.environ, 'HOME': '/tmp'}\n"
            "copy = dict(os.environ)\n"
            "owner = os.environ.get('X')\n"
        )
    )
    assert reads == [2, 3, 7]


# --- one TaggingConfig; core imports nothing above it ---------------------------------------


def test_one_tagging_type_with_one_webmail_default():
    import inspect

    import dienhinh.classifiers.tagging as tagging
    from dienhinh.classifiers.units import attribute_unit

    assert not hasattr(tagging, "TaggingSettings")
    assert inspect.signature(tagging.tag_outcome).parameters["settings"].annotation in (
        "TaggingConfig",
        TaggingConfig,
    )
    default = inspect.signature(attribute_unit).parameters["webmail_domains"].default
    assert default is WEBMAIL_DOMAINS
    fields = {f.name: f for f in dataclasses.fields(TaggingConfig)}
    assert fields["webmail_domains"].default is WEBMAIL_DOMAINS
    shipped = load_config(REPO / "config.toml", environ={})
    assert shipped.tagging is not None and shipped.tagging.webmail_domains == WEBMAIL_DOMAINS


def test_core_names_the_taggers_and_publishers_the_packages_register():
    from dienhinh.classifiers import BUILTINS
    from dienhinh.publish import publisher_names

    assert {c.name: c.level for c in BUILTINS} == TAGGERS
    assert publisher_names() == PUBLISH_TARGETS


def test_core_does_not_import_the_packages_above_it():
    for path in sorted((REPO / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                assert parts[0] != "dienhinh" or parts[1] == "core", f"{path.name}: {name}"


def test_loading_the_configuration_imports_no_tagger_and_no_library():
    """Checking ``tagging.taggers`` no longer imports the classifiers, and the schema costs
    no third-party import (a poll with no new mail must start fast)."""
    code = (
        "import sys\n"
        "from dienhinh.core.config import config_from_mapping\n"
        "config_from_mapping({'mailbox': {'url': 'maildir:/tmp/x'},"
        " 'tagging': {'taggers': ['kind']}})\n"
        "mods = sorted(m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names"
        " and m.split('.')[0] != 'dienhinh' and not m.startswith('_'))\n"
        "print([m for m in sys.modules if m.startswith('dienhinh.') and"
        " not m.startswith('dienhinh.core')] + mods)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == "[]"
