"""The study plan and the request that produces it (../shared/spec/plan-format.md).

`Plan.to_json()` writes the spec's JSON; `Plan.from_json()` reads it back (a stored plan
comes back as `PlanRequest.previous` when the learner re-plans). Range checks of a request
happen in `planner.request_checks.check_request` (run first by `planner.schedule.build_plan`),
which raises `PlanInputError` listing every problem; the models here only check types.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bank.models import Blueprint

BlockKind = Literal[
    "diagnostic", "study", "review", "practice_set", "practice_exam", "final_review"
]
BLOCK_KINDS: tuple[str, ...] = (
    "diagnostic",
    "study",
    "review",
    "practice_set",
    "practice_exam",
    "final_review",
)
# Kinds whose hours count toward a domain's allocation (study and its spaced revisits).
DOMAIN_KINDS: frozenset[str] = frozenset({"study", "review"})


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""


class PlanInputError(PlannerError, ValueError):
    """A plan request that cannot be planned: carries every problem found."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:" + "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message)


class InsufficientTimeError(PlanInputError):
    """The learner's available hours cannot hold a plan that keeps the spec's invariants."""


class Block(BaseModel):
    """One sitting: a domain's study or review, or a mixed diagnostic, practice or review."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: int | None = None
    kind: BlockKind
    hours: float
    questions: int
    date: dt.date | None = None
    focus: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The spec's block object; `date` and `focus` are left out when unset."""
        record: dict[str, Any] = {
            "domain": self.domain,
            "kind": self.kind,
            "hours": self.hours,
            "questions": self.questions,
        }
        if self.date is not None:
            record["date"] = self.date.isoformat()
        if self.focus is not None:
            record["focus"] = self.focus
        return record


class Week(BaseModel):
    """Seven days of the plan from its start (the last week ends the day before the exam)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int
    start: dt.date
    end: dt.date
    hours: float
    blocks: list[Block] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The spec's week object."""
        return {
            "index": self.index,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "hours": self.hours,
            "blocks": [b.to_dict() for b in self.blocks],
        }


class Plan(BaseModel):
    """A learner's week-by-week plan to the exam, with the model's forecast."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    learner: str
    blueprint: str
    start: dt.date
    exam_date: dt.date
    hours_per_week: float
    mastery: dict[str, float | None]
    allocation: dict[str, float]
    expected_scaled_score: float
    pass_probability: float
    weeks: list[Week]
    warnings: list[str] = Field(default_factory=list)
    pass_interval: list[float] | None = None
    """10th and 90th percentile of the pass chance over the fitted parameters' uncertainty."""

    def to_dict(self) -> dict[str, Any]:
        """The spec's JSON object, keys in the spec's order (`warnings`, then `pass_interval`)."""
        return {
            "learner": self.learner,
            "blueprint": self.blueprint,
            "start": self.start.isoformat(),
            "exam_date": self.exam_date.isoformat(),
            "hours_per_week": self.hours_per_week,
            "mastery": dict(self.mastery),
            "allocation": dict(self.allocation),
            "expected_scaled_score": self.expected_scaled_score,
            "pass_probability": self.pass_probability,
            "weeks": [w.to_dict() for w in self.weeks],
            "warnings": list(self.warnings),
            **({} if self.pass_interval is None else {"pass_interval": list(self.pass_interval)}),
        }

    def pass_chance(self) -> str:
        """The pass chance as a learner should read it: "about 62% (48-75%)", never 0 or 100%."""
        from planner.readiness import describe_pass_chance

        low, high = self.pass_interval if self.pass_interval else (None, None)
        return describe_pass_chance(self.pass_probability, low, high)

    def to_json(self, indent: int | None = 2) -> str:
        """The spec's JSON text; non-ASCII characters are written as they are, not escaped."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """Read a plan back from the spec's JSON, validating every field."""
        return cls.model_validate(json.loads(text))

    @property
    def blocks(self) -> list[Block]:
        """Every block of every week, in order."""
        return [b for w in self.weeks for b in w.blocks]


class PlanRequest(BaseModel):
    """What `build_plan` needs: the learner's situation, passed in whole (no I/O, no clock).

    `mastery` maps a domain number to (mean 0-1, sd) or None when unknown; domains left out
    count as unknown. Give either `hours_per_week` or `hours_by_weekday` (0 = Monday).
    `previous` is the learner's last plan: weeks that ended before `today` are kept.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    learner: str
    blueprint: Blueprint
    mastery: dict[int, tuple[float, float] | None] = Field(default_factory=dict)
    exam_date: dt.date
    start: dt.date
    hours_per_week: float | None = None
    hours_by_weekday: dict[int, float] | None = None
    blackout: list[dt.date] = Field(default_factory=list)
    session_hours: float = 1.5
    preferred_time: dt.time = dt.time(18, 0)
    previous: Plan | None = None
    today: dt.date
