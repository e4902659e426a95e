"""Wall time of ``nowan assess`` over all channels: without fuzzing (``--examples 0``: risk, proofs,
rendering) and with the default examples (what ``make assess`` runs; the README quotes this figure).
Target: under 15 s without fuzzing on 2 cores.

Run: ``.venv/bin/python bench/assess.py [--runs N]``. Prints medians of N runs (default 5 without
fuzz, 1 with the default examples), each in a fresh process so import and cache costs count, as wall
time and as CPU time (the wall time of an idle machine; a shared one shows more wall than CPU).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def _run(examples: str | None) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the child's own) of one fresh ``nowan assess``. The CPU
    time is what the run costs on an idle machine; the wall time grows when the cores are shared."""
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "nowan.reports.cli", "assess", "--out", out]
        if examples is not None:
            args += ["--examples", examples]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--full-runs", type=int, default=1)
    a = ap.parse_args()
    no_fuzz = [_run("0") for _ in range(a.runs)]
    full = [_run(None) for _ in range(a.full_runs)]
    w0, c0 = (statistics.median(x) for x in zip(*no_fuzz))
    w1, c1 = (statistics.median(x) for x in zip(*full))
    print(f"nowan assess, all channels, without fuzzing: median wall {w0:.2f} s, CPU {c0:.2f} s over {a.runs} "
          f"runs; target < 15 s -> {'met' if w0 < 15 else 'NOT met'}")
    print(f"nowan assess, all channels, default examples (make assess): median wall {w1:.2f} s, CPU {c1:.2f} s "
          f"over {a.full_runs} run(s); fuzz share of CPU {(c1 - c0) / c1:.0%}; wall/CPU {w1 / c1:.2f} "
          "(above 1: the cores were shared)")

if __name__ == "__main__":
    main()
