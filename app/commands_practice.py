"""`cmasprep practice`: an adaptive practice session or a timed mock exam in the terminal."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.common import (
    EXIT_BUSY,
    EXIT_DATA,
    EXIT_USAGE,
    BlueprintOpt,
    DbOpt,
    DomainOpt,
    bank,
    console,
    fail,
    handle_errors,
    resolve_blueprint,
)

if TYPE_CHECKING:
    from bank.models import Response


def _now() -> datetime:
    return datetime.now(UTC)


class _BankWriter:
    """Saves each answer at once, opening the bank only for the write (DuckDB locks the file).

    When another process holds the bank for longer than the lock wait, the answer is kept
    and written with the next one, so a busy moment loses nothing.
    """

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self.pending: list[Response] = []

    def __call__(self, response: Response) -> None:
        self.pending.append(response)
        self.flush(quiet=True)

    def flush(self, quiet: bool = False) -> bool:
        from bank.errors import BankBusyError

        if not self.pending:
            return True
        try:
            with bank(self.db).write() as store:
                store.save_responses(self.pending)
        except BankBusyError:
            if not quiet:
                raise
            return False
        self.pending = []
        return True


@handle_errors
def practice(
    learner: Annotated[str, typer.Option("--learner", help="Learner id.")],
    count: Annotated[
        int | None,
        typer.Option(
            "--count",
            "-n",
            min=1,
            help="Items in the session (default 10; with --timed the full form, 200).",
            show_default=False,
        ),
    ] = None,
    domain: DomainOpt = None,
    timed: Annotated[
        bool,
        typer.Option(
            "--timed",
            help="Mock exam: blueprint-weighted, at the exam's pace (200 items in 120 "
            "minutes, scaled to --count); results and predicted score at the end.",
        ),
    ] = False,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
) -> None:
    """Practise in the terminal: items picked for you, answered A-D, saved as you go.

    Items come where they help most: heavy blueprint domains, weak domains, your level.

    No repeats in a session; items answered recently wait until due (missed ones return first).

    After each answer: right or not, and why. At the end: mastery per domain, before and after.

    Type q to stop early: every answer given so far is already saved.

    --timed: a mock exam, items per domain as in the blueprint, at the real pace (200 in 120 min).

    A timed set of 10 gets 6 minutes; feedback and a predicted scaled score come at the end.

    The scaled score assumes a conversion AMT does not publish: see the note printed with it.

    Uses approved items; while a bank has none, items pending review (and says so).

    Example: cmasprep practice --learner ana --count 10
    """
    from app.practice_tui import TerminalPractice, render_summary
    from pipelines.practice import DEFAULT_COUNT, load_learner_model, practice_pool

    with bank(db).read() as store:
        bp = resolve_blueprint(blueprint, store)
        if domain is not None and bp.domain(domain) is None:
            raise fail(f"--domain {domain}: the blueprint has domains {bp.numbers}", EXIT_USAGE)
        model = load_learner_model(store, learner)
        items, status = practice_pool(store, domain)
    where = f" in domain {domain}" if domain is not None else ""
    if not items:
        raise fail(f"no approved or pending-review items{where} to practise on", EXIT_DATA)
    out = console()
    if status != "approved":
        out.print(
            f"[yellow]No approved items{where} yet:[/] practising on {len(items)} items "
            "pending review (not yet checked by a reviewer).",
            highlight=False,
        )
    writer = _BankWriter(db)
    session = TerminalPractice(
        learner,
        bp,
        items,
        model,
        clock=_now,
        ask=out.input,
        out=out,
        save=writer,
        domain=domain,
        rng=random.Random(),
    )
    result = session.mock_exam(count) if timed else session.adaptive(count or DEFAULT_COUNT)
    if not writer.flush(quiet=True):
        raise fail(
            f"the bank is busy: {len(writer.pending)} answer(s) could not be saved", EXIT_BUSY
        )
    render_summary(result, bp, out)
