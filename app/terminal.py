"""Terminal views shared by commands: the coverage table, the plan table, the plan's files."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import typer

from app.common import console, print_json
from bank.models import Blueprint
from planner.plan import Plan


def coverage_table(record: dict[str, Any]) -> None:
    """Print a coverage record (pipelines.stats) as a table, one row per domain."""
    from rich.table import Table

    table = Table(title=f"Bank coverage against the {record['blueprint']} blueprint")
    for column in (
        "#",
        "domain",
        "weight",
        "target",
        "approved",
        "pending",
        "candidate",
        "rejected",
        "retired",
        "coverage",
    ):
        table.add_column(column, justify="left" if column == "domain" else "right")
    for number, d in record["domains"].items():
        coverage = d["approved"] / d["target"] if d["target"] else 0
        table.add_row(
            number,
            d["name"],
            f"{d['weight']:g}%",
            str(d["target"]),
            str(d["approved"]),
            str(d["pending_review"]),
            str(d["candidate"]),
            str(d["rejected"]),
            str(d["retired"]),
            f"{coverage:.0%}",
        )
    console().print(table)
    typer.echo(f"{record['total']} items in all.")


def emit_plan(
    result: Plan,
    bp: Blueprint,
    preferred: time,
    *,
    tz: str = "UTC",
    json_out: bool,
    markdown: bool,
    ics: Path | None,
    html: Path | None,
) -> None:
    """Write a plan where asked (ICS in zone `tz`, HTML) and print it (JSON, Markdown, table)."""
    from planner.calendar import plan_to_ics, plan_to_markdown
    from planner.report import plan_to_html

    if ics:
        ics.write_bytes(plan_to_ics(result, preferred, tz, blueprint=bp))
        typer.echo(f"Wrote {ics} ({len(result.blocks)} events, times in {tz}).", err=True)
    if html:
        html.write_text(plan_to_html(result, bp), encoding="utf-8")
        typer.echo(f"Wrote {html}.", err=True)
    if json_out:
        print_json(result.to_dict())
    elif markdown:
        typer.echo(plan_to_markdown(result, bp))
    elif not (ics or html):
        plan_table(result, bp)


def _domain_name(bp: Blueprint, number: int) -> str:
    found = bp.domain(number)
    return found.name if found else f"domain {number}"


def plan_table(result: Plan, bp: Blueprint) -> None:
    """Print a plan week by week, with its forecast and warnings."""
    from rich.table import Table

    out = console()
    table = Table(
        title=f"Study plan for {result.learner}: {result.start} to the exam on {result.exam_date}"
    )
    for column in ("week", "dates", "hours", "blocks"):
        table.add_column(column)
    for w in result.weeks:
        blocks = "\n".join(
            f"{b.date or ''} {b.kind.replace('_', ' ')} "
            + (f"d{b.domain} {_domain_name(bp, b.domain)}" if b.domain else "mixed")
            + f" · {b.hours:g} h · {b.questions} q"
            for b in w.blocks
        )
        table.add_row(str(w.index), f"{w.start}–{w.end}", f"{w.hours:g}", blocks)
    out.print(table)
    out.print(
        f"Expected scaled score {result.expected_scaled_score:.1f}, chance of passing "
        f"{result.pass_chance()} if you follow the plan.",
        highlight=False,
    )
    for warning in result.warnings:
        out.print(f"[yellow]Warning:[/] {warning}")
