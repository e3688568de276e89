"""CLI tests of the bank commands (init, import, export, stats, items)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.store import open_store
from tests.conftest import SHARED_DATA, make_item, write_jsonl


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def digest(db: Path) -> dict[str, str]:
    with open_store(db, read_only=True) as store:
        return store.content_digest()


def test_init_creates_bank_with_blueprint(runner: CliRunner, db: Path) -> None:
    code, out, _ = run(runner, "init", "--db", db, "--json")
    assert code == 0
    assert json.loads(out)["blueprint"] == "cmas"
    assert db.exists()


def test_init_rejects_a_broken_blueprint_with_every_problem(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nname: X\nexam: {questions_min: 1, questions_max: 1, form_length: 5, "
        "minutes: 1, passing_score: 70}\ndomains:\n  - {number: 1, name: A, weight: 50, count: 2}\n"
    )
    code, _, err = run(runner, "init", "--db", db, "--blueprint", bad)
    assert code == 1
    assert "weights sum to 50" in err and "counts sum to 2" in err
    assert not db.exists()


def test_import_then_reimport_adds_nothing(runner: CliRunner, db: Path, items_file: Path) -> None:
    assert run(runner, "import", items_file, "--db", db)[0] == 0
    code, out, _ = run(runner, "import", items_file, "--db", db, "--json")
    assert code == 0 and json.loads(out)["inserted"] == 0 and json.loads(out)["existing"] == 5
    code, out, _ = run(runner, "stats", "--db", db, "--json")
    stats = json.loads(out)
    assert stats["total"] == 5
    assert stats["domains"]["5"] == {
        "name": "Health Care Insurance Processing, Coding, and Billing",
        "weight": 17,
        "target": 34,
        "candidate": 0,
        "pending_review": 5,
        "approved": 0,
        "rejected": 0,
        "retired": 0,
    }


BAD_LINES = [
    make_item(10).to_record(),
    "{not json",
    {**make_item(11).to_record(), "options": ["a", "b", "c"]},
    {**make_item(12).to_record(), "domain": 42},
    {k: v for k, v in make_item(13).to_record().items() if k != "answer"},
    {**make_item(14).to_record(), "id": "dup"},
    {**make_item(15).to_record(), "id": "dup"},
]


def test_a_rejected_import_names_every_problem_and_changes_nothing(
    runner: CliRunner, db: Path, items_file: Path, tmp_path: Path
) -> None:
    run(runner, "import", items_file, "--db", db)
    before = digest(db)
    bad = write_jsonl(tmp_path / "bad.jsonl", BAD_LINES)
    code, _, err = run(runner, "import", bad, "--db", db)
    assert code == 1
    assert "nothing was imported" in err
    assert f"{bad}:2: not valid JSON" in err
    assert f"{bad}:3 [options]: expected exactly 4 options, got 3" in err
    assert f"{bad}:4 [domain]: unknown domain 42" in err
    assert f"{bad}:5 [answer]: no key" in err
    assert f"{bad}:7 [id]: duplicate id 'dup' (first on line 6)" in err
    assert digest(db) == before


def test_skip_invalid_keeps_the_valid_lines(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", BAD_LINES)
    code, out, _ = run(runner, "import", bad, "--db", db, "--skip-invalid", "--json")
    report = json.loads(out)
    assert code == 0 and report["inserted"] == 2
    assert sorted({s["line"] for s in report["skipped"]}) == [2, 3, 4, 5, 7]


def test_import_maps_fields_options_object_and_default_domain(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "other.jsonl",
        [
            {
                "question": "Which plan needs a referral from a primary care physician?",
                "options": {"A": "HMO", "B": "PPO", "C": "Indemnity", "D": "HDHP"},
                "answer_idx": "A",
                "realidx": 7,
            },
        ],
    )
    code, _, err = run(
        runner,
        "import",
        path,
        "--db",
        db,
        "--map",
        "stem=question",
        "--map",
        "answer=answer_idx",
        "--domain",
        "5",
        "--status",
        "approved",
    )
    assert code == 0, err
    code, out, _ = run(runner, "items", "list", "--db", db, "--json")
    (item,) = json.loads(out)
    assert item["options"][0] == "HMO" and item["answer"] == "A" and item["domain"] == 5
    assert item["status"] == "approved" and item["realidx"] == 7


def test_bad_map_and_status_and_missing_file_are_usage_errors(
    runner: CliRunner, db: Path, items_file: Path
) -> None:
    assert run(runner, "import", items_file, "--db", db, "--map", "stem")[0] == 2
    assert run(runner, "import", items_file, "--db", db, "--status", "done")[0] == 2
    code, _, err = run(runner, "import", "nope.jsonl", "--db", db)
    assert code == 2 and "no such file" in err


def test_csv_and_gift_import(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "items.csv"
    csv_path.write_text(
        "stem,A,B,C,D,answer,domain\n"
        "Which form bills institutional claims?,CMS-1500,UB-04,ADA,NCPDP,B,5\n"
    )
    assert run(runner, "import", csv_path, "--db", db)[0] == 0
    gift = tmp_path / "items.gift"
    gift.write_text(
        "::g1::Which act protects health information privacy?{=HIPAA ~FLSA ~FMLA ~OSHA}\n"
    )
    assert run(runner, "import", gift, "--db", db, "--domain", "4")[0] == 0
    with open_store(db, read_only=True) as store:
        assert store.item_count() == 2
        assert store.get_item("g1").key_text == "HIPAA"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "gift", "qti21", "anki"])
def test_export_every_format_with_filters(
    runner: CliRunner, db: Path, tmp_path: Path, fmt: str
) -> None:
    with open_store(db) as store:
        store.save_items(
            [
                make_item(0, status="approved"),
                make_item(1),
                make_item(2, domain=4, status="approved"),
            ]
        )
    out = tmp_path / f"out.{fmt}"
    code, stdout, _ = run(
        runner,
        "export",
        "--format",
        fmt,
        "--status",
        "approved",
        "--domain",
        "5",
        "-o",
        out,
        "--db",
        db,
    )
    assert code == 0 and "Wrote 1 items" in stdout and out.stat().st_size > 0
    if fmt in ("jsonl", "csv", "gift"):
        db2 = tmp_path / "copy.duckdb"
        assert run(runner, "import", out, "--db", db2, "--status", "approved")[0] == 0
        with open_store(db2, read_only=True) as a, open_store(db, read_only=True) as b:
            # The import checked every item it stored: the rest is as exported.
            unstamped = {"checked_at": None, "checks_version": None}
            copied = [it.model_copy(update=unstamped) for it in a.find_items()]
            assert copied == b.find_items(domain=5, statuses=["approved"])
            assert all(it.checked_at is not None for it in a.find_items())
    elif fmt == "qti21":
        assert "imsmanifest.xml" in zipfile.ZipFile(out).namelist()


def test_export_rejects_unknown_format(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    assert run(runner, "export", "--format", "docx", "-o", tmp_path / "x", "--db", db)[0] == 2


def test_items_list_and_show(runner: CliRunner, db: Path) -> None:
    item = make_item(0)
    with open_store(db) as store:
        store.save_items([item, make_item(1, domain=4)])
    code, out, _ = run(runner, "items", "list", "--db", db, "--domain", "5")
    assert code == 0 and item.id in out
    code, out, _ = run(runner, "items", "show", item.id, "--db", db)
    assert code == 0 and "*A. CMS-1500 v0" in out
    code, out, _ = run(runner, "items", "show", item.id, "--db", db, "--json")
    assert json.loads(out)["id"] == item.id
    code, _, err = run(runner, "items", "show", "nope", "--db", db)
    assert code == 1 and "no item 'nope'" in err


def test_stats_on_missing_bank_says_how_to_create_one(runner: CliRunner, db: Path) -> None:
    code, _, err = run(runner, "stats", "--db", db)
    assert code == 1 and "cmasprep init" in err


def test_db_from_environment(runner: CliRunner, db: Path, items_file: Path) -> None:
    result = runner.invoke(app, ["import", str(items_file)], env={"CMASPREP_DB": str(db)})
    assert result.exit_code == 0 and db.exists()


@pytest.mark.skipif(not (SHARED_DATA / "medical-mcq").exists(), reason="shared data absent")
def test_the_real_medical_mcq_items_import_or_fail_line_by_line(
    runner: CliRunner, db: Path
) -> None:
    total = 0
    for name in ("medmcqa", "medqa", "mmlu"):
        code, out, _ = run(
            runner,
            "import",
            SHARED_DATA / "medical-mcq" / f"{name}.jsonl",
            "--db",
            db,
            "--map",
            "stem=question",
            "--map",
            "answer=answer_idx",
            "--domain",
            "2",
            "--skip-invalid",
            "--json",
        )
        assert code == 0
        report = json.loads(out)
        assert (
            report["inserted"] + len({s["line"] for s in report["skipped"]}) + report["existing"]
            == report["records"]
        )
        assert all(s["error"] for s in report["skipped"])
        total += report["records"]
    assert total == 5178
