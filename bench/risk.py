"""Benchmark: load, compile and score every channel model; DP on generated attack graphs.

Prints medians (seconds) of repeated runs and growth ratios measured in the same run.
Targets (issue 3): all models under 1 s; near-linear growth from 1,000 to 100,000 nodes.
Run: .venv/bin/python bench/risk.py
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.assumptions import Assumptions  # noqa: E402
from model.channels import compile_graph, load_channels, score  # noqa: E402
from model.channels import catalogues, loader, risk, source  # noqa: E402
from model.channels.dag import Dag, solve, witness  # noqa: E402


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _clear_caches() -> None:
    for f in (source._read_cached, loader._parse_cached, loader._validator, risk._dag, catalogues.rules,
              catalogues.scales, catalogues.commands):
        f.cache_clear()


def all_models(cold: bool) -> None:
    if cold:
        _clear_caches()
    chs = load_channels()
    a = Assumptions()
    for ch in chs.values():
        compile_graph(ch)
        score(ch, a)


def generated(n: int, seed: int = 7) -> tuple[nx.DiGraph, dict[str, float], str]:
    """A layered AND/OR DAG of about ``n`` nodes: 60% steps, 40% gates, 2-3 predecessors each."""
    rng = random.Random(seed)
    g = nx.DiGraph()
    own: dict[str, float] = {}
    nodes: list[str] = []
    for i in range(n - 1):
        if i < max(10, n // 100):
            name = f"entry:{i}"
            g.add_node(name, kind="entry", op="or")
        elif rng.random() < 0.6:
            name = f"step:{i}"
            g.add_node(name, kind="step", op="and")
            own[name] = float(rng.randint(1, 5))
        else:
            name = f"{'and' if rng.random() < 0.5 else 'or'}:{i}"
            g.add_node(name, kind="gate", op=name.split(":")[0])
        if nodes and not name.startswith("entry:"):
            window = nodes[-min(len(nodes), 200):]
            for p in rng.sample(window, k=min(len(window), rng.randint(2, 3))):
                rel = "entry" if p.startswith("entry:") and name.startswith("step:") else "requires"
                if p.startswith("entry:") and not name.startswith("step:"):
                    continue
                g.add_edge(p, name, relation=rel)
        nodes.append(name)
    goal = "goal:0"
    g.add_node(goal, kind="goal", op="or")
    for p in nodes[-50:]:
        g.add_edge(p, goal, relation="requires")
    return g, own, goal


def graph_case(n: int, repeat: int) -> tuple[float, float, float]:
    g, own, goal = generated(n)
    d = Dag.of(g)

    def cheapest() -> None:
        val, choice = solve(d, own, "max")
        witness(d, choice, goal)

    blocked = sorted(own)[:: max(1, len(own) // 20)]

    def what_if() -> None:
        base, _ = solve(d, own, "max")
        changed = dict(own)
        for s in blocked:
            changed[s] = float("inf")
        after, _ = solve(d, changed, "max")
        assert after[goal] >= base[goal]

    compile_t = median_time(lambda: Dag.of(g), max(1, repeat // 2))
    return compile_t, median_time(cheapest, repeat), median_time(what_if, repeat)


def main() -> None:
    all_models(cold=True)  # import-time work out of the way
    cold = median_time(lambda: all_models(cold=True), 5)
    warm = median_time(lambda: all_models(cold=False), 5)
    print("all 12 channel models: load + compile + score (inherent, residual, command matrix)")
    print(f"  cold (caches cleared): {cold:.3f} s median of 5   target < 1 s: {'met' if cold < 1 else 'MISSED'}")
    print(f"  warm (parsed YAML cached): {warm:.3f} s median of 5")
    print()
    print("generated AND/OR attack graphs (DP, no path enumeration)")
    print(f"  {'nodes':>8} {'prepare s':>10} {'cheapest s':>11} {'what-if s':>10}")
    rows = {}
    for n, rep in ((1_000, 9), (10_000, 5), (100_000, 3)):
        rows[n] = graph_case(n, rep)
        print(f"  {n:>8} {rows[n][0]:>10.4f} {rows[n][1]:>11.4f} {rows[n][2]:>10.4f}")
    c1, c10, c100 = rows[1_000][1], rows[10_000][1], rows[100_000][1]
    w1, w100 = rows[1_000][2], rows[100_000][2]
    print(f"  growth cheapest 1k->10k: x{c10 / c1:.1f}, 10k->100k: x{c100 / c10:.1f}, 1k->100k: x{c100 / c1:.0f} (linear = x100)")
    print(f"  growth what-if 1k->100k: x{w100 / w1:.0f} (linear = x100)")


if __name__ == "__main__":
    main()
