from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bank.errors import BankBusyError, NotFoundError
from bank.models import Learner, Response, ReviewEvent, RunRecord
from bank.store import MIGRATIONS, open_store
from tests.conftest import make_item

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_migrations_are_recorded_once(db: Path) -> None:
    with open_store(db) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert store.migrate() == []
    with open_store(db, read_only=True) as store:
        assert store.pending_migrations() == []


def test_read_only_open_of_missing_bank_is_a_clear_error(db: Path) -> None:
    with pytest.raises(NotFoundError, match="cmasprep init"), open_store(db, read_only=True):
        pass


def test_items_round_trip_with_provenance(db: Path) -> None:
    item = make_item(1).model_copy(
        update={
            "provenance": make_item(1).provenance.model_copy(
                update={
                    "generator": "offline",
                    "model": "m",
                    "prompt_version": "v1",
                    "run_id": "r1",
                    "notes": ["d5-claims"],
                    "tokens_in": 10,
                    "tokens_out": 20,
                    "cost_usd": 0.001,
                }
            ),
            "extra": {"nested": {"k": [1, 2]}},
        }
    )
    with open_store(db) as store:
        assert store.save_items([item]).inserted == [item.id]
        assert store.get_item(item.id) == item


def test_saving_twice_adds_nothing_and_shuffled_copies_are_exact_duplicates(db: Path) -> None:
    items = [make_item(i) for i in range(3)]
    shuffled = make_item(0, options=list(reversed(items[0].options)), answer="D", id="other-id")
    assert shuffled.content_hash == items[0].content_hash
    with open_store(db) as store:
        assert len(store.save_items(items).inserted) == 3
        again = store.save_items([*items, shuffled])
        assert again.inserted == [] and len(again.existing) == 4
        assert store.item_count() == 3


def test_a_failed_transaction_leaves_the_bank_as_it_was(db: Path) -> None:
    with open_store(db) as store:
        store.save_items([make_item(0)])
        before = store.content_digest()
        with pytest.raises(RuntimeError), store.transaction():
            store.con.execute("DELETE FROM items")
            raise RuntimeError("crash mid-batch")
        assert store.content_digest() == before


def test_update_item_appends_an_event_atomically(db: Path) -> None:
    item = make_item(0)
    with open_store(db) as store:
        store.save_items([item])
        event = ReviewEvent(
            item_id=item.id,
            reviewer="ana",
            at=NOW,
            decision="approve",
            before={"status": "pending_review"},
            after={"status": "approved"},
        )
        store.update_item(item.model_copy(update={"status": "approved"}), event)
        assert store.get_item(item.id).status == "approved"
        assert store.events(item.id) == [event]
        ghost = make_item(9)
        before = store.content_digest()
        with pytest.raises(NotFoundError):
            store.update_item(ghost, event.model_copy(update={"item_id": ghost.id}))
        assert store.content_digest() == before


def test_learners_responses_plans_runs(db: Path) -> None:
    with open_store(db) as store:
        store.add_learner(Learner(id="ana", hours_per_week=8), now=NOW)
        r = Response(
            learner_id="ana", item_id="x", answered_at=NOW, correct=True, chosen="B", seconds=31
        )
        assert store.save_responses([r, r]) == 1
        assert store.save_responses([r]) == 0
        assert store.responses("ana") == [r]
        store.save_plan("p1", "ana", {"weeks": []}, now=NOW)
        assert store.latest_plan("ana") == (NOW, {"weeks": []})
        run = RunRecord(id="run1", flow="generate", started_at=NOW, counts={"valid": 3})
        store.save_run(run)
        store.save_run(run.model_copy(update={"status": "completed", "finished_at": NOW}))
        assert store.get_run("run1").status == "completed"
        assert [x.id for x in store.runs()] == ["run1"]


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def _hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_locked_bank_is_waited_for_then_used(db: Path) -> None:
    with open_store(db) as store:
        store.save_items([make_item(0)])
    holder = _hold(db, 1.0)
    start = time.monotonic()
    with open_store(db, wait_s=20) as store:
        assert store.item_count() == 1
    assert time.monotonic() - start >= 0.5
    holder.wait()


def test_a_bank_locked_too_long_fails_with_a_clear_message(db: Path) -> None:
    with open_store(db) as store:
        store.save_items([make_item(0)])
    holder = _hold(db, 5.0)
    try:
        with pytest.raises(BankBusyError) as info, open_store(db, wait_s=0.5):
            pass
        message = str(info.value)
        assert "busy" in message and f"PID {holder.pid}" in message and "ps -o" in message
    finally:
        holder.kill()
        holder.wait()
    with open_store(db) as store:
        assert store.item_count() == 1
