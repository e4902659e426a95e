"""Fuzzing throughput per harness, against a bare loop over the same operations, in one run.

For each channel harness: Hypothesis runs the faithful model for a fixed number of examples and
every step sequence it generates is captured; a bare loop then replays exactly those sequences on
fresh premises (same worlds, same steps, same invariant checks, no Hypothesis). The ratio is bare
time / fuzz time: the share of the campaign spent in the reference implementation (target >= 0.25).
The gbcs-envelope harness is measured the same way: the mutants Hypothesis generated, checked again
by a bare loop over the same parser and verifier (RTDS seeds and keys from tests/data when present).
Figures are medians of ``--repeat`` runs, each harness marked met/MISSED against the 0.25 target.
Then the self-test: the time to the first finding for each seeded bug and the kill rate, and the
same for the realistic code mutants of attacks/mutants.py (each hunted on its channels in turn).

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

from nowan.attacks.campaign import campaign_settings  # noqa: E402
from nowan.attacks.envelope import EnvelopeTarget, load_seeds  # noqa: E402
from nowan.attacks.findings import IMPLEMENTATION  # noqa: E402
from nowan.attacks.harness import ChannelMachine, bind  # noqa: E402
from nowan.attacks.mutants import MUTANTS  # noqa: E402
from nowan.attacks.registry import ENVELOPE, EnvelopeHarness, MachineHarness, harnesses  # noqa: E402
from nowan.attacks.selftest import BUDGET_S, SEEDED, hunt, hunting_grounds  # noqa: E402
from nowan.model.traces import Step  # noqa: E402
from nowan.model.assumptions import Assumptions  # noqa: E402
from nowan.model.gbcs.keystore import Keystore  # noqa: E402

TARGET_RATIO = 0.25
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def fuzz_once(machine: type[ChannelMachine], a: Assumptions, examples: int,
              seed: int) -> tuple[float, list[list[Step]]]:
    """Hypothesis run of ``examples`` examples; returns its time and every step sequence it ran."""
    captured: list[list[Step]] = []
    bound = bind(machine, a, (), IMPLEMENTATION)

    class Capturing(bound):  # type: ignore[misc, valid-type]
        def teardown(self) -> None:
            captured.append(self.steps)

    Capturing.__name__ = Capturing.__qualname__ = bound.__name__ + "_bench"
    runner = hseed(seed)(Capturing)
    t0 = time.perf_counter()
    run_state_machine_as_test(runner, settings=campaign_settings(None, False, examples))
    return time.perf_counter() - t0, captured


def bare_once(machine: type[ChannelMachine], a: Assumptions, sequences: list[list[Step]]) -> float:
    """The same steps on fresh worlds, with the same invariant checks, and no fuzzer."""
    t0 = time.perf_counter()
    for seq in sequences:
        world = machine.world_class(a, frozenset())
        world.check()
        for step in seq:
            world.apply(step)
            world.check()
    return time.perf_counter() - t0


def envelope_target() -> tuple[EnvelopeTarget, str]:
    if (DATA / "rtds").is_dir() and (DATA / "keystore").is_dir():
        return EnvelopeTarget(load_seeds(DATA / "rtds"), Keystore.load(DATA / "keystore")), "RTDS"
    from nowan.attacks.synthetic import synthetic_target

    return synthetic_target(), "synthetic"


def envelope_fuzz_once(target: EnvelopeTarget, examples: int, seed: int) -> tuple[float, list, int]:
    """EnvelopeHarness for ``examples`` examples; its time, every (seed, mutations) it checked, examples."""
    captured: list = []
    run = target.run

    def recording(seed_index, muts):
        captured.append((seed_index, list(muts)))
        return run(seed_index, muts)

    target.run = recording  # type: ignore[method-assign]
    harness = EnvelopeHarness(target)
    try:
        t0 = time.perf_counter()
        ex, _ = harness.round(Assumptions(), frozenset(), IMPLEMENTATION,
                              campaign_settings(None, False, examples), seed)
        return time.perf_counter() - t0, captured, ex
    finally:
        del target.run


def envelope_bare_once(target: EnvelopeTarget, captured: list) -> float:
    t0 = time.perf_counter()
    for seed_index, muts in captured:
        target.run(seed_index, muts)
    return time.perf_counter() - t0


def _row(name: str, fz: list[tuple[float, int, int]], bare: list[tuple[float, int]]) -> float:
    ratio = statistics.median(b[0] / f[0] for b, f in zip(bare, fz))
    ex_s = statistics.median(f[1] / f[0] for f in fz)
    st_s = statistics.median(f[2] / f[0] for f in fz)
    bare_s = statistics.median(b[1] / b[0] for b in bare if b[0] > 0)
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(f"{name:20} {ex_s:11.1f} {st_s:9.0f} {bare_s:13.0f} {ratio:6.2f}  {verdict}")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=BUDGET_S, help="budget per seeded bug (s)")
    args = ap.parse_args()

    print(f"{'harness':20} {'examples/s':>11} {'steps/s':>9} {'bare steps/s':>13} {'ratio':>6}  "
          f"target >= {TARGET_RATIO}")
    ratios = []
    for h in harnesses():
        if not isinstance(h, MachineHarness):
            continue
        a = h.variants(Assumptions(), IMPLEMENTATION)[0]  # the channel's own values
        fz, bare = [], []
        for r in range(args.repeat):
            t, seqs = fuzz_once(h.machine, a, args.examples, seed=r)
            steps_n = sum(len(s) for s in seqs)
            fz.append((t, len(seqs), steps_n))
            bare.append((bare_once(h.machine, a, seqs), steps_n))
        ratios.append(_row(h.channel, fz, bare))
    target, kind = envelope_target()
    fz, bare = [], []
    for r in range(args.repeat):
        t, captured, ex = envelope_fuzz_once(target, args.examples, seed=r)
        fz.append((t, ex, len(captured)))
        bare.append((envelope_bare_once(target, captured), len(captured)))
    ratios.append(_row(ENVELOPE, fz, bare))
    met = sum(r >= TARGET_RATIO for r in ratios)
    print(f"({ENVELOPE}: {kind} seeds; steps are mutants checked)")
    print(f"median ratio {statistics.median(ratios):.2f}; min {min(ratios):.2f}; "
          f"target met by {met}/{len(ratios)} harnesses")

    print(f"\n{'seeded bug':30} {'caught':>6} {'first finding s':>16}  channel / invariant")
    killed = 0
    for flaw in SEEDED:
        finding, seconds, _ = hunt(frozenset({flaw}), hunting_grounds(flaw), budget=args.budget, seed=0)
        killed += finding is not None
        where = f"{finding.channel} / {finding.invariant}" if finding else "-"
        print(f"{flaw.name:30} {'yes' if finding else 'no':>6} {seconds:16.2f}  {where}")
    print(f"kill rate {killed}/{len(SEEDED)} within {args.budget:g} s each")

    print(f"\n{'code mutant':30} {'caught':>6} {'first finding s':>16}  channel / invariant / variant")
    killed = 0
    for name, mutant in MUTANTS.items():
        with mutant.applied():
            finding, seconds, _ = hunt(frozenset(), mutant.channels, budget=args.budget, seed=0)
        killed += finding is not None
        where = (f"{finding.channel} / {finding.invariant} / {dict(finding.trace.assumptions) or 'model values'}"
                 if finding else "-")
        print(f"{name:30} {'yes' if finding else 'no':>6} {seconds:16.2f}  {where}")
    print(f"kill rate {killed}/{len(MUTANTS)} within {args.budget:g} s each")


if __name__ == "__main__":
    main()
