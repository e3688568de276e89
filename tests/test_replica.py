"""The server's replica: reads and answers go on while another process holds the bank."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bank.models import Learner, Response
from bank.store import BankFile
from bank.store.journal import Journal
from bank.store.replica import Replica
from tests.conftest import make_item

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("UPDATE items SET status = 'retired' WHERE id = ?", [sys.argv[3]])
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def _answer(item: str, minutes: int, correct: bool = True) -> Response:
    return Response(
        learner_id="ana",
        item_id=item,
        answered_at=NOW + timedelta(minutes=minutes),
        correct=correct,
        chosen="A",
        seconds=12.0,
    )


def _bank(db: Path) -> tuple[BankFile, list[str]]:
    bank = BankFile(db, lock_wait=0.2)
    items = [make_item(i) for i in range(4)]
    with bank.write() as store:
        store.save_items(items)
        store.add_learner(Learner(id="ana"))
        store.save_responses([_answer(items[0].id, 0)])
    return bank, [it.id for it in items]


def test_answers_are_kept_while_another_process_holds_the_bank(db: Path, tmp_path: Path) -> None:
    bank, ids = _bank(db)
    replica = Replica(bank, Journal(tmp_path / "journal.sqlite"))
    replica.load()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "3", ids[3]], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        assert replica.save_responses([_answer(ids[1], 1), _answer(ids[2], 2)]) == 2
        assert replica.save_responses([_answer(ids[1], 1)]) == 0  # a retried request
        assert [r.item_id for r in replica.responses("ana")] == ids[:3]
        assert len(replica.find_items(statuses=["approved", "pending_review"])) == 4
        assert time.monotonic() - start < 0.15  # nothing waited on the holder
        assert replica.sync() is False and replica.journal.count() == 2  # busy: kept
    finally:
        holder.wait()
    assert replica.sync() is True and replica.journal.count() == 0
    with bank.read() as store:
        assert [r.item_id for r in store.responses("ana")] == ids[:3]
    # The holder's change (another process) is seen after the sync reloaded.
    assert replica.get_item(ids[3]).status == "retired"


def test_a_restart_replays_the_journal_without_doubling(db: Path, tmp_path: Path) -> None:
    bank, ids = _bank(db)
    path = tmp_path / "journal.sqlite"
    first = Replica(bank, Journal(path))
    first.load()
    first.save_responses([_answer(ids[1], 1)])
    plan = {"learner": "ana", "weeks": []}
    first.save_plan("ana-1", "ana", plan, now=NOW)
    # The server stops before syncing; the bank already has the answer (a crash after
    # the bank's commit, before the journal was told).
    with bank.write() as store:
        store.save_responses([_answer(ids[1], 1)])
    first.journal.close()
    second = Replica(bank, Journal(path))
    second.load()
    assert [r.item_id for r in second.responses("ana")] == ids[:2]
    assert second.latest_plan("ana") == (NOW, plan)
    assert second.sync() and second.journal.count() == 0
    with bank.read() as store:
        assert len(store.responses("ana")) == 2 and store.latest_plan("ana") == (NOW, plan)
