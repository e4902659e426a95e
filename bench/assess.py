"""Wall time of ``nowan assess`` over all channels: without fuzzing (``--examples 0``: risk, proofs,
rendering) and with the default examples (what ``make assess`` runs; the README quotes this figure).
Target: under 15 s without fuzzing on 2 cores.

Run: ``.venv/bin/python bench/assess.py [--runs N]``. Prints medians of N runs (default 5 without
fuzz, 1 with the default examples), each in a fresh process so import and cache costs count.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def _run(examples: str | None) -> float:
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "nowan.reports.cli", "assess", "--out", out]
        if examples is not None:
            args += ["--examples", examples]
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--full-runs", type=int, default=1)
    a = ap.parse_args()
    no_fuzz = [_run("0") for _ in range(a.runs)]
    full = [_run(None) for _ in range(a.full_runs)]
    m0, m1 = statistics.median(no_fuzz), statistics.median(full)
    print(f"nowan assess, all channels, without fuzzing: median {m0:.2f} s over {a.runs} runs "
          f"(min {min(no_fuzz):.2f}, max {max(no_fuzz):.2f}); target < 15 s -> {'met' if m0 < 15 else 'NOT met'}")
    print(f"nowan assess, all channels, default examples: median {m1:.2f} s over {a.full_runs} run(s); "
          f"fuzz share {(m1 - m0) / m1:.0%}")


if __name__ == "__main__":
    main()
