"""Every review action from the CLI, each leaving a complete audit trail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.store import open_store
from tests.conftest import make_item


@pytest.fixture
def queued(db: Path) -> list[str]:
    items = [make_item(i) for i in range(4)]
    with open_store(db) as store:
        store.save_items(items)
    return [i.id for i in items]


def run(
    runner: CliRunner, *args: object, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(app, [*map(str, args)], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_next_shows_the_oldest_pending_item_with_quote_and_flaws(
    runner: CliRunner, db: Path, queued: list[str]
) -> None:
    first = min(queued)
    code, out, _ = run(runner, "review", "next", "--db", db, "--json")
    assert code == 0 and json.loads(out)["id"] == first
    code, out, _ = run(runner, "review", "next", "--db", db)
    assert code == 0 and first in out and "Rationale" in out


def test_approve_and_reject_with_audit_trail(
    runner: CliRunner, db: Path, queued: list[str]
) -> None:
    assert run(runner, "review", "approve", queued[0], "--reviewer", "ana", "--db", db)[0] == 0
    code, _, err = run(
        runner, "review", "reject", queued[1], "--reviewer", "ana", "--reason", "banana", "--db", db
    )
    assert code == 1 and "--reason 'banana'" in err
    assert (
        run(
            runner,
            "review",
            "reject",
            queued[1],
            "--reviewer",
            "ben",
            "--reason",
            "factually_wrong",
            "--note",
            "wrong form",
            "--db",
            db,
        )[0]
        == 0
    )
    code, _, err = run(runner, "review", "approve", queued[1], "--reviewer", "ana", "--db", db)
    assert code == 1 and "is rejected, not pending_review" in err
    with open_store(db, read_only=True) as store:
        assert store.get_item(queued[0]).status == "approved"
        rejected = store.get_item(queued[1])
        assert rejected.status == "rejected" and rejected.reasons == ["factually_wrong: wrong form"]
        (e1,) = store.events(queued[0])
        assert (e1.reviewer, e1.decision, e1.before["status"], e1.after["status"]) == (
            "ana",
            "approve",
            "pending_review",
            "approved",
        )
        (e2,) = store.events(queued[1])
        assert (e2.reason, e2.note) == ("factually_wrong", "wrong form")


def test_edit_revalidates_and_keeps_the_item_queued(
    runner: CliRunner, db: Path, queued: list[str]
) -> None:
    code, out, _ = run(
        runner,
        "review",
        "edit",
        queued[0],
        "--reviewer",
        "ana",
        "--db",
        db,
        "--patch",
        json.dumps({"options": ["CMS-1500", "UB-04", "always ADA", "NCPDP"]}),
    )
    assert code == 0 and "absolute_terms" in out
    code, _, err = run(
        runner,
        "review",
        "edit",
        queued[0],
        "--reviewer",
        "ana",
        "--db",
        db,
        "--patch",
        json.dumps({"options": ["a", "a", "b", "c"]}),
    )
    assert code == 1 and "options A and B are the same" in err and "nothing was saved" in err
    with open_store(db, read_only=True) as store:
        item = store.get_item(queued[0])
        assert item.status == "pending_review" and item.options[2] == "always ADA"
        (event,) = store.events(queued[0])
        assert event.decision == "edit" and event.before["options"][2] == "ADA dental v0"


def test_edit_through_editor(
    runner: CliRunner, db: Path, queued: list[str], tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\np = sys.argv[1]\nd = json.load(open(p))\n"
        "d['stem'] = 'Which form does a physician office use for professional claims?'\n"
        "json.dump(d, open(p, 'w'))\n"
    )
    code, _, err = run(
        runner,
        "review",
        "edit",
        queued[1],
        "--reviewer",
        "ana",
        "--db",
        db,
        env={"EDITOR": f"{sys.executable} {script}", "VISUAL": ""},
    )
    assert code == 0, err
    with open_store(db, read_only=True) as store:
        assert store.get_item(queued[1]).stem.startswith("Which form does a physician")


def test_assign_then_next_for_that_reviewer(runner: CliRunner, db: Path, queued: list[str]) -> None:
    order = sorted(queued)  # one batch shares a timestamp: the queue breaks ties by id
    code, out, _ = run(runner, "review", "assign", "ben", "--count", "2", "--db", db)
    assert code == 0 and "Assigned 2" in out
    code, out, _ = run(runner, "review", "next", "--reviewer", "ben", "--db", db, "--json")
    assert json.loads(out)["id"] == order[0]
    code, out, _ = run(runner, "review", "next", "--reviewer", "cy", "--db", db, "--json")
    assert json.loads(out)["id"] == order[2]  # someone else's assigned items are not offered
    with open_store(db, read_only=True) as store:
        assert [e.decision for e in store.events(order[0])] == ["assign"]


def test_double_review_needs_two_agreeing_reviewers_and_stats_report_kappa(
    runner: CliRunner, db: Path, queued: list[str]
) -> None:
    a, b, c, d = queued
    run(runner, "review", "approve", a, "-r", "ana", "--double", "--db", db)
    code, _, err = run(runner, "review", "approve", a, "-r", "ana", "--double", "--db", db)
    assert code == 1 and "already voted" in err
    with open_store(db, read_only=True) as store:
        assert store.get_item(a).status == "pending_review"
    run(runner, "review", "approve", a, "-r", "ben", "--double", "--db", db)
    run(runner, "review", "reject", b, "-r", "ana", "--reason", "other", "--double", "--db", db)
    run(runner, "review", "approve", b, "-r", "ben", "--double", "--db", db)
    run(
        runner,
        "review",
        "reject",
        c,
        "-r",
        "ana",
        "--reason",
        "vague_terms",
        "--double",
        "--db",
        db,
    )
    run(
        runner,
        "review",
        "reject",
        c,
        "-r",
        "ben",
        "--reason",
        "vague_terms",
        "--double",
        "--db",
        db,
    )
    with open_store(db, read_only=True) as store:
        assert [store.get_item(x).status for x in (a, b, c, d)] == [
            "approved",
            "pending_review",
            "rejected",
            "pending_review",
        ]
    code, out, _ = run(runner, "review", "stats", "--db", db, "--json")
    stats = json.loads(out)
    (pair,) = stats["agreement"]
    assert pair["pair"] == ["ana", "ben"] and pair["items"] == 3
    assert pair["agreement"] == pytest.approx(2 / 3)
    assert pair["kappa"] == pytest.approx(0.4)  # po 2/3, pe 5/9
    assert stats["pending"] == 2
    assert run(runner, "review", "stats", "--db", db)[0] == 0


def test_empty_queue(runner: CliRunner, db: Path) -> None:
    with open_store(db):
        pass
    code, out, _ = run(runner, "review", "next", "--db", db)
    assert code == 0 and "empty" in out
