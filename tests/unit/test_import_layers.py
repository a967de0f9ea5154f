"""Imports point down (README, "Architecture"): a package may import only packages of a
lower layer, never one of its own layer (sideways) or above. Every import counts, those
inside functions and under TYPE_CHECKING too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = (
    ("core",),
    ("store", "classifiers"),
    ("ingest", "learning", "report", "publish", "notify"),
    ("review",),
    ("worker",),
)
RANK = {pkg: rank for rank, layer in enumerate(LAYERS) for pkg in layer}
# Arrows that other branches of issue 15 remove: delete each entry when its branch is merged.
ALLOWED: set[tuple[str, str]] = set()


def _arrows(path: Path) -> set[tuple[int, str]]:
    return _arrows_from(path, "dienhinh")


def _arrows_from(path: Path, prefix: str) -> set[tuple[int, str]]:
    """(line, first name after ``prefix.``) of every import of ``prefix`` or a module in it."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        inside = [n for n in names if n == prefix or n.startswith(prefix + ".")]
        out |= {(node.lineno, n[len(prefix) + 1 :].split(".")[0]) for n in inside}
    return out


def test_every_package_imports_only_lower_layers():
    assert {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} == set(RANK)
    wrong = []
    for pkg, rank in RANK.items():
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for line, target in sorted(_arrows(path)):
                upward = target in RANK and target != pkg and RANK[target] >= rank
                if upward and (rel, target) not in ALLOWED:
                    wrong.append(f"{rel}:{line}: {pkg} -> {target}")
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def test_the_allow_list_holds_only_arrows_that_exist():
    found = {
        (path.relative_to(ROOT).as_posix(), target)
        for pkg in RANK
        for path in (ROOT / pkg).rglob("*.py")
        for _, target in _arrows(path)
    }
    assert found >= ALLOWED, f"stale allow-list entries: {ALLOWED - found}"


def test_tests_import_their_helpers_one_way():
    """``tests/`` is on pytest's pythonpath: ``from factory import ...`` is the one style.
    ``from tests.factory import ...`` would load a second copy of the module."""
    wrong = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line, _ in _arrows_from(path, "tests")
    ]
    assert not wrong, "imports through the tests package:\n" + "\n".join(wrong)


def test_core_and_the_taggers_use_no_database():
    """Taggers take and return plain core types (README, "Architecture"): what needs the
    database lives in store, or above it (learning from editors: learning/)."""
    wrong = [
        f"{path.relative_to(ROOT)}:{line}"
        for pkg in ("core", "classifiers")
        for path in sorted((ROOT / pkg).rglob("*.py"))
        for line, _ in _arrows_from(path, "sqlalchemy") | _arrows_from(path, "dienhinh.store")
    ]
    assert not wrong, "database imports in core or classifiers:\n" + "\n".join(wrong)
