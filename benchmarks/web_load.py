"""Many learners answering at once while the nightly flow writes the bank (issue #15).

Builds a temporary bank (a few hundred approved items, 200 learners with link tokens),
starts the real web server (`cmasprep serve`, one uvicorn process) on loopback, and runs
the real `cmasprep nightly` against the same bank file, again and again, while 200
simulated learners (one asyncio process, a keep-alive connection each) each start a
tutor session and answer 20 questions through the endpoints the page posts to (each
answer followed by the feedback page the browser would load). Some answers are sent
twice on purpose (a retried POST with the same idempotency key).

Prints answers per second, p50/p95/p99 latency of the answer POST (and of the answer with
its feedback page), and, after the server stopped and its journal drained into the bank,
the responses lost or doubled: stored in DuckDB per learner against what was sent.
Target: p95 <= 100 ms, nothing lost or doubled.

Also prints the CPU the load generator and the server used (per answer: the client shares
the machine's cores with the server) and the load average beside the figures. Run it at a
plain priority: the server must get no better priority than a deployment gives it.

Run: python -m benchmarks.web_load [--learners 200] [--answers 20] [--think 10]
     [--flow cli|inline|none] [--server cli|inline] [--retry 0.1] [--before TREE]
`--before TREE` measures the server and flow of another checkout first (e.g.
`git archive HEAD | tar -x -C /tmp/before`), then this one, and prints both side by side.
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "web-load-secret-0123456789abcdef"
SESSION = re.compile(r"/practice/([0-9a-f]+)")


def token_of(n: int) -> str:
    """The link token of simulated learner `n` (fixed, so the clients can know it)."""
    return f"load-learner-{n:04d}-" + "t" * 24


def build_bank(db: Path, learners: int, per_domain: int) -> int:
    """A bank of approved items in every domain and `learners` learners with tokens."""
    from app.web.auth import token_hash
    from bank.blueprint import load_blueprint
    from bank.models import Item, Learner
    from bank.store import open_store

    blueprint = load_blueprint()
    items = [
        Item.model_validate(
            {
                "domain": d,
                "stem": f"Load case {d}-{i}: which step comes first in this office task?",
                "options": [
                    f"First step {d}-{i}",
                    f"Second step {d}-{i}",
                    f"Third {d}-{i}",
                    f"Fourth {d}-{i}",
                ],
                "answer": "ABCD"[i % 4],
                "rationale": f"{'ABCD'[i % 4]} is correct. It is the step the policy names.",
                "status": "approved",
            }
        )
        for d in blueprint.numbers
        for i in range(per_domain)
    ]
    now = datetime.now(UTC)
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.save_items(items)
        for n in range(learners):
            learner = Learner(
                id=f"load-{n:04d}",
                exam_date=date.today() + timedelta(days=60),
                hours_per_week=6,
            )
            store.add_learner(learner, now)
            store.set_learner_token_hash(learner.id, token_hash(token_of(n)))
    return len(items)


def serve(db: str, port: int) -> None:
    """The server process: the real app under uvicorn; SIGINT stops it and flushes."""
    import uvicorn

    from app.web import create_app

    app = create_app(db, SECRET)
    # Learners think for seconds between answers: keep their connections open meanwhile.
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=120)


def nightly_loop(db: str, stop_file: str) -> None:
    """The flow process: the nightly refresh (pipelines.refresh), again until told to stop."""
    from bank.blueprint import DATA_DIR, load_blueprint
    from bank.notes import load_notes
    from bank.store.access import BankFile
    from generators.offline import OfflineGenerator
    from pipelines.refresh import refresh
    from validators.flaws import check_flaws

    blueprint = load_blueprint()
    notes = load_notes(DATA_DIR / "notes", blueprint)
    bank = BankFile(Path(db), 60.0)
    runs = 0
    while not Path(stop_file).exists():
        refresh(bank, blueprint, notes, OfflineGenerator(check_flaws), datetime.now(UTC))
        runs += 1
        print(f"nightly run {runs} done", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Reply:
    """A reply's status code, headers (lower-case names) and body."""

    def __init__(self, status_code: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body


class Browser:
    """One learner's keep-alive HTTP/1.1 connection: a lean client for the load.

    httpx took 5-8 ms of CPU per answer here, on the two cores the server shares; this
    writes the request and reads status, headers and a Content-Length (or chunked) body
    with asyncio streams, which is all these pages need. A dropped connection is opened
    again and the request sent again (as a browser would).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, data: dict[str, Any]) -> Reply:
        """POST a form."""
        return await self._send("POST", path, urlencode(data).encode())

    async def get(self, path: str) -> Reply:
        """GET a page (its body is read whole)."""
        return await self._send("GET", path, None)

    async def close(self) -> None:
        """Close the connection."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    async def _send(self, method: str, path: str, body: bytes | None) -> Reply:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if body is not None:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
            head += f"Content-Length: {len(body)}\r\n"
        request = (head + "\r\n").encode() + (body or b"")
        if self._reader is not None and self._reader.at_eof():
            await self.close()  # the server closed the idle connection meanwhile
        for attempt in (1, 2):
            try:
                if self._writer is None:
                    self._reader, self._writer = await asyncio.open_connection(
                        "127.0.0.1", self.port
                    )
                self._writer.write(request)
                return await self._read()
            except (OSError, asyncio.IncompleteReadError, ConnectionError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> Reply:
        assert self._reader is not None
        raw = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self._reader.readuntil(b"\r\n")).strip(), 16):
                chunks.append(await self._reader.readexactly(size + 2))
            await self._reader.readuntil(b"\r\n")
            body = b"".join(c[:-2] for c in chunks)
        else:
            body = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, body)


