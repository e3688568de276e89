"""Prefect flows under one session-scoped test harness: generation, nightly refresh,
deployments, and a run killed with SIGKILL then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.models import Blueprint, Learner
from bank.store import open_store
from pipelines.jobs import GenerationJob, NightlyJob

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]
NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


def _job(db: Path, counts: dict[int, int], seed: int | None = 1) -> GenerationJob:
    return GenerationJob(db=str(db), notes_dir=str(NOTES), counts=counts, seed=seed)


def test_generation_flow_stores_items_and_a_completed_run(db: Path, blueprint: Blueprint) -> None:
    from pipelines.flows import run_generation_flow

    seen = []
    run = run_generation_flow(_job(db, {4: 8, 5: 8, 6: 8}), concurrency=3, on_domain=seen.append)
    assert run.status == "completed" and run.counts["generated"] == 24
    assert sorted(o.domain for o in seen) == [4, 5, 6]
    with open_store(db, read_only=True) as store:
        assert store.item_count() == 24
        before = store.content_digest()
    again = run_generation_flow(_job(db, {4: 8, 5: 8, 6: 8}), concurrency=3)
    assert again.id == run.id
    with open_store(db, read_only=True) as store:
        assert store.content_digest() == before


def test_generate_command_runs_the_flow(db: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    def generate_runs() -> int:
        only = FlowFilter(name=FlowFilterName(any_=["generate_items"]))
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_filter=only, limit=200, sort=FlowRunSort.START_TIME_DESC
            )
            return len(runs)

    before = generate_runs()
    result = CliRunner().invoke(
        app, ["generate", "--domain", "7", "--count", "5", "--db", str(db), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["generated"] == 5
    assert generate_runs() == before + 1  # the default path is the Prefect flow


def test_nightly_refresh_flow_fills_pools_replans_and_is_idempotent(
    db: Path, blueprint: Blueprint
) -> None:
    from pipelines.flows import nightly_refresh_flow

    now = datetime.now(UTC)
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.add_learner(
            Learner(id="ana", exam_date=now.date() + timedelta(weeks=5), hours_per_week=5)
        )
        store.add_learner(Learner(id="old", exam_date=now.date() - timedelta(days=3)))
    kwargs = {"job": NightlyJob(db=str(db), notes_dir=str(NOTES)), "now": now}
    first = nightly_refresh_flow(**kwargs)
    assert sum(first.generated.values()) > 200 and first.replanned == ["ana"]
    with open_store(db, read_only=True) as store:
        before = store.content_digest()
    second = nightly_refresh_flow(**kwargs)
    assert not second.changed
    with open_store(db, read_only=True) as store:
        assert store.content_digest() == before


def test_serve_registers_the_nightly_schedule() -> None:
    from prefect.client.orchestration import get_client

    from pipelines.deployments import served

    nightly_job = NightlyJob(db="/tmp/bank.duckdb")
    generate_job = GenerationJob(db="/tmp/bank.duckdb", counts={5: 10})
    for deployment in served(nightly_job, generate_job, "30 3 * * *"):
        deployment.apply()
    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("nightly_refresh/nightly-refresh")
        generate = client.read_deployment_by_name("generate_items/generate-items")
    assert [s.schedule.cron for s in nightly.schedules] == ["30 3 * * *"]
    assert nightly.parameters == {"job": nightly_job.model_dump(mode="json")}
    assert not generate.schedules


KILLABLE = """
import sys, time
from generators.offline import OfflineGenerator
from pipelines.flows import run_generation_flow
from pipelines.jobs import GenerationJob
from validators.flaws import check_flaws

class SlowOffline(OfflineGenerator):
    # the offline generator, slowed so that a kill lands between domains
    def generate(self, request, notes, blueprint):
        time.sleep(float(sys.argv[3]))
        return super().generate(request, notes, blueprint)

job = GenerationJob(db=sys.argv[1], notes_dir=sys.argv[2], counts={d: 30 for d in range(1, 9)},
                    seed=5)
run = run_generation_flow(job, concurrency=1, generator=SlowOffline(check_flaws))
print("DONE", run.status, flush=True)
"""


def _domains_done(db: Path) -> int:
    try:
        with open_store(db, read_only=True, wait_s=5) as store:
            runs = store.runs("generate_items")
    except Exception:  # the file may not exist yet, or be mid-write
        return 0
    return len(runs[0].counts.get("domains", {})) if runs else 0


@pytest.mark.slow
def test_a_killed_run_leaves_the_bank_consistent_and_a_rerun_completes_it(tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    # its own session: the SIGKILL goes to the flow process and its Prefect server alike
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(db), str(NOTES), "1.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 150
    while _domains_done(db) < 2:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the flow did not store two domains in time"
        time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(db, read_only=True) as store:
        (run,) = store.runs("generate_items")
        done = len(run.counts["domains"])
        assert run.status == "running" and 2 <= done < 8
        items = store.find_items()
        assert len(items) == 30 * done  # whole domains only
    finished = subprocess.run(
        [sys.executable, "-c", KILLABLE, str(db), str(NOTES), "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "DONE completed" in finished.stdout, finished.stderr[-2000:]
    with open_store(db, read_only=True) as store:
        (run,) = store.runs("generate_items")
        items = store.find_items()
    assert run.status == "completed" and len(run.counts["domains"]) == 8
    assert len(items) == 240 and len({i.content_hash for i in items}) == 240
    assert {i.domain for i in items} == set(range(1, 9))
