"""`cmasprep validate FILE`: the contract of ../shared/spec/item-format.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.common import (
    EXIT_USAGE,
    BlueprintOpt,
    DbOpt,
    JsonOpt,
    bank,
    db_path,
    fail,
    parse_mapping,
    print_json,
    resolve_blueprint,
)


def validate(
    file: Annotated[
        Path, typer.Argument(help="JSON Lines file of items (CSV and GIFT also read).")
    ],
    json_out: JsonOpt = False,
    no_bank: Annotated[
        bool, typer.Option("--no-bank", help="Do not compare with the bank's items.")
    ] = False,
    mapping: Annotated[
        list[str], typer.Option("--map", help="OUR_FIELD=THEIR_FIELD, repeatable.")
    ] = [],  # noqa: B006
    domain: Annotated[
        int | None, typer.Option("--domain", "-d", help="Domain for lines without one.")
    ] = None,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
) -> None:
    """Check every item of a file: schema, item-writing flaws and duplicates.

    Prints one result per line (--json: one JSON object per line, in input order) with
    status rejected, duplicate, flagged or clean. Duplicates are sought inside the file
    and among the bank's approved and pending items (unless --no-bank). Exit status:
    0 when no line was rejected, 1 when any was, 2 when the file cannot be read.

    Example: cmasprep validate candidates.jsonl --json
    """
    from bank.errors import BankBusyError, BankError, InputError
    from pipelines.validation import validate_items_file

    if not file.is_file():
        raise fail(f"{file}: no such file", EXIT_USAGE)
    try:
        against = bank(db) if not no_bank and db_path(db).exists() else None
        if against is not None:
            with against.read() as store:
                bp = resolve_blueprint(blueprint, store)
        else:
            bp = resolve_blueprint(blueprint)
        results = validate_items_file(
            file, bp, bank=against, mapping=parse_mapping(mapping), default_domain=domain
        )
    except BankBusyError as exc:
        raise fail(str(exc), 3) from exc
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    except BankError as exc:
        raise fail(str(exc), EXIT_USAGE) from exc

    for r in results:
        if json_out:
            print_json(r.to_json())
            continue
        detail = []
        detail += [e.split(": ", 1)[-1] if e.startswith("line ") else e for e in r.errors]
        detail += [f"{f.code} at {f.where} ({f.evidence})" for f in r.flaws]
        detail += [f"duplicate of {d.of} ({d.kind} {d.similarity:.2f})" for d in r.duplicates]
        typer.echo(
            f"line {r.line} {r.id or ''} {r.status}" + (": " + "; ".join(detail) if detail else "")
        )
    if not json_out:
        counts = {
            s: sum(1 for r in results if r.status == s)
            for s in ("clean", "flagged", "duplicate", "rejected")
        }
        typer.echo(
            f"{len(results)} lines: " + ", ".join(f"{n} {s}" for s, n in counts.items()), err=True
        )
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)
