"""Attack-graph compiler, plain-data round trip, analyses and traceability of verdict numbers."""
from __future__ import annotations

import json
import math

import networkx as nx
import pytest
from hypothesis import given, strategies as st

from nowan.model.channels import (cheapest_control_set, cheapest_path, compile_graph, graph_from_data, graph_to_data,
                            load_channels, paths_to, premises_reachable, residual_with, score, what_if,
                            candidate_controls)
from nowan.model.channels.dag import Dag, solve, witness
from nowan.model.errors import ModelError

CH = load_channels()


@pytest.mark.parametrize("cid", sorted(CH))
def test_compile_and_round_trip(cid):
    g = compile_graph(CH[cid])
    assert nx.is_directed_acyclic_graph(g)
    data = graph_to_data(g)
    json.dumps(data)
    g2 = graph_from_data(data)
    assert graph_to_data(g2) == data
    assert set(g2.nodes) == set(g.nodes) and set(g2.edges) == set(g.edges)
    goals = [n for n in g if g.nodes[n]["kind"] == "goal"]
    assert all(g.out_degree(n) == 0 for n in goals)


def test_graph_has_and_or_gates_with_stable_ids():
    g = compile_graph(CH["pairing-no-timeout"])
    assert g.nodes["step:rogue-join"]["stable_id"] == "rogue-join@pairing-no-timeout@hub"
    assert g.nodes["or:rogue-join:r.1"]["op"] == "or"
    assert g.edges["control:A-60MIN", "step:catch-open-window"]["relation"] == "hardens"


