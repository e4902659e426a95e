"""Throughput of the robustness sweeps: risk-only samples per second, the same with the proofs
re-run per sample, and the speed-up from 1 to 2 local workers (ratios measured in one run).

Targets (issue 10): 10,000 risk-only samples of all channels (the issue counted 12; the bench prints how many there are) in under 60 s, and a speed-up of at
least 1.6 with 2 workers. The machine's load average is printed before and after: on a shared
machine the speed-up is bounded by the cores actually free, not by the code.
Run: ``.venv/bin/python bench/robustness.py [--samples 10000] [--small 2000] [--repeat 3] [--proof-samples 3]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nowan.model.channels import channel_ids  # noqa: E402
from nowan.model.robustness.executor import Local, chunks  # noqa: E402
from nowan.model.robustness.montecarlo import design  # noqa: E402
from nowan.model.robustness.space import space  # noqa: E402
from nowan.model.robustness.subject import Subject, rank_of, score_samples  # noqa: E402


def with_proofs(task: tuple[Subject, Sequence[str], Sequence[dict[str, Any]]]) -> list[list[int]]:
    """A sample task that also re-runs every proof of every channel under the sample's assumptions."""
    from nowan.proofs import run

    subject, ids, samples = task
    channels = subject.load()
    out = []
    for s in samples:
        a = subject.assumptions(s)
        ranks = [rank_of(channels[i], a) for i in ids]
        refuted = sum(1 for r in run({i: channels[i] for i in ids}, a) if r.status == "refuted")
        out.append(ranks + [refuted])
    return out


def sweep(subject: Subject, rows: list[dict[str, Any]], workers: int, fn=score_samples) -> float:
    with Local(workers) as ex:
        ex.map(fn, [(subject, subject.channels, rows[:1])] * workers)       # start the workers first
        t0 = time.perf_counter()
        ex.map(fn, [(subject, subject.channels, c) for c in chunks(rows, workers)])
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=2_000, help="samples per timing of the speed-up")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--proof-samples", type=int, default=3)
    a = ap.parse_args()
    subject = Subject(tuple(channel_ids()))
    inputs = list(space(subject.load().values()).values())
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {len(inputs)} inputs swept")

    rows = design(inputs, a.samples, seed=0)
    t = sweep(subject, rows, 2)
    print(f"risk-only, all {len(subject.channels)} channels, {a.samples} samples, 2 workers: {t:.1f} s, {a.samples / t:.0f} samples/s; "
          f"target < 60 s: {'met' if t < 60 else 'MISSED'}")

    small = rows[:a.small]
    one = [sweep(subject, small, 1) for _ in range(a.repeat)]
    two = [sweep(subject, small, 2) for _ in range(a.repeat)]
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"risk-only, {a.small} samples: 1 worker median {m1:.2f} s ({a.small / m1:.0f}/s), 2 workers median "
          f"{m2:.2f} s ({a.small / m2:.0f}/s), medians of {a.repeat}")
    print(f"speed-up 1 -> 2 workers: x{m1 / m2:.2f}; target >= 1.6: {'met' if m1 / m2 >= 1.6 else 'MISSED'}")

    few = rows[:a.proof_samples]
    tp = sweep(subject, few, 1, with_proofs)
    print(f"risk + every proof re-run per sample, {a.proof_samples} samples, 1 worker: {tp:.1f} s, "
          f"{a.proof_samples / tp:.3f} samples/s ({tp / a.proof_samples:.1f} s per sample)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
