"""A practice session as a stored record, and its summary once it is over.

A web session lives longer than a request: the learner reloads, the phone sleeps, the
server restarts. `SessionRecord` is everything needed to carry on (kind, the drawn items in
order, when each was shown, the answers with their times, flags, the server's deadline for
a timed form) and, once finished, what it came to (`SessionSummary`). It is stored as JSON
(`bank.store.sessions`) and every save raises its `revision`, so the newest copy wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bank.models import Blueprint, Letter
from pipelines.practice import SessionResult
from planner.mastery import DomainMastery
from planner.readiness import Readiness

SessionKind = Literal["drill", "tutor", "mock"]
KINDS: tuple[SessionKind, ...] = ("drill", "tutor", "mock")
Outcome = Literal["completed", "stopped", "timed_out", "exhausted"]


class AnswerMark(BaseModel):
    """One answer in a session: the item, the letter, when it was given and shown.

    ``at`` is the server's time when the answer arrived (the stored response's
    ``answered_at``); the answer's seconds run from ``shown``. In a mock exam a learner
    may change an answer before submitting: ``changes`` counts how often it was set.
    """

    item_id: str
    choice: Letter
    at: datetime
    shown: datetime
    changes: int = 1


class Standing(BaseModel):
    """A domain's mastery as stored with a summary: estimate, interval, answers behind it."""

    mastery: float
    lo: float
    hi: float
    n: int

    @classmethod
    def of(cls, m: DomainMastery) -> Standing:
        """The standing of a planner `DomainMastery`."""
        return cls(mastery=m.mastery, lo=m.lo, hi=m.hi, n=m.n)


class DomainResult(BaseModel):
    """A session's answers in one domain, and the domain's mastery before and after."""

    domain: int
    name: str
    asked: int
    answered: int
    correct: int
    before: Standing
    after: Standing


class ReadinessMark(BaseModel):
    """A readiness as stored: predicted scaled score, its interval, the pass chance text."""

    expected: float
    lo: float
    hi: float
    level: float
    p_pass: float
    pass_chance: str
    passing: float
    unknown_domains: list[int] = Field(default_factory=list)

    @classmethod
    def of(cls, r: Readiness) -> ReadinessMark:
        """The mark of a planner `Readiness`."""
        return cls(
            expected=r.expected_score,
            lo=r.lo,
            hi=r.hi,
            level=r.level,
            p_pass=r.p_pass,
            pass_chance=r.pass_chance(),
            passing=r.passing_score,
            unknown_domains=list(r.unknown_domains),
        )


class PlanMark(BaseModel):
    """What happened to the learner's plan when the session ended."""

    made_at: datetime | None = None
    reason: str | None = None
    """Why it was made again (None: the stored plan still held)."""
    expected: float | None = None
    pass_chance: str | None = None
    problem: str | None = None
    """Why no plan could be made (no exam date or study hours in the profile)."""


class SessionSummary(BaseModel):
    """What a finished session came to."""

    asked: int
    answered: int
    correct: int
    seconds: float
    domains: list[DomainResult]
    missed: list[int] = Field(default_factory=list)
    """Positions answered wrong (and, in a mock exam, left unanswered): what to review."""
    readiness_before: ReadinessMark | None = None
    readiness: ReadinessMark | None = None
    answers_total: int = 0
    """How many answers the learner has in all, this session's included."""
    seconds_allowed: float | None = None
    plan: PlanMark | None = None
    thin_domains: list[int] = Field(default_factory=list)
    """Domains with too few answers after the session to show a mastery as a number."""


