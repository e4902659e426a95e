"""Channel threat models: load, compile to attack graphs, score against the SSC's appetite.

One YAML file per no-WAN channel lives next to this module (``utrn-keypad.yaml`` ...), validated
against ``schema.json`` and the shared catalogues (``rules.yaml``, ``model/data/risk.yaml``,
``model/data/mp094_commands.yaml``). The method is in ``docs/methodology.md``.

Public API (import from ``model.channels``):

Loading
    ``load_channels(ids=None, directory=None) -> dict[str, Channel]``: every channel in the directory
    (default: the packaged models) by default, sorted by id. A bad file raises
    :class:`model.errors.ModelError` naming file, line and field; an unknown id lists the ids found.
    ``channel_ids(directory=None)``: the registry is the directory (every ``*.yaml`` but
    ``rules.yaml``); no list of channel ids is kept in code. ``load_file(path) -> Channel``.
    ``Channel``: resolved record: ``steps`` (each with ``stable_id`` such as
    ``replay@utrn-keypad@meter``, STRIDE, CWE, mitigation, ``origin`` = file:line), ``controls``
    (``status`` existing | candidate, ``cost_gbp``), ``goals``, ``commands``, ``existing_controls``,
    ``candidate_controls``.

Attack graphs
    ``compile_graph(channel) -> networkx.DiGraph`` (AND/OR nodes, stable ids);
    ``graph_to_data(g) -> dict`` and ``graph_from_data(d) -> DiGraph`` (plain data both ways).
    Analyses: ``paths_to(g, goal, limit)``, ``cheapest_path(channel, goal, metric='cost'|'skill'|'time')``,
    ``premises_reachable(channel)``, ``what_if(channel, ['+ID', '-ID'])``,
    ``ineffective_assumptions(channels, assumptions, delta) -> {key: hint}`` (overrides that change
    no selected channel's result, e.g. ``pairing.window_s`` without ``+A-60MIN``).

Risk
    ``score(channel, assumptions=None, controls_delta=()) -> ChannelRisk`` with ``inherent``,
    ``residual`` (:class:`Score`: likelihood, impact, level, goal, attacker, scale, path, trace),
    ``verdict`` ('within-appetite' | 'above-appetite'), ``commands`` (MP094 command -> level or
    'not-carried'), ``commands_within_appetite`` and ``to_dict()``: the channel entry of
    docs/methodology.md section 10 (plus goals, controls, parameters and the graph as plain data;
    every step, control and goal carries ``source`` = file:line, every trace item names the model
    line or assumption it uses).
    ``command_matrix(channels, assumptions) -> {channel: {command: level}}``.

For the proofs engineer (cheapest control set with z3 Optimize)
    ``candidate_controls(channel, assumptions=None) -> dict[control_id, cost_gbp]``
    ``residual_with(channel, enabled_controls, assumptions=None) -> Score``: residual risk with
    exactly ``enabled_controls`` on; pass ``channel.existing_controls | chosen_candidates``.
    ``Score.rank`` (0 = very-low .. 4 = very-high) and ``within_appetite(level)``. Risk is monotone:
    enabling more controls never raises ``rank``. ``cheapest_control_set`` is a brute-force reference.
"""
from __future__ import annotations

from typing import Iterable

from nowan.model.assumptions import Assumptions
from nowan.model.channels.analysis import (cheapest_control_set, cheapest_path, ineffective_assumptions, paths_to,
                                     premises_reachable, what_if)
from nowan.model.channels.graph import compile_graph, graph_from_data, graph_to_data
from nowan.model.channels.loader import channel_ids, load_channels, load_file
from nowan.model.channels.risk import (ABOVE, WITHIN, ChannelRisk, Score, candidate_controls, residual_with, score,
                                 within_appetite)
from nowan.model.channels.types import Channel


def command_matrix(channels: Iterable[Channel], assumptions: Assumptions | None = None,
                   controls_delta: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """Channel x MP094 command: the residual level of the harms the command enables, or 'not-carried'."""
    delta = tuple(controls_delta)
    return {c.id: score(c, assumptions, delta).commands for c in channels}


__all__ = ["ABOVE", "WITHIN", "Channel", "ChannelRisk", "Score", "candidate_controls",
           "channel_ids", "cheapest_control_set", "cheapest_path", "command_matrix", "compile_graph", "graph_from_data",
           "graph_to_data", "ineffective_assumptions", "load_channels", "load_file", "paths_to",
           "premises_reachable", "residual_with", "score", "what_if", "within_appetite"]
