"""Dynamic programming over an AND/OR attack graph (linear in nodes + edges).

Why not path enumeration: the number of attack paths grows exponentially with the graph, while
"the cheapest way to reach this goal" only needs one pass in topological order: an OR node takes
its best predecessor, an AND node combines all of them (``max`` for skill/difficulty, ``sum`` for
cost and time; ``sum`` counts a shared sub-step once per use, so it is an upper bound on a DAG).
Step nodes are AND over their preconditions and OR over their entry points.

Why plain lists: preparing and solving touch every node and edge once. Per-node networkx calls
(building a sub-graph, its topological sort) cost several dict look-ups and view objects per
edge and made preparation grow about x300 from 1,000 to 100,000 nodes; one read of the node and
edge data, one Kahn pass and integer-indexed lists keep every stage near-linear
(``bench/risk.py`` prints the growth).
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

import networkx as nx

from nowan.model.errors import ModelError

INF = math.inf
NO_CHOICE = -1
ENTRY, AND, OR = 0, 1, 2


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
    """A graph prepared for DP: nodes numbered in topological order, predecessor index tuples."""

    order: tuple[str, ...]
    index: dict[str, int]
    code: tuple[int, ...]            # ENTRY, AND (steps, AND gates, AND goals), OR
    is_step: tuple[bool, ...]
    req: tuple[tuple[int, ...], ...]
    ent: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, g: nx.DiGraph) -> "Dag":
        """Number the non-control nodes of ``g`` topologically (Kahn, first-in first-out).

        Sources are taken in the graph's insertion order and each node's successors in edge
        order, so nodes added close together stay close together (good locality for the DP).
        """
        with _collector_paused():
            return cls._of(g)

    @classmethod
    def _of(cls, g: nx.DiGraph) -> "Dag":
        ids: list[str] = []
        local: dict[str, int] = {}
        codes: list[int] = []
        steps: list[bool] = []
        for n, data in g.nodes(data=True):
            kind = data.get("kind", "step")
            if kind == "control":
                continue
            local[n] = len(ids)
            ids.append(n)
            steps.append(kind == "step")
            codes.append(ENTRY if kind == "entry" else AND if kind == "step" or data.get("op", "and") == "and" else OR)
        m = len(ids)
        succ: list[list[int]] = [[] for _ in range(m)]
        req: list[list[int]] = [[] for _ in range(m)]
        ent: list[list[int]] = [[] for _ in range(m)]
        indeg = [0] * m
        for u, nbrs in g.adjacency():          # plain dicts: no view object or generator per edge
            iu = local.get(u)
            if iu is None:
                continue                         # a control: its edges are not attack steps
            out = succ[iu]
            for v, data in nbrs.items():
                r = data.get("relation")
                if r == "requires":
                    iv = local[v]
                    req[iv].append(iu)
                elif r == "entry":
                    iv = local[v]
                    ent[iv].append(iu)
                else:
                    continue
                out.append(iv)
                indeg[iv] += 1
        queue = [i for i in range(m) if indeg[i] == 0]
        head = 0
        while head < len(queue):
            for w in succ[queue[head]]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    queue.append(w)
            head += 1
        if len(queue) < m:
            raise ModelError(f"attack graph has a cycle through {_on_cycle(ids, succ, indeg)}",
                             where=str(g.graph.get("channel")))
        pos = [0] * m
        for new, old in enumerate(queue):
            pos[old] = new
        return cls(tuple(ids[i] for i in queue), {ids[i]: new for new, i in enumerate(queue)},
                   tuple(codes[i] for i in queue), tuple(steps[i] for i in queue),
                   tuple(tuple([pos[p] for p in req[i]]) for i in queue),
                   tuple(tuple([pos[p] for p in ent[i]]) for i in queue))

    def vector(self, own: Mapping[str, float]) -> list[float]:
        """Per-node own values as a list by node index (missing = 0), for repeated solves.

        Resolving string ids costs a dict look-up per step; a what-if that changes a few steps
        copies this list and sets those indices instead of rebuilding a mapping.
        """
        base = [0.0] * len(self.order)
        index = self.index
        for node, v in own.items():
            i = index.get(node)
            if i is not None:
                base[i] = v
        return base

    def kind_of(self, node: str) -> str:
        i = self.index[node]
        return "entry" if self.code[i] == ENTRY else "step" if self.is_step[i] else "gate"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the index lists.

    They hold only ints and strings (no reference cycles), but allocating a few hundred thousand
    of them triggers full collections that walk the caller's whole networkx graph: at 100,000
    nodes that alone doubled the preparation time and made its growth erratic.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()




def _on_cycle(ids: list[str], succ: list[list[int]], indeg: list[int]) -> str:
    """A node on a cycle among the nodes Kahn's pass could not number (error path only)."""
    i = next(k for k, d in enumerate(indeg) if d > 0)
    seen: set[int] = set()
    while i not in seen:            # walk forward inside the remainder until a node repeats
        seen.add(i)
        i = next(w for w in succ[i] if indeg[w] > 0)
    return ids[i]


def solve(dag: Dag, own: Mapping[str, float] | Sequence[float], combine: str = "max",
          entry_ok: Callable[[str], bool] | None = None) -> tuple[Values, list[int]]:
    """Best value per node, and per node the predecessor chosen for its OR part (for the witness).

    ``own``: each step's own value by node id (missing = 0; ``inf`` = infeasible), or a list by
    node index from :meth:`Dag.vector`. ``entry_ok(entry_node)``
    says whether the attacker can use an entry point (default: all can). The choice list holds
    :data:`NO_CHOICE` where a node made none. Equal alternatives go to the predecessor added to
    the graph first (for a channel model: declared first in its YAML file).
    """
    add = combine == "sum"
    order = dag.order
    n = len(order)
    base = own if isinstance(own, list) else dag.vector(own) if isinstance(own, Mapping) else own
    if len(base) != n:
        raise ValueError(f"own values: expected {n} by node index, got {len(base)}")
    val = [0.0] * n
    choice = [NO_CHOICE] * n
    get = val.__getitem__
    req, ent, is_step = dag.req, dag.ent, dag.is_step
    for i, code in enumerate(dag.code):
        if code == ENTRY:
            val[i] = 0.0 if entry_ok is None or entry_ok(order[i]) else INF
            continue
        preds = req[i]
        if code == AND:
            acc = base[i] if is_step[i] else 0.0
            for p in preds:
                pv = val[p]
                if add:
                    acc += pv
                elif pv > acc:
                    acc = pv
            ents = ent[i]
            if ents:
                best = min(ents, key=get)
                if val[best] == INF:
                    acc = INF
                choice[i] = best
            val[i] = acc
        elif preds:
            best = min(preds, key=get)
            choice[i] = best
            val[i] = val[best]
        else:
            val[i] = INF
    return Values(dag, val), choice


def witness(dag: Dag, choice: Sequence[int], node: str) -> list[str]:
    """The nodes of the chosen AND/OR sub-graph below ``node`` (steps and entries), sorted."""
    seen = bytearray(len(dag.order))
    code, req, is_step, order = dag.code, dag.req, dag.is_step, dag.order
    stack = [dag.index[node]]
    out: list[str] = []
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = 1
        c = code[i]
        if c == ENTRY:
            out.append(order[i])
            continue
        if is_step[i]:
            out.append(order[i])
        if c == AND:
            stack.extend(req[i])
        if choice[i] != NO_CHOICE:
            stack.append(choice[i])
    out.sort()
    return out
