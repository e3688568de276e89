"""Prefect flows: the use cases of pipelines/ run with their steps as Prefect tasks.

A flow adds no second loop: `generate_items_flow` calls `run_generation` and
`nightly_refresh_flow` calls `refresh`, each with `PrefectSteps`, which wraps every step
function as a task where it is used. I/O steps (bank reads and writes) run in the flow's
own process with retries and are never cached; the pure generation step is submitted to
the flow's task runner (threads by default, a Dask cluster with prefect-dask) with a
cache key of what determines it (bank, run, generator settings, notes, request), so a
re-run after a crash resumes without paying twice and nothing is replayed into another
bank or run.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from prefect import flow, task
from prefect.cache_policies import NO_CACHE, CacheKeyFnPolicy
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.transactions import get_transaction

from bank.models import RunRecord
from pipelines import jobs
from pipelines.generation import DomainOutcome
from pipelines.jobs import GenerationJob, NightlyJob
from pipelines.refresh import NightlyReport
from pipelines.steps import CacheKey

R = TypeVar("R")
IO_RETRIES: dict[str, Any] = {"retries": 3, "retry_delay_seconds": [1, 3, 10]}
PURE_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [2, 10]}
CACHE_FOR = timedelta(days=7)
_tasks: dict[tuple[Callable[..., Any], str], Any] = {}


def _task_name(fn: Callable[..., Any]) -> str:
    return fn.__name__.strip("_").replace("_", "-")


def io_task(fn: Callable[..., R]) -> Any:
    """`fn` as an I/O task: retried on failure, never cached (a cached write would be skipped)."""
    key = (fn, "io")
    if key not in _tasks:
        _tasks[key] = task(name=_task_name(fn), cache_policy=NO_CACHE, **IO_RETRIES)(fn)
    return _tasks[key]


def failed_result(result: Any) -> bool:
    """Whether a pure step's result holds a failure (failed generations, an early stop)."""
    return bool(getattr(result, "failed", None)) or bool(getattr(result, "stopped", None))


def _uncached_if_failed(fn: Callable[..., R]) -> Callable[..., R]:
    """`fn`, with its result kept out of the cache when it holds a failure.

    A failed generation (a server that rejected the request, a timeout) must be asked
    again on the next try, not replayed: the task's transaction is told not to write.
    """

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> R:
        result = fn(*args, **kwargs)
        if failed_result(result):
            txn = get_transaction()
            if txn is not None:
                txn.write_on_commit = False
        return result

    return run


def pure_task(fn: Callable[..., R], cache_key: CacheKey | None) -> Any:
    """`fn` as a pure task, its result cached under `cache_key(*args)` when one is given.

    Only results without failures are cached (see `_uncached_if_failed`).
    """
    key = (fn, "pure")
    if key not in _tasks:
        _tasks[key] = task(name=_task_name(fn), cache_policy=NO_CACHE, **PURE_RETRIES)(
            _uncached_if_failed(fn)
        )
    base = _tasks[key]
    if cache_key is None:
        return base
    names = list(inspect.signature(fn).parameters)

    def key_fn(context: Any, parameters: dict[str, Any]) -> str | None:
        return cache_key(*(parameters[n] for n in names))

    # The key function as the cache policy itself: a task with both a policy (NO_CACHE,
    # the base's) and a cache_key_fn makes Prefect print a warning on every run.
    return base.with_options(
        cache_policy=CacheKeyFnPolicy(cache_key_fn=key_fn),
        persist_result=True,
        cache_expiration=CACHE_FOR,
    )


class PrefectSteps:
    """Steps as Prefect tasks: I/O steps called in this process, pure steps submitted."""

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        """Run an I/O step as a task, now, in the flow's process."""
        result: R = io_task(fn)(*args)
        return result

    def map(
        self,
        fn: Callable[..., R],
        inputs: Sequence[tuple[Any, tuple[Any, ...]]],
        *,
        cache_key: CacheKey | None = None,
    ) -> Iterator[tuple[Any, R]]:
        """Submit a pure step per input to the task runner; yield results as they complete."""
        runnable = pure_task(fn, cache_key)
        futures = {runnable.submit(*args): key for key, args in inputs}
        for future in as_completed(list(futures)):
            result = future.result()
            if future.state.name == "Cached":  # a replay: said so in the run record
                with contextlib.suppress(AttributeError, TypeError):
                    result.replayed = True
            yield futures[future], result


# Parameters are validated: a deployment's run hands the flow its job as JSON, which
# Prefect casts back to the job model; objects passed in-process (Any) go through as they are.
@flow(
    name="generate_items",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]  # Never-typed
)
def generate_items_flow(
    job: GenerationJob,
    generator: Any = None,  # a generators.base.Generator overriding job.generator
    detector: Any = None,
    on_domain: Any = None,  # Callable[[DomainOutcome], None]
) -> RunRecord:
    """Generate, validate and queue items for each domain of a job, concurrently.

    Each finished domain is stored (items + run progress, one transaction) as soon as it
    is screened; a killed run leaves whole domains only, and re-running resumes.
    """
    return jobs.generate(
        job, steps=PrefectSteps(), generator=generator, detector=detector, on_domain=on_domain
    )


def run_generation_flow(
    job: GenerationJob,
    *,
    concurrency: int = 4,
    generator: Any = None,
    detector: Any = None,
    on_domain: Callable[[DomainOutcome], None] | None = None,
    task_runner: Any = None,
) -> RunRecord:
    """Run the generation flow with at most `concurrency` domains in flight.

    `task_runner` replaces the thread pool (then `concurrency` is unused): e.g.
    `prefect_dask.DaskTaskRunner(address=...)` runs each domain's pure generation on a Dask
    cluster's worker processes, while every bank read and write stays in this process.
    """
    runner: Any = task_runner or ThreadPoolTaskRunner(max_workers=max(1, concurrency))
    runnable = generate_items_flow.with_options(task_runner=runner)
    result: RunRecord = runnable(job, generator=generator, detector=detector, on_domain=on_domain)
    return result


@flow(name="nightly_refresh")
def nightly_refresh_flow(
    job: NightlyJob,
    generator: Any = None,  # a generators.base.Generator overriding job.generator
    detector: Any = None,
    now: datetime | None = None,
) -> NightlyReport:
    """Refill thin or weak pools, recalibrate items, re-plan stale learners; idempotent."""
    return jobs.nightly(job, steps=PrefectSteps(), generator=generator, detector=detector, now=now)
