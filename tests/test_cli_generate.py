"""`cmasprep generate` and `cmasprep demo` from the CLI, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.store import open_store


def test_generate_stores_items_and_a_run_record_and_the_next_run_adds_new_items(
    runner: CliRunner, db: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "generate",
            "--no-flow",
            "--domain",
            "5,7",
            "--count",
            "6",
            "--generator",
            "offline",
            "--db",
            str(db),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["status"] == "completed" and run["counts"]["generated"] == 12
    assert set(run["counts"]["domains"]) == {"5", "7"}
    with open_store(db, read_only=True) as store:
        items = store.find_items()
        assert len(items) == 12 and {i.status for i in items} == {"pending_review"}
        assert all(
            i.provenance.run_id == run["id"] and i.provenance.generator == "offline" for i in items
        )
        assert store.get_run(run["id"]).counts["clean"] == 12
    again = runner.invoke(
        app, ["generate", "--no-flow", "--domain", "5,7", "--count", "6", "--db", str(db), "--json"]
    )
    assert json.loads(again.stdout)["id"] != run["id"]
    with open_store(db, read_only=True) as store:
        assert len({i.content_hash for i in store.find_items()}) == 24


def test_generate_total_splits_by_weight_and_rejects_bad_calls(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(
        app,
        ["generate", "--no-flow", "--domain", "all", "--total", "20", "--db", str(db), "--json"],
    )
    counts = json.loads(result.stdout)["params"]["counts"]
    assert sum(counts.values()) == 20 and counts["4"] >= counts["2"]
    assert runner.invoke(app, ["generate", "--domain", "9", "--db", str(db)]).exit_code == 2
    assert (
        runner.invoke(app, ["generate", "--domain", "5", "--total", "5", "--db", str(db)]).exit_code
        == 2
    )
    bad = runner.invoke(app, ["generate", "--domain", "5", "--generator", "llm", "--db", str(db)])
    assert bad.exit_code == 1 and "OPENAI_API_KEY" in bad.stderr


@pytest.mark.usefixtures("prefect_harness")
def test_demo_runs_the_whole_pipeline(runner: CliRunner, tmp_path: Path) -> None:
    db, out = tmp_path / "demo.duckdb", tmp_path / "out"
    result = runner.invoke(app, ["demo", "--db", str(db), "--count", "12", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "sample-learner.ics").exists() and (out / "sample-learner.html").exists()
    with open_store(db, read_only=True) as store:
        assert store.find_items(statuses=["approved"]) and store.responses("sample-learner")
        assert store.latest_plan("sample-learner") is not None