async def learner(
    client: Browser, n: int, answers: int, think: float, retry: float, rng: random.Random
) -> dict[str, Any]:
    """One learner: start a tutor session, answer, read each feedback page; some retries."""
    base = f"/learner/{token_of(n)}/practice"
    await asyncio.sleep(rng.uniform(0, think * 2))  # learners arrive over a few seconds
    started = await client.post(base, data={"kind": "tutor", "size": answers, "key": f"start-{n}"})
    if started.status_code != 303:
        return {"learner": f"load-{n:04d}", "sent": 0, "post": [], "page": [], "errors": 1}
    sid = SESSION.search(started.headers["location"]).group(1)  # type: ignore[union-attr]
    post_ms: list[float] = []
    page_ms: list[float] = []
    sent = errors = retries = 0
    for position in range(answers):
        await asyncio.sleep(rng.expovariate(1 / think) if think else 0)
        data = {"position": position, "choice": rng.choice("ABCD"), "key": f"{sid}-{position}"}
        t0 = time.perf_counter()
        try:
            reply = await client.post(f"{base}/{sid}/answer", data=data)
        except OSError:  # dropped twice: send it again, same key
            errors += 1
            reply = await client.post(f"{base}/{sid}/answer", data=data)
        t1 = time.perf_counter()
        if reply.status_code != 303:
            errors += 1
            continue
        sent += 1
        post_ms.append((t1 - t0) * 1000)
        if rng.random() < retry:  # the answer's POST again: the same key must record nothing
            again = await client.post(f"{base}/{sid}/answer", data=data)
            retries += 1
            errors += again.status_code != 303
        page = await client.get(reply.headers["location"])
        page_ms.append((time.perf_counter() - t0) * 1000)
        errors += page.status_code != 200
    return {
        "learner": f"load-{n:04d}",
        "sent": sent,
        "retries": retries,
        "post": post_ms,
        "page": page_ms,
        "errors": errors,
    }


async def run_learners(
    port: int, learners: int, answers: int, think: float, retry: float, seed: int
) -> tuple[list[dict[str, Any]], float]:
    """All learners at once over keep-alive connections; their results and the wall time."""

    async def one(n: int) -> dict[str, Any]:
        # A connection per learner, as each browser has its own.
        client = Browser(port)
        try:
            return await learner(
                client, n, answers, think, retry, random.Random(seed * 100_003 + n)
            )
        finally:
            await client.close()

    t0 = time.perf_counter()
    results = await asyncio.gather(*(one(n) for n in range(learners)))
    return list(results), time.perf_counter() - t0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _quantiles(values: list[float]) -> dict[str, float]:
    return {
        name: round(_pct(values, q), 1) for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    }


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a live process and its live descendants used so far.

    Read from Linux /proc: the server's worker processes are counted with it.
    """
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        stats[int(entry.name)] = (int(fields[1]), ticks / os.sysconf("SC_CLK_TCK"))
    total, tree = 0.0, {pid}
    for _ in range(4):  # a server, its workers, their helpers
        tree |= {p for p, (parent, _) in stats.items() if parent in tree}
    for p in tree:
        total += stats.get(p, (0, 0.0))[1]
    return total


def _wait_idle(pid: int, seconds: float = 180) -> None:
    """Wait until the server's start-up work (its duplicate detector's warm-up) is done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        used = _cpu_s(pid)
        time.sleep(1.0)
        if _cpu_s(pid) - used < 0.05:
            return


