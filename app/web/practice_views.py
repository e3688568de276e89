"""What the practice pages show, built from a session record: plain values for templates.

No selection, scoring or planning here: those are the pipelines'. These functions only
lay out a record (and its stored summary) for the question, feedback, review and report
pages, with the honest wording: a domain with too few answers is "not measured yet".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bank.models import LETTERS, Blueprint
from bank.store.protocols import LearnerStore
from pipelines.components import blueprint_for
from pipelines.practice_feedback import feedback
from pipelines.practice_records import ReadinessMark, SessionRecord, Standing
from pipelines.practice_sessions import MEASURED_AT

KIND_NAMES = {"tutor": "Tutor mode", "drill": "Drill", "mock": "Timed mock exam"}


def _domain(blueprint: Blueprint, number: int) -> str:
    found = blueprint.domain(number)
    return f"{number}. {found.name}" if found else f"Domain {number}"


def standing_text(s: Standing) -> str:
    """A domain's mastery as a learner reads it: a percentage, or not measured yet."""
    if s.n < MEASURED_AT:
        return "not measured yet"
    return f"{s.mastery:.0%}"


def readiness_values(
    mark: ReadinessMark | None, answers: int, thin: int | None = None
) -> dict[str, Any] | None:
    """A stored readiness, with what it rests on (answers, domains not measured yet)."""
    if mark is None:
        return None
    return {
        "score": f"{mark.expected:.0f}",
        "range": f"{mark.lo:.0f}–{mark.hi:.0f}",
        "passing": f"{mark.passing:g}",
        "good": mark.expected >= mark.passing,
        "chance": mark.pass_chance,
        "answers": answers,
        "unknown": len(mark.unknown_domains) if thin is None else thin,
    }


def clock_text(seconds: float) -> str:
    """Seconds as h:mm:ss or mm:ss (what the timer shows before the script runs)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


def timer_values(record: SessionRecord, now: datetime) -> dict[str, Any] | None:
    """The countdown: the server's deadline and time left (the page counts down to it)."""
    left = record.seconds_left(now)
    if left is None or record.deadline is None:
        return None
    return {
        "left": round(left, 1),
        "text": clock_text(left),
        "deadline": record.deadline.isoformat(),
        "up": left <= 0,
    }


def question_page(
    store: LearnerStore, record: SessionRecord, token: str, at: int, now: datetime
) -> dict[str, Any]:
    """The question at position `at` (clamped to the drawn ones)."""
    blueprint = blueprint_for(store)
    at = min(max(at, 0), len(record.items) - 1)
    item = store.get_item(record.items[at])
    mark = record.answers.get(at)
    mock = record.kind == "mock"
    return {
        "learner_id": record.learner_id,
        "token": token,
        "record": record,
        "kind_name": KIND_NAMES[record.kind],
        "mock": mock,
        "item": item,
        "domain": _domain(blueprint, item.domain),
        "position": at,
        "number": at + 1,
        "total": record.planned if not mock else len(record.items),
        "done": len(record.answers),
        "options": [
            {"letter": letter, "text": text, "chosen": bool(mark and mark.choice == letter)}
            for letter, text in zip(LETTERS, item.options, strict=True)
        ],
        "flagged": at in record.flags,
        "key": f"{record.id}-{at}" + (f"-{record.revision}" if mock else ""),
        "timer": timer_values(record, now),
        "first": at == 0,
        "last": at == len(record.items) - 1,
    }


def feedback_page(
    store: LearnerStore, record: SessionRecord, token: str, position: int
) -> dict[str, Any]:
    """Tutor feedback on the answer at `position`, and where to go next."""
    blueprint = blueprint_for(store)
    mark = record.answers[position]
    item = store.get_item(mark.item_id)
    said = feedback(item, mark.choice)
    right = sum(1 for m in record.answers.values() if store.get_item(m.item_id).answer == m.choice)
    more = len(record.answers) < record.planned and len(record.items) > len(record.answers)
    return {
        "learner_id": record.learner_id,
        "token": token,
        "record": record,
        "kind_name": KIND_NAMES[record.kind],
        "item": item,
        "domain": _domain(blueprint, item.domain),
        "number": position + 1,
        "total": record.planned,
        "done": len(record.answers),
        "right": right,
        "fb": said,
        "options": [
            {
                "letter": letter,
                "text": text,
                "key": letter == item.answer,
                "chosen": letter == mark.choice,
                "note": said.others.get(letter),
            }
            for letter, text in zip(LETTERS, item.options, strict=True)
        ],
        "more": more,
        "exhausted": not more and len(record.answers) < record.planned,
    }


def review_page(record: SessionRecord, token: str, now: datetime) -> dict[str, Any]:
    """A mock exam's review screen: every question's state before submitting."""
    rows = [
        {
            "position": p,
            "number": p + 1,
            "answer": record.answers[p].choice if p in record.answers else None,
            "flagged": p in record.flags,
        }
        for p in range(len(record.items))
    ]
    return {
        "learner_id": record.learner_id,
        "token": token,
        "record": record,
        "rows": rows,
        "unanswered": [r for r in rows if r["answer"] is None],
        "flagged": [r for r in rows if r["flagged"]],
        "timer": timer_values(record, now),
    }


def report_page(store: LearnerStore, record: SessionRecord, token: str) -> dict[str, Any]:
    """A finished session's summary: score, by domain, readiness, plan, what to review."""
    blueprint = blueprint_for(store)
    summary = record.summary
    assert summary is not None, "a finished session has a summary"
    domains = [
        {
            "name": _domain(blueprint, d.domain),
            "asked": d.asked,
            "correct": d.correct,
            "answered": d.answered,
            "share": d.correct / d.asked if d.asked else None,
            "before": standing_text(d.before),
            "after": standing_text(d.after),
            "n": d.after.n,
            "moved": round((d.after.mastery - d.before.mastery) * 100)
            if d.before.n >= MEASURED_AT
            else None,
        }
        for d in summary.domains
    ]
    missed = []
    for p in summary.missed:
        item = store.get_item(record.items[p])
        mark = record.answers.get(p)
        missed.append(
            {
                "number": p + 1,
                "item": item,
                "chosen": mark.choice if mark else None,
                "fb": feedback(item, mark.choice) if mark else None,
            }
        )
    asked = summary.asked or 0
    return {
        "learner_id": record.learner_id,
        "token": token,
        "record": record,
        "kind_name": KIND_NAMES[record.kind],
        "mock": record.kind == "mock",
        "summary": summary,
        "score": summary.correct / asked if asked else None,
        "minutes": f"{summary.seconds / 60:.1f}",
        "allowed": clock_text(summary.seconds_allowed) if summary.seconds_allowed else None,
        "domains": domains,
        "missed": missed,
        "before": readiness_values(
            summary.readiness_before, summary.answers_total - summary.answered
        ),
        "after": readiness_values(
            summary.readiness, summary.answers_total, len(summary.thin_domains)
        ),
        "domain_count": len(blueprint.domains),
        "measured_at": MEASURED_AT,
        "plan": summary.plan,
    }
