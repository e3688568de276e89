"""Bank commands: init, import, export, stats, items list/show."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.common import (
    EXIT_USAGE,
    BlueprintOpt,
    DbOpt,
    DomainOpt,
    JsonOpt,
    StatusOpt,
    bank,
    console,
    db_path,
    fail,
    handle_errors,
    parse_mapping,
    print_json,
    resolve_blueprint,
    settings,
)

items_app = typer.Typer(help="Browse the items of the bank.", no_args_is_help=True)


def _check_status(status: str | None) -> None:
    from bank.models import STATUSES

    if status is not None and status not in STATUSES:
        raise fail(f"--status {status!r}: use one of {', '.join(STATUSES)}", EXIT_USAGE)


@handle_errors
def init(db: DbOpt = None, blueprint: BlueprintOpt = None, json_out: JsonOpt = False) -> None:
    """Create the bank (or migrate an old one) and load the exam blueprint into it.

    Example: cmasprep init --db bank.duckdb --blueprint data/blueprints/cmas.yaml
    """
    bp = resolve_blueprint(blueprint)
    with bank(db).write() as store:
        store.save_blueprint(bp)
        migrations = store.applied_migrations()
        path = store.path
    if json_out:
        print_json({"db": str(path), "blueprint": bp.id, "migrations": migrations})
        return
    typer.echo(
        f"Bank {path} ready: blueprint {bp.id} ({len(bp.domains)} domains), "
        f"{len(migrations)} migrations applied."
    )


@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="JSON Lines, CSV or GIFT file of items.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, csv or gift [default: from the extension]."),
    ] = None,
    mapping: Annotated[
        list[str], typer.Option("--map", help="OUR_FIELD=THEIR_FIELD, repeatable.")
    ] = [],  # noqa: B006
    domain: DomainOpt = None,
    status: Annotated[
        str, typer.Option("--status", help="Status given to imported items.")
    ] = "pending_review",
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid lines and report the rest.")
    ] = False,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import items; nothing is stored if any line is invalid (unless --skip-invalid).

    Importing the same file twice adds nothing. Options may be a list or an object
    keyed A-D; the key may be a letter, answer_index 0-3 or the option's text.

    Example: cmasprep import medmcqa.jsonl --map stem=question --map answer=answer_idx --domain 2
    """
    from pipelines.components import build_detector
    from pipelines.imports import import_items

    _check_status(status)
    if not file.exists():
        raise fail(f"{file}: no such file", EXIT_USAGE)
    report = import_items(
        bank(db),
        file,
        blueprint=blueprint,
        fallback_blueprint=settings().blueprint,
        fmt=fmt,
        mapping=parse_mapping(mapping),
        default_domain=domain,
        status=status,
        skip_invalid=skip_invalid,
        detector=build_detector(db_path(db), settings().lock_wait),
    )
    if json_out:
        print_json(
            {
                "file": report.file,
                "records": report.records,
                "inserted": len(report.inserted),
                "existing": len(report.existing),
                "flagged": len(report.flagged),
                "skipped": [
                    {"line": p.line, "field": p.field, "error": p.message} for p in report.skipped
                ],
            }
        )
    else:
        for problem in report.skipped:
            typer.echo(f"skipped {problem}", err=True)
        typer.echo(
            f"{report.file}: {report.records} records, {len(report.inserted)} imported "
            f"({len(report.flagged)} flagged by the checks), "
            f"{len(report.existing)} already in the bank, "
            f"{len({p.line for p in report.skipped})} skipped as invalid."
        )


