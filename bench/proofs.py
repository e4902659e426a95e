"""Seconds per property and in total for ``nowan prove`` over every channel (target: under 10 s).

Runs the whole suite REPEATS times in one process and prints medians, so the figures compare like
with like on a shared machine. Run: ``.venv/bin/python bench/proofs.py``.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nowan.proofs import run  # noqa: E402

REPEATS = 5
TARGET_S = 10.0


def main() -> None:
    per_property: dict[str, list[float]] = {}
    totals = []
    statuses: dict[str, str] = {}
    for _ in range(REPEATS):
        start = time.perf_counter()
        results = run()
        totals.append(time.perf_counter() - start)
        for r in results:
            per_property.setdefault(r.id, []).append(r.seconds)
            statuses[r.id] = r.status
    width = max(len(k) for k in per_property)
    print(f"{'property':<{width}}  {'status':<8}  median s")
    for pid in per_property:
        print(f"{pid:<{width}}  {statuses[pid]:<8}  {statistics.median(per_property[pid]):8.4f}")
    total = statistics.median(totals)
    print(f"\n{len(per_property)} properties, {REPEATS} runs")
    print(f"total (median of {REPEATS}): {total:.3f} s  (min {min(totals):.3f}, max {max(totals):.3f}); "
          f"target {TARGET_S:.0f} s -> {total / TARGET_S:.1%} of budget")


if __name__ == "__main__":
    main()
