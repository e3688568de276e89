"""Flow runs in the bank: what each run was asked, how far it got, and what it cost.

A run is written when it starts and again as it progresses; a generation run saves each
domain's items together with its updated record, so a crash leaves the two consistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bank.errors import NotFoundError
from bank.models import Item, RunRecord
from bank.store.base import StoreBase, from_json, to_json
from bank.store.items import SaveResult, insert_items


def decode_run(r: dict[str, Any]) -> RunRecord:
    """A run record from a row of `runs`."""
    return RunRecord(
        id=r["id"],
        flow=r["flow"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        status=r["status"],
        params=from_json(r["params"], {}),
        counts=from_json(r["counts"], {}),
        tokens_in=r["tokens_in"] or 0,
        tokens_out=r["tokens_out"] or 0,
        cost_usd=r["cost_usd"] or 0.0,
        error=r["error"],
    )


class RunsMixin(StoreBase):
    """Saving and reading run records."""

    def save_domain_batch(self, items: Sequence[Item], run: RunRecord) -> SaveResult:
        """One domain's items and the run's updated progress, in one transaction."""
        with self.transaction():
            saved = insert_items(self, items) if items else SaveResult()
            self._save_run(run)
        return saved

    def save_run(self, run: RunRecord) -> None:
        """Insert or update a run record (runs are written at start and again at the end)."""
        self._save_run(run)

    def _save_run(self, run: RunRecord) -> None:
        self._q(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.id,
                run.flow,
                run.started_at,
                run.finished_at,
                run.status,
                to_json(run.params),
                to_json(run.counts),
                run.tokens_in,
                run.tokens_out,
                run.cost_usd,
                run.error,
            ],
        )

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id.

        Raises:
            NotFoundError: the bank holds no such run.
        """
        rows = self._rows("SELECT * FROM runs WHERE id = ?", [run_id])
        if not rows:
            raise NotFoundError(f"no run {run_id!r}")
        return decode_run(rows[0])

    def runs(self, flow: str | None = None) -> list[RunRecord]:
        """Runs in the order they started, of one flow or of all."""
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if flow:
            sql += " WHERE flow = ?"
            params.append(flow)
        return [decode_run(r) for r in self._rows(sql + " ORDER BY started_at", params)]
