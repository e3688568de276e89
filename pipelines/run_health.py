"""Whether a generation run worked: failed generations counted by reason, and the run's verdict.

A run in which no generation produced a candidate has failed, whatever it stored (its
rejected placeholders keep each reason and raw output); a run in which some failed
says so in its `error`, with the failures counted by reason and the fix the generator
can guess. `RunRecord.counts` keeps, per domain, `candidates` (items the generator
wrote) and `failed` (generations that gave none), and `failures`: {domain: {label: n}}.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bank.models import Item, RunRecord


def reason_code(reason: str) -> str:
    """The label of a failure reason when the generator gives none: its code."""
    return reason.split(":", 1)[0] or "unknown"


def failure_labels(failed: list[Item], label: Callable[[str], str] | None = None) -> dict[str, int]:
    """The failed generations of a domain counted by the label of their first reason."""
    name = label or reason_code
    return dict(Counter(name(it.reasons[0]) if it.reasons else "unknown" for it in failed))


def run_failures(run: RunRecord) -> dict[str, int]:
    """The run's failed generations by label, over every domain, most common first."""
    total: Counter[str] = Counter()
    for labels in (run.counts.get("failures") or {}).values():
        total.update(labels)
    return dict(total.most_common())


def domain_failed(counts: dict[str, Any]) -> bool:
    """Whether a stored domain produced nothing but failures (re-run it on resume)."""
    return not counts.get("candidates", 1) and bool(counts.get("failed"))


def verdict(run: RunRecord, stopped: str | None, fix: str | None) -> tuple[str, str | None]:
    """The status and error a finished run is recorded with.

    - no candidate and some failure: "failed", with the failures by reason and the fix;
    - some failures: the status the run would have ("completed", or "stopped" by a
      budget) and an error that says the run partly failed;
    - else "completed" (or "stopped" with the reason).
    """
    failed = int(run.counts.get("failed", 0))
    candidates = int(run.counts.get("candidates", 0))
    status = "stopped" if stopped else "completed"
    if not failed:
        return status, stopped
    by_label = ", ".join(f"{label}: {n}" for label, n in run_failures(run).items())
    stop_text = f" Stopped: {stopped}." if stopped else ""
    fix_text = f" Fix: {fix}." if fix else ""
    if not candidates:
        head = f"no generation produced a candidate: {failed} failed ({by_label})."
        return "failed", head + fix_text + stop_text
    asked = candidates + failed
    head = f"partly failed: {failed} of {asked} generations failed ({by_label})."
    return status, head + fix_text + stop_text
