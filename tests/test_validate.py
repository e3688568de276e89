"""`cmasprep validate` per the item-format spec: statuses, per-line JSON, pointers, exits."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from bank.store import open_store
from tests.conftest import make_item, write_jsonl


def _run(runner: CliRunner, *args: object) -> tuple[int, list[dict], str]:
    result = runner.invoke(app, ["validate", *map(str, args), "--json"])
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    return result.exit_code, lines, result.stderr


def test_every_status_in_input_order(runner: CliRunner, tmp_path: Path) -> None:
    clean = make_item(1).to_record()
    flawed = {**make_item(2).to_record(), "options": ["always CMS-1500", "UB-04", "ADA", "NCPDP"]}
    path = write_jsonl(
        tmp_path / "f.jsonl",
        [
            clean,
            "{oops",
            flawed,
            {**make_item(3).to_record(), "options": ["a", "b", "c"]},
            {k: v for k, v in clean.items() if k != "id"},
        ],
    )
    code, out, _ = _run(runner, path, "--no-bank")
    assert code == 1
    assert [r["line"] for r in out] == [1, 2, 3, 4, 5]
    assert [r["status"] for r in out] == ["clean", "rejected", "flagged", "rejected", "duplicate"]
    assert "line 2" in out[1]["errors"][0] and "not valid JSON" in out[1]["errors"][0]
    assert {"code": "absolute_terms", "where": "A", "evidence": "always"} in out[2]["flaws"]
    assert out[4]["duplicates"] == [{"of": clean["id"], "kind": "exact", "similarity": 1.0}]
    assert set(out[0]) == {"line", "id", "status", "errors", "flaws", "duplicates"}


def test_rejected_line_still_reports_flaws_and_pointers_use_line_numbers(
    runner: CliRunner, tmp_path: Path
) -> None:
    first = {k: v for k, v in make_item(1).to_record().items() if k != "id"}
    rejected = {**first, "domain": 99, "options": ["never this", "UB-04", "ADA", "NCPDP"]}
    path = write_jsonl(tmp_path / "f.jsonl", [first, rejected, first])
    code, out, _ = _run(runner, path, "--no-bank")
    assert code == 1
    assert out[1]["status"] == "rejected" and out[1]["flaws"][0]["code"] == "absolute_terms"
    assert out[2]["duplicates"][0]["of"] == "line:1" and out[2]["id"] is None


def test_generated_items_need_rationale_and_sources(runner: CliRunner, tmp_path: Path) -> None:
    generated = {**make_item(1).to_record(), "provenance": {"generator": "llm"}}
    generated.pop("rationale")
    handwritten = {**make_item(2).to_record()}
    handwritten.pop("rationale")
    code, out, _ = _run(
        runner, write_jsonl(tmp_path / "f.jsonl", [generated, handwritten]), "--no-bank"
    )
    assert code == 1
    assert out[0]["status"] == "rejected" and any("rationale" in e for e in out[0]["errors"])
    assert out[1]["status"] == "clean"


def test_duplicates_against_the_bank(runner: CliRunner, tmp_path: Path, db: Path) -> None:
    banked = make_item(5)
    with open_store(db) as store:
        store.save_items([banked, make_item(6, status="rejected")])
    shuffled = {
        **banked.to_record(),
        "id": "new-1",
        "options": list(reversed(banked.options)),
        "answer": "D",
    }
    rejected_twin = {**make_item(6).to_record(), "id": "new-2"}
    path = write_jsonl(tmp_path / "f.jsonl", [shuffled, rejected_twin])
    code, out, _ = _run(runner, path, "--db", db)
    assert code == 0
    assert out[0]["status"] == "duplicate" and out[0]["duplicates"][0]["of"] == banked.id
    assert out[1]["status"] == "clean"  # only approved and pending bank items count
    code, out, _ = _run(runner, path, "--db", db, "--no-bank")
    assert out[0]["status"] == "clean"


def test_unreadable_file_and_human_output(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "missing.jsonl")]).exit_code == 2
    bad = tmp_path / "bin.jsonl"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert runner.invoke(app, ["validate", str(bad)]).exit_code == 2
    path = write_jsonl(tmp_path / "ok.jsonl", [make_item(1).to_record()])
    result = runner.invoke(app, ["validate", str(path), "--no-bank"])
    assert result.exit_code == 0 and "line 1" in result.stdout and "clean" in result.stdout


def test_mapping_and_default_domain(runner: CliRunner, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "f.jsonl",
        [
            {
                "question": "Which plan requires a referral to see a specialist?",
                "options": {"A": "HMO", "B": "PPO", "C": "Medigap", "D": "HSA"},
                "answer_idx": "A",
            }
        ],
    )
    code, out, _ = _run(
        runner,
        path,
        "--no-bank",
        "--map",
        "stem=question",
        "--map",
        "answer=answer_idx",
        "--domain",
        "5",
    )
    assert code == 0 and out[0]["status"] == "clean"


def test_flaws_that_rules_do_not_compute_travel_with_the_item(blueprint) -> None:
    from bank.models import Flaw
    from validators.report import validate_batch

    judged = make_item(1).model_copy(
        update={
            "flaws": [
                Flaw(code="more_than_one_correct", where="C", evidence="the judge chose C"),
                Flaw(code="absolute_terms", where="A", evidence="stale: the rules recompute this"),
            ]
        }
    )
    (verdict,) = validate_batch([judged], blueprint).verdicts
    assert verdict.status == "flagged"
    assert [f.code for f in verdict.flaws] == ["more_than_one_correct"]


def test_fuzzy_duplicates_go_to_a_reviewer_and_exact_ones_are_rejected(blueprint) -> None:
    from validators.detector import DuplicateRef
    from validators.report import BatchReport, Verdict

    item = make_item(1)
    fuzzy = Verdict(item, "duplicate", duplicates=[DuplicateRef("d5-other", "semantic", 0.74)])
    sure = Verdict(
        make_item(2), "duplicate", duplicates=[DuplicateRef("d5-other", "semantic", 0.95)]
    )
    exact = Verdict(make_item(3), "duplicate", duplicates=[DuplicateRef("d5-x", "exact", 1.0)])
    report = BatchReport([fuzzy, sure, exact])
    routed = report.routed()
    assert [i.status for i in routed] == ["pending_review", "rejected", "rejected"]
    assert (
        routed[0].flaws[-1].code == "possible_duplicate"
        and "d5-other" in routed[0].flaws[-1].evidence
    )
    assert routed[1].reasons == ["duplicate of d5-other (semantic, 0.95)"]
    assert report.possible_duplicates() == 1
