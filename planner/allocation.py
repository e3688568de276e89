"""Share the study hours among domains where they raise the expected scaled score most.

Greedy marginal allocation in steps of `STEP_HOURS` over the exam model of
`planner.model`: every domain first gets a floor, then each further step goes to the domain
whose next step adds the most expected score, each domain's value read from
`ExamModel.value_table` (its hours laid out as interleaved half-hour blocks over the days
with free time, under the fitted learning curve and FSRS forgetting). The exact schedule is
scored afterwards (planner.interleave); the benchmark checks the whole against baselines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.model import ExamModel, FloatArray

STEP_HOURS = 0.25
"""Granularity of planned time: a quarter hour, so every sum of blocks is exact."""
FLOOR_HOURS = 0.5
"""Study each domain gets before the greedy steps, for retention (less if time is short)."""


def allocate_units(
    model: ExamModel,
    budget_units: int,
    floor_units: int | Sequence[int] | None = None,
    days: Sequence[int] | None = None,
) -> npt.NDArray[np.int_]:
    """Steps of `STEP_HOURS` per domain (blueprint order) summing to `budget_units`.

    `floor_units` is the steps every domain gets first: one number for all (default
    `FLOOR_HOURS`, lowered to what the budget allows, at least one step), or one per domain.
    `days` are the days (from the plan's first day) with free time; every day by default.

    Raises:
        ValueError: when the budget cannot give every domain its floor.
    """
    n = len(model.numbers)
    if floor_units is None or isinstance(floor_units, int):
        if budget_units < n:
            raise ValueError(f"{budget_units} steps cannot give each of {n} domains study time")
        wanted = round(FLOOR_HOURS / STEP_HOURS) if floor_units is None else floor_units
        floors = np.full(n, max(1, min(wanted, budget_units // n)), dtype=int)
    else:
        floors = np.asarray(floor_units, dtype=int)
        if floors.shape != (n,) or floors.min(initial=0) < 0 or floors.sum() > budget_units:
            raise ValueError(f"floors {floors.tolist()} do not fit {budget_units} steps")
    counts = floors.copy()
    extra = budget_units - int(floors.sum())
    if extra == 0:
        return counts
    table = model.value_table(
        budget_units, list(days) if days is not None else list(range(model.days))
    )
    for _ in range(extra):
        nxt = np.minimum(counts + 1, budget_units)
        marginal = table[np.arange(n), nxt] - table[np.arange(n), counts]
        counts[int(np.argmax(marginal))] += 1  # ties: the earlier domain
    return counts


def allocate_hours(model: ExamModel, budget_hours: float) -> npt.NDArray[np.floating[Any]]:
    """Hours per domain (blueprint order), multiples of `STEP_HOURS`, for a budget in hours."""
    units = int(budget_hours / STEP_HOURS + 1e-9)
    return allocate_units(model, units) * STEP_HOURS


def equal_hours(model: ExamModel, budget_hours: float) -> FloatArray:
    """Baseline: the same hours for every domain."""
    n = len(model.numbers)
    return np.full(n, budget_hours / n)


def proportional_hours(model: ExamModel, budget_hours: float) -> FloatArray:
    """Baseline: hours in proportion to blueprint weight."""
    return model.shares * budget_hours
