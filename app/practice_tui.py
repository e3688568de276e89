"""Practice in the terminal: the drill and the mock exam of pipelines.practice, on a console.

`TerminalPractice` drives a `PracticeSession` with a clock, an input function and a Rich
console. The CLI passes the real ones (and a `save` that opens the bank only for each
write: DuckDB locks the file); tests pass a fake clock and scripted input. Quitting
(``q``, end of input, Ctrl-C) keeps every answer given so far.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bank.models import LETTERS, Blueprint, Item
from pipelines.practice import (
    DEFAULT_COUNT,
    Answer,
    LearnerModel,
    PracticeSession,
    Save,
    SessionResult,
    exam_seconds,
)
from planner.mastery import DomainMastery

if TYPE_CHECKING:
    from fsrs import Scheduler
    from rich.console import Console

Clock = Callable[[], datetime]
Ask = Callable[[str], str]
QUIT = "Q"


class _Stop(Exception):
    """The learner asked to stop (q, end of input or Ctrl-C)."""


class TerminalPractice:
    """A practice session at a terminal (the arguments of `PracticeSession`, plus I/O).

    Args:
        clock: returns the current time; an item's seconds run from showing it to the answer.
        ask: shows a prompt and returns the typed line (raises EOFError at end of input).
        out: a Rich console for everything shown.
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
        self.session = PracticeSession(
            learner_id, blueprint, items, model, save=save, domain=domain,
            scheduler=scheduler, rng=rng,
        )  # fmt: skip
        self.blueprint = blueprint
        self.clock, self.ask, self.out = clock, ask, out

    def mastery(self) -> dict[int, DomainMastery]:
        """Mastery per domain as it stands (the session's)."""
        return self.session.mastery()

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

    def _nothing_left(self, some: bool) -> None:
        due = self.session.next_due()
        when = f" The next is due {due:%Y-%m-%d %H:%M} UTC." if due else ""
        head = "No more items" if some else "Nothing to practise now"
        self.out.print(
            f"[yellow]{head}:[/] the others were answered recently and are not due yet.{when}",
            highlight=False,
        )

    def adaptive(self, count: int = DEFAULT_COUNT) -> SessionResult:
        """Up to ``count`` items, each picked with the mastery as it stands, with feedback."""
        stopped = False
        shown_ids: list[str] = []
        for number in range(1, count + 1):
            pick = self.session.pick(self.clock(), shown_ids)
            if pick is None:
                self._nothing_left(bool(shown_ids))
                break
            item = self.session.items[pick.item_id]
            shown_ids.append(item.id)
            review = " · review" if pick.review else ""
            name = self.session.domain_name(item.domain)
            self._show(item, f"{number}/{count} · {item.domain}. {name}{review}")
            shown = self.clock()
            try:
                letter = self._read_letter(lambda: "Your answer (A-D, q to stop): ")
            except _Stop:
                stopped = True
                break
            self._feedback(self.session.record(item, letter, shown, self.clock()))
        return replace(self.session.result(count), stopped=stopped)

    def mock_exam(self, size: int | None = None) -> SessionResult:
        """A timed form: no feedback per item, ends at time up, predicts the scaled score."""
        wanted = size or self.blueprint.exam.form_length
        form = self.session.draw_form(wanted, self.clock())
        if not form:
            self._nothing_left(False)
            return replace(self.session.result(0), timed=True)
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
        deadline = self.clock() + timedelta(seconds=allowed)
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
            self.session.record(item, letter, shown, answered)
        if timed_out:
            note = " Your last answer came after the limit and does not count." if late else ""
            self.out.print(f"[bold red]Time is up.[/]{note}")
        return self.session.exam_result(
            form, stopped=stopped, timed_out=timed_out, late_answer=late
        )


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
    """Print the session's summary per domain: answered, right, mastery before and after.

    For a mock exam, also the answers with rationales and the predicted scaled score.
    """
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
            f"({r.passing_score:.0f}) {r.pass_chance()}.",
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
