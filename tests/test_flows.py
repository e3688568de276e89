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
from bank.notes import load_notes
from bank.store import open_store
from generators.offline import OfflineGenerator
from pipelines.generation import RunSpec, notes_digest
from validators.flaws import check_flaws

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]
NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


def _spec(
    blueprint: Blueprint, counts: dict[int, int], seed: int | None = 1, purpose: str = "generate"
) -> RunSpec:
    return RunSpec(
        counts=counts,
        generator="offline",
        seed=seed,
        notes=notes_digest(load_notes(NOTES, blueprint)),
        purpose=purpose,
    )


def test_generation_flow_stores_items_and_a_completed_run(db: Path, blueprint: Blueprint) -> None:
    from pipelines.flows import run_flow

    seen = []
    run = run_flow(
        3,
        spec=_spec(blueprint, {4: 8, 5: 8, 6: 8}),
        db=str(db),
        notes_dir=str(NOTES),
        blueprint=blueprint,
        generator=OfflineGenerator(check_flaws),
        on_domain=seen.append,
    )
    assert run.status == "completed" and run.counts["generated"] == 24
    assert sorted(o.domain for o in seen) == [4, 5, 6]
    with open_store(db, read_only=True) as store:
        assert store.item_count() == 24
        before = store.content_digest()
    again = run_flow(
        3,
        spec=_spec(blueprint, {4: 8, 5: 8, 6: 8}),
        db=str(db),
        notes_dir=str(NOTES),
        blueprint=blueprint,
        generator=OfflineGenerator(check_flaws),
    )
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
    kwargs = {
        "db": str(db),
        "notes_dir": str(NOTES),
        "blueprint": blueprint,
        "generator": OfflineGenerator(check_flaws),
        "spec_for": lambda counts: _spec(blueprint, counts, seed=None, purpose="nightly"),
        "now": now,
    }
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

    from app.scheduled import build_deployments

    for deployment in build_deployments("30 3 * * *", "/tmp/bank.duckdb"):
        deployment.apply()
    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("nightly_refresh_entry/nightly-refresh")
        generate = client.read_deployment_by_name("generate_items_entry/generate-items")
    assert [s.schedule.cron for s in nightly.schedules] == ["30 3 * * *"]
    assert nightly.parameters == {"db": "/tmp/bank.duckdb"} and not generate.schedules


KILLABLE = """
import sys, time
from pathlib import Path
from bank.blueprint import load_blueprint
from bank.notes import load_notes
from generators.offline import OfflineGenerator
from pipelines.flows import run_flow
from pipelines.generation import RunSpec, notes_digest

class SlowOffline(OfflineGenerator):
    # the offline generator, slowed so that a kill lands between domains
    def generate(self, request, notes, blueprint):
        time.sleep(float(sys.argv[3]))
        return super().generate(request, notes, blueprint)

bp = load_blueprint()
notes_dir = Path(sys.argv[2])
spec = RunSpec(counts={d: 30 for d in bp.numbers}, generator="offline", seed=5,
               notes=notes_digest(load_notes(notes_dir, bp)))
run = run_flow(1, spec=spec, db=sys.argv[1], notes_dir=str(notes_dir), blueprint=bp,
               generator=SlowOffline())
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
