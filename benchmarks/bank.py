"""Bank benchmark: import throughput, stats latency, Arrow vs row-by-row inserts.

Run: python -m benchmarks.bank [--items 100000]
Figures are measured side by side in one run; the machine is shared, so read ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bank.blueprint import load_blueprint
from bank.models import LETTERS, Item
from bank.store import open_store
from bank.transfer import import_item_file

TOPICS = ["claims", "coding", "privacy", "payroll", "scheduling", "safety", "billing", "records"]


def synthetic_items(n: int) -> list[Item]:
    return [
        Item(
            domain=i % 8 + 1,
            topic=None,
            stem=f"Question {i} on {TOPICS[i % 8]}: which option fits case {i * 7919 % 100003}?",
            options=[f"Option {k} for case {i}" for k in "ABCD"],
            answer=LETTERS[i % 4],
            rationale=f"Because of rule {i % 97}.",
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--row-sample", type=int, default=3_000, help="rows inserted by both methods for the ratio"
    )
    args = parser.parse_args()
    blueprint = load_blueprint()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        items = synthetic_items(args.items)
        src = tmpdir / "items.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for it in items:
                record = it.to_record()
                record.pop("status")
                fh.write(json.dumps(record) + "\n")

        db = tmpdir / "bank.duckdb"
        t0 = time.perf_counter()
        with open_store(db) as store:
            store.save_blueprint(blueprint)
            report = import_item_file(store, src, blueprint)
        import_s = time.perf_counter() - t0
        assert len(report.inserted) == args.items

        t0 = time.perf_counter()
        with open_store(db) as store:
            again = import_item_file(store, src, blueprint)
        reimport_s = time.perf_counter() - t0
        assert not again.inserted

        latencies = []
        for _ in range(7):
            t0 = time.perf_counter()
            with open_store(db, read_only=True) as store:
                store.counts_by_domain_status()
            latencies.append(time.perf_counter() - t0)

        sample = synthetic_items(args.row_sample)
        with open_store(tmpdir / "rows.duckdb") as store:
            t0 = time.perf_counter()
            store.save_items_row_by_row(sample)
            rows_s = time.perf_counter() - t0
        with open_store(tmpdir / "arrow.duckdb") as store:
            t0 = time.perf_counter()
            store.save_items(sample)
            arrow_s = time.perf_counter() - t0

    figures = {
        "items": args.items,
        "import_items_per_s": round(args.items / import_s),
        "reimport_s": round(reimport_s, 2),
        "stats_latency_ms": round(statistics.median(latencies) * 1000, 1),
        "row_sample": args.row_sample,
        "arrow_vs_row_by_row_speedup": round(rows_s / arrow_s, 1),
    }
    print(
        f"import of {args.items:,} JSONL items (parse + validate + insert): "
        f"{import_s:.1f} s = {figures['import_items_per_s']:,} items/s"
    )
    print(f"re-import of the same file (adds nothing): {reimport_s:.1f} s")
    print(f"stats on that bank (open + group by), median of 7: {figures['stats_latency_ms']} ms")
    print(
        f"{args.row_sample:,} items: row-by-row {rows_s:.2f} s, Arrow {arrow_s:.3f} s "
        f"-> Arrow is {figures['arrow_vs_row_by_row_speedup']}x faster"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
