"""Practice sessions in the terminal: an adaptive drill and a timed, blueprint-weighted mock exam.

The session is plain logic over what it is handed: the items, the learner's model (ability
state, item difficulties, FSRS cards), a clock, an input function, a Rich console and a
``save`` function that stores one answer. The CLI passes the real ones (and opens the bank
only for each write: DuckDB locks the file); tests pass a fake clock and scripted input.

- Adaptive drill: before each item :func:`planner.selection.select_next` ranks the eligible
  items with the mastery as it now stands, so every answer steers the next pick. No item comes
  twice in a session, and an item answered before waits until its FSRS card is due.
- Mock exam: the form is drawn ahead, per domain in proportion to the blueprint counts, at
  the real pace (CMAS: 200 items in 120 minutes, scaled to the form's length). No feedback
  until the end; when time is up the exam ends and an answer given after the limit does not
  count. It ends with the predicted scaled score (:func:`pipelines.learners.learner_readiness`).

Every answer is saved the moment it is given, so quitting (``q``, end of input, Ctrl-C) keeps
what was answered.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Card, Scheduler

from bank.models import LETTERS, Blueprint, Item, Response
from pipelines.learners import learner_evidence, learner_readiness
from planner.mastery import (
    DomainMastery,
    MasteryState,
    domain_mastery,
    replay,
    update,
)
from planner.readiness import Readiness
from planner.selection import Candidate, make_scheduler, rank_candidates, record_answer, select_next

if TYPE_CHECKING:
    from rich.console import Console

    from bank.store import Store

Clock = Callable[[], datetime]
Ask = Callable[[str], str]
Save = Callable[[Response], None]

DEFAULT_COUNT = 10
QUIT = "Q"


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
    difficulties: Mapping[str, float]
    cards: Mapping[str, Card]


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
    store: Store, learner_id: str, scheduler: Scheduler | None = None
) -> LearnerModel:
    """Read a learner's answers (and, with enough learners, everyone's for calibration)."""
    store.get_learner(learner_id)  # a clear NotFoundError for an unknown learner
    mine, difficulties = learner_evidence(store, learner_id)
    return LearnerModel(
        state=replay(mine, difficulties),
        difficulties=difficulties,
        cards=rebuild_cards(store.responses(learner_id), scheduler),
    )


def practice_pool(store: Store, domain: int | None = None) -> tuple[list[Item], str]:
    """Approved items (of the domain), else the ones pending review; and which status it is."""
    for status in ("approved", "pending_review"):
        items = store.find_items(domain=domain, statuses=[status])
        if items:
            return items, status
    return [], "approved"


# --- the mock exam's form --------------------------------------------------------------------


def _largest_remainder(weights: Mapping[int, int], size: int) -> dict[int, int]:
    """``size`` split in proportion to integer ``weights``; exact integer arithmetic, ties to
    the heavier domain, then the lower number."""
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
    item: Item
    chosen: str
    correct: bool
    answered_at: datetime
    seconds: float


@dataclass(frozen=True)
class DomainSummary:
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
        return sum(a.correct for a in self.answers)

    def by_domain(self) -> list[DomainSummary]:
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


class _Stop(Exception):
    """The learner asked to stop (q, end of input or Ctrl-C)."""


class PracticeSession:
    """One learner's sitting over a pool of items.

    Args:
        learner_id: whose answers these are.
        blueprint: the exam's domains (weights, names) and pace.
        items: the pool to draw from (e.g. :func:`practice_pool`).
        model: the learner's model at the start (:func:`load_learner_model`).
        clock: returns the current time; an item's seconds run from showing it to the answer.
        ask: shows a prompt and returns the typed line (raises EOFError at end of input).
        out: a Rich console for everything shown.
        save: stores one answer at once (the CLI opens the bank for each call).
        domain: keep to this blueprint domain.
        rng: breaks ties between equally good items and shuffles the exam form.
    """

    def __init__(
        self,
        learner_id: str,
        blueprint: Blueprint,
        items: Sequence[Item],
        model: LearnerModel,
        *,
        clock: Clock,
        ask: Ask,
        out: Console,
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
        self.difficulties = model.difficulties
        self.candidates = [
            Candidate(it.id, it.domain, float(self.difficulties.get(it.id, 0.0)))
            for it in self.items.values()
        ]
        self.clock, self.ask, self.out, self.save = clock, ask, out, save
        self.scheduler = scheduler or make_scheduler()
        self.rng = rng
        self._start_state = model.state
        self._state = model.state
        self._cards: dict[str, Card] = dict(model.cards)
        self._answers: list[Answer] = []

    # -- shared steps --
    def mastery(self) -> dict[int, DomainMastery]:
        return {d: domain_mastery(self._state, d) for d in self.blueprint.numbers}

    def _name(self, domain: int) -> str:
        found = self.blueprint.domain(domain)
        return found.name if found else f"domain {domain}"

    def _show(self, item: Item, title: str) -> None:
        from rich.panel import Panel
        from rich.text import Text

        body = Text(item.stem + "\n\n", style="bold")
        for letter, option in zip(LETTERS, item.options, strict=True):
            body.append(f"  {letter}. ", style="bold cyan")
            body.append(option + "\n")
        self.out.print(Panel(body, title=title, title_align="left"))

    def _read_letter(self, prompt: Callable[[], str]) -> str:
        """A letter A-D, asking again on anything else; raises _Stop on q or end of input."""
        from rich.markup import escape

        while True:
            try:
                raw = self.ask(prompt())
            except (EOFError, KeyboardInterrupt) as exc:
                raise _Stop from exc
            text = raw.strip().upper()
            if text == QUIT:
                raise _Stop
            if text in LETTERS:
                return text
            self.out.print(
                f"[yellow]{escape(repr(raw.strip()))} is not an answer:[/] "
                "type A, B, C or D (q to stop).",
                highlight=False,
            )

    def _record(self, item: Item, letter: str, shown: datetime, answered: datetime) -> Answer:
        correct = letter == item.answer
        seconds = max(0.0, (answered - shown).total_seconds())
        self.save(
            Response(
                learner_id=self.learner_id,
                item_id=item.id,
                answered_at=answered,
                correct=correct,
                chosen=letter,
                seconds=round(seconds, 3),
            )
        )
        difficulty = float(self.difficulties.get(item.id, 0.0))
        self._state = update(self._state, item.domain, difficulty, correct)
        self._cards = record_answer(self._cards, item.id, correct, answered, self.scheduler)
        answer = Answer(item, letter, correct, answered, seconds)
        self._answers.append(answer)
        return answer

    def _feedback(self, answer: Answer) -> None:
        from rich.markup import escape

        item = answer.item
        if answer.correct:
            self.out.print(f"[green]✔ Right:[/] {item.answer}.", highlight=False)
        else:
            self.out.print(
                f"[red]✘ Not quite:[/] you chose {answer.chosen}; the answer is "
                f"{item.answer}. {escape(item.key_text)}",
                highlight=False,
            )
        why = item.rationale or "No rationale recorded for this item."
        self.out.print(why, style="dim", markup=False, highlight=False)
        self.out.print()

    def _result(self, planned: int) -> SessionResult:
        before = {d: domain_mastery(self._start_state, d) for d in self.blueprint.numbers}
        return SessionResult(
            answers=tuple(self._answers),
            planned=planned,
            before=before,
            after=self.mastery(),
            cards=dict(self._cards),
        )

    def _next_due(self) -> datetime | None:
        dues = [self._cards[i].due for i in self.items if i in self._cards]
        return min(dues) if dues else None

    # -- adaptive drill --
    def adaptive(self, count: int = DEFAULT_COUNT) -> SessionResult:
        """Up to ``count`` items, each picked with the mastery as it stands, with feedback."""
        stopped = False
        session: list[str] = []
        for number in range(1, count + 1):
            pick = select_next(
                self.candidates,
                self.mastery(),
                self.counts,
                self.clock(),
                self._cards,
                session,
                self.scheduler,
                rng=self.rng,
            )
            if pick is None:
                self._nothing_left(bool(session))
                break
            item = self.items[pick.item_id]
            session.append(item.id)
            review = " · review" if pick.review else ""
            self._show(item, f"{number}/{count} · {item.domain}. {self._name(item.domain)}{review}")
            shown = self.clock()
            try:
                letter = self._read_letter(lambda: "Your answer (A-D, q to stop): ")
            except _Stop:
                stopped = True
                break
            self._feedback(self._record(item, letter, shown, self.clock()))
        return replace(self._result(count), stopped=stopped)

    def _nothing_left(self, some: bool) -> None:
        due = self._next_due()
        when = f" The next is due {due:%Y-%m-%d %H:%M} UTC." if due else ""
        head = "No more items" if some else "Nothing to practise now"
        self.out.print(
            f"[yellow]{head}:[/] the others were answered recently and are not due yet.{when}",
            highlight=False,
        )

    # -- mock exam --
    def draw_form(self, size: int) -> list[Item]:
        """The exam form: per domain its blueprint share of ``size``, best-ranked eligible
        items first (same ranking and exposure control as the drill), then shuffled."""
        now = self.clock()
        mastery = self.mastery()
        ranked: dict[int, list[str]] = {}
        for d in self.counts:
            pool = [c for c in self.candidates if c.domain == d]
            scored = rank_candidates(
                pool, mastery, self.counts, now, self._cards, (), self.scheduler, rng=self.rng
            )
            ranked[d] = [s.item_id for s in scored]
        quotas = exam_quotas(self.counts, size, {d: len(ids) for d, ids in ranked.items()})
        form = [self.items[i] for d, k in quotas.items() for i in ranked[d][:k]]
        (self.rng or random.Random(0)).shuffle(form)
        return form

    def mock_exam(self, size: int | None = None) -> SessionResult:
        """A timed form: no feedback per item, ends at time up, predicts the scaled score."""
        wanted = size or self.blueprint.exam.form_length
        form = self.draw_form(wanted)
        if not form:
            self._nothing_left(False)
            return replace(self._result(0), timed=True)
        allowed = exam_seconds(len(form), self.blueprint)
        short = (
            f" (the pool has only {len(form)} eligible items, not {wanted})"
            if len(form) < wanted
            else ""
        )
        self.out.print(
            f"[bold]Mock exam:[/] {len(form)} items in {_clock_text(allowed)}{short}, at the "
            f"exam's pace of {self.blueprint.exam.form_length} items in "
            f"{self.blueprint.exam.minutes} minutes. Results at the end; q stops early.",
            highlight=False,
        )
        start = self.clock()
        deadline = start + timedelta(seconds=allowed)
        stopped = timed_out = late = False
        for number, item in enumerate(form, start=1):
            shown = self.clock()
            if shown >= deadline:
                timed_out = True
                break
            self._show(item, f"{number}/{len(form)} · ⏱ {_left(deadline, shown)} left")
            try:
                letter = self._read_letter(
                    lambda: f"Answer (A-D, q to stop; {_left(deadline, self.clock())} left): "
                )
            except _Stop:
                stopped = True
                break
            answered = self.clock()
            if answered > deadline:
                timed_out = late = True
                break
            self._record(item, letter, shown, answered)
        if timed_out:
            note = " Your last answer came after the limit and does not count." if late else ""
            self.out.print(f"[bold red]Time is up.[/]{note}")
        result = replace(
            self._result(len(form)),
            timed=True,
            stopped=stopped,
            timed_out=timed_out,
            late_answer=late,
            seconds_allowed=allowed,
            exam_items=tuple(form),
        )
        return replace(result, readiness=learner_readiness(dict(result.after), self.blueprint))


def _clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    if whole >= 3600:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 60} min {whole % 60:02d} s" if whole % 60 else f"{whole // 60} minutes"


def _left(deadline: datetime, now: datetime) -> str:
    whole = max(0, int((deadline - now).total_seconds()))
    return f"{whole // 60:02d}:{whole % 60:02d}"


# --- the end of a session --------------------------------------------------------------------


def _pct(m: DomainMastery) -> str:
    return "unknown" if m.unknown else f"{m.mastery:.0%}"


def render_summary(result: SessionResult, blueprint: Blueprint, out: Console) -> None:
    """Per-domain summary (answered, right, mastery before → after); for a mock exam also
    the answers with rationales and the predicted scaled score."""
    from rich.table import Table

    from planner.readiness import SCALING_ASSUMPTION

    n, right = len(result.answers), result.correct
    if result.timed:
        _exam_feedback(result, out)
        unanswered = result.planned - n
        tail = f"; {unanswered} unanswered count as wrong" if unanswered else ""
        out.print(
            f"[bold]Mock exam score:[/] {right} of {result.planned} right"
            f" ({right / result.planned:.0%}){tail}."
            if result.planned
            else "[bold]No exam taken.[/]",
            highlight=False,
        )
    elif result.stopped:
        out.print(f"Stopped. {n} answer{'s' if n != 1 else ''} saved.", highlight=False)
    if n:
        table = Table(title=f"This session: {right} of {n} right")
        for column in ("#", "domain", "answered", "right", "mastery before → after"):
            table.add_column(column)
        for s in result.by_domain():
            found = blueprint.domain(s.domain)
            moved = s.after.mastery - s.before.mastery
            arrow = "↑" if moved > 0 else "↓" if moved < 0 else "="
            table.add_row(
                str(s.domain),
                found.name if found else "",
                str(s.answered),
                str(s.correct),
                f"{_pct(s.before)} → {_pct(s.after)} {arrow}",
            )
        out.print(table)
    if result.readiness is not None:
        r = result.readiness
        out.print(
            f"[bold]Predicted scaled score[/] {r.expected_score:.0f} "
            f"({r.lo:.0f}–{r.hi:.0f}, {r.level:.0%} interval), chance of passing "
            f"({r.passing_score:.0f}) {r.p_pass:.0%}.",
            highlight=False,
        )
        out.print(f"Note: {SCALING_ASSUMPTION}", style="dim", highlight=False)


def _exam_feedback(result: SessionResult, out: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    if not result.answers:
        return
    table = Table(title="Your answers")
    for column in ("#", "domain", "you", "key", "", "why"):
        table.add_column(column)
    for number, a in enumerate(result.answers, start=1):
        table.add_row(
            str(number),
            str(a.item.domain),
            a.chosen,
            a.item.answer,
            "[green]✔[/]" if a.correct else "[red]✘[/]",
            "" if a.correct else escape(a.item.rationale or ""),
        )
    out.print(table)
