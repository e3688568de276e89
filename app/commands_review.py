"""`cmasprep review ...`: the human-review queue in the terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from app.common import (
    EXIT_USAGE,
    DbOpt,
    DomainOpt,
    JsonOpt,
    bank,
    console,
    db_path,
    fail,
    handle_errors,
    print_json,
    resolve_blueprint,
    settings,
)

review_app = typer.Typer(
    help="The human-review queue: next, approve, reject, edit, assign, stats.", no_args_is_help=True
)

ReviewerOpt = Annotated[
    str,
    typer.Option(
        "--reviewer", "-r", envvar="CMASPREP_REVIEWER", help="Who decides (or CMASPREP_REVIEWER)."
    ),
]
DoubleOpt = Annotated[
    bool,
    typer.Option(
        "--double", help="Double review: the item is decided only when two reviewers agree."
    ),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _show(item: Any, near: list[tuple[Any, Any]], out: Any) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    flawed = {f.where: f for f in item.flaws}
    body = Text()
    body.append(item.stem + "\n", style="bold red" if "stem" in flawed else "bold")
    for letter, option in zip("ABCD", item.options, strict=True):
        mark = "✔" if letter == item.answer else " "
        body.append(f" {mark} {letter}. {option}", style="red" if letter in flawed else "")
        if letter in flawed:
            body.append(
                f"   ← {flawed[letter].code}: {flawed[letter].evidence}", style="italic red"
            )
        body.append("\n")
    if item.rationale:
        body.append(f"\nRationale: {item.rationale}\n", style="dim")
    for source in item.sources:
        body.append(f"Source {source.note}: “{source.quote}”\n", style="cyan")
    for flaw in item.flaws:
        if flaw.where not in "ABCD" or not flaw.where:
            body.append(f"Flaw {flaw.code} ({flaw.where}): {flaw.evidence}\n", style="red")
    out.print(
        Panel(
            body,
            title=f"{item.id} · domain {item.domain} · {item.topic or ''}",
            subtitle="approve · reject --reason · edit",
        )
    )
    if near:
        table = Table(title="Near-duplicates in the bank")
        table.add_column("this item")
        table.add_column("bank item")
        for other, ref in near:
            table.add_row(
                f"{item.stem}\n✔ {item.key_text}",
                f"{other.id} [{other.status}] {ref.kind} {ref.similarity:.2f}\n"
                f"{other.stem}\n✔ {other.key_text}",
            )
        out.print(table)


@review_app.command("next")
@handle_errors
def next_item(
    domain: DomainOpt = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            "-r",
            envvar="CMASPREP_REVIEWER",
            help="Show this reviewer's assigned items first.",
        ),
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show the next item waiting for review, its flaws, source quote and near-duplicates.

    Example: cmasprep review next --domain 5 --reviewer ana
    """
    from pipelines.components import build_detector
    from pipelines.review import next_for_review

    queued = next_for_review(
        bank(db), build_detector(db_path(db)), domain=domain, reviewer=reviewer
    )
    if queued is None:
        if json_out:
            print_json(None)
        else:
            typer.echo(
                "The review queue is empty" + (f" for domain {domain}" if domain else "") + "."
            )
        return
    item, near = queued.item, queued.near
    if json_out:
        print_json(
            {
                **item.to_record(),
                "near_duplicates": [
                    {"of": r.of, "kind": r.kind, "similarity": r.similarity} for _, r in near
                ],
            }
        )
        return
    _show(item, near, console())


def _decide(
    item_id: str,
    reviewer: str,
    decision: str,
    db: Path | None,
    *,
    reason: str | None = None,
    note: str | None = None,
    double: bool = False,
) -> None:
    from pipelines.review import decide_item

    outcome = decide_item(
        bank(db), item_id, reviewer, decision, _now(), reason=reason, note=note, double=double
    )
    state = (
        outcome.item.status if outcome.final else "still pending (waiting for a second reviewer)"
    )
    typer.echo(f"{item_id}: {decision} by {reviewer} -> {state}")


@review_app.command("approve")
@handle_errors
def approve(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    reviewer: ReviewerOpt,
    note: Annotated[
        str | None, typer.Option("--note", help="A comment kept in the audit trail.")
    ] = None,
    double: DoubleOpt = False,
    db: DbOpt = None,
) -> None:
    """Approve a queued item: it joins the bank's approved items.

    Example: cmasprep review approve d5-3f2a9c01b7de --reviewer ana
    """
    _decide(item_id, reviewer, "approve", db, note=note, double=double)


@review_app.command("reject")
@handle_errors
def reject(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    reviewer: ReviewerOpt,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help="A flaw code, factually_wrong, off_blueprint, duplicate or other."
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="Why, in words.")] = None,
    double: DoubleOpt = False,
    db: DbOpt = None,
) -> None:
    """Reject a queued item with a reason code.

    Example: cmasprep review reject d5-3f2a9c01b7de -r ana --reason factually_wrong --note "old"
    """
    _decide(item_id, reviewer, "reject", db, reason=reason, note=note, double=double)


