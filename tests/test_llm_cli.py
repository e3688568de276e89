"""What a content team sees of LLM failures in the CLI (issue 18).

A default export holds approved items only (never a "[generation failed]" placeholder);
`items list` and `items show` print item text as written (Rich markup does not eat
"[generation failed]" or "[rejected]"), and `items show` prints the reasons and the raw
output; a generate run in which every generation failed exits non-zero.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.models import Item, Provenance
from bank.store import open_store
from generators.llm_schema import failed_item
from tests.conftest import make_item
from tests.llm_server import LLMServer, Replay


def placeholder() -> Item:
    return failed_item(
        domain=5,
        topic="claim forms and submission",
        reason="llm_output_invalid: the items list is empty (after one repair)",
        raw='{ "items": [] }',
        provenance=Provenance(generator="llm", run_id="run-1"),
        label="domain 5 batch 1",
    )


@pytest.fixture
def bank_db(db: Path) -> tuple[Path, Item, Item]:
    approved = make_item(1).model_copy(update={"status": "approved"})
    failed = placeholder()
    with open_store(db) as store:
        from bank.blueprint import load_blueprint

        store.save_blueprint(load_blueprint())
        store.save_items(
            [approved, failed, make_item(2).model_copy(update={"status": "pending_review"})]
        )
    return db, approved, failed


def test_a_default_export_holds_approved_items_only(
    runner: CliRunner, bank_db: tuple[Path, Item, Item], tmp_path: Path
) -> None:
    db, _, failed = bank_db
    out = tmp_path / "items.gift"
    result = runner.invoke(app, ["export", "--format", "gift", "-o", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 items" in result.output and "status approved" in result.output
    text = out.read_text(encoding="utf-8")
    assert "generation failed" not in text and "professional claim batch 1" in text
    everything = tmp_path / "rejected.jsonl"
    result = runner.invoke(
        app,
        [
            "export",
            "--format",
            "jsonl",
            "--status",
            "rejected",
            "-o",
            str(everything),
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0 and failed.id in everything.read_text(encoding="utf-8")


def test_items_list_and_show_print_item_text_as_written_with_reasons_and_raw_output(
    runner: CliRunner, bank_db: tuple[Path, Item, Item]
) -> None:
    db, _, failed = bank_db
    listed = runner.invoke(app, ["items", "list", "--status", "rejected", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "[generation failed]" in listed.output
    shown = runner.invoke(app, ["items", "show", failed.id, "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "[rejected]" in shown.output and "[generation failed]" in shown.output
    assert "Reason: llm_output_invalid: the items list is empty (after one repair)" in shown.output
    assert '{ "items": [] }' in shown.output


def test_generate_exits_non_zero_when_no_generation_produced_a_candidate(
    runner: CliRunner, db: Path
) -> None:
    from app import common

    with LLMServer(Replay({}, fallback="json_schema-http-500")) as srv:
        env = {"OPENAI_BASE_URL": srv.url, "CMASPREP_MODEL": "m"}
        common.settings.cache_clear()
        try:
            result = runner.invoke(
                app,
                [
                    "generate",
                    "--no-flow",
                    "--generator",
                    "llm",
                    "--domain",
                    "5",
                    "--count",
                    "5",
                    "--db",
                    str(db),
                    "--json",
                ],
                env=env,
            )
        finally:
            common.settings.cache_clear()
    run = json.loads(result.stdout[result.stdout.index("{") :])
    assert run["status"] == "failed"
    assert result.exit_code != 0
