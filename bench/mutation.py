"""Mutation self-test benchmark: kill rates of fuzz, of prove (with conformance), and of both.

Every cosmic-ray mutant of the security checks listed in reports/mutation.yaml is evaluated in
its own interpreter (reports/mutation.py): a seeded, round-bounded fuzz campaign on its channels,
and every packaged proof with conformance and run-time replay, compared with the faithful code.
Prints one line per mutant (survivors with their diff), then the kill rates over non-equivalent
mutants against the 90% target, then each seeded ``Flaw`` (attacks/selftest.py) hunted the same way
(the campaign on the channels whose world reaches it, and prove's conformance families on the flawed
devices) against the target that every flaw is killed by both, and the time. ``--only`` picks the
mutants whose id contains a substring (``--only lockout.py``, ``--only '#0'``) and skips the flaws
unless ``--flaws`` is given. Needs the optional extra: pip install -e '.[mutation]'.

    .venv/bin/python bench/mutation.py [--only SUBSTRING] [--limit N] [--flaws|--no-flaws] [--workers W] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nowan.model.devices.flaws import Flaw  # noqa: E402
from nowan.reports.mutation import (baseline, diff, enumerate_mutants, equivalent, evaluate,  # noqa: E402
                                    evaluate_flaw, rates)

TARGET = 0.90


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="evaluate only mutants whose id contains this")
    ap.add_argument("--limit", type=int, default=0, help="at most this many mutants (0: all)")
    flaws = ap.add_mutually_exclusive_group()
    flaws.add_argument("--flaws", action="store_true", default=None, help="also hunt the seeded flaws (default without --only)")
    flaws.add_argument("--no-flaws", dest="flaws", action="store_false", help="skip the seeded flaws")
    ap.add_argument("--workers", type=int, default=1, help="mutants evaluated at once (one process each)")
    ap.add_argument("--json", type=Path, help="write every verdict here")
    args = ap.parse_args()

    t0 = time.perf_counter()
    mutants = [m for m in enumerate_mutants() if args.only in m.id]
    if args.limit:
        mutants = mutants[:args.limit]
    eq = equivalent()
    faithful = baseline()
    print(f"{len(mutants)} mutants; faithful proofs: {len(faithful)} properties ({time.perf_counter() - t0:.1f} s)")
    verdicts = []
    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        for v in pool.map(lambda m: evaluate(m, faithful, why_equivalent=eq.get(m.id)), mutants):
            verdicts.append(v)
            killed = bool(v.fuzz or v.prove)
            tag = ("TRIAGE?" if v.equivalent and killed else  # a mutant called equivalent was caught
                   "equivalent" if v.equivalent else "KILLED" if killed else "SURVIVED")
            print(f"{tag:10} fuzz={'y' if v.fuzz else '-'} prove={'y' if v.prove else '-'} {v.seconds:5.1f}s {v.mutant.id}")
            if tag == "SURVIVED":
                print("           " + diff(v.mutant).replace("\n", "\n           "))
    r = rates(verdicts)
    total = time.perf_counter() - t0
    print(f"\n{r['scored']} scored mutants ({r['equivalent']} triaged equivalent) in {total:.0f} s "
          f"({total / max(1, len(verdicts)):.1f} s per mutant)")
    for key in ("fuzz", "prove", "both", "either"):
        print(f"  killed by {key:6}: {r[key]:6.1%}")
    met = r["either"] >= TARGET
    print(f"  target: >= {TARGET:.0%} killed by fuzz or prove: {'met' if met else 'MISSED'}")
    flaw_verdicts = []
    if args.flaws if args.flaws is not None else not args.only:
        t1 = time.perf_counter()
        print(f"\nseeded flaws ({len(Flaw)}):")
        with ThreadPoolExecutor(max(1, args.workers)) as pool:
            for fv in pool.map(evaluate_flaw, [f.name for f in Flaw]):
                flaw_verdicts.append(fv)
                print(f"{'BOTH' if fv.fuzz and fv.prove else 'MISSED':10} fuzz={fv.fuzz or '-'} prove={fv.prove or '-'} "
                      f"{fv.seconds:5.1f}s {fv.flaw}")
        both = all(fv.fuzz and fv.prove for fv in flaw_verdicts)
        print(f"  target: every Flaw killed by both fuzz and prove: {'met' if both else 'MISSED'} "
              f"({sum(bool(fv.fuzz and fv.prove) for fv in flaw_verdicts)}/{len(flaw_verdicts)}, "
              f"{time.perf_counter() - t1:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"rates": r, "seconds": round(time.perf_counter() - t0, 1),
                                         "verdicts": [v.to_dict() for v in verdicts],
                                         "flaws": [fv.to_dict() for fv in flaw_verdicts]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
