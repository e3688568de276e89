"""The server's replica: reads and answers go on while another process holds the bank."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bank.errors import NotFoundError
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


def _other_process(db: Path, sql: str, *params: str) -> None:
    """Another process (a flow) writes the bank, then lets go of it."""
    code = "import sys, duckdb\ncon = duckdb.connect(sys.argv[1])\n"
    code += "con.execute(sys.argv[2], sys.argv[3:])\ncon.close()\n"
    subprocess.run([sys.executable, "-c", code, str(db), sql, *params], check=True)


def test_a_refresh_reads_only_what_another_process_changed(db: Path, tmp_path: Path) -> None:
    bank, ids = _bank(db)
    replica = Replica(bank, Journal(tmp_path / "journal.sqlite"))
    replica.load()
    order = [it.id for it in replica.find_items()]
    assert replica.last_refresh["items"] == 4 and replica.last_refresh["responses"] == 1
    _other_process(db, "UPDATE items SET stem = 'Changed by a flow?' WHERE id = ?", ids[2])
    assert replica.sync()
    assert replica.get_item(ids[2]).stem == "Changed by a flow?"
    assert replica.last_refresh["items"] == 1  # the other three were kept, not decoded
    assert replica.last_refresh.get("responses", 0) == 0
    assert [it.id for it in replica.find_items()] == order  # still in the bank's order
    # A plan stored by the flow shows up, and only that learner's plans are read.
    _other_process(
        db,
        "INSERT INTO plans VALUES ('flow-1', 'ana', TIMESTAMPTZ '2026-12-03 10:00:00+00', ?)",
        '{"weeks": [1]}',
    )
    assert replica.sync() and replica.latest_plan("ana") is not None
    assert replica.latest_plan("ana")[1] == {"weeks": [1]}  # type: ignore[index]
    assert replica.last_refresh["plans"] == 1 and replica.last_refresh["items"] == 0


def test_a_rejected_or_deleted_item_leaves_the_copy(db: Path, tmp_path: Path) -> None:
    bank, ids = _bank(db)
    replica = Replica(bank, Journal(tmp_path / "journal.sqlite"))
    replica.load()
    _other_process(db, "UPDATE items SET status = 'rejected' WHERE id = ?", ids[1])
    _other_process(db, "DELETE FROM items WHERE id = ?", ids[3])
    assert replica.sync()
    live = {it.id for it in replica.find_items(statuses=["approved", "pending_review"])}
    assert live == {ids[0], ids[2]}
    assert replica.get_item(ids[1]).status == "rejected"
    try:
        replica.get_item(ids[3])
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted item is still served")


def test_nothing_journaled_is_lost_across_a_refresh(db: Path, tmp_path: Path) -> None:
    bank, ids = _bank(db)
    replica = Replica(bank, Journal(tmp_path / "journal.sqlite"))
    replica.load()
    # Journaled but not in the bank yet (the bank was busy), and one still in an open
    # batch (in the copy, not yet on disk) when another process's write is read.
    replica.save_responses([_answer(ids[1], 1)])
    with replica.batch():
        replica.save_responses([_answer(ids[2], 2)])
        replica.save_practice_session(
            {
                "id": "s1",
                "learner_id": "ana",
                "kind": "tutor",
                "revision": 1,
                "created_at": NOW.isoformat(),
                "started_at": NOW.isoformat(),
                "updated_at": NOW.isoformat(),
            }
        )
        _other_process(db, "UPDATE items SET stem = 'Changed meanwhile?' WHERE id = ?", ids[0])
        replica.load()  # what sync does after another process wrote
        assert [r.item_id for r in replica.responses("ana")] == ids[:3]
        assert replica.practice_session("s1") is not None
        assert replica.journal.count() == 1  # the batch is not on disk until it ends
    assert replica.journal.count() == 3
    assert replica.save_responses([_answer(ids[2], 2)]) == 0  # a retry records nothing
    assert replica.sync() and replica.journal.count() == 0
    with bank.read() as store:
        assert [r.item_id for r in store.responses("ana")] == ids[:3]
        assert store.practice_session("s1") is not None
    assert replica.get_item(ids[0]).stem == "Changed meanwhile?"
    assert [r.item_id for r in replica.responses("ana")] == ids[:3]


def test_concurrent_batches_share_commits_and_keep_every_write(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    results: list[list[bool]] = []

    def write(n: int) -> None:
        results.append(journal.append_many([("response", f"r{n}", {}), ("session", f"s{n}", {})]))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert journal.count() == 80 and all(r == [True, True] for r in results)
    assert journal.append_many([("response", "r3", {}), ("response", "new", {})]) == [False, True]
