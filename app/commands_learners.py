"""Learner commands: learners add/show, responses import, and `plan` (plan-format.md)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from app.common import (
    EXIT_USAGE,
    BlueprintOpt,
    DbOpt,
    JsonOpt,
    bank,
    console,
    fail,
    handle_errors,
    print_json,
    resolve_blueprint,
)

learners_app = typer.Typer(
    help="Learners: add them, see their mastery and readiness.", no_args_is_help=True
)
responses_app = typer.Typer(help="Learners' answers to items.", no_args_is_help=True)

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} {value!r} is not a date (YYYY-MM-DD)", EXIT_USAGE) from exc


def _today() -> date:
    return datetime.now(UTC).date()


@learners_app.command("add")
@handle_errors
def add(
    learner_id: Annotated[str, typer.Argument(help="Learner id.")],
    exam_date: Annotated[str | None, typer.Option("--exam-date", help="YYYY-MM-DD")] = None,
    hours_per_week: Annotated[
        float | None, typer.Option("--hours-per-week", help="Study hours a week.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Add a learner to the bank.

    Example: cmasprep learners add ana --exam-date 2027-02-15 --hours-per-week 8
    """
    from bank.models import Learner

    exam = _date(exam_date, "--exam-date") if exam_date else None
    if hours_per_week is not None and not 0 < hours_per_week <= 100:
        raise fail("--hours-per-week must be more than 0 and at most 100", EXIT_USAGE)
    with bank(db).write() as store:
        store.add_learner(Learner(id=learner_id, exam_date=exam, hours_per_week=hours_per_week))
    typer.echo(f"Added learner {learner_id}.")


