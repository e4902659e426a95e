"""Dynamic programming over an AND/OR attack graph (linear in nodes + edges).

Why not path enumeration: the number of attack paths grows exponentially with the graph, while
"the cheapest way to reach this goal" only needs one pass in topological order: an OR node takes
its best predecessor, an AND node combines all of them (``max`` for skill/difficulty, ``sum`` for
cost and time; ``sum`` counts a shared sub-step once per use, so it is an upper bound on a DAG).
Step nodes are AND over their preconditions and OR over their entry points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import networkx as nx

from model.errors import ModelError

INF = math.inf


class Values(Mapping[str, float]):
    """Per-node results of :func:`solve`, stored by node index (a list) and read by node id."""

    def __init__(self, dag: "Dag", values: list[float]) -> None:
        self._dag, self._values = dag, values

    def __getitem__(self, node: str) -> float:
        return self._values[self._dag.index[node]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dag.order)

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class Dag:
    """A graph prepared for DP: nodes numbered in topological order, predecessor index tuples.

    Integer indices and lists rather than dicts keyed by node id keep the DP pass cache-friendly,
    which is what keeps its growth near-linear at 100,000 nodes.
    """

    order: tuple[str, ...]
    index: dict[str, int]
    code: tuple[int, ...]            # 0 entry, 1 AND (steps, AND gates, AND goals), 2 OR
    is_step: tuple[bool, ...]
    req: tuple[tuple[int, ...], ...]
    ent: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, g: nx.DiGraph) -> "Dag":
        h = nx.DiGraph()
        h.add_nodes_from(n for n, k in g.nodes(data="kind") if k != "control")
        h.add_edges_from((u, v) for u, v, r in g.edges(data="relation") if r in ("requires", "entry"))
        try:
            order = tuple(nx.topological_sort(h))
        except nx.NetworkXUnfeasible:
            cycle = nx.find_cycle(h)
            raise ModelError(f"attack graph has a cycle through {cycle[0][0]}", where=str(g.graph.get("channel"))) from None
        index = {n: i for i, n in enumerate(order)}
        req: list[list[int]] = [[] for _ in order]
        ent: list[list[int]] = [[] for _ in order]
        for u, v, r in g.edges(data="relation"):
            if r == "requires":
                req[index[v]].append(index[u])
            elif r == "entry":
                ent[index[v]].append(index[u])
        nodes = g.nodes
        code, steps = [], []
        for n in order:
            kind = nodes[n].get("kind", "step")
            steps.append(kind == "step")
            code.append(0 if kind == "entry" else 1 if kind == "step" or nodes[n].get("op", "and") == "and" else 2)
        return cls(order, index, tuple(code), tuple(steps), tuple(tuple(sorted(p)) for p in req),
                   tuple(tuple(sorted(p)) for p in ent))

    def kind_of(self, node: str) -> str:
        i = self.index[node]
        return "entry" if self.code[i] == 0 else "step" if self.is_step[i] else "gate"


def solve(dag: Dag, own: Mapping[str, float], combine: str = "max",
          entry_ok: Callable[[str], bool] | None = None) -> tuple[Values, dict[int, int]]:
    """Best value per node, and for OR choices the predecessor chosen (for the witness).

    ``own``: each step's own value (missing = 0; ``inf`` = infeasible). ``entry_ok(entry_node)``
    says whether the attacker can use an entry point (default: all can).
    """
    add = combine == "sum"
    order, index = dag.order, dag.index
    base = [0.0] * len(order)
    for n, v in own.items():
        i = index.get(n)
        if i is not None:
            base[i] = v
    val = [0.0] * len(order)
    choice: dict[int, int] = {}
    for i, code in enumerate(dag.code):
        if code == 0:
            val[i] = 0.0 if entry_ok is None or entry_ok(order[i]) else INF
            continue
        preds = dag.req[i]
        if code == 1:
            acc = base[i] if dag.is_step[i] else 0.0
            for p in preds:
                pv = val[p]
                if add:
                    acc += pv
                elif pv > acc:
                    acc = pv
            ents = dag.ent[i]
            if ents:
                best = min(ents, key=val.__getitem__)
                if val[best] == INF:
                    acc = INF
                choice[i] = best
            val[i] = acc
        elif preds:
            best = min(preds, key=val.__getitem__)
            choice[i] = best
            val[i] = val[best]
        else:
            val[i] = INF
    return Values(dag, val), choice


def witness(dag: Dag, choice: Mapping[int, int], node: str) -> list[str]:
    """The nodes of the chosen AND/OR sub-graph below ``node`` (steps and entries), sorted."""
    seen: set[int] = set()
    stack = [dag.index[node]]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        code = dag.code[i]
        if code == 0:
            continue
        if code == 1:
            stack.extend(dag.req[i])
        if i in choice:
            stack.append(choice[i])
    return sorted(dag.order[i] for i in seen if dag.code[i] == 0 or dag.is_step[i])
