"""Scale-out, for real: a Prefect server, a process work pool and a worker running both
deployments from this checkout; generation on a Dask cluster of two worker processes,
with every bank read and write in the flow's own process.

The server test starts `prefect server start` and `prefect worker start` as the README's
operator would (their own PREFECT_HOME, analytics off) and kills both process groups in
teardown, whatever happened. The Dask test runs under the session's Prefect harness.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bank.blueprint import DEFAULT_BLUEPRINT, load_blueprint
from bank.models import Blueprint, Learner
from bank.notes import NoteSet, load_notes
from bank.store import open_store
from generators.base import GenerationRequest, GenerationResult
from generators.offline import OfflineGenerator
from pipelines.jobs import GenerationJob, NightlyJob
from validators.flaws import check_flaws

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "data" / "notes"
PREFECT = [sys.executable, "-m", "prefect"]
POOL = "cmas-pool"


# ---- processes we start, and stop whatever happens ----------------------------------------
def _started_at(pid: int) -> str | None:
    """A process's start time (clock ticks since boot): with its pid, names it uniquely."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _descendants(pid: int) -> list[tuple[int, str]]:
    """Every live descendant of `pid` (from /proc), with its start time."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if (started := _started_at(child)) is not None:
                found.append((child, started))
            todo.append(child)
    return found


@dataclass
class Service:
    """A subprocess in its own session, logging to a file."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def tail(self, chars: int = 4000) -> str:
        """The end of its log, for a failure message."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} log tail ---\n{text[-chars:]}"

    def stop(self) -> None:
        """SIGTERM its process group, SIGKILL what is left after 15 s (flow runs too)."""
        stray = _descendants(self.proc.pid)
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # A flow run started in a session of its own is not in the group: kill it by id
        # (if that id still names the same process).
        for pid, started in stray:
            if _started_at(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _start(name: str, args: list[str], env: dict[str, str], cwd: Path) -> Service:
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name, proc, log)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _offline_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """The environment of ../shared/ENVIRONMENT.md: a fresh PREFECT_HOME, no telemetry."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _wait_healthy(url: str, server: Service, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, f"the server exited\n{server.tail()}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the server's /health did not answer in {timeout:.0f} s\n{server.tail()}")


@dataclass
class Cluster:
    """A running Prefect server with a process pool and one worker polling it."""

    api_url: str
    server: Service
    worker: Service


