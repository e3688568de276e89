"""Shared data of the whole project: blueprint, items, learners, responses, runs, reviews.

Plain pydantic models with no I/O; every other package builds on these.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bank.limits import (
    MAX_PROVENANCE_NOTES,
    MAX_SOURCES,
    EvidenceText,
    ItemId,
    NameText,
    NoteId,
    OptionText,
    QuoteText,
    RationaleText,
    ReasonText,
    ReviewNote,
    StemText,
    TopicText,
)
from bank.text import normalize_text

Letter = Literal["A", "B", "C", "D"]
LETTERS: tuple[Letter, ...] = ("A", "B", "C", "D")
Status = Literal["candidate", "pending_review", "approved", "rejected", "retired"]
STATUSES: tuple[str, ...] = ("candidate", "pending_review", "approved", "rejected", "retired")
Difficulty = Literal["easy", "medium", "hard"]
Bloom = Literal["remember", "understand", "apply", "analyze"]


_TRAILING = re.compile(r"[\s.;:,!?]+$")


def content_hash(stem: str, options: list[str], answer: str) -> str:
    """Stable hash of what an item asks and answers, blind to option order and case.

    Two items with the same stem, the same set of options and the same keyed text
    hash alike even when the options are shuffled: they are exact duplicates.
    """
    key_text = options[LETTERS.index(answer)]
    parts = [
        _TRAILING.sub("", normalize_text(stem)),
        "\x1e".join(sorted(_TRAILING.sub("", normalize_text(o)) for o in options)),
        _TRAILING.sub("", normalize_text(key_text)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ExamFacts(BaseModel):
    """The exam's published facts: form length, time, scoring, retakes and renewal."""

    model_config = ConfigDict(extra="forbid")

    questions_min: int = Field(gt=0)
    questions_max: int = Field(gt=0)
    form_length: int = Field(gt=0)
    minutes: int = Field(gt=0)
    score_scale: tuple[int, int] = (0, 100)
    passing_score: float
    retake_wait_days: int | None = None
    max_attempts: int | None = None
    renewal_years: int | None = None
    ccp_points_per_year: int | None = None
    aids_allowed: bool = False


