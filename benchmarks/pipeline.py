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
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bank.blueprint import DATA_DIR, load_blueprint
from bank.notes import load_notes
from bank.store import StoreEmbeddingCache, open_store
from generators.offline import OfflineGenerator
from pipelines.generation import RunSpec, notes_digest, run_generation, split_by_weight
from validators.detector import default_detector
from validators.flaws import check_flaws


def main() -> None:
    blueprint = load_blueprint()
    notes_dir = DATA_DIR / "notes"
    notes = load_notes(notes_dir, blueprint)
    counts = split_by_weight(500, blueprint)
    seed = int(time.time())  # a fresh seed: no cached results from an earlier benchmark
    # Same detector set-up on both paths (the CLI's): vectors stored in each bank, and the
    # encoder loaded once per process, before either timing starts.
    from validators.detector import shared_encoder
    from validators.encoders import semantic_available

    if semantic_available():
        shared_encoder().encode(["warm-up"])

    with tempfile.TemporaryDirectory() as tmp:
        db_direct, db_flow = Path(tmp) / "direct.duckdb", Path(tmp) / "flow.duckdb"

        @contextmanager
        def opener():
            with open_store(db_direct) as store:
                yield store

        spec = RunSpec(counts=counts, generator="offline", seed=seed, notes=notes_digest(notes))
        t0 = time.perf_counter()
        direct = run_generation(
            opener,
            spec,
            OfflineGenerator(check_flaws),
            notes,
            blueprint,
            detector=default_detector(cache=StoreEmbeddingCache(db_direct)),
        )
        direct_s = time.perf_counter() - t0

        from prefect import flow

        from pipelines.flows import run_flow

        @flow(name="warm-up")
        def warm_up() -> int:
            return 1

        t0 = time.perf_counter()
        warm_up()
        startup_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        flowed = run_flow(
            OfflineGenerator.concurrency,
            spec=spec,
            db=str(db_flow),
            notes_dir=str(notes_dir),
            blueprint=blueprint,
            generator=OfflineGenerator(check_flaws),
            detector=None,  # as the CLI does: the flow builds it (one encoder per process),
        )
        flow_s = time.perf_counter() - t0

    generated = direct.counts["generated"]
    assert flowed.counts["generated"] == generated
    figures = {
        "items": generated,
        "direct_s": round(direct_s, 2),
        "flow_s": round(flow_s, 2),
        "flow_to_direct": round(flow_s / direct_s, 2),
        "server_startup_s": round(startup_s, 1),
    }
    print(f"{generated} items generated, validated and stored")
    print(
        f"direct functions: {direct_s:.2f} s; Prefect flow (server up): {flow_s:.2f} s "
        f"-> ratio {flow_s / direct_s:.2f} (target <= 1.5)"
    )
    print(f"ephemeral server start-up (separately): {startup_s:.1f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
