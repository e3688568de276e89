"""Every way in is checked (issue #14, item 1): import, revalidate, and "not checked" pages.

An imported item carries what the flaw rules and the duplicate check found, like a generated
one; `review revalidate` re-checks stored items and records a change of findings as an
event; an item that never went through the checks is shown "not checked", never "clean".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.web.auth import token_hash
from bank.models import Item
from bank.store import open_store
from tests.conftest import make_item, write_jsonl
from tests.test_web import TOKENS, sign_in, web_client

FLAWED = {
    "domain": 4,
    "stem": "Which of the following is NOT a HIPAA identifier that must be removed?",
    "options": ["Patient name", "Five-digit ZIP code", "Blood type", "All of the above"],
    "answer": "C",
}
APPROVED_STEM = "Which report lists unpaid patient balances grouped by how long they are overdue?"


def invoke(runner: CliRunner, *args: object) -> tuple[int, str, str]:
    """The CLI's exit code, stdout and stderr."""
    result = runner.invoke(app, [*map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def stored(db: Path, item_id: str | None = None) -> list[Item]:
    """The bank's items (or one of them)."""
    with open_store(db, read_only=True) as store:
        items = store.find_items()
    return [it for it in items if item_id in (None, it.id)]


def test_an_imported_item_carries_its_flaws_and_a_check_stamp(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [FLAWED, make_item(1).to_record()])
    code, out, err = invoke(runner, "import", path, "--db", db)
    assert code == 0, err
    assert "2 imported (1 flagged by the checks)" in out
    by_stem = {it.stem: it for it in stored(db)}
    flawed = by_stem[FLAWED["stem"]]
    codes = {f.code for f in flawed.flaws}
    assert {"negative_words", "all_of_the_above"} <= codes, codes
    assert all(f.evidence for f in flawed.flaws)
    for item in by_stem.values():
        assert item.checked_at is not None and item.checks_version
    clean = by_stem[make_item(1).stem]
    assert clean.flaws == []


def test_a_reworded_copy_of_an_approved_item_is_flagged_on_import(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    original = Item(
        domain=6,
        stem=APPROVED_STEM,
        options=["Aging report", "Day sheet", "Deposit slip", "Explanation of benefits"],
        answer="A",
        status="approved",
    )
    with open_store(db) as store:
        store.save_items([original])
    copy = {
        "domain": 6,
        "stem": (
            "Which report lists the unpaid patient balances grouped by how long each is overdue?"
        ),
        "options": ["Day sheet", "Aging report", "Explanation of benefits", "Deposit slip"],
        "answer": "B",
    }
    code, out, err = invoke(runner, "import", write_jsonl(tmp_path / "c.jsonl", [copy]), "--db", db)
    assert code == 0, err and "1 flagged" in out
    (imported,) = [it for it in stored(db) if it.id != original.id]
    duplicate = [f for f in imported.flaws if f.code == "possible_duplicate"]
    assert duplicate and original.id in duplicate[0].evidence


def test_a_file_with_a_bad_line_stores_nothing_and_names_the_line(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [FLAWED, {"domain": 4, "stem": "x"}])
    code, _, err = invoke(runner, "import", path, "--db", db)
    assert code != 0 and "bad.jsonl:2 [answer]" in err and "nothing" in err
    assert stored(db) == []


def test_revalidate_checks_never_checked_items_and_records_changed_findings(
    runner: CliRunner, db: Path
) -> None:
    plain = [
        make_item(0),
        make_item(
            1,
            domain=6,
            stem="Which document lists unpaid patient balances by how long they are overdue?",
            options=["Aging report", "Day sheet", "Deposit slip", "Explanation of benefits"],
            rationale="An aging report groups balances by age.",
        ),
        make_item(
            2,
            domain=2,
            stem="Which body system do the kidneys belong to?",
            options=["Urinary", "Digestive", "Endocrine", "Lymphatic"],
            rationale="The kidneys filter blood and make urine: the urinary system.",
        ),
    ]
    # Stored as if checked by an older version that missed a flaw the rules now find.
    stale = make_item(
        7,
        domain=3,
        stem="Which greeting should a receptionist use when answering the office telephone?",
        options=[
            "The office name and their own name",
            "Hello?",
            "Always just 'Yes'",
            "Hold please",
        ],
        rationale="Callers need to know whom they reached.",
    ).model_copy(
        update={
            "checked_at": datetime(2026, 1, 1, tzinfo=UTC),
            "checks_version": "old",
            "flaws": [],
        }
    )
    with open_store(db) as store:
        store.save_items([*plain, stale])
    assert all(it.checked_at is None for it in stored(db) if it.id != stale.id)

    code, out, err = invoke(runner, "review", "revalidate", "--db", db, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["checked"] == 4
    assert report["never_checked_before"] == 3 and report["stale_before"] == 1
    assert [c["id"] for c in report["changed"]] == [stale.id], report["changed"]
    assert "absolute_terms" in report["changed"][0]["added"]

    after = {it.id: it for it in stored(db)}
    assert all(it.checked_at is not None and it.checks_version != "old" for it in after.values())
    assert after[stale.id].status == "pending_review"  # a reviewer decides, not the checks
    with open_store(db, read_only=True) as store:
        (event,) = store.events(stale.id)
        assert event.decision == "flag" and "+absolute_terms" in event.note
        assert store.events(plain[0].id) == []

    # Again: nothing changed, so no new event and nothing reported as changed.
    code, out, _ = invoke(runner, "review", "revalidate", "--db", db, "--json")
    assert code == 0 and json.loads(out)["changed"] == []


def test_revalidate_rejects_an_unknown_status(runner: CliRunner, db: Path) -> None:
    code, _, err = invoke(runner, "review", "revalidate", "--status", "pending", "--db", db)
    assert code == 2 and "--status 'pending'" in err


def test_the_queue_and_item_page_say_not_checked_never_clean(db: Path) -> None:
    unchecked = make_item(1)
    checked = make_item(2).model_copy(
        update={"checked_at": datetime(2026, 11, 1, tzinfo=UTC), "checks_version": "x"}
    )
    with open_store(db) as store:
        store.save_items([unchecked, checked])
        store.add_reviewer("ana", token_hash(TOKENS["ana"]))
    with web_client(db) as client:
        sign_in(client)
        queue = client.get("/queue").text
        rows = {
            i.id: next(r for r in queue.split("<tr data-href")[1:] if i.id in r).split("</tr>")[0]
            for i in (unchecked, checked)
        }
        assert "not checked" in rows[unchecked.id] and "clean" not in rows[unchecked.id]
        assert "clean" in rows[checked.id] and "not checked" not in rows[checked.id]
        page = client.get(f"/items/{unchecked.id}").text
        assert "Not checked" in page and "found no item-writing flaw" not in page
        assert "Not checked" not in client.get(f"/items/{checked.id}").text