class Domain(BaseModel):
    """One content domain of the blueprint: its number, name, weight, item count, topics."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    count: int = Field(gt=0)
    topics: list[str] = Field(default_factory=list)


class Blueprint(BaseModel):
    """An exam's blueprint: its domains with weights and item counts, and its facts."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    publisher: str | None = None
    source: str | None = None
    exam: ExamFacts
    domains: list[Domain]

    @property
    def numbers(self) -> list[int]:
        """The domain numbers, in blueprint order."""
        return [d.number for d in self.domains]

    def domain(self, ref: int | str) -> Domain | None:
        """The domain a number, a numeric string or a name (any case) refers to."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return next((d for d in self.domains if d.number == ref), None)
        text = str(ref).strip()
        if text.isdigit():
            return self.domain(int(text))
        folded = normalize_text(text)
        return next((d for d in self.domains if normalize_text(d.name) == folded), None)

    def topic(self, domain: int, text: str) -> str | None:
        """The blueprint spelling of a sub-topic of a domain, matched case-insensitively."""
        found = self.domain(domain)
        if found is None:
            return None
        folded = normalize_text(text)
        return next((t for t in found.topics if normalize_text(t) == folded), None)


class Source(BaseModel):
    """A source note and the passage of it that supports the key."""

    model_config = ConfigDict(extra="forbid")

    note: NoteId = Field(min_length=1)
    quote: QuoteText = ""


class Flaw(BaseModel):
    """An item-writing flaw: its code (../shared/spec/item-flaws.md), where, and evidence."""

    model_config = ConfigDict(extra="forbid")

    code: NameText
    where: NameText
    evidence: EvidenceText = ""


class Provenance(BaseModel):
    """Who and what made an item; empty for items imported from elsewhere."""

    model_config = ConfigDict(extra="forbid")

    generator: NameText | None = None
    generator_version: NameText | None = None
    model: NameText | None = None
    prompt_version: NameText | None = None
    run_id: NameText | None = None
    notes: list[NoteId] = Field(default_factory=list, max_length=MAX_PROVENANCE_NOTES)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


class Item(BaseModel):
    """One four-option multiple-choice item in the bank's canonical form."""

    model_config = ConfigDict(extra="forbid")

    id: ItemId = ""
    domain: int = Field(ge=1)
    topic: TopicText | None = None
    stem: StemText
    options: list[OptionText]
    answer: Letter
    rationale: RationaleText | None = None
    sources: list[Source] = Field(default_factory=list, max_length=MAX_SOURCES)
    difficulty: Difficulty | None = None
    bloom: Bloom | None = None
    enemy_group: NameText | None = None
    """Items that give each other away (made from one fact or item model) share a group."""
    extra: dict[str, Any] = Field(default_factory=dict)
    provenance: Provenance = Field(default_factory=Provenance)
    status: Status = "pending_review"
    flaws: list[Flaw] = Field(default_factory=list)
    reasons: list[ReasonText] = Field(default_factory=list)
    checked_at: datetime | None = None
    """When the validators last checked the item (None: never, so "not checked")."""
    checks_version: NameText | None = None
    """The validators' version then; a rule change makes older checks stale."""

    @field_validator("stem")
    @classmethod
    def _stem_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the stem is empty")
        return value.strip()

    @field_validator("options")
    @classmethod
    def _four_distinct_options(cls, value: list[str]) -> list[str]:
        if len(value) != 4:
            raise ValueError(f"expected exactly 4 options, got {len(value)}")
        cleaned = [o.strip() for o in value]
        for letter, option in zip(LETTERS, cleaned, strict=True):
            if not option:
                raise ValueError(f"option {letter} is empty")
        seen: dict[str, str] = {}
        for letter, option in zip(LETTERS, cleaned, strict=True):
            norm = normalize_text(option)
            if norm in seen:
                raise ValueError(f"options {seen[norm]} and {letter} are the same")
            seen[norm] = letter
        return cleaned

    @model_validator(mode="after")
    def _stable_id(self) -> Item:
        if not self.id:
            self.id = f"d{self.domain}-{self.content_hash[:12]}"
        return self

    @property
    def content_hash(self) -> str:
        """The hash of stem, options and answer that identifies an item's content."""
        return content_hash(self.stem, self.options, self.answer)

    @property
    def key_text(self) -> str:
        """The text of the keyed (correct) option."""
        return self.options[LETTERS.index(self.answer)]

    def situation(self) -> tuple[str | None, str, str]:
        """What an instance of an item model asks: its group, its key and its situation.

        An item built from variables (a scenario's figures, dates, the service refused)
        is told apart by those variables, the people's names aside (`extra["names"]`); any
        other item by its options and the figures of its stem. Two instances alike in
        these are, to a reader, the same item twice; instances that differ are siblings
        (kept apart on forms by their enemy group), not duplicates.
        """
        names = {n for n in self.extra.get("names", []) if isinstance(n, str) and n}
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")

        def plain(text: str) -> str:
            return normalize_text(pattern.sub("·", text) if names else text)

        variables = self.extra.get("variables")
        if isinstance(variables, dict):
            kept = {
                k: v
                for k, v in variables.items()
                if not (isinstance(v, str) and set(re.findall(r"\w+", v)) <= names | {"Dr"})
            }
            where = json.dumps(kept, sort_keys=True, default=str)
        else:
            where = json.dumps(
                [sorted(plain(o) for o in self.options), re.findall(r"\d+", self.stem)]
            )
        return (self.enemy_group, plain(self.key_text), where)

    @property
    def generated(self) -> bool:
        """Whether a generator wrote the item (rather than a person)."""
        return self.provenance.generator is not None

    def to_record(self) -> dict[str, Any]:
        """The item-format JSON object (../shared/spec/item-format.md) plus bank fields."""
        record: dict[str, Any] = {
            "id": self.id,
            "domain": self.domain,
            "topic": self.topic,
            "stem": self.stem,
            "options": list(self.options),
            "answer": self.answer,
            "rationale": self.rationale,
            "sources": [s.model_dump() for s in self.sources],
            "difficulty": self.difficulty,
            "bloom": self.bloom,
            "enemy_group": self.enemy_group,
        }
        record = {k: v for k, v in record.items() if v not in (None, [])}
        if self.provenance != Provenance():
            record["provenance"] = self.provenance.model_dump(exclude_defaults=True)
        record["status"] = self.status
        if self.flaws:
            record["flaws"] = [f.model_dump() for f in self.flaws]
        if self.checked_at is not None:
            record["checked_at"] = self.checked_at.isoformat()
            record["checks_version"] = self.checks_version
        if self.reasons:
            record["reasons"] = list(self.reasons)
        record.update(self.extra)
        return record


