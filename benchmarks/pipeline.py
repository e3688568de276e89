"""Pipeline benchmark: the generation flow against the same use case run inline.

Over 500 offline items, as a ratio (target <= 1.5x once the ephemeral server is up); the
server's start-up is reported separately.

Run: python -m benchmarks.pipeline
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bank.blueprint import DATA_DIR, load_blueprint
from pipelines import jobs
from pipelines.generation import split_by_weight
from pipelines.jobs import GenerationJob


def main() -> None:
    """Time one 500-item offline job inline and as the Prefect flow, side by side."""
    blueprint = load_blueprint()
    counts = split_by_weight(500, blueprint)
    seed = int(time.time())  # a fresh seed: no cached results from an earlier benchmark
    with tempfile.TemporaryDirectory() as tmp:
        db_direct, db_flow = Path(tmp) / "direct.duckdb", Path(tmp) / "flow.duckdb"

        def job(db: Path, wanted: dict[int, int] = counts) -> GenerationJob:
            return GenerationJob(
                db=str(db), notes_dir=str(DATA_DIR / "notes"), counts=wanted, seed=seed
            )

        # A tiny run first loads what both paths share (the encoder, the notes): the CLI's
        # set-up on both, loaded once per process, before either timing starts.
        jobs.generate(job(Path(tmp) / "warm.duckdb", {1: 4}))

        t0 = time.perf_counter()
        direct = jobs.generate(job(db_direct))
        direct_s = time.perf_counter() - t0

        from prefect import flow

        from pipelines.flows import run_generation_flow

        @flow(name="warm-up")
        def warm_up() -> int:
            return 1

        t0 = time.perf_counter()
        warm_up()
        startup_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        flowed = run_generation_flow(job(db_flow))
        flow_s = time.perf_counter() - t0

    generated = direct.counts["generated"]
    if flowed.counts["generated"] != generated:
        raise SystemExit(
            f"the flow generated {flowed.counts['generated']} items, inline {generated}"
        )
    figures = {
        "items": generated,
        "direct_s": round(direct_s, 2),
        "flow_s": round(flow_s, 2),
        "flow_to_direct": round(flow_s / direct_s, 2),
        "server_startup_s": round(startup_s, 1),
    }
    print(f"{generated} items generated, validated and stored, on each path")
    print(
        f"inline use case: {direct_s:.2f} s; Prefect flow (server up): {flow_s:.2f} s "
        f"-> ratio {flow_s / direct_s:.2f} (target <= 1.5)"
    )
    print(f"ephemeral server start-up (separately): {startup_s:.1f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
