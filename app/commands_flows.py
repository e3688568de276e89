"""`cmasprep nightly` and `cmasprep flows serve`: the scheduled side of the pipeline."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from app.common import (
    DbOpt,
    JsonOpt,
    console,
    handle_errors,
    prefect_offline_defaults,
    print_json,
    settings,
)

NIGHTLY_NICE = 10
"""The niceness the nightly refresh lowers itself to: a batch job yields the CPU to servers."""


def lower_priority(niceness: int) -> int:
    """Make this process (and what it starts from now on) at least `niceness` nice.

    A batch job takes the CPU only when learners' requests leave it free. The niceness is
    only ever raised (raising priority needs privileges a batch job should not have).

    Returns:
        The process's niceness now.
    """
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        os.setpriority(os.PRIO_PROCESS, 0, min(niceness, 19))
    return os.getpriority(os.PRIO_PROCESS, 0)


flows_app = typer.Typer(
    help="Prefect deployments: serve the flows on a schedule.", no_args_is_help=True
)


@handle_errors
def nightly(
    db: DbOpt = None,
    generator: Annotated[
        str, typer.Option("--generator", "-g", help="offline, llm or auto.")
    ] = "auto",
    json_out: JsonOpt = False,
    nice: Annotated[
        int,
        typer.Option(
            "--nice",
            envvar="CMASPREP_NIGHTLY_NICE",
            min=0,
            max=19,
            help="CPU niceness to run at (0 keeps the caller's): learners' requests come first.",
        ),
    ] = NIGHTLY_NICE,
) -> None:
    """Run the nightly refresh now: refill thin or weak pools, recalibrate items, re-plan.

    Running it twice in a row changes nothing the second time. It runs at a lower CPU
    priority (niceness 10 by default, as batch jobs do), so a web server on the same
    machine answers learners first; `--nice 0` (or CMASPREP_NIGHTLY_NICE=0) keeps the
    priority it was started with.

    Example: cmasprep nightly --json
    """
    lower_priority(nice)  # before Prefect starts its helpers: they inherit it
    prefect_offline_defaults()
    from app.scheduled import nightly_job
    from pipelines.components import build_generator
    from pipelines.flows import nightly_refresh_flow

    job = nightly_job(db, generator)
    built = build_generator(job.generator, settings().openai_api_key)
    report = nightly_refresh_flow(job, generator=built).to_json()
    if json_out:
        print_json(report)
        return
    out = console()
    for t in report["targets"]:
        out.print(
            f"domain {t['domain']}: unseen pool {t['available']} of target {t['target']} "
            f"(weak learners {t['weak_share']:.0%}) -> generate {t['deficit']}",
            highlight=False,
        )
    out.print(
        f"Generated {sum(report['generated'].values())} items (run {report['run']}); "
        f"{len(report['flagged'])} items flagged by their statistics; "
        f"{len(report['replanned'])} learners re-planned.",
        highlight=False,
    )


@flows_app.command("serve")
@handle_errors
def serve(
    cron: Annotated[
        str, typer.Option("--cron", help="Schedule of the nightly refresh (cron, UTC).")
    ] = "0 2 * * *",
    db: DbOpt = None,
) -> None:
    """Serve the flows: the nightly refresh on a cron schedule, generation on demand.

    Uses Prefect's local ephemeral mode, or the Prefect server in PREFECT_API_URL.

    Example: cmasprep flows serve --cron "0 2 * * *"
    """
    prefect_offline_defaults()
    from prefect import serve as prefect_serve

    from app.scheduled import nightly_job, on_demand_job
    from pipelines.deployments import served

    deployments = served(nightly_job(db), on_demand_job(db), cron)
    typer.echo(
        f"Serving {len(deployments)} deployments; nightly refresh at cron {cron!r}. Ctrl-C stops."
    )
    prefect_serve(*deployments)
