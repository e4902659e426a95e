"""Fuzzing throughput per harness, against a bare loop over the same operations, in one run.

For each channel harness: Hypothesis runs the faithful model for a fixed number of examples and
every step sequence it generates is captured; a bare loop then replays exactly those sequences on
fresh premises (same worlds, same steps, same invariant checks, no Hypothesis). The ratio is bare
time / fuzz time: the share of the campaign spent in the reference implementation (target >= 0.25).
Figures are medians of ``--repeat`` runs. Then the time to the first finding for each seeded bug.

    .venv/bin/python bench/fuzz.py [--examples N] [--repeat R] [--budget S]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import seed as hseed  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402

from attacks.campaign import campaign_settings  # noqa: E402
from attacks.findings import IMPLEMENTATION  # noqa: E402
from attacks.harness import ChannelMachine, bind  # noqa: E402
from attacks.machines import MACHINES  # noqa: E402
from attacks.selftest import BUDGET_S, SEEDED, hunt  # noqa: E402
from attacks.steps import Step  # noqa: E402
from model.assumptions import Assumptions  # noqa: E402


def fuzz_once(machine: type[ChannelMachine], examples: int, seed: int) -> tuple[float, list[list[Step]]]:
    """Hypothesis run of ``examples`` examples; returns its time and every step sequence it ran."""
    captured: list[list[Step]] = []
    bound = bind(machine, Assumptions(), (), IMPLEMENTATION)

    class Capturing(bound):  # type: ignore[misc, valid-type]
        def teardown(self) -> None:
            captured.append(self.steps)

    Capturing.__name__ = Capturing.__qualname__ = bound.__name__ + "_bench"
    runner = hseed(seed)(Capturing)
    t0 = time.perf_counter()
    run_state_machine_as_test(runner, settings=campaign_settings(None, False, examples))
    return time.perf_counter() - t0, captured


def bare_once(machine: type[ChannelMachine], sequences: list[list[Step]]) -> float:
    """The same steps on fresh worlds, with the same invariant checks, and no fuzzer."""
    a = Assumptions()
    t0 = time.perf_counter()
    for seq in sequences:
        world = machine.world_class(a, frozenset())
        world.check()
        for step in seq:
            world.apply(step)
            world.check()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=BUDGET_S, help="budget per seeded bug (s)")
    args = ap.parse_args()

    print(f"{'harness':20} {'examples/s':>11} {'steps/s':>9} {'bare steps/s':>13} {'ratio':>6}")
    ratios = []
    for cid, machine in MACHINES.items():
        fz, bare, steps_n, ex_n = [], [], 0, 0
        for r in range(args.repeat):
            t, seqs = fuzz_once(machine, args.examples, seed=r)
            steps_n, ex_n = sum(len(s) for s in seqs), len(seqs)
            fz.append((t, ex_n, steps_n))
            bare.append((bare_once(machine, seqs), steps_n))
        ratio = statistics.median(b[0] / f[0] for b, f in zip(bare, fz))
        ex_s = statistics.median(f[1] / f[0] for f in fz)
        st_s = statistics.median(f[2] / f[0] for f in fz)
        bare_s = statistics.median(b[1] / b[0] for b in bare if b[0] > 0)
        ratios.append(ratio)
        print(f"{cid:20} {ex_s:11.1f} {st_s:9.0f} {bare_s:13.0f} {ratio:6.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} (target >= 0.25); min {min(ratios):.2f}")

    print(f"\n{'seeded bug':30} {'caught':>6} {'seconds':>8}  channel / invariant")
    for flaw, channels in SEEDED.items():
        finding, seconds, _ = hunt(frozenset({flaw}), channels, budget=args.budget, seed=0)
        where = f"{finding.channel} / {finding.invariant}" if finding else "-"
        print(f"{flaw.name:30} {'yes' if finding else 'no':>6} {seconds:8.2f}  {where}")


if __name__ == "__main__":
    main()