class SessionRecord(BaseModel):
    """A practice session (drill, tutor or mock) as stored.

    Attributes:
        planned: questions in the session (the form's length for a mock exam).
        wanted: what the learner asked for (a pool too small gives a shorter form).
        focus: "due" for a review of the items FSRS says are due.
        block: the plan block the session follows (see `pipelines.practice_today`).
        deadline: when a timed form ends, set by the server when it starts.
        items: the drawn item ids in order; a drill or tutor session draws the next one
            after each answer, a mock exam draws its whole form at the start.
        shown: when each drawn item was put before the learner (drill and tutor).
        answers: by position (0-based).
        flags: positions flagged for review (mock exam).
        keys: the idempotency keys of the answers taken: a retried POST changes nothing.
        start_key: the key of the request that started the session.
    """

    id: str
    learner_id: str
    kind: SessionKind
    created_at: datetime
    started_at: datetime
    updated_at: datetime
    revision: int = 1
    planned: int
    wanted: int
    domain: int | None = None
    focus: Literal["due"] | None = None
    block: str | None = None
    deadline: datetime | None = None
    items: list[str] = Field(default_factory=list)
    shown: list[datetime] = Field(default_factory=list)
    answers: dict[int, AnswerMark] = Field(default_factory=dict)
    flags: list[int] = Field(default_factory=list)
    keys: list[str] = Field(default_factory=list)
    start_key: str | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    late_answer: bool = False
    summary: SessionSummary | None = None

    @property
    def timed(self) -> bool:
        """Whether this is a timed mock exam."""
        return self.kind == "mock"

    @property
    def finished(self) -> bool:
        """Whether the session is over (its summary is stored)."""
        return self.finished_at is not None

    def current(self) -> int | None:
        """The first drawn position not answered yet, or None when every drawn one is."""
        for position in range(len(self.items)):
            if position not in self.answers:
                return position
        return None

    def expired(self, now: datetime) -> bool:
        """Whether a timed form's time is up (the server's clock decides)."""
        return self.deadline is not None and now >= self.deadline

    def seconds_left(self, now: datetime) -> float | None:
        """Seconds to the deadline (never below 0), or None for an untimed session."""
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - now).total_seconds())

    def to_body(self) -> dict[str, Any]:
        """The record as the JSON object the store and the journal keep."""
        return self.model_dump(mode="json")


def summarize(
    result: SessionResult,
    blueprint: Blueprint,
    record: SessionRecord,
    *,
    readiness_before: Readiness | None,
    readiness_after: Readiness | None,
    answers_total: int,
) -> SessionSummary:
    """A finished session's summary from the practice session's result.

    Positions are the record's: an answer's position is where its item stands in
    ``record.items``. Mock-exam items never answered count as asked and missed.
    """
    position = {item_id: p for p, item_id in enumerate(record.items)}
    answered = {position[a.item.id] for a in result.answers if a.item.id in position}
    wrong = {position[a.item.id] for a in result.answers if not a.correct and a.item.id in position}
    asked_ids = [record.items[p] for p in range(len(record.items))]
    if not record.timed:
        asked_ids = [record.items[p] for p in sorted(answered)]
        missed = sorted(wrong)
    else:
        missed = sorted(wrong | (set(range(len(record.items))) - answered))
    asked_domains = [it.domain for it in result.exam_items] if record.timed else []
    by_domain = {s.domain: s for s in result.by_domain()}
    domains = []
    for d in blueprint.domains:
        asked = asked_domains.count(d.number) if record.timed else by_domain.get(d.number)
        count = asked if isinstance(asked, int) else (asked.answered if asked else 0)
        if not count and d.number not in by_domain:
            continue
        s = by_domain.get(d.number)
        domains.append(
            DomainResult(
                domain=d.number,
                name=d.name,
                asked=count,
                answered=s.answered if s else 0,
                correct=s.correct if s else 0,
                before=Standing.of(result.before[d.number]),
                after=Standing.of(result.after[d.number]),
            )
        )
    return SessionSummary(
        asked=len(asked_ids),
        answered=len(result.answers),
        correct=result.correct,
        seconds=round(sum(a.seconds for a in result.answers), 1),
        domains=domains,
        missed=missed,
        readiness_before=ReadinessMark.of(readiness_before) if readiness_before else None,
        readiness=ReadinessMark.of(readiness_after) if readiness_after else None,
        answers_total=answers_total,
        seconds_allowed=result.seconds_allowed,
    )