def _edit_in_editor(text: str) -> str | None:
    """Open $VISUAL or $EDITOR on a temporary .json file; None when unchanged."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        fh.write(text)
        path = fh.name
    try:
        subprocess.run([*shlex.split(editor), path], check=True)
        edited = Path(path).read_text(encoding="utf-8")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise fail(f"the editor {editor!r} failed: {exc}") from exc
    finally:
        Path(path).unlink(missing_ok=True)
    return None if edited == text else edited


@review_app.command("edit")
@handle_errors
def edit(
    item_id: Annotated[str, typer.Argument(help="Item id.")],
    reviewer: ReviewerOpt,
    patch: Annotated[
        str | None,
        typer.Option(
            "--patch",
            help='JSON object of fields, e.g. {"stem": "..."}; without it, $EDITOR opens the item.',
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Edit a queued item; the edit is re-validated before it is saved, and stays in the queue.

    Example: cmasprep review edit d5-3f2a9c01b7de -r ana --patch '{"stem": "Which form ...?"}'
    """
    from pipelines.review import edit_item

    with bank(db).read() as store:
        item = store.get_item(item_id)
        bp = resolve_blueprint(None, store)
    if patch is None:
        editable = {
            k: v
            for k, v in item.to_record().items()
            if k
            in ("domain", "topic", "stem", "options", "answer", "rationale", "difficulty", "bloom")
        }
        text = _edit_in_editor(json.dumps(editable, indent=2, ensure_ascii=False) + "\n")
        if text is None:
            typer.echo("No change.")
            return
        try:
            changed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise fail(f"the edited item is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        patch_obj = {k: v for k, v in changed.items() if editable.get(k) != v}
        if not patch_obj:
            typer.echo("No change.")
            return
    else:
        try:
            patch_obj = json.loads(patch)
        except json.JSONDecodeError as exc:
            raise fail(f"--patch is not valid JSON: {exc.msg}", EXIT_USAGE) from exc
    from bank.notes import load_notes
    from pipelines.components import build_detector

    outcome = edit_item(
        bank(db),
        item_id,
        patch_obj,
        bp,
        reviewer,
        _now(),
        detector=build_detector(db_path(db), settings().lock_wait),
        notes=load_notes(settings().notes_dir, bp),
    )
    flaws = ", ".join(f.code for f in outcome.item.flaws) or "no flaws"
    typer.echo(f"{item_id}: edited by {reviewer} ({outcome.event.note}); re-validated: {flaws}")


@review_app.command("assign")
@handle_errors
def assign(
    reviewer: Annotated[str, typer.Argument(help="Reviewer to assign to.")],
    count: Annotated[int, typer.Option("--count", "-n", help="How many items.")] = 20,
    domain: DomainOpt = None,
    by: Annotated[
        str, typer.Option("--by", envvar="CMASPREP_REVIEWER", help="Who assigns.")
    ] = "lead",
    db: DbOpt = None,
) -> None:
    """Assign unassigned queued items to a reviewer (oldest first).

    Example: cmasprep review assign ana --count 50 --domain 4
    """
    from pipelines.review import assign_items

    n = assign_items(bank(db), reviewer, count, _now(), by, domain=domain)
    typer.echo(f"Assigned {n} items to {reviewer}.")


@review_app.command("revalidate")
@handle_errors
def revalidate(
    status: Annotated[
        list[str],
        typer.Option(
            "--status", help="Statuses to check again (repeatable; default approved and pending)."
        ),
    ] = [],  # noqa: B006
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Check the bank's items again (after a rule change) and store what the checks find.

    Items whose findings change get an audit-trail event; their status stays for a reviewer.

    Example: cmasprep review revalidate --status approved
    """
    from bank.models import STATUSES
    from bank.notes import load_notes
    from pipelines.components import build_detector
    from pipelines.validation import revalidate as recheck_bank

    bad = [s for s in status if s not in STATUSES]
    if bad:
        raise fail(f"--status {bad[0]!r}: use one of {', '.join(STATUSES)}", EXIT_USAGE)
    the_bank = bank(db)
    with the_bank.read() as store:
        bp = resolve_blueprint(None, store)
    report = recheck_bank(
        the_bank,
        bp,
        notes=load_notes(settings().notes_dir, bp),
        detector=build_detector(db_path(db), settings().lock_wait),
        now=_now(),
        statuses=status or None,
    )
    if json_out:
        print_json(
            {
                "checked": report.checked,
                "never_checked_before": report.never_checked,
                "stale_before": report.stale,
                "changed": [{"id": i, "added": a, "dropped": d} for i, a, d in report.changed],
            }
        )
        return
    for item_id, added, dropped in report.changed:
        change = ", ".join([*(f"+{c}" for c in added), *(f"-{c}" for c in dropped)])
        typer.echo(f"{item_id}: {change}")
    typer.echo(
        f"Checked {report.checked} items ({report.never_checked} never checked before, "
        f"{report.stale} by an older version); findings changed on {len(report.changed)}."
    )


@review_app.command("stats")
@handle_errors
def stats(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Decisions per reviewer, reject reasons, and agreement (Cohen's kappa) in double review.

    Example: cmasprep review stats --json
    """
    from rich.table import Table

    from pipelines.review import review_stats

    record = review_stats(bank(db))
    pending, pairs = record["pending"], record["agreement"]
    if json_out:
        print_json(record)
        return
    out = console()
    table = Table(title=f"Review: {pending} items waiting")
    for column in ("reviewer", "approve", "reject", "edit", "assign"):
        table.add_column(column, justify="right" if column != "reviewer" else "left")
    for r, d in record["reviewers"].items():
        table.add_row(r, *(str(d.get(k, 0)) for k in ("approve", "reject", "edit", "assign")))
    out.print(table)
    for p in pairs:
        kappa = "n/a" if p["kappa"] is None else f"{p['kappa']:.2f}"
        out.print(f"{p['pair'][0]} & {p['pair'][1]}: {p['items']} shared items, kappa {kappa}")