def test_graph_from_bad_data_is_a_user_error():
    with pytest.raises(ModelError):
        graph_from_data({"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]})


def test_paths_to_goal_are_capped():
    g = compile_graph(CH["utrn-keypad"])
    paths = paths_to(g, "free-credit", limit=3)
    assert len(paths) == 3 and all(p[-1] == "goal:free-credit" for p in paths)


def test_cheapest_path_by_each_metric():
    ch = CH["utrn-keypad"]
    skill = cheapest_path(ch, "guessed-credit", "skill")
    # the skill is the key-presser's (2): guessing itself needs none, its forged codes score it
    assert skill.value == 2 and "mac-bruteforce@utrn-keypad@meter" in skill.steps
    cost = cheapest_path(ch, "free-credit", "cost")
    assert cost.value == 0 and cost.steps == ("credential-misuse@utrn-keypad@supplier",)
    no_controls = cheapest_path(ch, "free-credit", "skill", enabled=())
    assert no_controls.value == 1
    blocked = cheapest_path(CH["mp169-flag"], "tamper-unseen", "skill")
    assert math.isinf(blocked.value) and blocked.steps == ()


def test_cheapest_path_for_one_attacker():
    r = cheapest_path(CH["utrn-keypad"], "guessed-credit", "skill", attacker="consumer")
    assert r.steps == ("mac-bruteforce@utrn-keypad@meter", "physical-access@utrn-keypad@keypad")


def test_one_pairing_attack_reaches_one_premises_with_or_without_the_window():
    """HAN radio range is presence: one attack, one premises (the old model said national)."""
    ch = CH["pairing-no-timeout"]
    assert premises_reachable(ch)["han-takeover"] == {"scale": "premises", "premises": 1}
    with_window = premises_reachable(ch, enabled={"A-60MIN"})
    assert with_window["han-takeover"] == {"scale": "premises", "premises": 1}


def test_what_if_reports_before_and_after():
    r = what_if(CH["utrn-extended"], ["+dual-authorisation"])
    assert r["before"]["verdict"] == "above-appetite" and r["after"]["verdict"] == "within-appetite"


def test_api_for_control_search():
    ch = CH["utrn-extended"]
    costs = candidate_controls(ch)
    assert costs == {"dual-authorisation": 150000.0, "command-audit-on-wan-return": 250000.0}
    assert residual_with(ch, ch.existing_controls).rank > residual_with(ch, ch.existing_controls | {"dual-authorisation"}).rank
    assert cheapest_control_set(ch) == (frozenset({"dual-authorisation"}), 150000.0)
    # withheld non-disconnect periods: no candidate brings the relay or NFC within appetite
    assert cheapest_control_set(CH["wifi-ppmid-relay"]) is None and cheapest_control_set(CH["nfc"]) is None


@pytest.mark.parametrize("cid", sorted(CH))
def test_every_number_in_a_verdict_traces_to_a_model_line_or_assumption(cid):
    entry = score(CH[cid]).to_dict()
    json.dumps(entry)
    for key in ("id", "inherent", "residual", "verdict", "threats", "proofs", "fuzz", "commands_within_appetite"):
        assert key in entry
    res = entry["residual"]
    kinds = {t["what"] for t in res["trace"]}
    if res["goal"] is not None:
        assert {"attacker", "step", "likelihood", "exposure", "impact", "level"} <= kinds
        for t in res["trace"]:
            if t["what"] in ("attacker", "step", "likelihood", "impact", "level"):
                assert ".yaml:" in t["source"], t
        exposure = next(t for t in res["trace"] if t["what"] == "exposure")
        assert {"nowan.smart_ppm_meters", "nowan.smets2_meters"} & set(exposure["assumptions"])
    for threat in entry["threats"]:
        assert threat["source"].startswith(f"model/channels/{cid}.yaml:")
        assert threat["id"].count("@") == 2


# --- DP against brute force on small random AND/OR DAGs --------------------------------------

@st.composite
def and_or_dags(draw):
    n = draw(st.integers(3, 9))
    g = nx.DiGraph()
    own = {}
    for i in range(n):
        node = f"step:{i}"
        g.add_node(node, kind="step", op="and")
        own[node] = draw(st.sampled_from([1.0, 2.0, 3.0, 5.0, math.inf]))
        preds = draw(st.sets(st.integers(0, i - 1), max_size=2)) if i else set()
        if len(preds) > 1 and draw(st.booleans()):
            gate = f"or:{i}"
            g.add_node(gate, kind="gate", op="or")
            g.add_edge(gate, node, relation="requires")
            for p in preds:
                g.add_edge(f"step:{p}", gate, relation="requires")
        else:
            for p in preds:
                g.add_edge(f"step:{p}", node, relation="requires")
    return g, own


def _brute(g, own, node, combine):
    kind, op = g.nodes[node]["kind"], g.nodes[node]["op"]
    preds = [u for u in g.predecessors(node)]
    sub = [_brute(g, own, p, combine) for p in preds]
    if kind == "gate" and op == "or":
        return min(sub) if sub else math.inf
    base = own[node]
    return (base + sum(sub)) if combine == "sum" else max([base, *sub])


@given(and_or_dags(), st.sampled_from(["max", "sum"]))
def test_dp_matches_recursive_definition(dag_own, combine):
    g, own = dag_own
    d = Dag.of(g)
    val, choice = solve(d, own, combine)
    for n in g:
        assert val[n] == _brute(g, own, n, combine)
    last = f"step:{max(int(n.split(':')[1]) for n in g if n.startswith('step:'))}"
    if not math.isinf(val[last]):
        assert last in witness(d, choice, last)


@given(and_or_dags(), st.randoms(use_true_random=False))
def test_dag_numbering_is_topological_whatever_the_insertion_order(dag_own, rnd):
    g, own = dag_own
    nodes = list(g.nodes(data=True))
    rnd.shuffle(nodes)
    edges = list(g.edges(data=True))
    rnd.shuffle(edges)
    h = nx.DiGraph()
    h.add_nodes_from(nodes)
    h.add_edges_from(edges)
    d = Dag.of(h)
    assert sorted(d.order) == sorted(g.nodes)
    for u, v in g.edges:
        assert d.index[u] < d.index[v]
    by_id, _ = solve(Dag.of(g), own, "max")
    by_index, _ = solve(d, d.vector(own), "max")
    assert dict(by_index) == dict(by_id)


def test_dag_of_a_cyclic_graph_names_a_node_on_the_cycle():
    g = nx.DiGraph(channel="demo")
    for n in ("entry:e", "step:a", "step:b", "step:c", "step:d"):
        g.add_node(n, kind="entry" if n.startswith("entry") else "step", op="and")
    g.add_edge("entry:e", "step:a", relation="entry")
    for u, v in (("step:a", "step:b"), ("step:b", "step:c"), ("step:c", "step:b"), ("step:c", "step:d")):
        g.add_edge(u, v, relation="requires")
    with pytest.raises(ModelError, match=r"demo: attack graph has a cycle through step:[bc]$"):
        Dag.of(g)


def test_solve_rejects_a_value_list_of_the_wrong_length():
    g, own = nx.DiGraph(), {}
    g.add_node("step:0", kind="step", op="and")
    with pytest.raises(ValueError, match="expected 1 by node index, got 2"):
        solve(Dag.of(g), [1.0, 2.0])


def test_ineffective_assumptions_names_the_control_that_would_read_the_key():
    from nowan.model.assumptions import Assumptions
    from nowan.model.channels import ineffective_assumptions

    chs = [CH["pairing-no-timeout"], CH["utrn-keypad"]]
    a = Assumptions({"pairing.window_s": "inf", "lockout.max_failures": "1000000000"})
    assert ineffective_assumptions(chs, a) == {
        "pairing.window_s": "read only with --control +A-60MIN (pairing-no-timeout)"}
    assert ineffective_assumptions(chs, a, ["+A-60MIN"]) == {}
