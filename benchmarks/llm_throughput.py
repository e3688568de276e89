"""LLM generation throughput against a loopback server with a fixed latency per request.

Items per second at concurrency 1, 8 and 32, as a ratio to the ideal (concurrency ÷
latency × items per call): the share of the server's latency the generator turns
into items, the rest being client overhead (LangChain, the openai SDK, threads and
the GIL). Target: ≥ 0.8 at 32. Each level runs once to warm up (threads, one open
connection per slot) and then `--repeats` times; the median is reported, since a
shared machine makes single runs noisy (the load average is printed).

Also tokens per accepted item (clean or flagged by the validators) from scripted runs
on a fresh server: well-formed answers, and every 5th answer broken and repaired.

The server runs in its own process (tests/llm_server.py) so it does not share the
client's GIL. Run: python -m benchmarks.llm_throughput [--latency 0.3] [--waves 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bank.blueprint import DATA_DIR, load_blueprint
from bank.models import Blueprint
from bank.notes import NoteSet, load_notes
from generators.base import GenerationRequest, GenerationResult
from generators.llm import LLMConfig, LLMGenerator
from validators.detector import ExactDetector
from validators.report import validate_batch

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = 5


@contextmanager
def server(latency: float, garbage_every: int = 0) -> Iterator[str]:
    """The scripted server in a subprocess; yields its base URL."""
    cmd = [sys.executable, "-m", "tests.llm_server", "--latency", str(latency)]
    if garbage_every:
        cmd += ["--garbage-every", str(garbage_every)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"the test server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def generator(url: str, concurrency: int, items_per_call: int) -> LLMGenerator:
    return LLMGenerator(
        LLMConfig(
            api_key="bench",
            base_url=url,
            model="bench-model",
            timeout=30,
            max_retries=0,
            concurrency=concurrency,
            items_per_call=items_per_call,
            price_in_per_mtok=0.15,
            price_out_per_mtok=0.60,
        )
    )


def generate(
    gen: LLMGenerator, count: int, seed: int, notes: NoteSet, blueprint: Blueprint
) -> tuple[GenerationResult, float]:
    request = GenerationRequest(domain=DOMAIN, count=count, seed=seed, run_id=f"bench-{seed}")
    started = time.perf_counter()
    result = gen.generate(request, notes, blueprint)
    return result, time.perf_counter() - started


def throughput(
    url: str,
    concurrency: int,
    *,
    waves: int,
    repeats: int,
    items_per_call: int,
    latency: float,
    notes: NoteSet,
    blueprint: Blueprint,
) -> dict[str, Any]:
    gen = generator(url, concurrency, items_per_call)
    count = concurrency * waves * items_per_call
    generate(gen, count, 10_000, notes, blueprint)  # warm-up
    ideal = concurrency / latency * items_per_call
    ratios, rates = [], []
    for seed in range(repeats):
        result, seconds = generate(gen, count, seed, notes, blueprint)
        rates.append(len(result.items) / seconds)
        ratios.append(rates[-1] / ideal)
    return {
        "concurrency": concurrency,
        "calls_per_run": concurrency * waves,
        "items_per_run": count,
        "items_per_s": round(statistics.median(rates), 1),
        "ideal_items_per_s": round(ideal, 1),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
    }


def tokens_per_accepted(
    url: str, batches: int, items_per_call: int, notes: NoteSet, blueprint: Blueprint
) -> dict[str, Any]:
    gen = generator(url, 8, items_per_call)
    result, _ = generate(gen, batches * items_per_call, 0, notes, blueprint)
    report = validate_batch(result.items, blueprint, notes=notes, detector=ExactDetector())
    accepted = report.count("clean") + report.count("flagged")
    tokens = result.usage.tokens_in + result.usage.tokens_out
    return {
        "calls": result.usage.calls,
        "items": len(result.items),
        "rejected_candidates": len(result.failed),
        "accepted": accepted,
        "tokens": tokens,
        "tokens_per_accepted_item": round(tokens / accepted, 1) if accepted else None,
        "cost_usd_per_accepted_item": round(result.usage.cost_usd / accepted, 6)
        if accepted
        else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--waves", type=int, default=6, help="Batches per slot in one run.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--items-per-call", type=int, default=5)
    args = parser.parse_args(argv)
    blueprint = load_blueprint()
    notes = load_notes(DATA_DIR / "notes", blueprint)
    ipc = args.items_per_call
    load = os.getloadavg()[0]
    print(
        f"latency {args.latency * 1000:.0f} ms, {ipc} items per call, {args.waves} waves, "
        f"median of {args.repeats}; {os.cpu_count()} CPUs, load average {load:.1f}"
    )
    # 20 calls (100 items) stay within the fake model's distinct items for the domain.
    with server(args.latency) as url:
        clean = tokens_per_accepted(url, 20, ipc, notes, blueprint)
    with server(args.latency, garbage_every=5) as url:
        mixed = tokens_per_accepted(url, 20, ipc, notes, blueprint)
    rows = []
    print(f"{'conc':>5}{'calls':>7}{'items/s':>9}{'ideal':>8}{'ratio':>7}{'min':>7}{'max':>7}")
    with server(args.latency) as url:
        for c in (1, 8, 32):
            row = throughput(
                url,
                c,
                waves=args.waves,
                repeats=args.repeats,
                items_per_call=ipc,
                latency=args.latency,
                notes=notes,
                blueprint=blueprint,
            )
            rows.append(row)
            print(
                f"{c:>5}{row['calls_per_run']:>7}{row['items_per_s']:>9.1f}"
                f"{row['ideal_items_per_s']:>8.1f}{row['ratio']:>7.2f}"
                f"{row['ratio_min']:>7.2f}{row['ratio_max']:>7.2f}"
            )
    print(
        f"tokens per accepted item: {clean['tokens_per_accepted_item']} with well-formed "
        f"answers ({clean['accepted']} accepted of {clean['items']}); "
        f"{mixed['tokens_per_accepted_item']} with every 5th answer broken "
        f"({mixed['calls']} calls, {mixed['accepted']} accepted, "
        f"{mixed['rejected_candidates']} rejected candidates)"
    )
    summary = {
        "benchmark": "llm_throughput",
        "latency_s": args.latency,
        "items_per_call": ipc,
        "load_average": round(load, 2),
        "ratio": {str(r["concurrency"]): r["ratio"] for r in rows},
        "items_per_s": {str(r["concurrency"]): r["items_per_s"] for r in rows},
        "target_ratio_at_32": 0.8,
        "meets_target": rows[-1]["ratio"] >= 0.8,
        "tokens_per_accepted_item": {
            "well_formed": clean["tokens_per_accepted_item"],
            "every_5th_broken": mixed["tokens_per_accepted_item"],
        },
        "throughput": rows,
        "scripted_runs": {"well_formed": clean, "every_5th_broken": mixed},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
