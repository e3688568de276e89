"""Share the study hours among domains where they raise the expected scaled score most.

Greedy marginal allocation in steps of `STEP_HOURS` over the concave model of
`planner.model`: every domain first gets a retention floor, then each further step goes to
the domain whose next step adds the most expected score. For a separable objective with
concave parts, greedy is optimal for the discretised problem; the benchmark compares it
with a continuous solver.

Because each domain's marginal gains fall geometrically, picking the best steps one by one
equals taking the `extra` largest marginal gains over all domains at once, which numpy does
in one sort (ties go to the smaller step, then the earlier domain: deterministic).
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
    model: ExamModel, budget_units: int, floor_units: int | Sequence[int] | None = None
) -> npt.NDArray[np.int_]:
    """Steps of `STEP_HOURS` per domain (blueprint order) summing to `budget_units`.

    `floor_units` is the steps every domain gets first: one number for all (default
    `FLOOR_HOURS`, lowered to what the budget allows, at least one step), or one per domain.

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
    extra = budget_units - int(floors.sum())
    counts = floors.copy()
    if extra == 0:
        return counts
    # The j-th extra step of domain d starts at hour (floor_d + j) * step and adds
    # gw_d * (e^{-s/tau} - e^{-(s+step)/tau}) = gw_d * e^{-s/tau} * (1 - e^{-step/tau}).
    starts = (floors[None, :] + np.arange(extra)[:, None]) * STEP_HOURS  # (extra, n)
    decay = np.exp(-starts / model.tau[None, :])  # step-major: ties go to the earlier step
    marginal = decay * (model.gain_weights() * (1.0 - np.exp(-STEP_HOURS / model.tau)))
    best = np.argsort(-marginal.ravel(), kind="stable")[:extra]
    counts += np.bincount(best % n, minlength=n)
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
