"""Every benchmark module imports, says what it measures, and the scripts have a `main`.

No benchmark is run here (they take minutes). The modules are imported in one fresh
interpreter, not in the test process: some set environment variables or `sys.path` at import
(benchmarks/pipeline.py configures Prefect), which must not leak into other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem != "__init__")
# Modules that other benchmarks (or tests) import and that are not run on their own: they
# need a docstring, not a `main`.
HELPERS = {
    "answer_model": "the optional answer model, fitted by tests/test_mastery.py",
    "dedup_background": "the unlabelled negatives the pair classifier is fitted beside",
    "dedup_calibration": "the pair classifier's fit and evaluation, run by benchmarks.dedup",
    "dedup_pairs": "the labelled duplicate pairs and their split, read by benchmarks.dedup",
    "forecast_check": "part (a) of benchmarks.planner",
    "planner_sim": "the simulated learners of benchmarks.planner",
}
SCRIPTS = [name for name in BENCHMARKS if name not in HELPERS]

# Imports each module and prints, as the last line, what it found: the import error (a
# traceback) or the docstring and whether `main` is callable.
PROBE = """
import importlib, json, sys, traceback
found = {}
for name in sys.argv[1:]:
    try:
        module = importlib.import_module("benchmarks." + name)
    except BaseException:
        found[name] = {"error": traceback.format_exc()}
        continue
    found[name] = {
        "error": None,
        "doc": (module.__doc__ or "").strip(),
        "main": callable(getattr(module, "main", None)),
    }
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def probed() -> dict[str, dict[str, Any]]:
    """What importing each benchmark module in a fresh interpreter found."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *BENCHMARKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_benchmarks_are_found() -> None:
    assert "planner" in SCRIPTS and "pipeline" in SCRIPTS


@pytest.mark.slow  # the fresh interpreter imports every benchmark: about 8 s
@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_imports_and_says_what_it_measures(
    probed: dict[str, dict[str, Any]], name: str
) -> None:
    result = probed[name]
    assert result["error"] is None, result["error"]
    assert result["doc"], f"benchmarks/{name}.py has no module docstring"


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_script_has_main(probed: dict[str, dict[str, Any]], name: str) -> None:
    assert probed[name]["error"] is None, probed[name]["error"]
    assert probed[name]["main"], f"benchmarks/{name}.py has no callable `main`"


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_helper_is_a_benchmark_module_and_no_script(name: str) -> None:
    # A stale entry, or a helper that became a script, would escape the `main` check.
    path = ROOT / "benchmarks" / f"{name}.py"
    assert path.exists(), f"HELPERS names benchmarks/{name}.py, which is gone"
    assert '__name__ == "__main__"' not in path.read_text(encoding="utf-8"), (
        f"benchmarks/{name}.py runs as a script: give it a `main` and drop it from HELPERS"
    )
