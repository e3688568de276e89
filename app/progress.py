"""What `generate` shows in the terminal: a line per finished domain and a summary table."""

from __future__ import annotations

from typing import Any

from bank.models import Blueprint, RunRecord
from pipelines.generation import DomainOutcome


class ProgressDisplay:
    """A Rich table per domain: generated, clean, flagged, duplicates, rejected."""

    COLUMNS = ("generated", "clean", "flagged", "duplicate", "rejected")

    def __init__(self, console: Any, blueprint: Blueprint, counts: dict[int, int]) -> None:
        self.console = console
        self.blueprint = blueprint
        self.counts = counts
        self.rows: dict[int, dict[str, int]] = {}

    def update(self, outcome: DomainOutcome) -> None:
        self.rows[outcome.domain] = outcome.counts
        c = outcome.counts
        name = self.blueprint.domain(outcome.domain).name  # type: ignore[union-attr]
        self.console.print(
            f"domain {outcome.domain} {name}: generated {c['generated']}, clean {c['clean']}, "
            f"flagged {c['flagged']}, duplicate {c['duplicate']}, rejected {c['rejected']}"
            + (f"  (stopped: {outcome.stopped})" if outcome.stopped else ""),
            highlight=False,
            markup=False,
        )

    def summary(self, run: RunRecord) -> None:
        from rich.table import Table

        table = Table(title=f"Run {run.id}: {run.status}")
        table.add_column("domain")
        for column in ("asked", *self.COLUMNS):
            table.add_column(column, justify="right")
        domains = run.counts.get("domains", {})
        for number in sorted(self.counts):
            c = domains.get(str(number), {})
            table.add_row(
                str(number), str(self.counts[number]), *(str(c.get(k, "-")) for k in self.COLUMNS)
            )
        table.add_row(
            "total",
            str(sum(self.counts.values())),
            *(str(run.counts.get(k, 0)) for k in self.COLUMNS),
            style="bold",
        )
        self.console.print(table)
        duration = run.duration_s or 0.0
        spent = f"{run.tokens_in + run.tokens_out} tokens, ${run.cost_usd:.4f}, {duration:.1f} s."
        if run.error:
            self.console.print(f"{run.status.capitalize()}: {run.error}", markup=False)
        after = "" if run.status == "failed" else " Review: cmasprep review next"
        self.console.print(spent + after, highlight=False, markup=False)
