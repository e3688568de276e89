"""Practice sessions that outlive a request: start, answer, flag and finish (Today: practice_today).

The web drives the same `PracticeSession` as the terminal, one request at a time: each
request loads the stored `SessionRecord`, rebuilds the learner's model from the stored
answers, does one step and saves the record again (a higher revision). The store is a
`SessionStore`: in the web it is the replica, so no step touches the bank file.

- Tutor and drill: the next item is picked (adaptive, with FSRS review) when an answer
  arrives, and every answer is stored as a response at once.
- Mock exam: the form is drawn when it starts and the server sets its deadline. Answers
  may change until the exam is submitted; they are stored as responses then, at their own
  times. An answer that arrives after the deadline does not count: the exam ends.

Every step carries an idempotency key made by the page: a retried request changes nothing.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bank.errors import InputError, NotFoundError, Problem
from bank.models import LETTERS, Blueprint, Response
from bank.store.protocols import LearnerStore, SessionStore
from pipelines.learners import learner_readiness
from pipelines.plans import current_plan
from pipelines.practice import (
    LearnerModel,
    PracticeSession,
    exam_seconds,
    load_learner_model,
    practice_pool,
)
from pipelines.practice_feedback import Feedback, feedback
from pipelines.practice_records import (
    AnswerMark,
    Outcome,
    PlanMark,
    SessionKind,
    SessionRecord,
    summarize,
)
from planner.plan import PlanInputError

SITTING = 10
"""Questions in one sitting of a plan block: a phone-sized session; the rest waits."""
MOCK_SIZES = (10, 50, 200)
"""Mock forms offered: a quick check, the 30-minute practice form, the full exam."""
MAX_DRILL = 50
MEASURED_AT = 5
"""Answers a domain needs before its mastery is shown as a number ("not measured yet")."""


@dataclass(frozen=True)
class AnswerOutcome:
    """What an answer request did.

    Attributes:
        record: the session as it now stands.
        counted: whether this request's answer counts (False: after the deadline, or the
            session was over).
        repeat: the request was seen before (same key, or the position was answered):
            nothing changed.
        feedback: in tutor mode, what the learner reads about their answer.
    """

    record: SessionRecord
    counted: bool
    repeat: bool = False
    feedback: Feedback | None = None


class _Without:
    """A store that hides some of a learner's responses: the model as it was before them."""

    def __init__(self, store: LearnerStore, hidden: set[tuple[str, str]]) -> None:
        self._store = store
        self._hidden = hidden

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def responses(self, learner_id: str | None = None) -> list[Response]:
        """The wrapped store's responses but the hidden ones."""
        return [
            r
            for r in self._store.responses(learner_id)
            if (r.item_id, _moment(r.answered_at)) not in self._hidden
        ]


def _bad(message: str) -> InputError:
    return InputError([Problem(message)], message)


def _discard(response: Response) -> None:
    """Keep nothing: the answer is stored already."""


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _session(
    store: LearnerStore,
    record: SessionRecord,
    blueprint: Blueprint,
    model: LearnerModel,
    *,
    save: bool,
) -> PracticeSession:
    items, _ = practice_pool(store, record.domain)
    if record.items:  # the drawn items stay in the pool even if their status changed since
        known = {it.id for it in items}
        items = items + store.find_items(ids=[i for i in record.items if i not in known])

    def store_one(response: Response) -> None:
        store.save_responses([response])

    return PracticeSession(
        record.learner_id,
        blueprint,
        items,
        model,
        save=store_one if save else _discard,
        domain=record.domain,
        rng=random.Random(f"{record.id}:{len(record.items)}"),
    )


def _save(store: SessionStore, record: SessionRecord, now: datetime) -> SessionRecord:
    saved = record.model_copy(update={"revision": record.revision + 1, "updated_at": now})
    store.save_practice_session(saved.to_body())
    return saved