@handle_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl, csv, gift, qti21 or anki.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    status: StatusOpt = None,
    domain: DomainOpt = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="CSV for spreadsheets: UTF-8 BOM, CRLF, formula-like cells quoted with '.",
        ),
    ] = False,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Write the file even when no item matches.")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Export items in a format an LMS or study app imports: approved items unless --status.

    Exits 1 and writes nothing when no item matches (unless --allow-empty).

    Example: cmasprep export --format qti21 -o cmas-qti.zip
    """
    from bank.formats import WRITE_FORMATS
    from bank.transfer import EmptyExportError, export_items
    from pipelines.imports import EXPORT_DEFAULT_STATUS

    if fmt not in WRITE_FORMATS:
        raise fail(f"--format {fmt!r}: use one of {', '.join(WRITE_FORMATS)}", EXIT_USAGE)
    if excel and fmt != "csv":
        raise fail(f"--excel is a CSV variant: use it with --format csv, not {fmt}", EXIT_USAGE)
    _check_status(status)
    wanted = status or EXPORT_DEFAULT_STATUS
    # Read here rather than through pipelines.imports.export, which takes no --excel or
    # --allow-empty: the same two steps (the items of a status and domain, then the writer).
    with bank(db).read() as store:
        items = store.find_items(domain=domain, statuses=[wanted])
    try:
        count = export_items(items, fmt, output, excel=excel, allow_empty=allow_empty)
    except EmptyExportError as exc:
        where = f"status {wanted}" + (f", domain {domain}" if domain is not None else "")
        raise fail(
            f"no items match {where}: {output} was not written (--allow-empty writes it empty)"
        ) from exc
    variant = ", for spreadsheets" if excel else ""
    typer.echo(f"Wrote {count} items to {output} ({fmt}{variant}, status {wanted}).")


@handle_errors
def stats(db: DbOpt = None, blueprint: BlueprintOpt = None, json_out: JsonOpt = False) -> None:
    """Items per domain and status against the blueprint's target count.

    Example: cmasprep stats --json
    """
    from app.terminal import coverage_table
    from pipelines.stats import coverage_record

    with bank(db).read() as store:
        record = coverage_record(store, resolve_blueprint(blueprint, store))
    if json_out:
        print_json(record)
        return
    coverage_table(record)


@items_app.command("list")
@handle_errors
def items_list(
    domain: DomainOpt = None,
    status: StatusOpt = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List items, oldest first.

    Example: cmasprep items list --domain 5 --status pending_review --limit 20
    """
    from rich.markup import escape
    from rich.table import Table

    _check_status(status)
    with bank(db).read() as store:
        items = store.find_items(domain=domain, statuses=[status] if status else None, limit=limit)
    if json_out:
        print_json([it.to_record() for it in items])
        return
    table = Table()
    for column in ("id", "d", "status", "stem", "flaws"):
        table.add_column(column)
    for it in items:
        stem = it.stem if len(it.stem) <= 70 else it.stem[:69] + "…"
        # Item text is data, not Rich markup: "[generation failed]" must show as written.
        flaws = ",".join(f.code for f in it.flaws)
        table.add_row(*(escape(c) for c in (it.id, str(it.domain), it.status, stem, flaws)))
    console().print(table)


@items_app.command("show")
@handle_errors
def items_show(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show one item with its key, rationale, sources, provenance and history.

    Example: cmasprep items show d5-3f2a9c01b7de
    """
    with bank(db).read() as store:
        item = store.get_item(item_id)
        events = store.events(item_id)
    if json_out:
        print_json({**item.to_record(), "events": [e.model_dump(mode="json") for e in events]})
        return
    from rich.markup import escape

    out = console()
    out.print(
        f"[bold]{escape(item.id)}[/]  domain {item.domain}  {escape(item.topic or '')}  "
        f"{escape(f'[{item.status}]')}",
        markup=True,
        highlight=False,
    )
    out.print(item.stem, markup=False)
    for letter, option in zip("ABCD", item.options, strict=True):
        mark = "*" if letter == item.answer else " "
        out.print(f" {mark}{letter}. {option}", markup=False)
    if item.rationale:
        out.print(f"Rationale: {item.rationale}", markup=False)
    for source in item.sources:
        out.print(f"Source {source.note}: “{source.quote}”", markup=False)
    for flaw in item.flaws:
        out.print(f"Flaw {flaw.code} at {flaw.where}: {flaw.evidence}", markup=False)
    for reason in item.reasons:
        out.print(f"Reason: {reason}", markup=False, highlight=False)
    if item.extra.get("raw_output") is not None:
        raw = str(item.extra["raw_output"])
        out.print(f"Raw output ({len(raw)} characters):", markup=False)
        out.print(raw if raw.strip() else "(empty)", markup=False, highlight=False)
    p = item.provenance
    if p.generator:
        out.print(
            f"Made by {p.generator} {p.generator_version or ''} model={p.model} "
            f"prompt={p.prompt_version} run={p.run_id} notes={','.join(p.notes)} "
            f"tokens={p.tokens_in}+{p.tokens_out} cost=${p.cost_usd:.4f}",
            markup=False,
        )
    for e in events:
        out.print(
            f"{e.at:%Y-%m-%d %H:%M} {e.reviewer} {e.decision} {e.reason or ''} {e.note or ''}",
            markup=False,
        )


__all__ = ["export", "import_", "init", "items_app", "stats"]
