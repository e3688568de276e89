"""Prefect flows: thin orchestration of the plain functions in pipelines/.

`generate_items` fans domains out on a thread-pool task runner (bounded), retries only
the I/O tasks (the generator's calls, the database), and caches each domain's
generation on what determines it, so a re-run after a crash resumes without paying
twice. `nightly_refresh` keeps weak or thin pools full, recalibrates items and
re-plans stale learners.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from bank.models import Blueprint, Item, RunRecord
from bank.notes import NoteSet
from bank.store import StoreEmbeddingCache, open_store
from generators.base import GenerationRequest, GenerationResult, Generator
from pipelines.generation import (
    DomainOutcome,
    RunSpec,
    cache_key,
    domain_pool,
    finish_run,
    generate_domain,
    pending_domains,
    record_domain,
    request_for,
    screen_domain,
    start_or_resume_run,
)
from validators.duplicates import default_detector

# Database tasks retry on I/O errors and are never cached: a cached write would be skipped.
DB_RETRIES = {"retries": 3, "retry_delay_seconds": [1, 3, 10], "cache_policy": NO_CACHE}


def _notes(notes_dir: str, blueprint: Blueprint) -> NoteSet:
    """Notes are loaded inside flows: as a parameter they would be sent to Prefect's API."""
    from pipelines.runner import load_checked_notes

    return load_checked_notes(Path(notes_dir), blueprint)


def _now() -> datetime:
    return datetime.now(UTC)


@task(name="start-or-resume-run", **DB_RETRIES)
def start_run_task(db: str, spec: RunSpec, lock_wait: float) -> RunRecord:
    with open_store(db, wait_s=lock_wait) as store:
        return start_or_resume_run(store, spec, _now())


@task(name="domain-pool", **DB_RETRIES)
def pool_task(
    db: str, run: RunRecord, domain: int, lock_wait: float
) -> tuple[frozenset[str], list[Item]]:
    with open_store(db, wait_s=lock_wait) as store:
        return domain_pool(store, run, domain)


def _generation_key(context: Any, parameters: dict[str, Any]) -> str:
    return cache_key(parameters["spec_key"], parameters["request"], parameters["generator"])


@task(
    name="generate-domain",
    retries=2,
    retry_delay_seconds=[2, 10],
    persist_result=True,
    cache_key_fn=_generation_key,
    cache_expiration=timedelta(days=30),
)
def generate_task(
    generator: Generator,
    request: GenerationRequest,
    notes: NoteSet,
    blueprint: Blueprint,
    spec_key: str,
) -> GenerationResult:
    return generate_domain(generator, request, notes, blueprint)


@task(name="record-domain", **DB_RETRIES)
def record_task(db: str, run: RunRecord, outcome: DomainOutcome, lock_wait: float) -> RunRecord:
    with open_store(db, wait_s=lock_wait) as store:
        return record_domain(store, run, outcome)


@task(name="finish-run", **DB_RETRIES)
def finish_task(db: str, run: RunRecord, stopped: str | None, lock_wait: float) -> RunRecord:
    with open_store(db, wait_s=lock_wait) as store:
        return finish_run(store, run, _now(), stopped)


@flow(
    name="generate_items",
    task_runner=ThreadPoolTaskRunner(max_workers=4),
    validate_parameters=False,
)
def generate_items_flow(
    spec: RunSpec,
    db: str,
    notes_dir: str,
    blueprint: Blueprint,
    generator: Any,  # a generators.base.Generator (Prefect cannot schema a Protocol)
    detector: Any = None,
    lock_wait: float = 30.0,
    on_domain: Any = None,  # Callable[[DomainOutcome], None]
) -> RunRecord:
    """Generate, validate and queue items for each domain of a run spec, concurrently.

    Each finished domain is stored (items + run progress, one transaction) as soon as
    it is screened; a killed run leaves whole domains only, and re-running resumes.
    """
    notes = _notes(notes_dir, blueprint)
    detector = detector or default_detector(cache=StoreEmbeddingCache(db, lock_wait))
    run = start_run_task(db, spec, lock_wait)
    domains = pending_domains(run)
    requests: dict[Any, tuple[int, list[Item]]] = {}
    for domain in domains:
        exclude, bank_items = pool_task(db, run, domain, lock_wait)
        future = generate_task.submit(
            generator, request_for(run, domain, exclude), notes, blueprint, spec.key()
        )
        requests[future] = (domain, bank_items)
    stopped = None
    for future in as_completed(list(requests)):
        domain, bank_items = requests[future]
        outcome = screen_domain(domain, future.result(), bank_items, blueprint, notes, detector)
        run = record_task(db, run, outcome, lock_wait)
        if on_domain:
            on_domain(outcome)
        stopped = stopped or outcome.stopped
    return finish_task(db, run, stopped, lock_wait)


def run_flow(concurrency: int, **kwargs: Any) -> RunRecord:
    """Run the generation flow with a bounded number of domains in flight."""
    flow_ = generate_items_flow.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=max(1, concurrency))
    )
    return flow_(**kwargs)


@task(name="nightly-state", **DB_RETRIES)
def nightly_state_task(db: str, blueprint: Blueprint, now: datetime, lock_wait: float) -> Any:
    from pipelines.refresh import read_state

    with open_store(db, wait_s=lock_wait) as store:
        return read_state(store, blueprint, now)


@task(name="item-statistics", **DB_RETRIES)
def statistics_task(db: str, state: Any, now: datetime, lock_wait: float) -> list[str]:
    from pipelines.refresh import apply_statistics

    with open_store(db, wait_s=lock_wait) as store:
        return apply_statistics(store, state, now)


@task(name="replan-learner", **DB_RETRIES)
def replan_task(
    db: str, learner_id: str, blueprint: Blueprint, now: datetime, lock_wait: float
) -> str:
    from pipelines.refresh import replan

    with open_store(db, wait_s=lock_wait) as store:
        replan(store, learner_id, blueprint, now)
    return learner_id


@flow(name="nightly_refresh", validate_parameters=False)
def nightly_refresh_flow(
    db: str,
    notes_dir: str,
    blueprint: Blueprint,
    generator: Any,  # a generators.base.Generator
    spec_for: Any,  # Callable[[dict[int, int]], RunSpec]
    detector: Any = None,
    lock_wait: float = 30.0,
    concurrency: int = 4,
    now: datetime | None = None,
) -> Any:
    """Refill thin or weak pools, recalibrate items, re-plan stale learners; idempotent."""
    from pipelines.nightly import delivered
    from pipelines.refresh import NightlyReport, deficits, to_replan

    now = now or _now()
    state = nightly_state_task(db, blueprint, now, lock_wait)
    report = NightlyReport(state.targets)
    probe = spec_for({})
    wanted = deficits(state, probe.notes, probe.generator, now.date())
    if wanted:
        report.run = run_flow(
            concurrency,
            spec=spec_for(wanted),
            db=db,
            notes_dir=notes_dir,
            blueprint=blueprint,
            generator=generator,
            detector=detector,
            lock_wait=lock_wait,
        )
        report.generated = delivered(report.run)
    report.flagged = statistics_task(db, state, now, lock_wait)
    report.replanned = [
        replan_task(db, lid, blueprint, now, lock_wait) for lid in to_replan(state, now)
    ]
    return report
