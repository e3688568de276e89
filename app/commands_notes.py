"""`cmasprep notes ...`: check the curated source notes and show their coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.common import (
    BlueprintOpt,
    JsonOpt,
    console,
    handle_errors,
    print_json,
    resolve_blueprint,
    settings,
)

notes_app = typer.Typer(
    help="Curated source notes: check them and see coverage.", no_args_is_help=True
)


@notes_app.command("check")
@handle_errors
def check(
    notes_dir: Annotated[
        Path | None, typer.Option("--notes", help="Notes folder [default: data/notes].")
    ] = None,
    blueprint: BlueprintOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Validate every note (errors with file and line) and print facts per sub-topic.

    Exits 1 when a note has a problem or a blueprint sub-topic has no note.

    Example: cmasprep notes check --notes data/notes
    """
    from rich.table import Table

    from bank.notes import coverage, load_notes

    bp = resolve_blueprint(blueprint)
    root = notes_dir or settings().notes_dir
    notes = load_notes(root, bp)
    cov = coverage(notes, bp)
    if json_out:
        print_json(
            {
                "notes": len(notes.notes),
                "facts": sum(cov.domain_total(d) for d in cov.facts),
                "problems": [str(p) for p in notes.problems],
                "coverage": {str(d): t for d, t in cov.facts.items()},
                "missing": [{"domain": d, "topic": t} for d, t in cov.missing],
            }
        )
    else:
        for problem in notes.problems:
            typer.echo(f"error {problem}", err=True)
        table = Table(title=f"Source notes in {root}")
        for column in ("#", "sub-topic", "notes", "facts"):
            table.add_column(column, justify="left" if column == "sub-topic" else "right")
        for d in bp.domains:
            total = cov.domain_total(d.number)
            table.add_row(
                str(d.number), f"[bold]{d.name}[/] ({d.weight:g}%)", "", f"[bold]{total}[/]"
            )
            for topic in d.topics:
                n_notes = cov.notes[d.number][topic]
                style = "" if n_notes else "[red]"
                table.add_row(
                    "", f"  {style}{topic}", str(n_notes), str(cov.facts[d.number][topic])
                )
        console().print(table)
        total = sum(cov.domain_total(n) for n in cov.facts)
        typer.echo(
            f"{len(notes.notes)} notes, {total} facts, {len(notes.problems)} problems, "
            f"{len(cov.missing)} sub-topics without a note."
        )
        for number, t in cov.missing:
            typer.echo(f"missing: domain {number} sub-topic {t!r} has no note", err=True)
    if notes.problems or cov.missing:
        raise typer.Exit(1)
