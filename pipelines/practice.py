"""Practice sessions as plain logic: an adaptive drill and a timed, blueprint-weighted mock exam.

`PracticeSession` is what every front end drives (the terminal in app/practice_tui.py, the
web): it picks the next item, records an answer (through the ``save`` function it is
handed, which stores one response), draws a mock exam's form and sums a session up. It
keeps the learner's model (ability state, item difficulties, FSRS cards) current after
every answer, and takes the time of every event as an argument.

- Adaptive drill: before each item :func:`planner.selection.select_next` ranks the eligible
  items with the mastery as it now stands, so every answer steers the next pick. No item comes
  twice in a session, and an item answered before waits until its FSRS card is due.
- Mock exam: the form is drawn ahead, per domain in proportion to the blueprint counts, at
  the real pace (CMAS: 200 items in 120 minutes, scaled to the form's length). No feedback
  until the end; when time is up the exam ends and an answer given after the limit does not
  count. It ends with the predicted scaled score (:func:`pipelines.learners.learner_readiness`).

Every answer is saved the moment it is given, so a session that stops keeps what was
answered.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from fsrs import Card, Scheduler

from bank.models import Blueprint, Item, Response
from bank.store.protocols import LearnerStore
from pipelines.learners import learner_evidence, learner_readiness
from pipelines.practice_contenders import candidate, contenders
from planner.calibration import Calibration
from planner.mastery import (
    DomainMastery,
    MasteryState,
    domain_mastery,
    replay,
    update,
)
from planner.readiness import Readiness
from planner.selection import (
    ScoredItem,
    make_scheduler,
    rank_candidates,
    record_answer,
    select_next,
)

Save = Callable[[Response], None]

DEFAULT_COUNT = 10


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- what a session starts from -------------------------------------------------------------


@dataclass(frozen=True)
class LearnerModel:
    """Where a learner stands when a session starts.

    ``state`` replays the learner's stored answers with the same item difficulties as
    :func:`pipelines.learners.learner_mastery` (so its mastery is the one `learners show`
    prints), kept as a state so the session can fold in each new answer online.
    """

    state: MasteryState
    calibration: Calibration
    cards: Mapping[str, Card]

    def difficulty(self, item: Item) -> float:
        """An item's difficulty in the stored fit (its domain's, or typical, when unseen)."""
        return self.calibration.difficulty(item.id, item.domain)


def rebuild_cards(
    responses: Iterable[Response], scheduler: Scheduler | None = None
) -> dict[str, Card]:
    """The learner's FSRS cards, replaying every stored answer oldest first."""
    scheduler = scheduler or make_scheduler()
    cards: dict[str, Card] = {}
    for r in sorted(responses, key=lambda r: _utc(r.answered_at)):
        cards = record_answer(cards, r.item_id, r.correct, r.answered_at, scheduler)
    return cards


def load_learner_model(
    store: LearnerStore, learner_id: str, scheduler: Scheduler | None = None
) -> LearnerModel:
    """Read a learner's answers and the stored learner-model fit they are read with."""
    store.get_learner(learner_id)  # a clear NotFoundError for an unknown learner
    evidence = learner_evidence(store, learner_id)
    return LearnerModel(
        state=replay(evidence.responses, evidence.calibration, evidence.prior),
        calibration=evidence.calibration,
        cards=rebuild_cards(store.responses(learner_id), scheduler),
    )


def practice_pool(store: LearnerStore, domain: int | None = None) -> tuple[list[Item], str]:
    """Approved items (of the domain), else the ones pending review; and which status it is."""
    for status in ("approved", "pending_review"):
        items = store.find_items(domain=domain, statuses=[status])
        if items:
            return items, status
    return [], "approved"


# --- the mock exam's form --------------------------------------------------------------------