@pytest.fixture
def prefect_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """`prefect server start`, `prefect work-pool create`, `prefect worker start`; killed after."""
    home = tmp_path / "prefect"
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    started: list[Service] = []
    try:
        server = _start(
            "server",
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            _offline_env(home),
            tmp_path,
        )
        started.append(server)
        _wait_healthy(api_url, server)
        env = _offline_env(home, api_url)
        pool = subprocess.run(
            [*PREFECT, "work-pool", "create", POOL, "--type", "process"],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert pool.returncode == 0, pool.stdout + pool.stderr
        # Polls every second (default 10 s); runs in tmp_path, not the checkout: the
        # deployment's pull step must set the working directory itself.
        worker_env = {**env, "PREFECT_WORKER_QUERY_SECONDS": "1"}
        worker = _start(
            "worker", [*PREFECT, "worker", "start", "--pool", POOL], worker_env, tmp_path
        )
        started.append(worker)
        yield Cluster(api_url, server, worker)
    finally:
        for service in reversed(started):
            service.stop()


def _small_blueprint(folder: Path) -> Path:
    """The CMAS blueprint with one item per domain: pool targets of a few items."""
    data = yaml.safe_load(DEFAULT_BLUEPRINT.read_text(encoding="utf-8"))
    for domain in data["domains"]:
        domain["count"] = 1
    data["exam"]["form_length"] = len(data["domains"])
    path = folder / "small-blueprint.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _fill_pools(db: Path, blueprint: Blueprint, domains: list[int], per_domain: int) -> None:
    """Give `domains` full pools (unscreened offline items): the refresh must leave them be."""
    notes = load_notes(NOTES, blueprint)
    generator = OfflineGenerator(check_flaws)
    items = [
        item.model_copy(update={"status": "pending_review"})
        for d in domains
        for item in generator.generate(
            GenerationRequest(domain=d, count=per_domain, seed=99), notes, blueprint
        ).items
    ]
    with open_store(db) as store:
        store.save_items(items)


def _run_deployment(name: str, cluster: Cluster, timeout: float) -> Any:
    from prefect.deployments import run_deployment

    started = time.monotonic()
    flow_run = run_deployment(name, timeout=timeout, poll_interval=1)
    took = time.monotonic() - started
    assert flow_run.state is not None and flow_run.state.is_completed(), (
        f"{name}: flow run {flow_run.name} ended {flow_run.state!r} after {took:.0f} s "
        f"(timeout {timeout:.0f} s)\n{cluster.worker.tail()}"
    )
    return flow_run


def _scheduled_runs(deployment_id: Any, wait: float = 15.0) -> list[Any]:
    """The future runs the server's scheduler made for a deployment (waits a little)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    only = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
    deadline = time.monotonic() + wait
    while True:
        with get_client(sync_client=True) as client:
            # limit and sort given: FastAPI >= 0.151 rejects the client's nulls (422)
            runs: list[Any] = client.read_flow_runs(
                deployment_filter=only, limit=20, sort=FlowRunSort.EXPECTED_START_TIME_ASC
            )
        runs = [r for r in runs if r.state_name == "Scheduled"]  # not the run we triggered
        if runs or time.monotonic() > deadline:
            return runs
        time.sleep(1)


def _check_schedule(scheduled: list[Any], cluster: Cluster) -> None:
    """The nightly's cron made scheduled runs: the server's scheduler works."""
    # Prefect 3.8.8's scheduler makes no runs under SQLAlchemy 2.1 ("Can't evaluate bulk DML
    # statement"): pyproject pins sqlalchemy<2.1, and this fails if that pin is lost.
    assert scheduled, (
        f"the scheduler made no runs of the nightly deployment\n{cluster.server.tail()}"
    )
    assert all(r.expected_start_time > datetime.now(UTC) for r in scheduled)


def test_a_worker_runs_both_deployments_against_a_real_server(
    prefect_cluster: Cluster, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipelines.deployments import GENERATE, NIGHTLY, deploy_to_pool

    # A nightly schedule 12 hours from now: the worker must not pick a scheduled run up.
    cron = f"0 {(datetime.now(UTC).hour + 12) % 24} * * *"
    db = tmp_path / "bank.duckdb"
    small = _small_blueprint(tmp_path)
    common = {"db": str(db), "notes_dir": str(NOTES), "blueprint": str(small)}
    generation = GenerationJob(**common, counts={1: 6}, seed=3)
    with temporary_settings(updates={PREFECT_API_URL: prefect_cluster.api_url}):
        ids = deploy_to_pool(NightlyJob(**common), generation, POOL, cron=cron)
        with get_client(sync_client=True) as client:
            nightly, generate = (client.read_deployment(i) for i in ids)
        assert nightly.work_pool_name == generate.work_pool_name == POOL
        assert [s.schedule.cron for s in nightly.schedules] == [cron]
        assert not generate.schedules
        assert generate.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
        ]

        run = _run_deployment(f"generate_items/{GENERATE}", prefect_cluster, timeout=120)
        assert run.parameters["job"]["db"] == str(db)  # the job went to the worker as JSON
        with open_store(db, read_only=True) as store:
            (record,) = store.runs("generate_items")
            items = store.find_items()
        assert record.status == "completed" and record.counts["generated"] == 6
        assert len(items) == 6 and {i.domain for i in items} == {1}
        assert {i.provenance.run_id for i in items} == {record.id}

        # Before the refresh: full pools in domains 2-7, none in 8, a learner to plan for.
        _fill_pools(db, load_blueprint(small), [2, 3, 4, 5, 6, 7], per_domain=8)
        now = datetime.now(UTC)
        with open_store(db) as store:
            store.add_learner(
                Learner(id="ana", exam_date=now.date() + timedelta(weeks=5), hours_per_week=5)
            )
            before = store.counts_by_domain_status()
        _run_deployment(f"nightly_refresh/{NIGHTLY}", prefect_cluster, timeout=120)
        scheduled = _scheduled_runs(nightly.id)
    with open_store(db, read_only=True) as store:
        refills = [r for r in store.runs("generate_items") if r.params["purpose"] == "nightly"]
        after = store.counts_by_domain_status()
        plan = store.latest_plan("ana")
    (refill,) = refills
    refilled = {int(d) for d in refill.counts["domains"]}
    assert refill.status == "completed" and 8 in refilled and refilled <= {1, 8}
    assert after.get((8, "pending_review"), 0) > 0  # the empty pool was filled ...
    assert all(after[k] == n for k, n in before.items() if k[0] not in refilled)  # ... only it
    assert plan is not None  # and ana has a plan
    _check_schedule(scheduled, prefect_cluster)


# ---- Dask: the pure step on worker processes, the bank in the flow's process ---------------
class PidRecordingOffline(OfflineGenerator):
    """The offline generator (with the flaw rules) noting which process ran each domain."""

    def __init__(self, folder: str) -> None:
        super().__init__(check_flaws)
        self.folder = folder

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        (Path(self.folder) / f"generate-{request.domain}").write_text(str(os.getpid()))
        return super().generate(request, notes, blueprint)


def _recording_connect(original: Any, folder: str) -> Any:
    """`duckdb.connect`, noting the process and file of every connection it opens."""

    def connect(database: str = ":memory:", *args: Any, **kwargs: Any) -> Any:
        with (Path(folder) / "connections").open("a") as log:
            log.write(f"{os.getpid()}\t{database}\t{kwargs.get('read_only', False)}\n")
        return original(database, *args, **kwargs)

    return connect


def _record_connections(folder: str) -> int:
    """Run on each Dask worker: record every DuckDB connection it opens; returns its pid."""
    import duckdb

    duckdb.connect = _recording_connect(duckdb.connect, folder)
    return os.getpid()


def test_everything_sent_to_a_worker_pickles(repo_notes: NoteSet, blueprint: Blueprint) -> None:
    from pipelines.components import GeneratorChoice, build_generator

    generator = build_generator(GeneratorChoice())
    request = GenerationRequest(domain=5, count=6, seed=2, run_id="r", exclude=frozenset({"x"}))
    sent = (generator, request, repo_notes, blueprint)
    got = pickle.loads(pickle.dumps(sent))
    assert got[1] == request and got[3] == blueprint and got[2].notes == repo_notes.notes
    assert got[0].screen is check_flaws  # the flaw screen travels by reference
    ours, theirs = generator.generate(*sent[1:]), got[0].generate(*got[1:])
    assert [i.content_hash for i in theirs.items] == [i.content_hash for i in ours.items]


@pytest.mark.usefixtures("prefect_harness")
def test_generation_runs_on_a_dask_cluster_of_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb
    from distributed import Client, LocalCluster
    from prefect_dask import DaskTaskRunner

    from pipelines.flows import run_generation_flow

    db = tmp_path / "bank.duckdb"
    folder = str(tmp_path)
    job = GenerationJob(db=str(db), notes_dir=str(NOTES), counts={1: 8, 2: 8, 3: 8}, seed=1)
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = set(client.run(_record_connections, folder).values())
        monkeypatch.setattr(duckdb, "connect", _recording_connect(duckdb.connect, folder))
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        run = run_generation_flow(job, generator=PidRecordingOffline(folder), task_runner=runner)
    assert len(workers) == 2 and os.getpid() not in workers
    assert run.status == "completed" and run.counts["generated"] == 24
    with open_store(db, read_only=True) as store:
        assert store.item_count() == 24
        assert {i.domain for i in store.find_items()} == {1, 2, 3}
    # Each domain's generation ran in a Dask worker process, not in the flow's.
    generated_in = {int((tmp_path / f"generate-{d}").read_text()) for d in (1, 2, 3)}
    assert generated_in <= workers
    # Every connection to the bank (reads, writes, the detector's vectors) was the flow's.
    lines = (tmp_path / "connections").read_text().splitlines()
    opened = [line.split("\t") for line in lines]
    assert {(pid, path) for pid, path, _ in opened} == {(str(os.getpid()), str(db))}
    assert any(read_only == "False" for *_, read_only in opened)
