"""The package floors (docs/architecture.md): app/ -> training/, llm/ -> retrieval/ -> models/.

A lower package never imports a higher one, so the app stays the only reader of settings and every
floor can be used, tested and read without the ones above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"app": 3, "training": 2, "llm": 2, "retrieval": 1, "models": 0}
MAX_LINES = 360  # a module a newcomer reads in one sitting (issue 20: "no module over ~350 lines")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(FLOORS)


@pytest.mark.parametrize("package", [p for p in FLOORS if p != "app"])
def test_lower_packages_never_import_a_higher_floor(package):
    upward = [f"{path.relative_to(ROOT)} imports {other}" for path in _modules(package)
              for other in _imported_packages(path) if FLOORS[other] > FLOORS[package]]
    assert not upward, "imports against the floors: " + "; ".join(upward)


def test_no_module_is_longer_than_a_sitting():
    long = [f"{path.relative_to(ROOT)} ({n} lines)" for package in FLOORS for path in _modules(package)
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"split these by job (at most {MAX_LINES} lines): " + ", ".join(long)
