"""Shared fixtures: a blueprint, a bank file in a temp dir, sample items, the CLI runner."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Nothing in the tests may reach the network or a user's Prefect/OpenAI config.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CMASPREP_DB"):
    os.environ.pop(var, None)

from bank.blueprint import load_blueprint  # noqa: E402
from bank.models import Blueprint, Item  # noqa: E402
from bank.notes import NoteSet  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def blueprint() -> Blueprint:
    return load_blueprint()


@pytest.fixture(scope="session")
def repo_notes(blueprint: Blueprint) -> NoteSet:
    """The project's source notes (data/notes), checked to load without problems."""
    from bank.notes import load_notes

    loaded = load_notes(ROOT / "data" / "notes", blueprint)
    assert loaded.problems == []
    return loaded


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "bank.duckdb"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def make_item(n: int = 0, domain: int = 5, **overrides: object) -> Item:
    """A valid item whose content varies with n."""
    fields: dict[str, object] = {
        "domain": domain,
        "stem": f"Which claim form does a physician office use for professional claim batch {n}?",
        "options": [f"CMS-1500 v{n}", f"UB-04 v{n}", f"ADA dental v{n}", f"NCPDP v{n}"],
        "answer": "A",
        "rationale": "The CMS-1500 is the professional claim form.",
    }
    fields.update(overrides)
    return Item.model_validate(fields)


def write_jsonl(path: Path, records: Sequence[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def items_file(tmp_path: Path) -> Iterator[Path]:
    records = [make_item(i).to_record() for i in range(5)]
    for r in records:
        r.pop("status", None)
    yield write_jsonl(tmp_path / "items.jsonl", records)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for every flow test of the session (~20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# A test that skips on a fresh machine is a hidden failure: whatever it needs (Chromium,
# node for the GIFT parser, the shared data) is installed by the README's command, so a
# skip fails the run and says what is missing. CMASPREP_ALLOW_SKIPS=1 allows them, e.g.
# on a laptop without Chromium, and the summary still lists each skip.
ALLOW_SKIPS = os.environ.get("CMASPREP_ALLOW_SKIPS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not ALLOW_SKIPS and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"SKIPPED IS FAILED: {item.nodeid} needs something this machine lacks: {reason}\n"
            "Install it (see the README's first command) or set CMASPREP_ALLOW_SKIPS=1."
        )
