"""BankFile: the one way to open the bank (missing files, migrations, locks, threads, pickling)."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest
from tenacity import RetryCallState, Retrying

from bank.errors import BankBusyError, NotFoundError
from bank.store import MIGRATIONS, BankFile
from bank.store.connection import JitteredBackoff
from tests.conftest import make_item

ALL = [name for name, _ in MIGRATIONS]


def test_read_of_a_missing_bank_is_a_clear_error_and_creates_nothing(tmp_path: Path) -> None:
    bank = BankFile(tmp_path / "sub" / "bank.duckdb")
    with pytest.raises(NotFoundError, match=r"no bank at .*cmasprep init"), bank.read():
        pass
    assert not (tmp_path / "sub").exists()


def test_write_creates_the_folder_and_file_and_migrates(tmp_path: Path) -> None:
    bank = BankFile(tmp_path / "new" / "bank.duckdb")
    with bank.write() as store:
        assert store.applied_migrations() == ALL
        store.save_items([make_item(0)])
    assert bank.path.exists()


def test_read_after_write_sees_the_write_on_a_read_only_connection(db: Path) -> None:
    bank = BankFile(db)
    with bank.write() as store:
        store.save_items([make_item(0)])
    with bank.read() as store:
        assert store.item_count() == 1
        with pytest.raises(duckdb.Error, match="read-only"):
            store.save_items([make_item(1)])


def test_read_of_an_old_bank_migrates_it_once_then_reads_only(db: Path) -> None:
    bank = BankFile(db)
    with bank.write():
        pass  # migrated, and remembered as migrated
    # Roll the file back to its first migration behind the BankFile's back.
    con = duckdb.connect(str(db))
    assert ALL[-1] == "0007_review_sessions"  # undone here: update when a migration is added
    con.execute("ALTER TABLE reviewers DROP COLUMN session_gen")
    con.execute("ALTER TABLE review_events DROP COLUMN event_id")
    con.execute("DELETE FROM _migrations WHERE name = ?", [ALL[-1]])
    con.close()
    with bank.read() as store:
        assert store.pending_migrations() == []
        with pytest.raises(duckdb.Error, match="read-only"):
            store.migrate()


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def test_a_read_waits_for_another_process_then_names_it(db: Path) -> None:
    with BankFile(db).write():
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        with pytest.raises(BankBusyError) as info, BankFile(db, lock_wait=0.6).read():
            pass
        waited = time.monotonic() - start
        message = str(info.value)
        assert f"PID {holder.pid}" in message and "ps -o" in message and "0.6 s" in message
        assert 0.55 <= waited < 3.0
    finally:
        holder.kill()
        holder.wait()
    with BankFile(db).read() as store:
        assert store.item_count() == 0


def test_serialize_lets_one_thread_of_the_process_in_at_a_time(db: Path) -> None:
    bank = BankFile(db, serialize=True)
    with bank.write():
        pass
    spans: dict[str, tuple[float, float]] = {}
    errors: list[BaseException] = []
    writer_in = threading.Event()

    def write() -> None:
        with bank.write() as store:
            start = time.monotonic()
            writer_in.set()
            store.save_items([make_item(0)])
            time.sleep(0.3)
        spans["write"] = (start, time.monotonic())

    def read() -> None:
        writer_in.wait()
        try:
            # a second BankFile of the same file shares the process's lock
            with BankFile(db, serialize=True).read() as store:
                spans["read"] = (time.monotonic(), time.monotonic())
                assert store.item_count() == 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert spans["read"][0] >= spans["write"][1] - 0.01  # the read waited for the write


def test_bank_file_pickles_without_its_process_state(db: Path) -> None:
    bank = BankFile(db, lock_wait=2.5, serialize=True)
    with bank.write():
        pass  # fills the module-level lock and migration memo
    copy = pickle.loads(pickle.dumps(bank))
    assert copy == bank and copy.lock_wait == 2.5 and copy.serialize
    with copy.read() as store:
        assert store.applied_migrations() == ALL


def test_backoff_starts_near_50_ms_doubles_to_1_s_and_stops_at_the_deadline() -> None:
    wait = JitteredBackoff(random.Random(7), deadline_s=5.0)
    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    waits = []
    for attempt in range(1, 9):
        state.attempt_number = attempt
        state.outcome_timestamp = state.start_time  # no time has passed
        waits.append(wait(state))
    bases = [min(0.05 * 2 ** (n - 1), 1.0) for n in range(1, 9)]
    assert all(0.5 * b <= w < 1.5 * b for w, b in zip(waits, bases, strict=True))
    state.outcome_timestamp = state.start_time + 4.9
    assert wait(state) <= 0.1 + 1e-9  # cut to the time left