def start_session(
    store: SessionStore,
    learner_id: str,
    blueprint: Blueprint,
    kind: SessionKind,
    now: datetime,
    *,
    size: int = SITTING,
    domain: int | None = None,
    block: str | None = None,
    focus: str | None = None,
    key: str | None = None,
) -> SessionRecord:
    """Start a session: draw the first item (tutor, drill) or the whole form (mock).

    A repeated `key` (a retried start) returns the session it started.

    Raises:
        InputError: a mock size not offered, a drill too long, or nothing to practise.
    """
    store.get_learner(learner_id)
    if key:
        for held in store.practice_sessions(learner_id):
            if held.get("start_key") == key:
                return SessionRecord.model_validate(held)
    if kind == "mock" and size not in MOCK_SIZES:
        raise _bad(f"a mock form has {', '.join(map(str, MOCK_SIZES))} questions")
    if not 1 <= size <= (max(MOCK_SIZES) if kind == "mock" else MAX_DRILL):
        raise _bad(f"a session has 1 to {MAX_DRILL} questions")
    record = SessionRecord(
        id=secrets.token_hex(8),
        learner_id=learner_id,
        kind=kind,
        created_at=now,
        started_at=now,
        updated_at=now,
        revision=0,
        planned=size,
        wanted=size,
        domain=domain,
        focus="due" if focus == "due" else None,
        block=block,
        start_key=key,
    )
    practice = _session(store, record, blueprint, load_learner_model(store, learner_id), save=False)
    if kind == "mock":
        form = practice.draw_form(size, now)
        seconds = exam_seconds(len(form), blueprint)
        record = record.model_copy(
            update={
                "items": [it.id for it in form],
                "planned": len(form),
                "deadline": now + timedelta(seconds=seconds),
            }
        )
    else:
        pick = practice.pick(now, [])
        record = record.model_copy(
            update={"items": [pick.item_id] if pick else [], "shown": [now] if pick else []}
        )
    if not record.items:
        raise _bad("nothing to practise now: every item was answered recently")
    return _save(store, record, now)


def load_session(store: SessionStore, learner_id: str, session_id: str) -> SessionRecord:
    """The learner's session with this id.

    Raises:
        NotFoundError: no such session, or it is someone else's (the same answer for both,
            so an id tells nothing about other learners).
    """
    body = store.practice_session(session_id)
    if body is None or body.get("learner_id") != learner_id:
        raise NotFoundError(f"no practice session {session_id!r}")
    return SessionRecord.model_validate(body)


def answer(
    store: SessionStore,
    blueprint: Blueprint,
    record: SessionRecord,
    position: int,
    choice: str | None,
    now: datetime,
    *,
    key: str,
    flag: bool | None = None,
) -> AnswerOutcome:
    """Take one answer (and, in a mock exam, a flag) at `position`.

    Raises:
        InputError: not a letter, or a position that was not drawn.
    """
    if choice is not None and choice not in LETTERS:
        raise _bad(f"{choice!r} is not an answer: A, B, C or D")
    if not 0 <= position < len(record.items):
        raise _bad(f"question {position + 1} is not in this session")
    if record.finished:
        return AnswerOutcome(record, counted=False, repeat=key in record.keys)
    if record.expired(now):
        done = finish(store, blueprint, record, now, outcome="timed_out", late=choice is not None)
        return AnswerOutcome(done, counted=False)
    if key in record.keys:
        return AnswerOutcome(
            record, counted=True, repeat=True, feedback=_feedback(store, record, position)
        )
    if record.kind == "mock":
        return AnswerOutcome(_mark(store, record, position, choice, now, key, flag), counted=True)
    if position in record.answers or choice is None:
        # Another key for an answered position (a second tab): the first answer stands.
        return AnswerOutcome(
            record, counted=False, repeat=True, feedback=_feedback(store, record, position)
        )
    practice = _session(
        store, record, blueprint, load_learner_model(store, record.learner_id), save=True
    )
    item = practice.items[record.items[position]]
    practice.record(item, choice, record.shown[position], now)
    marks = {
        **record.answers,
        position: AnswerMark(
            item_id=item.id,
            choice=choice,
            at=now,
            shown=record.shown[position],
        ),
    }
    items, shown = list(record.items), list(record.shown)
    if len(marks) < record.planned:
        pick = practice.pick(now, items)
        if pick is not None:
            items.append(pick.item_id)
            shown.append(now)
    update: dict[str, Any] = {
        "answers": marks,
        "items": items,
        "shown": shown,
        "keys": [*record.keys, key],
    }
    saved = _save(store, record.model_copy(update=update), now)
    return AnswerOutcome(saved, counted=True, feedback=feedback(item, choice))


