"""Opening the DuckDB file, waiting while another process holds its lock.

DuckDB lets one process at a time hold a read-write connection to a file, and that
connection locks the file against every other process, read-only ones included. A
process that finds the file locked waits with jittered exponential backoff (from about
50 ms, doubling up to about 1 s between tries), and gives up after `wait_s` seconds with
a BankBusyError naming the holder.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import duckdb
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_delay
from tenacity.wait import wait_base

from bank.errors import BankBusyError

_LOCK_PID = re.compile(r"\(PID (\d+)\)")
FIRST_WAIT_S = 0.05
LONGEST_WAIT_S = 1.0


def is_lock_error(exc: BaseException) -> bool:
    """Whether `exc` is DuckDB's "Could not set lock ... Conflicting lock" IO error."""
    message = str(exc).lower()
    return (
        isinstance(exc, duckdb.IOException)
        and "could not set lock" in message
        and "conflicting lock" in message
    )


class JitteredBackoff(wait_base):
    """Tenacity wait: 50 ms doubling up to 1 s, each times a factor in [0.5, 1.5).

    The jitter comes from the `rng` passed in (tenacity's own jitter draws from the global
    `random`, which a test cannot seed without touching everyone else's). The wait is
    cut to the time left before `deadline_s`, so the last try falls on the deadline.
    """

    def __init__(self, rng: random.Random, deadline_s: float) -> None:
        self.rng = rng
        self.deadline_s = deadline_s

    def __call__(self, retry_state: RetryCallState) -> float:
        """Seconds to sleep before the next try."""
        base = min(FIRST_WAIT_S * 2.0 ** (retry_state.attempt_number - 1), LONGEST_WAIT_S)
        left = self.deadline_s - (retry_state.seconds_since_start or 0.0)
        return max(0.0, min(base * (0.5 + self.rng.random()), left))


def busy_message(path: str | Path, exc: BaseException, wait_s: float) -> str:
    """What to tell a user whose bank another process held for longer than `wait_s`."""
    match = _LOCK_PID.search(str(exc))
    pid = match.group(1) if match else "?"
    return (
        f"the bank {path} is busy: another process (PID {pid}) holds its lock, "
        f"and it was not released within {wait_s:g} s. See the holder with "
        f"`ps -o pid,etime,cmd -p {pid}` (or `lsof {path}`), then retry when it "
        "ends; wait longer with CMASPREP_LOCK_WAIT=SECONDS. Nothing was written."
    )


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_s: float = 30.0,
    rng: random.Random | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the bank file, waiting with jittered backoff while another process holds it.

    Args:
        path: the DuckDB file.
        read_only: open a read-only connection.
        wait_s: how long to keep trying while the file is locked.
        rng: the source of the backoff's jitter (a fresh `random.Random` by default).

    Returns:
        The open connection; the caller closes it.

    Raises:
        BankBusyError: the file was still locked after `wait_s` seconds; the message names
            the holder's PID and how to inspect it.
    """
    retrying = Retrying(
        stop=stop_after_delay(wait_s),
        wait=JitteredBackoff(rng or random.Random(), wait_s),
        retry=retry_if_exception(is_lock_error),
        sleep=time.sleep,
        reraise=True,
    )
    try:
        return retrying(duckdb.connect, str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if not is_lock_error(exc):
            raise
        raise BankBusyError(busy_message(path, exc, wait_s)) from exc
