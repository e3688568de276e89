"""One way to open the bank: `BankAccess`, and `BankFile` over one DuckDB file.

Connections are short: opened when a `with` block starts and closed when it ends,
because a process holding the file locks out every other process. While another process
holds it, an open waits (see `bank.store.connection.connect`) for up to `lock_wait`
seconds, then raises BankBusyError.

Process-wide state (the locks of `serialize=True` and the memo of files known to be
migrated) lives in module-level dicts keyed by the file's resolved path, not in
`BankFile`: a BankFile is a frozen dataclass of plain fields, so it pickles (Prefect and
Dask send it to other processes), and every BankFile of one file in a process shares it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bank.errors import NotFoundError
from bank.store.connection import connect
from bank.store.store import Store

DEFAULT_DB = Path("cmasprep.duckdb")

# What identifies one version of a file's contents: device, inode, size, modification time.
_Stamp = tuple[int, int, int, int]

_registry = threading.Lock()  # guards creating entries of _serial
_serial: dict[Path, threading.RLock] = {}
# The stamp each file had when this process last saw it with every migration applied
# (recorded after our own connection closed). A file with that stamp needs no check; a
# file changed since (written by another process, replaced, recreated) is checked again.
_migrated: dict[Path, _Stamp] = {}


class BankAccess(Protocol):
    """How the layers above the bank open it; `BankFile` is the implementation."""

    @property
    def path(self) -> Path:
        """The bank file (read-only, so a frozen dataclass field satisfies it)."""
        ...

    def read(self) -> AbstractContextManager[Store]:
        """A read-only connection for the length of a `with` block."""
        ...

    def write(self) -> AbstractContextManager[Store]:
        """A read-write connection for the length of a `with` block."""
        ...


def _missing(path: Path) -> NotFoundError:
    return NotFoundError(f"no bank at {path}: create one with `cmasprep init`")


def file_stamp(path: Path) -> _Stamp | None:
    """Device, inode, size and modification time of a file: any write changes it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _serial_lock(key: Path) -> threading.RLock:
    with _registry:
        return _serial.setdefault(key, threading.RLock())


@dataclass(frozen=True)
class BankFile:
    """The bank in one DuckDB file, opened per `with` block and closed at its end.

    `write()` creates the file (and its folder) when missing and applies pending
    migrations. `read()` raises NotFoundError when the file is missing; when the file
    needs migrating it migrates once through a write open, then opens read-only.

    Once this process has seen the file fully migrated, later opens skip the migration
    check (it costs about a third of a small request) for as long as the file is
    unchanged since our last connection to it closed; any other change (another
    process wrote it, it was replaced or recreated) brings the check back.

    Attributes:
        path: the DuckDB file.
        lock_wait: seconds to wait while another process holds the file.
        serialize: hold a per-file lock of this process for the life of each connection.
            DuckDB refuses a read-only and a read-write connection to one file in one
            process at once, so a threaded server sets it to open one at a time.
            (The lock is reentrant: a nested open in the same thread is DuckDB's to
            refuse, not a deadlock.)
    """

    path: Path
    lock_wait: float = 30.0
    serialize: bool = False

    def read(self) -> AbstractContextManager[Store]:
        """A read-only connection for the length of a `with` block.

        Raises:
            NotFoundError: there is no bank file at `path`.
            BankBusyError: another process held the file for longer than `lock_wait`.
        """
        return self._open(read_only=True)

    def write(self) -> AbstractContextManager[Store]:
        """A read-write connection, creating and migrating the bank as needed.

        Raises:
            BankBusyError: another process held the file for longer than `lock_wait`.
        """
        return self._open(read_only=False)

    @contextmanager
    def _open(self, *, read_only: bool) -> Iterator[Store]:
        key = self.path.resolve()
        with _serial_lock(key) if self.serialize else nullcontext():
            if read_only and not self.path.exists():
                raise _missing(self.path)
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            store = self._connect_migrated(key, read_only=read_only)
            try:
                yield store
            finally:
                store.con.close()
                # Our connection left the file migrated; remember how it looks now.
                stamp = file_stamp(self.path)
                if stamp is not None:
                    _migrated[key] = stamp

    def _connect_migrated(self, key: Path, *, read_only: bool) -> Store:
        """A connection to the file with every migration applied (migrating it if needed)."""
        store = Store(connect(self.path, read_only=read_only, wait_s=self.lock_wait), self.path)
        try:
            # Stat while connected: no other process can write the file meanwhile.
            stamp = file_stamp(self.path)
            if (stamp is not None and _migrated.get(key) == stamp) or (
                not store.pending_migrations()
            ):
                return store
            if not read_only:
                store.migrate()
                return store
        except BaseException:
            store.con.close()
            raise
        store.con.close()
        with self._open(read_only=False):  # migrates, and remembers the migrated stamp
            pass
        return Store(connect(self.path, read_only=True, wait_s=self.lock_wait), self.path)


if TYPE_CHECKING:  # mypy checks that BankFile implements the protocol
    _check: BankAccess = BankFile(Path())


@contextmanager
def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    wait_s: float | None = None,
) -> Iterator[Store]:
    """Open the bank for the length of a `with` block (the older way: prefer BankFile).

    Opens through `BankFile`, so it migrates on write, and a read-only open of a file
    that needs migrating migrates it once first.

    Args:
        path: the bank file (default: ./cmasprep.duckdb).
        read_only: open read-only; the file must exist.
        create: create the file when missing (when not read-only).
        wait_s: seconds to wait for another process's lock (default: the environment's
            CMASPREP_LOCK_WAIT, else 30).

    Raises:
        NotFoundError: the file is missing and `read_only` or not `create`.
        BankBusyError: another process held the file for longer than `wait_s`.
    """
    file = Path(path) if path is not None else DEFAULT_DB
    if wait_s is None:
        wait_s = float(os.environ.get("CMASPREP_LOCK_WAIT", "30"))
    if not create and not file.exists():
        raise _missing(file)
    bank = BankFile(file, lock_wait=wait_s)
    with bank.read() if read_only else bank.write() as store:
        yield store
