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
    each machine); returns the deployments' ids.
    """
    ids = []
    for entrypoint, name, parameters, schedule in (
        ("pipelines/flows.py:nightly_refresh_flow", NIGHTLY, nightly_parameters(nightly), cron),
        ("pipelines/flows.py:generate_items_flow", GENERATE, generation_parameters(generation),
         None),
    ):  # fmt: skip
        runnable = nightly_refresh_flow if name == NIGHTLY else generate_items_flow
        # from_source is sync-or-async by context: here, outside an event loop, a Flow.
        loaded: Any = runnable.from_source(source=str(source), entrypoint=entrypoint)
        ids.append(
            str(
                loaded.deploy(
                    name=name,
                    work_pool_name=pool,
                    parameters=parameters,
                    cron=schedule,
                    build=False,
                    push=False,
                    print_next_steps=False,
                )
            )
        )
    return ids
