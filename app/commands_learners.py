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
        f"chance of passing {ready.pass_chance()}.",
        highlight=False,
    )
    out.print(f"Note: {SCALING_ASSUMPTION}", style="dim", highlight=False)


@learners_app.command("fit")
@handle_errors
def fit(
    db: DbOpt = None,
    min_learners: Annotated[
        int, typer.Option("--min-learners", help="Fit only with at least this many learners.")
    ] = 20,
    json_out: JsonOpt = False,
) -> None:
    """Fit item difficulties and the learner prior on every stored answer.

    The nightly flow does this too; mastery, readiness, practice and plans read the fit.

    Example: cmasprep learners fit
    """
    from pipelines.learners import refit_learner_model

    with bank(db).write() as store:
        report = refit_learner_model(store, datetime.now(UTC), min_learners)
    record = {
        "refitted": report.stored,
        "learners": report.learners,
        "responses": report.responses,
        "holdout_auc": report.holdout_auc,
        "reason": report.reason,
    }
    if json_out:
        print_json(record)
        return
    if report.stored:
        typer.echo(
            f"Fitted on {report.responses} answers of {report.learners} learners; next-answer "
            f"AUC on held-out learners {report.holdout_auc:.3f}."
        )
    else:
        typer.echo(f"Not refitted: {report.reason} ({report.learners} learners).")


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


def system_zone() -> str:
    """This machine's IANA time zone: $TZ, else /etc/localtime's link, else UTC."""
    import os
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.path.realpath("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
                return name
            except (KeyError, ValueError, OSError):
                continue
    return "UTC"


def _self_mastery(mastery: str) -> dict[int, float]:
    try:
        raw = json.loads(mastery)
        values = {int(k): float(v) for k, v in raw.items()}
    except (json.JSONDecodeError, ValueError, AttributeError, TypeError) as exc:
        raise fail(
            f"--mastery is not a JSON object of domain: 0-1 values ({exc})", EXIT_USAGE
        ) from exc
    bad = [f"{d}={v:g}" for d, v in values.items() if not 0 <= v <= 1]
    if bad:
        raise fail(f"--mastery values must be between 0 and 1: {', '.join(bad)}", EXIT_USAGE)
    return values


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
        str | None, typer.Option("--start", help="Re-plan from this date, YYYY-MM-DD.")
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
        list[str], typer.Option("--blackout", help="A date with no study (repeatable; added).")
    ] = [],  # noqa: B006
    clear_blackouts: Annotated[
        bool, typer.Option("--clear-blackouts", help="Forget the stored no-study dates.")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="When study blocks start, HH:MM [default 18:00].")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="IANA time zone of the learner [default: the stored one, else this "
            "machine's]. Stored with the profile.",
        ),
    ] = None,
    replan: Annotated[
        bool, typer.Option("--replan", help="Make a new plan even if nothing changed.")
    ] = False,
    json_out: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write an iCalendar file.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report.")
    ] = None,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
) -> None:
    """A learner's week-by-week study plan to the exam date (../shared/spec/plan-format.md).

    The options given change the learner's stored profile and make a new plan; with none,
    the stored plan is shown as it is (re-planned only after new answers, or --replan).

    Example: cmasprep plan --learner ana --exam-date 2027-01-26 --hours-per-week 8 --ics ana.ics
    """
    from pipelines.plans import ProfileChange, current_plan, save_profile
    from planner.plan import PlanInputError

    if hours_per_week is not None and hours is not None:
        raise fail("give --hours-per-week or --hours, not both", EXIT_USAGE)
    if hours_per_week is not None and not 0 < hours_per_week <= 100:
        raise fail("--hours-per-week must be more than 0 and at most 100", EXIT_USAGE)
    preferred = None
    if at is not None:
        try:
            preferred = time.fromisoformat(at)
        except ValueError as exc:
            raise fail(f"--at {at!r} is not HH:MM", EXIT_USAGE) from exc
    change = ProfileChange(
        exam_date=_date(exam_date, "--exam-date") if exam_date else None,
        hours_per_week=hours_per_week,
        hours_by_weekday=_hours(hours) if hours else None,
        blackouts=[_date(b, "--blackout") for b in blackout],
        clear_blackouts=clear_blackouts,
        timezone=tz,
        study_time=preferred,
        self_mastery=_self_mastery(mastery) if mastery else None,
    )
    first = _date(start, "--start") if start else None
    now = datetime.now(UTC)
    with bank(db).write() as store:
        bp = resolve_blueprint(blueprint, store)
        unknown = sorted(set(change.self_mastery or {}) - set(bp.numbers))
        if unknown:
            raise fail(
                f"--mastery: unknown domain {', '.join(map(str, unknown))}; {bp.id} has "
                + ", ".join(map(str, bp.numbers)),
                EXIT_USAGE,
            )
        from bank.errors import NotFoundError

        try:
            store.get_learner(learner)
        except NotFoundError:
            if change.exam_date is None or (
                change.hours_per_week is None and change.hours_by_weekday is None
            ):
                raise fail(
                    f"no learner {learner!r}: give --exam-date and --hours-per-week (or --hours) "
                    "to create one",
                    EXIT_USAGE,
                ) from None
        try:
            with store.transaction():
                profile, created = save_profile(store, learner, change, now)
                view = current_plan(
                    store,
                    learner,
                    bp,
                    now,
                    replan=replan,
                    start=first,
                    fallback_zone=system_zone(),
                )
        except (PlanInputError, ValueError) as exc:
            raise fail(_profile_error(exc), EXIT_USAGE) from exc
    if created:
        typer.echo(f"Added learner {learner}.", err=True)
    if view.replanned:
        typer.echo(f"New plan ({view.replanned}).", err=True)
    else:
        typer.echo(
            f"The stored plan of {view.made_at:%Y-%m-%d %H:%M} UTC (no changes; --replan "
            "to make a new one).",
            err=True,
        )
    from app.terminal import emit_plan

    emit_plan(
        view.plan,
        bp,
        profile.study_time or time(18, 0),
        tz=profile.timezone or system_zone(),
        json_out=json_out,
        markdown=markdown,
        ics=ics,
        html=html,
    )


def _profile_error(exc: Exception) -> str:
    """A profile error in one line: pydantic's own message, else the error's text."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'profile'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
    return str(exc)
