"""Benchmark: load, compile and score every channel model; DP on generated attack graphs.

Prints medians (seconds) of repeated runs and growth ratios measured in the same run.
Targets (issue 3): all models under 1 s; near-linear growth from 1,000 to 100,000 nodes, stated
as: each ratio of medians at most 1.5 x the ratio of node counts (x15 per decade, x150 overall).
Part of the remaining excess over x1 per node is the memory hierarchy (1,000 nodes fit in the
CPU cache, 100,000 do not), not the algorithm, which touches each node and edge once.
Run: .venv/bin/python bench/risk.py
"""
from __future__ import annotations

import math
import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nowan.model.assumptions import Assumptions  # noqa: E402
from nowan.model.channels import compile_graph, load_channels, score  # noqa: E402
from nowan.model.channels import catalogues, loader, risk, source  # noqa: E402
from nowan.model.channels.dag import INF, Dag, solve, witness  # noqa: E402

SIZES = ((1_000, 101), (10_000, 21), (100_000, 5))   # nodes, repeats (more where a run is short)
BOUND = 1.5                                          # near-linear: growth <= 1.5 x the size ratio


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
    """A layered AND/OR DAG of ``n`` nodes, the same shape at every size (so growth is fair).

    Every 100th node is an entry point; 60% of the others are steps (difficulty 1-5, one entry
    point from the last 5 in 2 of 3 cases), 40% AND/OR gates; every non-entry node has 2-3
    predecessors among the 200 non-entry nodes before it. The goal is an AND over the last 50
    nodes, so the chosen sub-graph (witness) is about half the graph at every size: the worst
    case for witness extraction.
    """
    rng = random.Random(seed)
    g = nx.DiGraph()
    own: dict[str, float] = {}
    inner: list[str] = []
    entries: list[str] = []
    for i in range(n - 1):
        if i % 100 == 0:
            name = f"entry:{i}"
            g.add_node(name, kind="entry", op="or")
            entries.append(name)
            continue
        if rng.random() < 0.6:
            name = f"step:{i}"
            g.add_node(name, kind="step", op="and")
            own[name] = float(rng.randint(1, 5))
            if rng.random() < 2 / 3:
                g.add_edge(rng.choice(entries[-5:]), name, relation="entry")
        else:
            name = f"{'and' if rng.random() < 0.5 else 'or'}:{i}"
            g.add_node(name, kind="gate", op=name.split(":")[0])
        window = inner[-200:]
        for p in rng.sample(window, k=min(len(window), rng.randint(2, 3))):
            g.add_edge(p, name, relation="requires")
        inner.append(name)
    goal = "goal:0"
    g.add_node(goal, kind="goal", op="and")
    for p in inner[-50:]:
        g.add_edge(p, goal, relation="requires")
    return g, own, goal


def walk(g: nx.DiGraph) -> None:
    """Read every node kind and edge relation once: the floor under any preparation from networkx."""
    for _, data in g.nodes(data=True):
        data.get("kind")
    for _, nbrs in g.adjacency():
        for _, data in nbrs.items():
            data.get("relation")


def graph_case(n: int, repeat: int) -> tuple[float, float, float, float]:
    """Median seconds: prepare (graph -> Dag + step values by index), cheapest path (DP + witness),
    what-if (DP before and after blocking every 20th step)."""
    g, own, goal = generated(n)
    d = Dag.of(g)
    vec = d.vector(own)
    gi = d.index[goal]

    def cheapest() -> None:
        _, choice = solve(d, vec, "max")
        witness(d, choice, goal)

    blocked = [d.index[s] for s in sorted(own)[:: 20]]

    def what_if() -> None:
        before, _ = solve(d, vec, "max")
        changed = list(vec)
        for i in blocked:
            changed[i] = INF
        after, _ = solve(d, changed, "max")
        assert after[goal] >= before[goal]

    assert not math.isinf(solve(d, vec, "max")[0][goal]) and gi >= 0
    prepare_t = median_time(lambda: Dag.of(g).vector(own), max(3, repeat // 4))
    walk_t = median_time(lambda: walk(g), max(3, repeat // 4))
    return prepare_t, median_time(cheapest, repeat), median_time(what_if, repeat), walk_t


def main() -> None:
    all_models(cold=True)  # import-time work out of the way
    cold = median_time(lambda: all_models(cold=True), 5)
    warm = median_time(lambda: all_models(cold=False), 5)
    print(f"all {len(load_channels())} channel models: load + compile + score (inherent, residual, command matrix)")
    print(f"  cold (caches cleared): {cold:.3f} s median of 5   target < 1 s: {'met' if cold < 1 else 'MISSED'}")
    print(f"  warm (parsed YAML cached): {warm:.3f} s median of 5")
    print()
    print("generated AND/OR attack graphs (DP, no path enumeration), same shape at every size")
    print(f"  {'nodes':>8} {'prepare s':>10} {'cheapest s':>11} {'what-if s':>10} {'nx walk s':>10}")
    rows = {}
    for n, rep in SIZES:
        rows[n] = graph_case(n, rep)
        print(f"  {n:>8} {rows[n][0]:>10.4f} {rows[n][1]:>11.4f} {rows[n][2]:>10.4f} {rows[n][3]:>10.4f}")
    print(f"  growth (ratio of medians; bound: near-linear = at most {BOUND}x the node ratio)")
    for col, name in enumerate(("prepare", "cheapest", "what-if", "nx walk")):
        parts = []
        for lo, hi in ((1_000, 10_000), (10_000, 100_000), (1_000, 100_000)):
            ratio, limit = rows[hi][col] / rows[lo][col], BOUND * hi / lo
            parts.append(f"{lo // 1000}k->{hi // 1000}k x{ratio:.0f} (<= x{limit:.0f} {'met' if ratio <= limit else 'MISSED'})")
        print(f"    {name:<9} " + ", ".join(parts))
    print("  (nx walk: reading the networkx graph alone, no computation. Its growth is the memory")
    print("   hierarchy; preparation must read the graph, so part of its growth is this one)")


if __name__ == "__main__":
    main()
