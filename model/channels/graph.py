"""Channel model -> attack graph (``networkx.DiGraph``) and back to plain data.

Node ids are stable strings: ``entry:ID``, ``step:ID``, ``goal:ID``, ``control:ID`` and, for
nested preconditions, ``and:OWNER:PATH`` / ``or:OWNER:PATH``. Edges run from a precondition to
what it enables (entry -> step, step -> and/or -> step/goal), so goals are sinks; control edges
(``relation`` = ``blocks`` | ``hardens``) point at the steps they act on. One translator each way,
as in mal-toolbox, so every other stage can use plain data.
"""
from __future__ import annotations

from typing import Any

import networkx as nx

from nowan.model.channels.types import Channel, Req
from nowan.model.errors import ModelError

GRAPH_FORMAT = 1


def _add_req(g: nx.DiGraph, req: Req, target: str, owner: str, path: str) -> None:
    if req.op == "step":
        g.add_edge(f"step:{req.step}", target, relation="requires")
        return
    if len(req.items) == 1:
        _add_req(g, req.items[0], target, owner, f"{path}.0")
        return
    node = f"{'and' if req.op == 'all' else 'or'}:{owner}:{path}"
    g.add_node(node, kind="gate", op="and" if req.op == "all" else "or", label=req.op.upper())
    g.add_edge(node, target, relation="requires")
    for i, item in enumerate(req.items):
        _add_req(g, item, node, owner, f"{path}.{i}")


def compile_graph(channel: Channel) -> nx.DiGraph:
    """The channel's AND/OR attack graph. Step nodes are AND over their preconditions."""
    g = nx.DiGraph(channel=channel.id, format=GRAPH_FORMAT)
    for e in channel.entry_points:
        g.add_node(f"entry:{e.id}", kind="entry", op="or", label=e.title, attackers=list(e.attackers),
                   source=str(e.origin))
    for s in channel.steps:
        g.add_node(f"step:{s.id}", kind="step", op="and", label=s.title, stable_id=s.stable_id,
                   rule=s.rule.id, scale=s.scale, entries=list(s.entry), source=str(s.origin))
    for s in channel.steps:
        for e in s.entry:
            g.add_edge(f"entry:{e}", f"step:{s.id}", relation="entry")
        if s.requires is not None:
            _add_req(g, s.requires, f"step:{s.id}", s.id, "r")
    for goal in channel.goals:
        g.add_node(f"goal:{goal.id}", kind="goal", op="or" if goal.requires.op == "any" else "and",
                   label=goal.title, impact_kind=goal.kind, scale=goal.scale, commands=list(goal.commands),
                   source=str(goal.origin))
        req = goal.requires
        if req.op == "step":
            g.add_edge(f"step:{req.step}", f"goal:{goal.id}", relation="requires")
        else:
            for i, item in enumerate(req.items):
                _add_req(g, item, f"goal:{goal.id}", goal.id, f"r.{i}")
    for c in channel.controls:
        g.add_node(f"control:{c.id}", kind="control", op="or", label=c.title, status=c.status, source=str(c.origin))
        for sid in c.blocks:
            g.add_edge(f"control:{c.id}", f"step:{sid}", relation="blocks")
        for sid, _ in c.hardens:
            g.add_edge(f"control:{c.id}", f"step:{sid}", relation="hardens")
    return g


def graph_to_data(g: nx.DiGraph) -> dict[str, Any]:
    """Plain, JSON-serialisable data: ``{"channel", "format", "nodes": [...], "edges": [...]}``, sorted."""
    return {
        "channel": g.graph.get("channel"), "format": g.graph.get("format", GRAPH_FORMAT),
        "nodes": [{"id": n, **{k: g.nodes[n][k] for k in sorted(g.nodes[n])}} for n in sorted(g.nodes)],
        "edges": [{"source": u, "target": v, **dict(sorted(g.edges[u, v].items()))} for u, v in sorted(g.edges)],
    }


def graph_from_data(data: dict[str, Any]) -> nx.DiGraph:
    """Inverse of :func:`graph_to_data`; raises ModelError on malformed data."""
    try:
        g = nx.DiGraph(channel=data.get("channel"), format=data.get("format", GRAPH_FORMAT))
        for n in data["nodes"]:
            attrs = {k: v for k, v in n.items() if k != "id"}
            g.add_node(n["id"], **attrs)
        for e in data["edges"]:
            attrs = {k: v for k, v in e.items() if k not in ("source", "target")}
            if e["source"] not in g or e["target"] not in g:
                raise KeyError(f"edge to unknown node {e['source']} -> {e['target']}")
            g.add_edge(e["source"], e["target"], **attrs)
    except (KeyError, TypeError) as exc:
        raise ModelError(f"malformed attack graph data ({exc})", where="graph") from None
    return g
