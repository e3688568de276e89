"""The layers of docs/architecture.md, checked: imports point one way, the core stays light.

`bank` is the core; `generators`, `validators` and `planner` import only `bank` (never
each other); `pipelines` (the use cases and their Prefect flows) imports those; `app`
(CLI, web, terminal UI) imports everything and nothing imports it. Lazy imports inside
functions count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bank", "generators", "validators", "planner", "pipelines", "app")
RANK = {"bank": 0, "generators": 1, "validators": 1, "planner": 1, "pipelines": 2, "app": 3}
MAX_LINES = 450
# Heavy or service libraries the pure core must never load (item 3 of the layering issue).
HEAVY = ("prefect", "duckdb", "fastapi", "langchain", "langchain_core", "openai", "torch")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every absolute module a file imports (top level or inside functions), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _violations() -> list[str]:
    out = []
    for package in PACKAGES:
        for path in _modules(package):
            here = RANK[package]
            for line, target in _imports(path):
                top = target.split(".")[0]
                if top not in RANK or top == package:
                    continue
                there = RANK[top]
                where = f"{path.relative_to(ROOT)}:{line} imports {target}"
                if there > here:
                    out.append(f"{where} (a lower layer imports a higher one)")
                elif there == here:
                    out.append(f"{where} (sibling packages import each other)")
    return out


def test_imports_point_one_way() -> None:
    assert _violations() == []


def test_only_the_store_imports_duckdb() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in _modules(package)
        for line, target in _imports(path)
        if target.split(".")[0] == "duckdb" and not _module_name(path).startswith("bank.store")
    ]
    assert offenders == []


def test_no_module_of_the_product_is_too_long() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in _modules(package)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.slow
def test_the_pure_packages_load_no_service_library() -> None:
    """Import every submodule of generators, validators and planner in a fresh interpreter."""
    names = [
        _module_name(path)
        for package in ("generators", "validators", "planner")
        for path in _modules(package)
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert len(names) > 20  # the walk found the packages: an empty list would prove nothing
    assert json.loads(done.stdout) == []
