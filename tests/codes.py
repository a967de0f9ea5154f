"""Every code the product writes where an editor may see it, enumerated from the code
itself: the enums, and for codes written as string literals (audit actions, flags,
sources, reason codes, MIME types, run kinds) the literals in the files that write them.
Shared by the unit test of core/labels.py and the browser test that seeds a database
with every one of them, so a code added later shows up in both."""

from __future__ import annotations

import re
from pathlib import Path

import dienhinh

__all__ = [
    "ROOT",
    "audit_actions",
    "flag_prefixes",
    "flags",
    "literals",
    "mime_types",
    "reason_codes",
    "run_kinds",
    "run_statuses",
    "sources",
]

ROOT = Path(dienhinh.__file__).resolve().parent
# The product's own packages: a checkout also holds .venv/, var/ (fetched corpora), bench/.
PACKAGES = ("core", "ingest", "classifiers", "store", "review", "publish", "worker", "notify",
            "report", "learning")  # fmt: skip


def literals(pattern: str, *globs: str) -> set[str]:
    """Every match of ``pattern``'s first group in the source files ``globs`` (tests
    left out)."""
    found: set[str] = set()
    for g in globs:
        for path in ROOT.glob(g):
            parts = path.relative_to(ROOT).parts
            if len(parts) < 2 or parts[0] not in PACKAGES:
                continue
            found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    assert found, f"nothing matched {pattern} in {globs}: the enumeration is broken"
    return found


def audit_actions() -> set[str]:
    """AuditLog.action values but the state changes (``state:<state>``)."""
    actions = literals(r'\baction="([a-z:-]+)"', "**/*.py")
    actions |= literals(r'_audit\(\s*session,\s*actor,\s*\w+,\s*"([a-z:-]+)"', "review/*.py")
    actions |= literals(r'"(user:[a-z]+)"', "review/auth.py")
    return actions - {"store_true", "version"}  # argparse's, not the audit log's


def flags() -> set[str]:
    """Article and message flags, and the unit's review reasons."""
    found = literals(r'flags\.append\("([a-z -]+)"\)', "ingest/**/*.py")
    found |= literals(r'flags=\["([a-z -]+)"\]', "ingest/**/*.py")
    found |= literals(r'\[\*(?:\w+\.)?flags, "([a-z -]+)"\]', "ingest/**/*.py")
    found |= literals(r'(?m)^FLAG_\w+: Final = "([a-z -]+)"', "classifiers/units.py")
    found |= literals(r'(?m)^NO_UNIT = "([a-z -]+)"', "classifiers/tagging.py")
    return found


def flag_prefixes() -> set[str]:
    """Flags with a value: "legacy-encoding:tcvn3", "split:2/3"."""
    return literals(r'f"([a-z-]+):\{', "ingest/split.py", "ingest/extractors/*.py")


def sources() -> set[str]:
    return literals(r'\bsource="([a-z-]+)"', "ingest/**/*.py")


def mime_types() -> set[str]:
    """The types the sniffer names (not the parts named inside a package's
    [Content_Types].xml)."""
    found = literals(r'"((?:application|image|text|message)/[a-z0-9.+-]+)"', "ingest/mime.py")
    return {t for t in found if not t.endswith(".main+xml")}


def reason_codes() -> set[str]:
    """The leading codes of the reasons and errors the pipeline writes."""
    codes = literals(
        r'(?:reason|error|REASON)\s*[=:]?\s*f?"([a-z][a-z -]*[a-z]): ',
        "ingest/**/*.py",
        "store/*.py",
    )
    codes |= literals(r'return f"([a-z-]+): \{text\}"', "ingest/extract.py")
    codes |= literals(r'_settle\(att, AttachmentOutcome\.\w+, f?"([a-z-]+): ', "ingest/*.py")
    return codes


def run_kinds() -> set[str]:
    """PollRun.kind: the worker's jobs and the command's runs."""
    kinds = literals(r'JobSpec\(\s*"([a-z-]+)"', "worker/*.py")
    kinds |= literals(r'RunReport\(kind="([a-z-]+)"', "ingest/*.py", "worker/*.py")
    kinds |= literals(r'_run\(\s*source, kind="([a-z-]+)"', "ingest/run.py")
    return kinds


def run_statuses() -> set[str]:
    """PollRun.status: the run states (core/states.py)."""
    from dienhinh.core.states import RunState

    return {state.value for state in RunState}