def _largest_remainder(weights: Mapping[int, int], size: int) -> dict[int, int]:
    """``size`` split in proportion to integer ``weights``, in exact integer arithmetic.

    Ties go to the heavier domain, then the lower number.
    """
    total = sum(weights.values())
    share = {d: w * size // total for d, w in weights.items()}
    left = size - sum(share.values())
    order = sorted(weights, key=lambda d: (-(weights[d] * size % total), -weights[d], d))
    for d in order[:left]:
        share[d] += 1
    return share


def exam_quotas(
    counts: Mapping[int, int], size: int, available: Mapping[int, int] | None = None
) -> dict[int, int]:
    """Items per domain on a form of ``size`` items, in proportion to the blueprint counts.

    A domain with fewer ``available`` items than its share gives the rest to the other
    domains, again in proportion; the form is shorter only when the whole pool is.
    """
    avail = {d: size for d in counts} if available is None else dict(available)
    quotas = dict.fromkeys(counts, 0)
    left = min(size, sum(avail.get(d, 0) for d in counts))
    while left > 0:
        open_ = {d: n for d, n in counts.items() if n > 0 and avail.get(d, 0) > quotas[d]}
        if not open_:
            break
        for d, k in _largest_remainder(open_, left).items():
            take = min(k, avail[d] - quotas[d])
            quotas[d] += take
            left -= take
    return quotas


def exam_seconds(size: int, blueprint: Blueprint) -> float:
    """Time allowed for ``size`` items at the exam's pace (CMAS: 120 minutes for 200)."""
    return size * blueprint.exam.minutes * 60.0 / blueprint.exam.form_length


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer given in a session: the item, the letter, right or not, when, how long."""

    item: Item
    chosen: str
    correct: bool
    answered_at: datetime
    seconds: float


@dataclass(frozen=True)
class DomainSummary:
    """A session's answers in one domain and the mastery before and after."""

    domain: int
    answered: int
    correct: int
    before: DomainMastery
    after: DomainMastery


@dataclass(frozen=True)
class SessionResult:
    """What a session did. ``planned`` is the length of the set (the exam form when timed)."""

    answers: tuple[Answer, ...]
    planned: int
    before: Mapping[int, DomainMastery]
    after: Mapping[int, DomainMastery]
    cards: Mapping[str, Card]
    timed: bool = False
    stopped: bool = False
    timed_out: bool = False
    late_answer: bool = False
    seconds_allowed: float | None = None
    readiness: Readiness | None = None
    exam_items: tuple[Item, ...] = ()

    @property
    def correct(self) -> int:
        """How many answers were right."""
        return sum(a.correct for a in self.answers)

    def by_domain(self) -> list[DomainSummary]:
        """The answers summed up per domain answered."""
        domains = sorted({a.item.domain for a in self.answers})
        return [
            DomainSummary(
                d,
                sum(a.item.domain == d for a in self.answers),
                sum(a.item.domain == d and a.correct for a in self.answers),
                self.before[d],
                self.after[d],
            )
            for d in domains
        ]


# --- the session -----------------------------------------------------------------------------


class PracticeSession:
    """One learner's sitting over a pool of items: picks, answers and results, no I/O.

    Args:
        learner_id: whose answers these are.
        blueprint: the exam's domains (weights, names) and pace.
        items: the pool to draw from (e.g. :func:`practice_pool`).
        model: the learner's model at the start (:func:`load_learner_model`).
        save: stores one answer at once (the caller decides how).
        domain: keep to this blueprint domain.
        scheduler: the FSRS scheduler (default :func:`planner.selection.make_scheduler`).
        rng: breaks ties between equally good items and shuffles the exam form.
    """

    def __init__(
        self,
        learner_id: str,
        blueprint: Blueprint,
        items: Sequence[Item],
        model: LearnerModel,
        *,
        save: Save,
        domain: int | None = None,
        scheduler: Scheduler | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.learner_id = learner_id
        self.blueprint = blueprint
        self.domain = domain
        counts = {d.number: d.count for d in blueprint.domains}
        self.counts = {domain: counts[domain]} if domain is not None else counts
        self.items = {it.id: it for it in items if it.domain in self.counts}
        self.model = model
        self.candidates = [
            candidate(it.id, it.domain, model.difficulty(it)) for it in self.items.values()
        ]
        self.save = save
        self.scheduler = scheduler or make_scheduler()
        self.rng = rng
        self._start_state = model.state
        self._state = model.state
        self._cards: dict[str, Card] = dict(model.cards)
        self._answers: list[Answer] = []

    @property
    def answers(self) -> tuple[Answer, ...]:
        """The answers recorded so far, in order."""
        return tuple(self._answers)

    def mastery(self) -> dict[int, DomainMastery]:
        """Mastery per domain as it stands after the answers so far."""
        return {d: domain_mastery(self._state, d) for d in self.blueprint.numbers}

    def domain_name(self, domain: int) -> str:
        """The blueprint name of a domain."""
        found = self.blueprint.domain(domain)
        return found.name if found else f"domain {domain}"

    def group_of(self, item_id: str) -> str:
        """An item's enemy group (itself alone when it has none)."""
        return self.items[item_id].enemy_group or f"item:{item_id}"

    def best_of_each_group(self, ranked: Sequence[str]) -> list[str]:
        """The ids in their order, keeping only the first of each enemy group."""
        seen: set[str] = set()
        out = []
        for item_id in ranked:
            group = self.group_of(item_id)
            if group not in seen:
                seen.add(group)
                out.append(item_id)
        return out

    def pick(self, now: datetime, session: Sequence[str]) -> ScoredItem | None:
        """The best next item for the drill, no item of `session` nor an enemy of one.

        `session` holds the items shown so far; an enemy (an item of the same fact or item
        model) would give its answer away.
        """
        used = {self.group_of(i) for i in session if i in self.items}
        blocked = [i for i in self.items if self.group_of(i) in used]
        excluded = frozenset([*session, *blocked])  # looked up per candidate: a set
        candidates, rng = contenders(
            self.candidates, self._cards, self.counts, excluded, now, self.rng
        )
        return select_next(
            candidates,
            self.mastery(),
            self.counts,
            now,
            self._cards,
            excluded,
            self.scheduler,
            rng=rng,
        )

    def record(self, item: Item, letter: str, shown: datetime, answered: datetime) -> Answer:
        """Save one answer and fold it into the mastery and the item's FSRS card."""
        correct = letter == item.answer
        seconds = max(0.0, (answered - shown).total_seconds())
        self.save(
            Response(
                learner_id=self.learner_id,
                item_id=item.id,
                answered_at=answered,
                correct=correct,
                chosen=letter,  # type: ignore[arg-type]
                seconds=round(seconds, 3),
            )
        )
        self._state = update(
            self._state, item.domain, self.model.difficulty(item), correct, item.id
        )
        self._cards = record_answer(self._cards, item.id, correct, answered, self.scheduler)
        answer = Answer(item, letter, correct, answered, seconds)
        self._answers.append(answer)
        return answer

    def next_due(self) -> datetime | None:
        """When the first item of the pool answered before is due again."""
        dues = [self._cards[i].due for i in self.items if i in self._cards]
        return min(dues) if dues else None

    def draw_form(self, size: int, now: datetime) -> list[Item]:
        """The exam form: per domain its blueprint share of ``size``, then shuffled.

        The best-ranked eligible items come first (the drill's ranking and exposure
        control), and the form holds at most one item of an enemy group.
        """
        mastery = self.mastery()
        ranked: dict[int, list[str]] = {}
        for d in self.counts:
            pool = [c for c in self.candidates if c.domain == d]
            scored = rank_candidates(
                pool, mastery, self.counts, now, self._cards, (), self.scheduler, rng=self.rng
            )
            ranked[d] = self.best_of_each_group([s.item_id for s in scored])
        quotas = exam_quotas(self.counts, size, {d: len(ids) for d, ids in ranked.items()})
        used: set[str] = set()
        form: list[Item] = []
        for d, k in quotas.items():
            taken = 0
            for item_id in ranked[d]:
                if taken == k:
                    break
                if self.group_of(item_id) not in used:
                    used.add(self.group_of(item_id))
                    form.append(self.items[item_id])
                    taken += 1
        (self.rng or random.Random(0)).shuffle(form)
        return form

    def result(self, planned: int) -> SessionResult:
        """The session so far: answers, mastery before and after, the cards."""
        before = {d: domain_mastery(self._start_state, d) for d in self.blueprint.numbers}
        return SessionResult(
            answers=tuple(self._answers),
            planned=planned,
            before=before,
            after=self.mastery(),
            cards=dict(self._cards),
        )

    def exam_result(
        self,
        form: Sequence[Item],
        *,
        stopped: bool = False,
        timed_out: bool = False,
        late_answer: bool = False,
    ) -> SessionResult:
        """A mock exam's result with the predicted scaled score after it."""
        result = replace(
            self.result(len(form)),
            timed=True,
            stopped=stopped,
            timed_out=timed_out,
            late_answer=late_answer,
            seconds_allowed=exam_seconds(len(form), self.blueprint) if form else None,
            exam_items=tuple(form),
        )
        return replace(result, readiness=learner_readiness(dict(result.after), self.blueprint))