class Learner(BaseModel):
    """Someone preparing for the exam, and the profile their plans are made from.

    The profile is what a re-plan reads (the CLI, the web and the nightly flow alike):
    the exam date, the study hours (a weekly total, or hours per weekday, Monday = 0),
    days with no study, the time zone the calendar is in, when study blocks start, and a
    self-assessment for the domains no answers measure yet.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    exam_date: date | None = None
    hours_per_week: float | None = Field(default=None, gt=0, le=100)
    hours_by_weekday: dict[int, float] | None = None
    blackouts: list[date] = Field(default_factory=list)
    timezone: str | None = None
    study_time: time | None = None
    self_mastery: dict[int, float] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    """When the profile last changed: a plan older than that is re-planned."""

    @field_validator("hours_by_weekday")
    @classmethod
    def _weekdays(cls, value: dict[int, float] | None) -> dict[int, float] | None:
        if value is None:
            return None
        bad = [f"{d}={h:g}" for d, h in value.items() if not 0 <= d <= 6 or not 0 <= h <= 24]
        if bad:
            raise ValueError(f"weekday hours need days 0-6 and 0-24 hours: {', '.join(bad)}")
        if not any(value.values()):
            raise ValueError("weekday hours are all zero")
        return dict(sorted(value.items()))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Lisbon)"
            ) from exc
        return value

    @field_validator("self_mastery")
    @classmethod
    def _self_mastery(cls, value: dict[int, float] | None) -> dict[int, float] | None:
        if value is not None and any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError("self-assessed mastery must lie between 0 and 1")
        return value

    def weekly_hours(self) -> float | None:
        """The study hours of a week: the weekday hours' sum, else the weekly total."""
        if self.hours_by_weekday:
            return float(sum(self.hours_by_weekday.values()))
        return self.hours_per_week

    def profile(self) -> dict[str, Any]:
        """The profile fields beyond the exam date and weekly hours, as stored (JSON)."""
        return {
            "hours_by_weekday": (
                {str(d): h for d, h in self.hours_by_weekday.items()}
                if self.hours_by_weekday
                else None
            ),
            "blackouts": [d.isoformat() for d in self.blackouts],
            "timezone": self.timezone,
            "study_time": self.study_time.strftime("%H:%M") if self.study_time else None,
            "self_mastery": (
                {str(d): v for d, v in self.self_mastery.items()} if self.self_mastery else None
            ),
        }


class Response(BaseModel):
    """One answer of a learner to an item."""

    model_config = ConfigDict(extra="forbid")

    learner_id: str = Field(min_length=1)
    item_id: str = Field(min_length=1)
    answered_at: datetime
    correct: bool
    chosen: Letter | None = None
    seconds: float | None = Field(default=None, ge=0)


class ReviewEvent(BaseModel):
    """An append-only record of one review decision on one item."""

    model_config = ConfigDict(extra="forbid")

    item_id: ItemId
    reviewer: NameText
    at: datetime
    decision: Literal["approve", "reject", "edit", "assign", "flag", "retire", "requeue", "reopen"]
    reason: NameText | None = None
    note: ReviewNote | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class RunRecord(BaseModel):
    """What one generation (or other) run did, for the runs table."""

    model_config = ConfigDict(extra="forbid")

    id: str
    flow: str
    started_at: datetime
    finished_at: datetime | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, Any] = Field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    status: Literal["running", "completed", "failed", "stopped"] = "running"
    error: str | None = None

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish; None while the run has not finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
