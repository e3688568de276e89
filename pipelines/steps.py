"""How a use case runs its steps: inline here, or as Prefect tasks (pipelines/flows.py).

A use case (a generation run, the nightly refresh) is written once, as a plain function
that sequences its steps through a `Steps` object:

- `steps.call(fn, *args)` runs an I/O step now, in this process: a read or a write of the
  bank. Bank writes stay in the process that runs the use case (DuckDB allows one writer
  process), so a flow's workers never write the bank.
- `steps.map(fn, inputs)` runs a pure step (notes in, items out) on every input and yields
  the results as they complete: in a thread pool here, on Prefect's task runner in a flow
  (threads, or a Dask cluster's processes and machines).

`InlineSteps` is the plain-Python runner (tests, benchmarks, `generate --no-flow`);
`pipelines.flows.PrefectSteps` wraps the same functions as tasks with retries and caching.
There is one orchestration per use case, whichever runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)

CacheKey = Callable[..., str | None]
"""For a pure step: the key its result may be cached under (None: never cached)."""


class Steps(Protocol):
    """What runs a use case's steps."""

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        """Run an I/O step now, in this process, and return its result."""
        ...

    def map(
        self,
        fn: Callable[..., R],
        inputs: Sequence[tuple[K, tuple[Any, ...]]],
        *,
        cache_key: CacheKey | None = None,
    ) -> Iterator[tuple[K, R]]:
        """Run a pure step on each `(key, args)` input; yield `(key, result)` as each completes."""
        ...


@dataclass(frozen=True)
class InlineSteps:
    """Steps in this process: I/O steps directly, pure steps on up to `workers` threads.

    Nothing is cached: re-running a use case recomputes what it did not store.
    """

    workers: int = 1

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        """Run `fn(*args)` now."""
        return fn(*args)

    def map(
        self,
        fn: Callable[..., R],
        inputs: Sequence[tuple[K, tuple[Any, ...]]],
        *,
        cache_key: CacheKey | None = None,
    ) -> Iterator[tuple[K, R]]:
        """Each input in turn (one worker), or on a thread pool, yielded as completed."""
        if self.workers <= 1 or len(inputs) <= 1:
            for key, args in inputs:
                yield key, fn(*args)
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(fn, *args): key for key, args in inputs}
            for future in as_completed(futures):
                yield futures[future], future.result()
