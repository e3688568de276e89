"""Entry flows for deployments and the CLI: plain parameters in, settings read here.

Deployments store their parameters as JSON and run in a fresh process, so these flows
take only a bank path and names, and build the generator, notes and blueprint from the
settings of the process that runs them (app/ is the only layer that reads settings).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow

from app.settings import Settings, load_settings

DEFAULT_CRON = "0 2 * * *"


def _context(db: str | None, generator: str, settings: Settings) -> dict[str, Any]:
    from bank.blueprint import load_blueprint
    from bank.store import open_store
    from pipelines.runner import GenerateOptions, build_generator, load_checked_notes

    db_path = str(db or settings.db)
    with open_store(db_path, wait_s=settings.lock_wait) as store:
        blueprint = store.active_blueprint() or load_blueprint(settings.blueprint)
        if store.active_blueprint() is None:
            store.save_blueprint(blueprint)
    notes = load_checked_notes(settings.notes_dir, blueprint)
    gen = build_generator(GenerateOptions(counts={}, generator=generator), settings)
    return {
        "db": db_path,
        "notes_dir": str(settings.notes_dir),
        "blueprint": blueprint,
        "generator": gen,
        "lock_wait": settings.lock_wait,
        "_notes": notes,  # for the run spec's digest; flows load their own copy
    }


@flow(name="nightly_refresh_entry")
def nightly_entry(db: str | None = None, generator: str = "auto") -> dict[str, Any]:
    """The scheduled nightly refresh (LLM generator when configured, else offline)."""
    from pipelines.flows import nightly_refresh_flow
    from pipelines.generation import RunSpec, notes_digest

    settings = load_settings()
    ctx = _context(db, generator, settings)
    notes = ctx.pop("_notes")
    gen = ctx["generator"]

    def spec_for(counts: dict[int, int]) -> RunSpec:
        return RunSpec(
            counts=counts,
            generator=gen.name,
            model=getattr(gen, "model_name", None),
            prompt_version=getattr(gen, "prompt_version", None),
            notes=notes_digest(notes),
            purpose="nightly",
        )

    report = nightly_refresh_flow(
        spec_for=spec_for, concurrency=getattr(gen, "concurrency", 4), now=datetime.now(UTC), **ctx
    )
    return report.to_json()


@flow(name="generate_items_entry")
def generate_entry(
    domains: list[int] | None = None,
    count: int = 10,
    db: str | None = None,
    generator: str = "auto",
    seed: int | None = None,
) -> dict[str, Any]:
    """Generation on demand from a deployment (e.g. `prefect deployment run`)."""
    from pipelines.flows import run_flow
    from pipelines.generation import RunSpec, notes_digest

    settings = load_settings()
    ctx = _context(db, generator, settings)
    notes = ctx.pop("_notes")
    gen = ctx["generator"]
    counts = {d: count for d in (domains or ctx["blueprint"].numbers)}
    spec = RunSpec(
        counts=counts,
        generator=gen.name,
        seed=seed,
        model=getattr(gen, "model_name", None),
        prompt_version=getattr(gen, "prompt_version", None),
        notes=notes_digest(notes),
    )
    run = run_flow(getattr(gen, "concurrency", 4), spec=spec, **ctx)
    return run.model_dump(mode="json")


def build_deployments(cron: str = DEFAULT_CRON, db: str | None = None) -> list[Any]:
    """The served deployments: the nightly refresh on a cron schedule, generation on demand."""
    params = {"db": str(Path(db).resolve())} if db else {}
    return [
        nightly_entry.to_deployment(name="nightly-refresh", cron=cron, parameters=params),
        generate_entry.to_deployment(name="generate-items", parameters=params),
    ]