@learners_app.command("show")
@handle_errors
def show(
    learner_id: Annotated[str, typer.Argument(help="Learner id.")],
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mastery per domain with intervals, readiness (predicted scaled score, pass chance), answers.

    Readiness assumes a raw-to-scaled conversion AMT does not publish: see the output's note.

    Example: cmasprep learners show ana --json
    """
    from rich.table import Table

    from pipelines.learners import learner_mastery, learner_readiness
    from planner.readiness import SCALING_ASSUMPTION

    with bank(db).read() as store:
        bp = resolve_blueprint(blueprint, store)
        learner = store.get_learner(learner_id)
        mastery = learner_mastery(store, learner_id, bp)
        answered = len(store.responses(learner_id))
    ready = learner_readiness(mastery, bp)
    record = {
        "learner": learner.id,
        "exam_date": learner.exam_date,
        "answered": answered,
        "mastery": {
            str(d): {
                "mastery": round(m.mastery, 3),
                "lo": round(m.lo, 3),
                "hi": round(m.hi, 3),
                "answers": m.n,
                "unknown": m.unknown,
            }
            for d, m in mastery.items()
        },
        "readiness": {
            "expected_scaled_score": round(ready.expected_score, 1),
            "lo": round(ready.lo, 1),
            "hi": round(ready.hi, 1),
            "pass_probability": round(ready.p_pass, 3),
        },
        "weakest": [
            d
            for d, _ in sorted(
                ((d, m.mastery) for d, m in mastery.items() if not m.unknown), key=lambda p: p[1]
            )[:3]
        ],
        "assumption": SCALING_ASSUMPTION,
    }
    if json_out:
        print_json(record)
        return
    table = Table(title=f"{learner.id}: {answered} answers, exam {learner.exam_date or 'not set'}")
    for column in ("#", "domain", "mastery", "80% interval", "answers"):
        table.add_column(column)
    for d in bp.domains:
        m = mastery[d.number]
        table.add_row(
            str(d.number),
            d.name,
            "unknown (prior)" if m.unknown else f"{m.mastery:.0%}",
            f"{m.lo:.0%}–{m.hi:.0%}",
            str(m.n),
        )
    out = console()
    out.print(table)
    out.print(
        f"Predicted scaled score {ready.expected_score:.0f} ({ready.lo:.0f}–{ready.hi:.0f}), "
        f"chance of passing {ready.p_pass:.0%}.",
        highlight=False,
    )
    out.print(f"Note: {SCALING_ASSUMPTION}", style="dim", highlight=False)


@responses_app.command("import")
@handle_errors
def import_responses(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or JSONL: learner, item, correct or chosen, answered_at, seconds."
        ),
    ],
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import answers; bad rows are reported by line and the good rows kept.

    Example: cmasprep responses import answers.csv
    """
    from pipelines.learners import import_responses as run_import

    if not file.is_file():
        raise fail(f"{file}: no such file", EXIT_USAGE)
    with bank(db).write() as store:
        report = run_import(store, file)
    if json_out:
        print_json(
            {
                "read": report.read,
                "saved": report.saved,
                "skipped": [
                    {"line": p.line, "field": p.field, "error": p.message} for p in report.skipped
                ],
            }
        )
    else:
        for p in report.skipped:
            typer.echo(f"skipped {p}", err=True)
        typer.echo(
            f"{report.read} rows, {report.saved} answers saved, {len(report.skipped)} skipped."
        )
    if report.skipped:
        raise typer.Exit(1)


def _hours(spec: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for part in spec.split(","):
        day, _, value = part.partition("=")
        if day.strip().lower()[:3] not in WEEKDAYS:
            raise fail(f"--hours {part!r}: use mon=1,tue=1.5,...", EXIT_USAGE)
        try:
            out[WEEKDAYS[day.strip().lower()[:3]]] = float(value)
        except ValueError as exc:
            raise fail(f"--hours {part!r}: {value!r} is not a number", EXIT_USAGE) from exc
    return out


@handle_errors
def plan(
    learner: Annotated[
        str,
        typer.Option(
            "--learner", help="Learner id (created when --exam-date and hours are given)."
        ),
    ],
    exam_date: Annotated[str | None, typer.Option("--exam-date", help="YYYY-MM-DD")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="YYYY-MM-DD [default: today]")
    ] = None,
    hours_per_week: Annotated[float | None, typer.Option("--hours-per-week")] = None,
    hours: Annotated[
        str | None, typer.Option("--hours", help='Per weekday, e.g. "mon=1,tue=1.5,sat=3".')
    ] = None,
    mastery: Annotated[
        str | None,
        typer.Option("--mastery", help='Self-assessment, e.g. \'{"1": 0.62, "4": 0.4}\'.'),
    ] = None,
    blackout: Annotated[
        list[str], typer.Option("--blackout", help="A date with no study (repeatable).")
    ] = [],  # noqa: B006
    at: Annotated[
        str, typer.Option("--at", help="Preferred start time of study blocks, HH:MM.")
    ] = "18:00",
    json_out: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write an iCalendar file.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report.")
    ] = None,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
) -> None:
    """A personal week-by-week study plan to the exam date (../shared/spec/plan-format.md).

    Example: cmasprep plan --learner ana --exam-date 2027-01-26 --hours-per-week 8 --ics ana.ics
    """
    from bank.errors import NotFoundError
    from bank.models import Learner
    from pipelines.learners import plan_for
    from planner.plan import PlanInputError

    if hours_per_week is not None and hours is not None:
        raise fail("give --hours-per-week or --hours, not both", EXIT_USAGE)
    by_day = _hours(hours) if hours else None
    exam = _date(exam_date, "--exam-date") if exam_date else None
    first = _date(start, "--start") if start else None
    blackouts = [_date(b, "--blackout") for b in blackout]
    try:
        preferred = time.fromisoformat(at)
    except ValueError as exc:
        raise fail(f"--at {at!r} is not HH:MM", EXIT_USAGE) from exc
    self_mastery = None
    if mastery:
        try:
            raw = json.loads(mastery)
            self_mastery = {int(k): float(v) for k, v in raw.items()}
        except (json.JSONDecodeError, ValueError, AttributeError, TypeError) as exc:
            raise fail(
                f"--mastery is not a JSON object of domain: 0-1 values ({exc})", EXIT_USAGE
            ) from exc
        bad = [f"{d}={v:g}" for d, v in self_mastery.items() if not 0 <= v <= 1]
        if bad:
            raise fail(f"--mastery values must be between 0 and 1: {', '.join(bad)}", EXIT_USAGE)
    with bank(db).write() as store:
        bp = resolve_blueprint(blueprint, store)
        unknown = sorted(set(self_mastery or {}) - set(bp.numbers))
        if unknown:
            raise fail(
                f"--mastery: unknown domain {', '.join(map(str, unknown))}; {bp.id} has "
                + ", ".join(map(str, bp.numbers)),
                EXIT_USAGE,
            )
        try:
            known = store.get_learner(learner)
        except NotFoundError:
            if exam is None or (hours_per_week is None and by_day is None):
                raise fail(
                    f"no learner {learner!r}: give --exam-date and --hours-per-week (or --hours) "
                    "to create one",
                    EXIT_USAGE,
                ) from None
            known = Learner(id=learner, exam_date=exam, hours_per_week=hours_per_week)
            store.add_learner(known)
        week_hours = (
            hours_per_week
            if hours_per_week is not None
            else (None if by_day else known.hours_per_week)
        )
        if exam is None and known.exam_date is None:
            raise fail("no exam date: give --exam-date", EXIT_USAGE)
        if week_hours is None and by_day is None:
            raise fail("no hours: give --hours-per-week or --hours", EXIT_USAGE)
        try:
            result = plan_for(
                store,
                learner,
                bp,
                today=_today(),
                exam_date=exam,
                start=first,
                hours_per_week=week_hours,
                hours_by_weekday=by_day,
                self_mastery=self_mastery,
                blackout=blackouts,
                preferred_time=preferred,
            )
        except PlanInputError as exc:
            raise fail(str(exc), EXIT_USAGE) from exc
        if exam and exam != known.exam_date:
            store.update_learner(known.model_copy(update={"exam_date": exam}))
    from app.terminal import emit_plan

    emit_plan(result, bp, preferred, json_out=json_out, markdown=markdown, ics=ics, html=html)
