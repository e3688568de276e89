"""Deployments of the flows: the nightly refresh on a schedule, generation on demand.

A deployment stores its job as JSON parameters; whoever runs it (`flows serve` in this
process, or a Prefect worker of a work pool on another machine) builds the generator and
opens the bank from them. `served` gives the deployments `prefect.serve` runs here;
`deploy_to_pool` registers them with a Prefect server for the workers of a process pool,
pulling the code from this checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.flows import generate_items_flow, nightly_refresh_flow
from pipelines.jobs import GenerationJob, NightlyJob

DEFAULT_CRON = "0 2 * * *"
ROOT = Path(__file__).resolve().parents[1]
NIGHTLY = "nightly-refresh"
GENERATE = "generate-items"


def nightly_parameters(job: NightlyJob) -> dict[str, Any]:
    """The nightly deployment's parameters."""
    return {"job": job.model_dump(mode="json")}


def generation_parameters(job: GenerationJob) -> dict[str, Any]:
    """The generation deployment's default parameters (a run may override the counts)."""
    return {"job": job.model_dump(mode="json")}


def served(nightly: NightlyJob, generation: GenerationJob, cron: str = DEFAULT_CRON) -> list[Any]:
    """The deployments `prefect.serve` runs in this process."""
    return [
        nightly_refresh_flow.to_deployment(
            name=NIGHTLY, cron=cron, parameters=nightly_parameters(nightly)
        ),
        generate_items_flow.to_deployment(
            name=GENERATE, parameters=generation_parameters(generation)
        ),
    ]


def deploy_to_pool(
    nightly: NightlyJob,
    generation: GenerationJob,
    pool: str,
    *,
    cron: str | None = DEFAULT_CRON,
    source: Path = ROOT,
) -> list[str]:
    """Register both deployments with the Prefect server for the workers of `pool`.

    The workers load the flows from `source` (this checkout, or a copy at the same path on
    each machine: the deployment's pull step sets the run's working directory to it), and
    run them with the Python that runs the worker; returns the deployments' ids. The pool
    must exist (`prefect work-pool create NAME --type process`).
    """
    ids = []
    for runnable, name, parameters, schedule in (
        (nightly_refresh_flow, NIGHTLY, nightly_parameters(nightly), cron),
        (generate_items_flow, GENERATE, generation_parameters(generation), None),
    ):
        entrypoint = f"pipelines/flows.py:{runnable.fn.__name__}"
        # from_source is sync-or-async by context: here, outside an event loop, a Flow.
        loaded: Any = runnable.from_source(source=str(source), entrypoint=entrypoint)
        deployment = loaded.to_deployment(name=name, parameters=parameters, cron=schedule)
        # apply(), not Flow.deploy(): deploy() first counts the pool's online workers, a
        # request Prefect 3.8.8's server rejects (422) under FastAPI 0.150-0.154, the only
        # FastAPI its server starts with (see ../shared/ENVIRONMENT.md). apply() registers
        # the same deployment: flow, entrypoint, pull step, parameters, schedule, pool.
        ids.append(str(deployment.apply(work_pool_name=pool)))
    return ids
