"""Offline generation benchmark: distinct items per domain, clean share, items per second.

Run: python -m benchmarks.generation
"""

from __future__ import annotations

import json
import time

from bank.blueprint import DATA_DIR, load_blueprint
from bank.notes import load_notes
from generators.offline import supported_items
from validators.detector import default_detector
from validators.flaws import check_flaws
from validators.report import validate_batch


def main() -> None:
    blueprint = load_blueprint()
    t0 = time.perf_counter()
    notes = load_notes(DATA_DIR / "notes", blueprint)
    load_s = time.perf_counter() - t0
    detector = default_detector()
    rows = {}
    print(
        f"{len(notes.notes)} notes, {len([f for f in notes.facts if f.kind != 'group'])} facts, "
        f"loaded in {load_s:.2f} s"
    )
    print(f"{'domain':<8}{'facts':>7}{'items':>7}{'need 3x':>9}{'clean':>8}{'items/s':>10}")
    for d in blueprint.domains:
        t0 = time.perf_counter()
        items = supported_items(notes, blueprint, d.number, screen=check_flaws)
        gen_s = time.perf_counter() - t0
        report = validate_batch(items, blueprint, notes=notes, detector=detector)
        clean = report.count("clean") / len(items) if items else 0.0
        facts = sum(1 for f in notes.facts if f.domain == d.number and f.kind != "group")
        rows[str(d.number)] = {
            "facts": facts,
            "items": len(items),
            "need": 3 * d.count,
            "clean_share": round(clean, 3),
            "items_per_s": round(len(items) / gen_s),
        }
        print(
            f"{d.number:<8}{facts:>7}{len(items):>7}{3 * d.count:>9}{clean:>8.1%}"
            f"{len(items) / gen_s:>10.0f}"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
