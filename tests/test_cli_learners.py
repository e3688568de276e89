"""learners add/show, responses import, and plan from the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from bank.store import open_store
from tests.conftest import make_item


def run(runner: CliRunner, *args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [*map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def _bank_with_items(db: Path) -> list[str]:
    items = [make_item(i, domain=1 + i % 8) for i in range(16)]
    with open_store(db) as store:
        store.save_items(items)
    return [i.id for i in items]


def test_learner_answers_move_mastery_and_readiness(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    ids = _bank_with_items(db)
    assert run(runner, "learners", "add", "ana", "--exam-date", "2027-03-01", "--db", db)[0] == 0
    assert run(runner, "learners", "add", "ana", "--db", db)[0] == 1
    code, out, _ = run(runner, "learners", "show", "ana", "--db", db, "--json")
    before = json.loads(out)
    assert before["mastery"]["5"]["unknown"] and "scaled" in before["assumption"]
    rows = ["learner,item,correct,chosen,answered_at,seconds"]
    domain5 = [i for i in ids if i.startswith("d5-")]
    for n, item in enumerate(domain5):
        rows.append(f"ana,{item},true,,2026-11-20T10:0{n}:00,30")
    rows += [
        "bob,x,true,,2026-11-20T10:00:00,1",
        f"ana,{ids[0]},maybe,,2026-11-20T10:00:00,1",
        f"ana,{ids[0]},,Z,2026-11-20T10:00:00,1",
        f"ana,{ids[0]},,A,yesterday,1",
    ]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(runner, "responses", "import", path, "--db", db)
    assert code == 1 and f"{len(domain5)} answers saved, 4 skipped" in out
    assert (
        "unknown learner 'bob'" in err
        and "is not true/false" in err
        and "not A-D" in err
        and "ISO" in err
    )
    code, out, _ = run(runner, "learners", "show", "ana", "--db", db, "--json")
    after = json.loads(out)
    assert not after["mastery"]["5"]["unknown"] and after["mastery"]["5"]["answers"] == len(domain5)
    assert after["mastery"]["5"]["mastery"] > before["mastery"]["5"]["mastery"]
    assert (
        after["readiness"]["expected_scaled_score"] > before["readiness"]["expected_scaled_score"]
    )
    assert run(runner, "learners", "show", "ana", "--db", db)[0] == 0


def test_plan_json_keeps_the_spec_invariants_and_writes_calendar_and_report(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    exam = date.today() + timedelta(days=50)
    blackout = date.today() + timedelta(days=10)
    ics, html = tmp_path / "p.ics", tmp_path / "p.html"
    code, out, err = run(
        runner,
        "plan",
        "--learner",
        "ana",
        "--exam-date",
        exam,
        "--hours-per-week",
        8,
        "--mastery",
        '{"1": 0.6, "5": 0.4}',
        "--blackout",
        blackout,
        "--json",
        "--ics",
        ics,
        "--html",
        html,
        "--db",
        db,
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["learner"] == "ana" and plan["mastery"]["1"] == 0.6 and plan["mastery"]["2"] is None
    assert set(plan["allocation"]) == {str(n) for n in range(1, 9)} and all(
        v > 0 for v in plan["allocation"].values()
    )
    blocks = [b for w in plan["weeks"] for b in w["blocks"]]
    assert all(w["hours"] <= 8 + 1e-9 for w in plan["weeks"])
    assert all(
        b["date"] is None or (b["date"] < exam.isoformat() and b["date"] != blackout.isoformat())
        for b in blocks
    )
    assert blocks[0]["kind"] == "diagnostic" or any(
        b["kind"] == "diagnostic" for b in plan["weeks"][0]["blocks"]
    )
    assert any(b["kind"] == "practice_exam" for w in plan["weeks"][-2:] for b in w["blocks"])
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR") and "<svg" in html.read_text()
    with open_store(db, read_only=True) as store:
        assert store.latest_plan("ana") is not None


def test_plan_bad_input_is_a_clear_error(runner: CliRunner, db: Path) -> None:
    exam = (date.today() + timedelta(days=40)).isoformat()
    code, _, err = run(runner, "plan", "--learner", "zed", "--db", db)
    assert code == 2 and "give --exam-date and --hours-per-week" in err
    code, _, err = run(
        runner,
        "plan",
        "--learner",
        "zed",
        "--exam-date",
        "2020-01-01",
        "--hours-per-week",
        5,
        "--db",
        db,
    )
    assert code == 2 and "exam date 2020-01-01 is not after the start" in err
    for hours, message in (("0", "more than 0"), ("120", "at most 100")):
        code, _, err = run(
            runner,
            "plan",
            "--learner",
            "zed",
            "--exam-date",
            exam,
            "--hours-per-week",
            hours,
            "--db",
            db,
        )
        assert code == 2 and message in err
    code, _, err = run(
        runner,
        "plan",
        "--learner",
        "zed",
        "--exam-date",
        exam,
        "--hours-per-week",
        5,
        "--mastery",
        '{"1": 1.4}',
        "--db",
        db,
    )
    assert code == 2 and "between 0 and 1" in err
    code, _, err = run(
        runner,
        "plan",
        "--learner",
        "zed",
        "--exam-date",
        exam,
        "--hours-per-week",
        5,
        "--mastery",
        '{"12": 0.5}',
        "--db",
        db,
    )
    assert code == 2 and "unknown domain 12" in err
    code, out, err = run(
        runner,
        "plan",
        "--learner",
        "zed",
        "--exam-date",
        exam,
        "--hours",
        "mon=1,sat=3",
        "--markdown",
        "--db",
        db,
    )
    assert code == 0 and "|" in out
