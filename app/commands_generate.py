"""`cmasprep generate`: candidate items per domain, validated and queued for review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bank.models import Blueprint

from app.common import (
    EXIT_DATA,
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


def parse_domains(domain: str, blueprint: Blueprint) -> list[int]:
    """The domain numbers `--domain` names: one, a comma list, or all."""
    if domain == "all":
        return blueprint.numbers
    numbers = []
    for part in domain.split(","):
        found = blueprint.domain(part.strip())
        if found is None:
            raise fail(
                f"--domain {part!r}: use a domain number "
                f"({', '.join(map(str, blueprint.numbers))}) or all",
                EXIT_USAGE,
            )
        numbers.append(found.number)
    return numbers


@handle_errors
def generate(
    domain: Annotated[
        str, typer.Option("--domain", "-d", help="Domain number, comma list, or all.")
    ] = "all",
    count: Annotated[int | None, typer.Option("--count", "-n", help="Items per domain.")] = None,
    total: Annotated[
        int | None,
        typer.Option("--total", help="With --domain all: a total split by blueprint weight."),
    ] = None,
    generator: Annotated[
        str,
        typer.Option(
            "--generator",
            "-g",
            help="offline, llm, or auto (llm when an API key or base URL is set).",
        ),
    ] = "auto",
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Reproducible run (default: the next run of this command)."),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only this blueprint sub-topic.")
    ] = None,
    difficulty: Annotated[
        str | None, typer.Option("--difficulty", help="easy, medium or hard.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Stop the run after this many dollars (llm).")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Stop the run after this many tokens (llm).")
    ] = None,
    judge: Annotated[
        bool, typer.Option("--judge", help="Also run the LLM judge on each candidate (llm).")
    ] = False,
    flow: Annotated[
        bool,
        typer.Option(
            "--flow/--no-flow", help="Run as a Prefect flow (default) or as plain functions."
        ),
    ] = True,
    db: DbOpt = None,
    blueprint: BlueprintOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Generate candidate items per domain from the source notes, validate them and queue them.

    Survivors enter the review queue (pending_review) with their flaws; duplicates and
    schema failures are stored as rejected with reasons. Re-running an interrupted
    command resumes it; running a finished one again writes new items.

    Example: cmasprep generate --domain all --count 30
    """
    if count is None and total is None:
        count = 10
    if difficulty not in (None, "easy", "medium", "hard"):
        raise fail("--difficulty: use easy, medium or hard", EXIT_USAGE)
    if generator not in ("auto", "offline", "llm"):
        raise fail("--generator: use offline, llm or auto", EXIT_USAGE)
    with bank(db).write() as store:
        bp = resolve_blueprint(blueprint, store)
        if store.active_blueprint() is None:
            store.save_blueprint(bp)
    domains = parse_domains(domain, bp)
    if total is not None:
        if domain != "all":
            raise fail("--total goes with --domain all", EXIT_USAGE)
        from pipelines.generation import split_by_weight

        counts = split_by_weight(total, bp)
    else:
        if count is None or count < 1:
            raise fail("--count must be at least 1", EXIT_USAGE)
        counts = {d: count for d in domains}
    from app.jobs import generation_job, run_job

    job = generation_job(
        db, counts, generator, seed=seed, topic=topic, difficulty=difficulty,
        max_cost=max_cost, max_tokens=max_tokens, judge=judge,
    )  # fmt: skip
    run = run_job(job, flow=flow, blueprint=bp, out=None if json_out else console())
    if json_out:
        print_json(run.model_dump(mode="json"))
    if run.status == "failed":  # no candidate at all: the error says why and what to fix
        if json_out:
            typer.echo(f"Run {run.id} failed: {run.error}", err=True)
        raise typer.Exit(EXIT_DATA)