def _feedback(store: LearnerStore, record: SessionRecord, position: int) -> Feedback | None:
    mark = record.answers.get(position)
    if record.kind == "mock" or mark is None:
        return None
    return feedback(store.get_item(mark.item_id), mark.choice)


def _mark(
    store: SessionStore,
    record: SessionRecord,
    position: int,
    choice: str | None,
    now: datetime,
    key: str,
    flag: bool | None,
) -> SessionRecord:
    """A mock exam's answer and flag at a position, kept in the record until submitted."""
    marks = dict(record.answers)
    if choice is not None:
        held = marks.get(position)
        if held is None or held.choice != choice:
            previous = [m.at for m in marks.values()]
            shown = max([record.started_at, *previous])
            marks[position] = AnswerMark(
                item_id=record.items[position],
                choice=choice,  # type: ignore[arg-type]
                at=now,
                shown=held.shown if held else shown,
                changes=(held.changes + 1) if held else 1,
            )
    flags = set(record.flags)
    if flag is not None:
        flags = flags | {position} if flag else flags - {position}
    update = {"answers": marks, "flags": sorted(flags), "keys": [*record.keys, key]}
    return _save(store, record.model_copy(update=update), now)


def finish(
    store: SessionStore,
    blueprint: Blueprint,
    record: SessionRecord,
    now: datetime,
    *,
    outcome: Outcome = "completed",
    late: bool = False,
) -> SessionRecord:
    """End a session: store a mock exam's answers, sum it up and let the plan follow.

    The summary compares the mastery before the session (the stored answers without this
    session's) with after; the learner's plan is then re-planned from their stored profile
    because there are new answers (`current_plan`; past weeks are kept). A finished
    session is returned as it is.
    """
    if record.finished:
        return record
    if record.expired(now) and outcome == "completed":
        outcome = "timed_out"
    mock = record.kind == "mock"
    hidden = set() if mock else {(m.item_id, _moment(m.at)) for m in record.answers.values()}
    before_store = cast(LearnerStore, _Without(store, hidden))
    model = load_learner_model(before_store, record.learner_id)
    practice = _session(before_store, record, blueprint, model, save=False)
    saved: list[Response] = []
    practice.save = saved.append
    for position in sorted(record.answers, key=lambda p: record.answers[p].at):
        mark = record.answers[position]
        if record.deadline is not None and mark.at > record.deadline:
            continue  # the server's clock decides: after the deadline it does not count
        practice.record(store.get_item(mark.item_id), mark.choice, mark.shown, mark.at)
    if mock:
        store.save_responses(saved)
        form = [store.get_item(i) for i in record.items]
        result = practice.exam_result(
            form, stopped=outcome == "stopped", timed_out=outcome == "timed_out", late_answer=late
        )
    else:
        result = practice.result(record.planned)
    summary = summarize(
        result,
        blueprint,
        record,
        readiness_before=learner_readiness(dict(result.before), blueprint),
        readiness_after=result.readiness or learner_readiness(dict(result.after), blueprint),
        answers_total=len(store.responses(record.learner_id)),
    )
    thin = [d for d in blueprint.numbers if result.after[d].n < MEASURED_AT]
    plan = _replan(store, record.learner_id, blueprint, now)
    summary = summary.model_copy(update={"plan": plan, "thin_domains": thin})
    done = record.model_copy(
        update={"finished_at": now, "outcome": outcome, "late_answer": late, "summary": summary}
    )
    return _save(store, done, now)


def _replan(store: SessionStore, learner_id: str, blueprint: Blueprint, now: datetime) -> PlanMark:
    try:
        view = current_plan(store, learner_id, blueprint, now)
    except PlanInputError as exc:
        return PlanMark(problem=str(exc))
    return PlanMark(
        made_at=view.made_at,
        reason=view.replanned,
        expected=view.plan.expected_scaled_score,
        pass_chance=view.plan.pass_chance(),
    )
