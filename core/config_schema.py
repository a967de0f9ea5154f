"""The machinery of the one configuration schema: typed settings declared on dataclasses.

Every section of ``config.toml`` is a frozen dataclass (core/config.py, core/config_sections.py).
A field that is a key of the file is declared with :func:`setting` (its TOML types, the
checks its value must pass, how it is converted, the environment variable that overrides
it); a field that is a sub-table (``[notify.ack]``) with :func:`table`; any other field is
filled by the section's ``finish`` hook (secrets, values copied from another section).
:func:`build` reads one table against its dataclass: an unknown key, a value of the wrong
type or a value that fails a check raises :class:`ConfigError` naming the key, in one line.

Plain dataclasses rather than pydantic-settings: the whole schema costs nothing to import
beyond the standard library (README, "Configuration", gives the figures), which matters for
a poll that must start, find no new mail and exit in 0.5 s.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult

from dienhinh.core.errors import ConfigError

__all__ = [
    "Context",
    "Rule",
    "Secret",
    "at_least",
    "between",
    "build",
    "is_loopback",
    "one_of",
    "positive",
    "read_secret_file",
    "setting",
    "table",
]

# A check takes the converted value and returns the problem ("must be positive, got 0")
# or None when the value is fine.
Check = Callable[[Any], "str | None"]


class Secret:
    """A string that never shows itself in ``repr``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Context:
    """What conversions need besides the value: where relative paths start, the data
    directory, the time zone, the environment the overrides come from."""

    base: Path
    data_dir: Path
    timezone: str
    env: Mapping[str, str]
    package_dir: Path


@dataclass(frozen=True)
class Rule:
    toml: tuple[type, ...]  # the TOML types accepted
    checks: tuple[Check, ...] = ()  # run on the converted value
    convert: Callable[[Any, Context, str], Any] | None = None  # (value, context, key)
    env: str | None = None  # an environment variable that overrides the file
    default_from: Callable[[Context], Any] | None = None  # a default that needs the context
    items: type | None = None  # for a list: the type of each item


def setting(
    default: Any = MISSING,
    *,
    toml: type | tuple[type, ...],
    checks: Sequence[Check] = (),
    convert: Callable[[Any, Context, str], Any] | None = None,
    env: str | None = None,
    default_from: Callable[[Context], Any] | None = None,
    items: type | None = None,
) -> Any:
    """A dataclass field that is a key of the file."""
    rule = Rule(
        toml=toml if isinstance(toml, tuple) else (toml,),
        checks=tuple(checks),
        convert=convert,
        env=env,
        default_from=default_from,
        items=items,
    )
    if isinstance(default, list | dict):  # never a mutable default
        raise TypeError("use a tuple default")
    return field(default=default, metadata={"rule": rule})


def table(cls: type) -> Any:
    """A dataclass field that is a sub-table, read by its own dataclass."""
    return field(default_factory=cls, metadata={"table": cls})


_TYPE_NAMES = {
    bool: "true/false",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
    datetime: "a date and time",
    time: "a time of day",
}


