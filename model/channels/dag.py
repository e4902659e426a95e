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
from typing import Callable, Mapping

import networkx as nx

from model.errors import ModelError

INF = math.inf


@dataclass(frozen=True)
class Dag:
    """A graph prepared for DP: topological order and predecessor lists by relation."""

    order: tuple[str, ...]
    kind: dict[str, str]
    op: dict[str, str]
    req_preds: dict[str, tuple[str, ...]]
    entry_preds: dict[str, tuple[str, ...]]

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
        req: dict[str, list[str]] = {n: [] for n in order}
        ent: dict[str, list[str]] = {n: [] for n in order}
        for u, v, r in g.edges(data="relation"):
            if r == "requires":
                req[v].append(u)
            elif r == "entry":
                ent[v].append(u)
        nodes = g.nodes
        return cls(order, {n: nodes[n].get("kind", "step") for n in order}, {n: nodes[n].get("op", "and") for n in order},
                   {n: tuple(sorted(p)) for n, p in req.items()}, {n: tuple(sorted(p)) for n, p in ent.items()})


def solve(dag: Dag, own: Mapping[str, float], combine: str = "max",
          entry_ok: Callable[[str], bool] | None = None) -> tuple[dict[str, float], dict[str, str]]:
    """Best value per node, and for OR choices the predecessor chosen (for the witness).

    ``own``: each step's own value (missing = 0; ``inf`` = infeasible). ``entry_ok(entry_node)``
    says whether the attacker can use an entry point (default: all can).
    """
    add = combine == "sum"
    val: dict[str, float] = {}
    choice: dict[str, str] = {}
    for n in dag.order:
        kind = dag.kind[n]
        if kind == "entry":
            val[n] = 0.0 if entry_ok is None or entry_ok(n) else INF
            continue
        preds = dag.req_preds[n]
        if kind == "step" or dag.op[n] == "and":
            acc = own.get(n, 0.0) if kind == "step" else 0.0
            for p in preds:
                pv = val[p]
                acc = acc + pv if add else (pv if pv > acc else acc)
            ents = dag.entry_preds[n]
            if ents:
                best = min(ents, key=lambda e: val[e])
                if val[best] == INF:
                    acc = INF
                choice[n] = best
            val[n] = acc
        else:
            if not preds:
                val[n] = INF
                continue
            best = min(preds, key=lambda p: val[p])
            choice[n] = best
            val[n] = val[best]
    return val, choice


def witness(dag: Dag, choice: Mapping[str, str], node: str) -> list[str]:
    """The nodes of the chosen AND/OR sub-graph below ``node`` (steps and entries), sorted."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        kind = dag.kind[n]
        if kind == "entry":
            continue
        if kind == "step" or dag.op[n] == "and":
            stack.extend(dag.req_preds[n])
            if n in choice:
                stack.append(choice[n])
        elif n in choice:
            stack.append(choice[n])
    return sorted(x for x in seen if dag.kind[x] in ("step", "entry"))
