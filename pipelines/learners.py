"""Learner services over the bank: mastery from stored answers, readiness, plans.

Plain functions that read the store and call the pure planner; the CLI and the web
app share them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from bank.errors import InputError, Problem
from bank.models import LETTERS, Blueprint, Response
from bank.store import Store
from planner.calibration import calibrate_items
from planner.mastery import DomainMastery, ResponseRecord, estimate_mastery
from planner.readiness import Readiness, predict_readiness

MIN_LEARNERS_TO_CALIBRATE = 20


def response_records(store: Store, learner_id: str | None = None) -> list[ResponseRecord]:
    """Stored answers joined with their items' domains (answers to unknown items are skipped)."""
    responses = store.responses(learner_id)
    domains = {it.id: it.domain for it in store.find_items(ids={r.item_id for r in responses})}
    return [
        ResponseRecord(r.learner_id, r.item_id, domains[r.item_id], r.correct, r.answered_at)
        for r in responses
        if r.item_id in domains
    ]


def learner_evidence(
    store: Store, learner_id: str
) -> tuple[list[ResponseRecord], dict[str, float]]:
    """A learner's answers, and the item difficulties to read them with.

    Item difficulties need many learners: fitted on a handful, they would soak up those
    learners' own answers. Until then every item counts as typical (difficulty 0).
    """
    everyone = response_records(store)
    enough = len({r.learner_id for r in everyone}) >= MIN_LEARNERS_TO_CALIBRATE
    difficulties = calibrate_items(everyone) if enough else {}
    return [r for r in everyone if r.learner_id == learner_id], difficulties


def learner_mastery(
    store: Store, learner_id: str, blueprint: Blueprint
) -> dict[int, DomainMastery]:
    """A learner's mastery per domain from their stored answers."""
    mine, difficulties = learner_evidence(store, learner_id)
    return estimate_mastery(mine, difficulties, blueprint.numbers)


def learner_readiness(
    mastery: dict[int, DomainMastery], blueprint: Blueprint, seed: int = 0
) -> Readiness:
    """The predicted scaled score and pass chance for a mastery, on the blueprint's form."""
    counts = {d.number: d.count for d in blueprint.domains}
    return predict_readiness(mastery, counts, seed, passing_score=blueprint.exam.passing_score)


@dataclass
class ResponseImport:
    """What a responses import did: answers saved, rows skipped with why, rows read."""

    saved: int
    skipped: list[Problem]
    read: int


def read_responses(path: Path, store: Store) -> tuple[list[Response], list[Problem], int]:
    """Responses from CSV or JSONL: learner, item, correct or chosen, answered_at, seconds."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", str(path))]) from exc
    rows: list[tuple[int, Any]] = []
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        for n, text_line in enumerate(text.splitlines(), start=1):
            if not text_line.strip():
                continue
            try:
                rows.append((n, json.loads(text_line)))
            except json.JSONDecodeError as exc:
                rows.append((n, f"not valid JSON: {exc.msg}"))
    else:
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            rows.append((reader.line_num, row))
    learners = {lr.id for lr in store.learners()}
    ids = {str(r.get("item") or r.get("item_id")) for _, r in rows if isinstance(r, dict)}
    items = {it.id: it for it in store.find_items(ids=ids)}
    out: list[Response] = []
    problems: list[Problem] = []
    for line, row in rows:
        file = str(path)
        if not isinstance(row, dict):
            problems.append(Problem(str(row), file, line))
            continue
        learner = str(row.get("learner") or row.get("learner_id") or "").strip()
        item_id = str(row.get("item") or row.get("item_id") or "").strip()
        if learner not in learners:
            problems.append(
                Problem(
                    f"unknown learner {learner!r} (add with `cmasprep learners add`)",
                    file,
                    line,
                    "learner",
                )
            )
            continue
        item = items.get(item_id)
        if item is None:
            problems.append(Problem(f"unknown item {item_id!r}", file, line, "item"))
            continue
        chosen = str(row.get("chosen") or "").strip().upper() or None
        correct_raw = row.get("correct")
        if chosen is not None and chosen not in LETTERS:
            problems.append(Problem(f"chosen {chosen!r} is not A-D", file, line, "chosen"))
            continue
        if correct_raw in (None, ""):
            if chosen is None:
                problems.append(
                    Problem("give correct (true/false) or chosen (A-D)", file, line, "correct")
                )
                continue
            correct = chosen == item.answer
        else:
            text_value = str(correct_raw).strip().lower()
            if text_value not in ("true", "false", "1", "0", "yes", "no"):
                problems.append(
                    Problem(f"correct {correct_raw!r} is not true/false", file, line, "correct")
                )
                continue
            correct = text_value in ("true", "1", "yes")
        try:
            answered = datetime.fromisoformat(str(row.get("answered_at") or ""))
        except ValueError:
            problems.append(
                Problem(
                    f"answered_at {row.get('answered_at')!r} is not an ISO date-time",
                    file,
                    line,
                    "answered_at",
                )
            )
            continue
        if answered.tzinfo is None:
            answered = answered.replace(tzinfo=UTC)
        seconds = row.get("seconds")
        try:
            secs = float(seconds) if seconds not in (None, "") else None
        except (TypeError, ValueError):
            problems.append(Problem(f"seconds {seconds!r} is not a number", file, line, "seconds"))
            continue
        out.append(
            Response(
                learner_id=learner,
                item_id=item_id,
                answered_at=answered,
                correct=correct,
                chosen=chosen,
                seconds=secs,
            )
        )
    return out, problems, len(rows)


def import_responses(store: Store, path: Path) -> ResponseImport:
    """Keep the good rows, report the bad ones by line."""
    responses, problems, read = read_responses(path, store)
    return ResponseImport(store.save_responses(responses), problems, read)


def plan_for(
    store: Store,
    learner_id: str,
    blueprint: Blueprint,
    *,
    today: date,
    exam_date: date | None = None,
    start: date | None = None,
    hours_per_week: float | None = None,
    hours_by_weekday: dict[int, float] | None = None,
    self_mastery: dict[int, float] | None = None,
    blackout: list[date] | None = None,
    preferred_time: time = time(18, 0),
) -> Any:
    """Build (and store) a plan: measured mastery where answers exist, else the self-assessment."""
    from planner.plan import Plan, PlanInputError, PlanRequest
    from planner.schedule import build_plan

    learner = store.get_learner(learner_id)
    measured = learner_mastery(store, learner_id, blueprint)
    mastery: dict[int, tuple[float, float] | None] = {}
    for d in blueprint.numbers:
        m = measured[d]
        if not m.unknown:
            mastery[d] = (m.mastery, max((m.hi - m.lo) / 2.56, 0.01))
        elif self_mastery and d in self_mastery:
            mastery[d] = (self_mastery[d], 0.15)
        else:
            mastery[d] = None
    previous = store.latest_plan(learner_id)
    exam = exam_date or learner.exam_date
    if exam is None:
        raise PlanInputError(f"{learner_id} has no exam date: give one")
    request = PlanRequest(
        learner=learner_id,
        blueprint=blueprint,
        mastery=mastery,
        exam_date=exam,
        start=start or today,
        hours_per_week=hours_per_week if hours_by_weekday is None else None,
        hours_by_weekday=hours_by_weekday,
        blackout=blackout or [],
        preferred_time=preferred_time,
        previous=Plan.from_json(json.dumps(previous[1])) if previous else None,
        today=today,
    )
    plan = build_plan(request)
    store.save_plan(f"{learner_id}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}", learner_id, plan.to_dict())
    return plan