def _wanted(types: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    # bool is a subclass of int: true where a number is wanted is a mistake.
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _from_env(text: str, rule: Rule, key: str) -> Any:
    """An environment variable's text as the setting's TOML type."""
    if bool in rule.toml:
        return text.strip().lower() in ("1", "true", "yes")
    if str in rule.toml:
        return text
    if int in rule.toml:
        try:
            return int(text)
        except ValueError as err:
            raise ConfigError(key, f"has value {text!r}, expected {_wanted(rule.toml)}") from err
    raise ConfigError(key, "cannot be set from the environment")


def build(cls: type, data: Any, prefix: str, ctx: Context) -> Any:
    """Read the table ``data`` (named ``prefix``) into an instance of the section ``cls``."""
    if not isinstance(data, Mapping):
        raise ConfigError(prefix, f"must be a table ([{prefix}])")
    declared = {f.name: f for f in fields(cls) if "rule" in f.metadata or "table" in f.metadata}
    for key in data:
        if key not in declared:
            raise ConfigError(
                _dotted(prefix, key), f"unknown key (expected one of {', '.join(declared)})"
            )
    values: dict[str, Any] = {}
    for name, f in declared.items():
        key = _dotted(prefix, name)
        if "table" in f.metadata:
            values[name] = build(f.metadata["table"], data.get(name, {}), key, ctx)
            continue
        rule: Rule = f.metadata["rule"]
        where = key
        if rule.env and ctx.env.get(rule.env):
            where = rule.env  # an error names the variable the value came from
            raw = _from_env(ctx.env[rule.env], rule, where)
        elif name in data:
            raw = data[name]
            if not _type_ok(raw, rule.toml):
                raise ConfigError(
                    key, f"has value {raw!r} of the wrong type, expected {_wanted(rule.toml)}"
                )
            if rule.items is not None:
                for item in raw:
                    if not _type_ok(item, (rule.items,)):
                        raise ConfigError(
                            key,
                            f"has item {item!r} of the wrong type, expected "
                            f"{_wanted((rule.items,))}",
                        )
        elif rule.default_from is not None:
            values[name] = rule.default_from(ctx)
            continue
        elif f.default is not MISSING:
            raw = f.default
        else:
            raw = None
        value = rule.convert(raw, ctx, where) if rule.convert is not None else raw
        for check in rule.checks:
            problem = check(value)
            if problem:
                raise ConfigError(where, problem)
        values[name] = value
    finish = getattr(cls, "finish", None)
    if finish is not None:
        finish(values, ctx, prefix)
    return cls(**values)


def _dotted(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


# --- checks ------------------------------------------------------------------------------


def positive(value: float) -> str | None:
    return None if value > 0 else f"must be positive, got {value!r}"


def at_least(minimum: int, problem: str | None = None) -> Check:
    """``problem`` may use {value} and {minimum}."""
    text = problem or "has value {value}, expected at least {minimum}"

    def check(value: float) -> str | None:
        return None if value >= minimum else text.format(value=value, minimum=minimum)

    return check


def at_most(maximum: int, problem: str) -> Check:
    def check(value: float) -> str | None:
        return None if value <= maximum else problem.format(value=value, maximum=maximum)

    return check


def between(low: float, high: float, problem: str) -> Check:
    """low < value <= high."""

    def check(value: float) -> str | None:
        return None if low < value <= high else problem

    return check


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value: str) -> str | None:
        return None if value in choices else f"has value {value!r}, expected one of {choices}"

    return check


def matches(pattern: str, expected: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else f"has value {value!r}, expected {expected}"

    return check


# --- conversions -------------------------------------------------------------------------


def as_float(value: Any, ctx: Context, key: str) -> float:
    return float(value)


def as_tuple(value: Any, ctx: Context, key: str) -> tuple[Any, ...]:
    return tuple(value)


def lower_tuple(value: Any, ctx: Context, key: str) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in value)


def optional_path(value: str | None, ctx: Context, key: str) -> Path | None:
    """A file named relative to config.toml; "" or absent: None."""
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else ctx.base / p


def path_or(default: Callable[[Context], Path]) -> Callable[[Any, Context, str], Path]:
    """A path relative to config.toml; "" or absent: ``default(ctx)`` (already absolute or
    relative to config.toml)."""

    def convert(value: str | None, ctx: Context, key: str) -> Path:
        p = Path(value) if value else default(ctx)
        return p if p.is_absolute() else ctx.base / p

    return convert


_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def time_of_day(expected: str = "a local time HH:MM") -> Callable[[Any, Context, str], time]:
    def convert(value: str | time, ctx: Context, key: str) -> time:
        if isinstance(value, time):
            return value
        m = _HHMM.fullmatch(value.strip())
        if not m:
            raise ConfigError(key, f"has value {value!r}, expected {expected}")
        return time(int(m.group(1)), int(m.group(2)))

    return convert


# --- helpers the sections share -----------------------------------------------------------


def server_address(
    parts: SplitResult, key: str, default_ports: Mapping[str, int], schemes: str
) -> tuple[str, str, int]:
    """(scheme, host, port) of a mail server URL (IMAP, SMTP), the port defaulting by
    scheme; a ConfigError naming ``key`` for an unknown scheme (``schemes`` says which are
    known), no host or a bad port."""
    scheme = parts.scheme.lower()
    if scheme not in default_ports:
        raise ConfigError(key, f"unknown scheme {parts.scheme!r}; use {schemes}")
    host = parts.hostname or ""
    if not host:
        raise ConfigError(key, "has no host")
    try:
        port = parts.port or default_ports[scheme]
    except ValueError as err:
        raise ConfigError(key, f"bad port: {err}") from err
    return scheme, host, port


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: where a plain (unencrypted) protocol is
    allowed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_positive(key: str, value: float) -> None:
    """Raise ConfigError naming ``key`` unless ``value`` is above zero."""
    if value <= 0:
        raise ConfigError(key, f"must be positive, got {value!r}")


def read_secret_file(name: str | Path | None, *, base: Path, key: str) -> str:
    """The one-line secret in the file ``name`` (relative to ``base``); "" when no file is
    named. An unreadable file is a ConfigError naming ``key``."""
    if not name:
        return ""
    path = Path(name)
    if not path.is_absolute():
        path = base / path
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigError(key, f"cannot read {path}: {err}") from err