def _wait_up(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def main() -> None:
    """Build the bank, start server and flow, run the learners, count what the bank holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--per-domain", type=int, default=40)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds between a learner's answers"
    )
    parser.add_argument("--retry", type=float, default=0.1, help="share of answers sent twice")
    parser.add_argument("--flow", choices=["cli", "inline", "none"], default="cli")
    parser.add_argument(
        "--server", choices=["cli", "inline"], default="cli", help="cli: `cmasprep serve`"
    )
    parser.add_argument(
        "--before",
        metavar="TREE",
        help="first run the server and flow of the code in TREE (e.g. `git archive HEAD`), "
        "then this tree's, and print both side by side",
    )
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--nightly", nargs=2, metavar=("DB", "STOP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    if args.nightly:
        nightly_loop(args.nightly[0], args.nightly[1])
        return

    if not args.before:
        print(json.dumps(run_once(args, ROOT, "")))
        return
    before = run_once(args, Path(args.before).resolve(), "before")
    after = run_once(args, ROOT, "after")
    side_by_side(before, after)
    print(json.dumps({"before": before, "after": after}))


def run_once(args: argparse.Namespace, tree: Path, label: str) -> dict[str, Any]:
    """One measured run with the server and the flow of the code in `tree`; its figures."""
    from bank.store import open_store
    from bank.store.journal import Journal

    if label:
        print(f"--- {label}: server and nightly flow from {tree}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="web-load-"))
    db = work / "bank.duckdb"
    t0 = time.perf_counter()
    items = build_bank(db, args.learners, args.per_domain)
    print(
        f"bank: {items} approved items, {args.learners} learners ({time.perf_counter() - t0:.1f} s)"
    )
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_HOME": str(work / "prefect"),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}  # fmt: skip
    if tree != ROOT:  # the other tree's code comes first on the path of server and flow
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")])
    port = _free_port()
    me = [sys.executable, "-m", "benchmarks.web_load"]
    if args.server == "cli":  # the product's command, as an operator starts it
        command = ["cmasprep", "serve", "--db", str(db), "--port", str(port)]
        env["CMASPREP_SECRET_KEY"] = SECRET
        server = subprocess.Popen(
            command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    else:
        server = subprocess.Popen([*me, "--serve", str(db), str(port)], cwd=tree, env=env)
    _wait_up(port, server)
    _wait_idle(server.pid)  # a server in service started long before its learners came
    stop = work / "stop"
    flow: subprocess.Popen[bytes] | None = None
    log = open(work / "flow.log", "wb")  # noqa: SIM115 (closed at the end)
    if args.flow == "inline":
        flow = subprocess.Popen(
            [*me, "--nightly", str(db), str(stop)], cwd=tree, env=env, stdout=log, stderr=log
        )
    elif args.flow == "cli":
        loop = f"while [ ! -e {stop} ]; do cmasprep nightly --db {db} -g offline; done"
        flow = subprocess.Popen(["sh", "-c", loop], cwd=tree, env=env, stdout=log, stderr=log)
    time.sleep(3 if flow else 0)  # let the flow get going: it must hold the bank meanwhile
    print("load average (1, 5, 15 min) at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    server_cpu0, client_cpu0 = _cpu_s(server.pid), time.process_time()
    results, wall = asyncio.run(
        run_learners(port, args.learners, args.answers, args.think, args.retry, args.seed)
    )
    client_cpu = time.process_time() - client_cpu0
    server_cpu = _cpu_s(server.pid) - server_cpu0
    load_end = os.getloadavg()
    stop.touch()
    flow_runs = 0
    if flow is not None:
        flow.wait(timeout=600)
        log.close()
        flow_runs = (work / "flow.log").read_text(errors="replace").count("nightly run")
        flow_runs = flow_runs or (work / "flow.log").read_text(errors="replace").count("Generated")
    server.send_signal(signal.SIGINT)  # lifespan shutdown: the syncer flushes the journal
    server.wait(timeout=300)
    journal = Journal(db.with_name(db.name + ".journal.sqlite"))
    left = journal.count()
    journal.close()

    with open_store(db, read_only=True) as store:
        stored: dict[str, int] = {}
        distinct: dict[str, int] = {}
        for r in store.responses():
            stored[r.learner_id] = stored.get(r.learner_id, 0) + 1
        for s in store.practice_sessions():
            distinct[s["learner_id"]] = len(s["answers"])
    sent = {r["learner"]: r["sent"] for r in results}
    lost = sum(max(0, n - stored.get(lr, 0)) for lr, n in sent.items())
    doubled = sum(max(0, stored.get(lr, 0) - n) for lr, n in sent.items())
    post = [ms for r in results for ms in r["post"]]
    page = [ms for r in results for ms in r["page"]]
    total = sum(sent.values())
    figures = {
        "learners": args.learners,
        "answers_sent": total,
        "retries": sum(r["retries"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "wall_s": round(wall, 1),
        "answers_per_s": round(total / wall, 1),
        "post_ms": _quantiles(post),
        "with_page_ms": _quantiles(page),
        "post_mean_ms": round(statistics.fmean(post), 1) if post else None,
        "stored": sum(stored.values()),
        "lost": lost,
        "doubled": doubled,
        "session_answers": sum(distinct.values()),
        "journal_left": left,
        "flow": args.flow,
        "flow_runs": flow_runs,
        "think_s": args.think,
        "server": args.server,
        "cpu_s": {"client": round(client_cpu, 1), "server": round(server_cpu, 1)},
        "cpu_ms_per_answer": {
            "client": round(1000 * client_cpu / max(total, 1), 1),
            "server": round(1000 * server_cpu / max(total, 1), 1),
        },
        "loadavg_end_of_load": [round(x, 2) for x in load_end],
    }  # fmt: skip
    print(f"{total} answers from {args.learners} learners in {wall:.1f} s "
          f"({figures['answers_per_s']} answers/s, mean think {args.think} s); "
          f"{figures['retries']} deliberate retries; {figures['errors']} errors")  # fmt: skip
    print("answer POST latency ms: p50 {p50}  p95 {p95}  p99 {p99}".format(**figures["post_ms"]))
    print(
        "answer + feedback page ms: p50 {p50}  p95 {p95}  p99 {p99}".format(
            **figures["with_page_ms"]
        )
    )
    print(f"bank after the journal drained: {figures['stored']} responses stored, "
          f"{lost} lost, {doubled} doubled; journal left {left}; "
          f"nightly flow ({args.flow}) runs during the load: {flow_runs}")  # fmt: skip
    print(f"CPU during the load: client {client_cpu:.1f} s, server {server_cpu:.1f} s "
          f"({figures['cpu_ms_per_answer']['client']} and "
          f"{figures['cpu_ms_per_answer']['server']} ms per answer); load average when "
          "the learners finished: {:.2f} {:.2f} {:.2f}".format(*load_end))  # fmt: skip
    load = os.getloadavg()
    figures["loadavg_1_5_15"] = [round(x, 2) for x in load]
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*load))
    return figures


def side_by_side(before: dict[str, Any], after: dict[str, Any]) -> None:
    """The two runs' headline figures in two columns."""
    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("answers/s", lambda f: f["answers_per_s"]),
        ("POST p50 ms", lambda f: f["post_ms"]["p50"]),
        ("POST p95 ms", lambda f: f["post_ms"]["p95"]),
        ("POST p99 ms", lambda f: f["post_ms"]["p99"]),
        ("with page p95 ms", lambda f: f["with_page_ms"]["p95"]),
        ("lost / doubled", lambda f: f"{f['lost']} / {f['doubled']}"),
        ("server CPU ms/answer", lambda f: f["cpu_ms_per_answer"]["server"]),
        ("client CPU ms/answer", lambda f: f["cpu_ms_per_answer"]["client"]),
        ("nightly runs", lambda f: f["flow_runs"]),
        ("load avg (end of load)", lambda f: " ".join(map(str, f["loadavg_end_of_load"]))),
    ]
    print(f"think {after['think_s']} s, {after['learners']} learners, flow {after['flow']}:")
    print(f"{'':24}{'before':>18}{'after':>18}")
    for name, get in rows:
        print(f"{name:24}{get(before)!s:>18}{get(after)!s:>18}")


if __name__ == "__main__":
    main()
