"""Review at keyboard speed (issue #17): key press to the next item on screen, in Chromium.

Builds a temporary bank with a few hundred queued items, as the checks leave them (every
item checked; one in five flagged `possible_duplicate` naming another), starts the real
server (`cmasprep serve`, its own process) on loopback, signs a reviewer in with Chromium
through Playwright, and presses `a` on 20 items: each time from the key press to the
next item's stem on screen. Then the same for 20 more items while another process holds
the bank file (a DuckDB write connection) for 5 s: reads must not wait for it.

Prints the median and p95 per run, then one JSON line. Target: median <= 300 ms.

Run: nice -n 5 python -m benchmarks.review_speed [--items 300] [--decisions 20]
Needs /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CMASPREP = str(Path(sys.executable).with_name("cmasprep"))  # the venv's command
HOLD = (
    "import sys, time, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "con.close()\n"
)


def _bank(db: Path, n: int) -> None:
    """A bank of `n` queued items, checked, some flagged as near-duplicates of others."""
    from bank.blueprint import load_blueprint
    from bank.models import Flaw, Item, Source
    from bank.store import open_store

    now = datetime.now(UTC)
    items = []
    for i in range(n):
        domain = 1 + i % 8
        item = Item(
            domain=domain,
            stem=f"Question {i}: which step comes first when a clinic handles case {i}?",
            options=[f"Step A{i}", f"Step B{i}", f"Step C{i}", f"Step D{i}"],
            answer=("A", "B", "C", "D")[i % 4],
            rationale="The first step in the documented procedure.",
            sources=[Source(note=f"d{domain}-note", quote="The procedure starts with it.")],
        )
        items.append(item)
    checked = []
    for i, item in enumerate(items):
        flaws = []
        if i % 5 == 0 and i + 1 < n:
            other = items[i + 1].id
            flaws = [
                Flaw(code="possible_duplicate", where="stem", evidence=f"{other} (lexical 0.9)")
            ]
        checked.append(
            item.model_copy(update={"flaws": flaws, "checked_at": now, "checks_version": "bench"})
        )
    with open_store(db) as store:
        store.save_blueprint(load_blueprint())
        store.save_items(checked)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [CMASPREP, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _wait_up(base: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited")
        try:
            urllib.request.urlopen(f"{base}/login", timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _decide(page: Any, count: int) -> list[float]:
    """Press `a` `count` times; ms from each press to the next item's stem on screen."""
    times = []
    for _ in range(count):
        before = page.locator("#stem").inner_text()
        start = time.perf_counter()
        page.keyboard.press("a")
        page.wait_for_function(
            "prev => { const s = document.querySelector('#stem');"
            " return s && s.innerText !== prev; }",
            arg=before,
            timeout=30_000,
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def _figures(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def main() -> None:
    """Build the bank, start the server, drive Chromium, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bank.duckdb"
        _bank(db, args.items)
        env = {**os.environ, "CMASPREP_SECRET_KEY": "bench-secret-key-0123456789abcdef"}
        token = _cli("reviewers", "add", "bench", "--db", str(db), env=env).strip().splitlines()[-1]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [CMASPREP, "serve", "--db", str(db), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        results: dict[str, Any] = {"items": args.items, "decisions": args.decisions}
        try:
            _wait_up(base, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.goto(f"{base}/login")
                page.fill("#token", token)
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                with page.expect_navigation():
                    page.keyboard.press("Enter")  # the first row: its item page
                _decide(page, 2)  # warm-up: the first requests load templates
                results["free"] = _figures(_decide(page, args.decisions))
                holder = subprocess.Popen(
                    [sys.executable, "-c", HOLD, str(db), "5"], stdout=subprocess.PIPE, text=True
                )
                assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
                held = _decide(page, args.decisions)
                results["held_5s"] = _figures(held)
                results["held_decisions_within_5s"] = sum(1 for _ in held)
                holder.wait(30)
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
            log.close()
        from bank.store import open_store

        with open_store(db, read_only=True) as store:
            decided = sum(1 for e in store.events() if e.decision == "approve")
        results["approvals_in_bank"] = decided
    print(f"{'run':<28}{'median ms':>10}{'p95 ms':>10}")
    for name in ("free", "held_5s"):
        print(f"{name:<28}{results[name]['median_ms']:>10}{results[name]['p95_ms']:>10}")
    print(f"approvals in the bank after the server stopped: {results['approvals_in_bank']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
