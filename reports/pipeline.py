"""The ``nowan assess`` pipeline: models -> risk -> proofs -> fuzz -> evidence bundle -> files.

Each stage returns plain data; the bundle is a pure function of them, and rendering a pure function
of the bundle. Determinism: the fuzz stage is bounded by a number of examples (``--examples``, not
wall time), seeded per harness, with no example database; timings are shown on the terminal but
never written into the report files.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import networkx as nx
from markupsafe import Markup

from nowan.model.assumptions import Assumptions
from nowan.model.channels import catalogues, compile_graph, graph_to_data, load_channels, score
from nowan.model.channels.loader import channel_ids as registry_ids
from nowan.model.channels.inputs import check_overrides
from nowan.model.channels.risk import ChannelRisk, under_exposure
from nowan.model.channels.types import SMETS1_COMPARISON
from nowan.model.errors import InputError
from nowan.model.modifications import load_modifications, load_today
from nowan.model.safeio import read_bytes
from nowan.reports.bundle import make_bundle
from nowan.reports.graphviz import Layout, choose, draw
from nowan.reports.provenance import model_files, model_hash, source_date, tool_versions

#: Fuzz examples per channel harness and invariant kind in ``nowan assess``. A number of examples,
#: not a time, so that the same seed gives the same report (README "Command line").
DEFAULT_EXAMPLES = 150
#: Robustness in ``nowan assess``: modest counts keep the report quick; ``nowan robustness`` goes further.
ROBUSTNESS_SAMPLES = 200
ROBUSTNESS_TRAJECTORIES = 4

Progress = Callable[[str, float], None]


@dataclass
class StageTimes:
    """Wall time per stage, for the terminal and the benchmark only."""

    seconds: dict[str, float] = field(default_factory=dict)


def _channels(ids: Sequence[str] | None, directory: Path | None):
    """The channels to assess, sorted by id: the registry is the model directory (packaged or
    ``--models``); an unknown id is the loader's one-line error listing the ids found there."""
    return load_channels(sorted(set(ids)) if ids else None, directory)


def _proofs(channels: dict[str, Any], assumptions: Assumptions) -> list[dict[str, Any]]:
    """Prove the very models that were scored (a --models directory included)."""
    from nowan.proofs import run
    from nowan.reports.proof_replay import mark_reproduced

    results = run(channels, assumptions)
    mark_reproduced(results)
    out = []
    for res in results:
        d = res.to_dict()
        d.pop("seconds", None)  # timing is not evidence and would break byte-identical reports
        out.append(d)
    return sorted(out, key=lambda p: p["id"])


def _fuzz(channels: Mapping[str, Any], assumptions: Assumptions, seed: int, examples: int,
          progress: Callable[[float], None] | None = None) -> dict[str, dict[str, Any]]:
    """Per channel: examples, steps and findings from a deterministic, example-bounded campaign over
    the given channel models (their fuzz sections decide the world and its values)."""
    if examples <= 0:
        return {}
    from nowan.attacks.campaign import run_examples
    from nowan.attacks.registry import channel_ids, harnesses

    known = set(channel_ids(channels))
    wanted = [i for i in channels if i in known]
    if not wanted:
        return {}
    chosen = harnesses(wanted, channels=channels)
    checks = {h.channel: sorted(h.checks) for h in chosen}
    result = run_examples(chosen, examples=examples, seed=seed, assumptions=assumptions,
                          progress=(lambda p: progress(p.fraction)) if progress else None)
    out: dict[str, dict[str, Any]] = {}
    for run_ in result.runs:
        findings = [f.to_dict() for f in run_.findings]
        out[run_.channel] = {
            "examples": run_.examples, "steps": run_.steps, "findings": findings,
            "invariants": checks[run_.channel],
            "implementation_findings": sum(1 for f in findings if f["kind"] == "implementation-invariant"),
            "weakness_findings": sum(1 for f in findings if f["kind"] == "channel-weakness"),
        }
    return out


def _robustness(channels: dict[str, Any], directory: Path | None, assumptions: Assumptions,
                seed: int) -> dict[str, Any]:
    """How robust each verdict is (model/robustness), with the run's seed; --assume inputs are pinned."""
    from nowan.model.robustness import Subject, analyse

    subject = Subject(tuple(channels), str(Path(directory).resolve()) if directory else None,
                      tuple(assumptions.overridden.items()))
    return analyse(subject, samples=ROBUSTNESS_SAMPLES, seed=seed, trajectories=ROBUSTNESS_TRAJECTORIES)


def _routes(mod: Any, channels: Mapping[str, Any]) -> dict[str, Any]:
    """The run's channels as ``mod`` scores its routes: under the no-WAN duration the modification
    declares (``exposure``; MP094 Option 1 intermittent, Option 2 permanent), else as each file says."""
    if mod.exposure is None:
        return dict(channels)
    where = f"{mod.origin} field 'exposure' ({mod.exposure.source})"
    return {cid: under_exposure(ch, mod.exposure.duration, where) if cid in mod.channels else ch
            for cid, ch in channels.items()}


def _exposed(mods: Mapping[str, Any], channels: Mapping[str, Any], assumptions: Assumptions,
             proofs: list[dict[str, Any]], fuzz: Mapping[str, Any], run_proofs: bool,
             directory: Path | None = None, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Per modification with an ``exposure``: its routes' channel entries re-scored under that
    duration (only the routes whose file says otherwise), with the cheapest control set found again
    by the same z3 search (``best-control-set``) and the robustness sweeps run again under that
    duration (``exposed_robustness``), so the decision's confidence is that of the verdict it uses.
    The channel summary keeps each file's own exposure."""
    from nowan.model.robustness.added import exposed_robustness
    from nowan.proofs.controls import applies, best_set
    from nowan.proofs.runner import BUDGET_KEY

    models = str(Path(directory).resolve()) if directory else None
    done: dict[tuple[str, str], dict[str, Any]] = {}

    out: dict[str, dict[str, Any]] = {}
    for mid, m in mods.items():
        if m.exposure is None:
            continue
        routes = _routes(m, channels)
        moved = [cid for cid in m.channels if cid in channels and routes[cid] is not channels[cid]]
        entries = {}
        for cid in moved:
            ch = routes[cid]
            own = [p for p in proofs if p["channel"] == cid and not p["id"].startswith("best-control-set@")]
            found = []
            if run_proofs and applies(ch, assumptions):
                f = best_set(ch, assumptions, assumptions.get(BUDGET_KEY))
                found = [{"id": f"best-control-set@{cid}", "channel": cid, "status": f.status,
                          "trace": f.trace, "detail": f.detail}]
            key = (cid, m.exposure.duration)
            if key not in done:
                done[key] = exposed_robustness(cid, m.exposure.duration, models, tuple(assumptions.overridden.items()),
                                               samples=ROBUSTNESS_SAMPLES, seed=seed)
            e = _entry(score(ch, assumptions), compile_graph(ch), own + found, fuzz.get(cid), done[key])
            e["proofs"] = own
            _treat(e, directory, assumptions, seed, m.exposure.duration)
            entries[cid] = e
        out[mid] = {**m.exposure.to_dict(), "moved": moved, "channels": entries,
                    "files": {cid: channels[cid].exposure_duration for cid in m.channels if cid in channels}}
    return out


def _added(mods: Mapping[str, Any], channels: Mapping[str, Any], directory: Path | None,
           assumptions: Assumptions) -> dict[str, dict[str, Any]]:
    """Per modification with a baseline: the risk its routes add (``model.channels.added``). The
    baseline channels come from the same model directory, assessed or not (a ``--channels`` run of
    one route is still judged over the premises as it is today)."""
    from nowan.model.channels.added import modification_added

    wanted = {c for m in mods.values() if m.baseline for b in (m.baseline, *m.also_over) for c in b.channels}
    there = set(registry_ids(directory))
    available = dict(channels)
    extra = sorted(c for c in wanted if c in there and c not in available)
    if extra:
        available.update(load_channels(extra, directory))
    out = {}
    for mid, m in mods.items():
        a = modification_added(m, _routes(m, channels), available, assumptions)
        if a is not None:
            out[mid] = a
    return out


def _added_robustness(added: Mapping[str, dict[str, Any]], mods: Mapping[str, Any], directory: Path | None,
                      assumptions: Assumptions, seed: int) -> None:
    """Attach to each route's added risk its robustness (``model.robustness.added``: the same sweeps
    as a channel's own verdict, on the added risk), computed once per route and baseline."""
    from nowan.model.robustness.added import added_robustness

    done: dict[tuple[str, tuple[str, ...], str | None], dict[str, Any]] = {}
    models = str(Path(directory).resolve()) if directory else None
    for mid, a in added.items():
        base = tuple(mods[mid].baseline.channels)
        duration = mods[mid].exposure.duration if mods[mid].exposure is not None else None
        for cid, route in a["routes"].items():
            if (cid, base, duration) not in done:
                done[cid, base, duration] = added_robustness(
                    cid, base, models, tuple(assumptions.overridden.items()), samples=ROBUSTNESS_SAMPLES,
                    seed=seed, duration=duration)
            route["robustness"] = done[cid, base, duration]


def _treat(entry: dict[str, Any], directory: Path | None, assumptions: Assumptions, seed: int,
           duration: str | None = None) -> None:
    """Attach to a channel above appetite that the cheapest candidate set treats the robustness of
    its residual with that set in force (``robustness_treated``): a "support with conditions" rests
    on the treated route staying within appetite, so its confidence is that route's."""
    from nowan.model.robustness.added import treated_robustness

    best = entry.get("best_controls") or {}
    if entry["verdict"] == "within-appetite" or best.get("status") != "found" or not best.get("controls"):
        return
    models = str(Path(directory).resolve()) if directory else None
    entry["robustness_treated"] = treated_robustness(entry["id"], best["controls"], models,
                                                     tuple(assumptions.overridden.items()),
                                                     samples=ROBUSTNESS_SAMPLES, seed=seed, duration=duration)


def _undone(mods: Mapping[str, Any], channel: Any, assumptions: Assumptions) -> dict[str, Any] | None:
    """The channel's residual risk with the controls a modification's ``reversed_by`` names put back
    (the proposal undone: SECMP0037 with the 60-minute window kept). A decision that differs from a
    recorded position compares the two: equal levels mean the model cannot tell the proposal from
    today's arrangement at its level scale, which the committee must be told."""
    own = {c.id for c in channel.controls}
    controls = sorted({c for m in mods.values() for c in m.reversed_by if c in own})
    if not controls:
        return None
    r = score(channel, assumptions, [f"+{c}" for c in controls]).residual
    return {"controls": controls, "level": r.level, "likelihood": r.likelihood, "impact": r.impact}


def _without(today: Mapping[str, Any], channel: Any, assumptions: Assumptions) -> list[dict[str, Any]]:
    """The channel's residual risk without the existing controls a recorded position's reason rests on
    (``reason_mechanisms`` of a position on a route in use today: the SSC's end-to-end architecture on
    the WAN route), one entry per set of mechanisms. The report compares it with the verdict, so
    whether the model's verdict rests on that reason is computed."""
    out = []
    for t in today.values():
        if t.channel != channel.id:
            continue
        for p in t.positions:
            mechs = list(p.reason_mechanisms)
            if not mechs or any(w["mechanisms"] == mechs for w in out):
                continue
            ids = sorted(c.id for c in channel.controls if c.mechanism in mechs and c.status == "existing")
            r = score(channel, assumptions, [f"-{c}" for c in ids])
            out.append({"mechanisms": mechs, "controls": ids, "level": r.residual.level, "goal": r.residual.goal,
                        "likelihood": r.residual.likelihood, "impact": r.residual.impact, "verdict": r.verdict})
    return out


def _best_controls(proofs: list[dict[str, Any]], channel_id: str, verdict: str) -> dict[str, Any] | None:
    """The cheapest candidate-control set from the ``best-control-set`` proof (z3 Optimize)."""
    for p in proofs:
        if p["id"] == f"best-control-set@{channel_id}":
            t = (p.get("trace") or {}).get("evidence", {})
            status = {"proved": "found", "refuted": "none-within-budget"}.get(p["status"], "unknown")
            return {"proof_id": p["id"], "proof_status": p["status"], "status": status,
                    "controls": t.get("controls", []), "cost_gbp": t.get("cost_gbp", 0),
                    "residual": t.get("residual", ""), "unsat_core": t.get("unsat_core", []),
                    "detail": p.get("detail", "")}
    if verdict == "within-appetite":
        return {"proof_id": "-", "proof_status": "not-needed", "status": "not-needed", "controls": [],
                "cost_gbp": 0, "residual": "", "unsat_core": [], "detail": "already within appetite"}
    return None


def _entry(risk: ChannelRisk, graph: nx.DiGraph, proofs: list[dict[str, Any]],
           fuzz: dict[str, Any] | None, robustness: dict[str, Any] | None) -> dict[str, Any]:
    d = risk.to_dict(graph=False)
    ch = risk.channel
    d["graph"] = graph_to_data(graph)
    d["description"] = " ".join(ch.description.split())
    d["commands_carried"] = list(ch.commands)
    d["proofs"] = [p for p in proofs if p["channel"] == ch.id]
    d["fuzz"] = fuzz
    d["best_controls"] = best = _best_controls(proofs, ch.id, d["verdict"])
    if best is not None:   # a placeholder cost is said to be one wherever the set's cost is shown
        best["cost_placeholder"] = any(ch.control(c).cost_is_placeholder for c in best["controls"]
                                       if c in ch.candidate_controls)
    d["robustness"] = robustness
    d["assumptions_used"] = _assumptions_used(json.dumps(d, default=str) + repr(ch), risk.assumptions)
    return d


def _assumptions_used(text: str, assumptions: Assumptions) -> list[dict[str, Any]]:
    """The assumptions this channel's evidence names (``text``: its model, risk trace, proofs and
    fuzz traces). Shown per channel so a reader sees what each verdict rests on."""
    table = assumptions.to_dict()
    return [{"key": k, "value": v["value"], "label": v["label"], "overridden": v["overridden"]}
            for k, v in table.items() if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", text)]


def _mp169(channels: Mapping[str, Any], proofs: list[dict[str, Any]],
           fuzz: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The MP169 comparison: the channels whose model has an MP169 flag-policy control (a declared
    ``mechanism``, as for proof applicability, not a channel id), their proofs and fuzz evidence."""
    from nowan.proofs.applicability import MP169_MECHANISM

    ids = [cid for cid, ch in channels.items() if any(c.mechanism == MP169_MECHANISM for c in ch.controls)]
    if not ids:
        return None
    runs = [fuzz[cid] for cid in ids if cid in fuzz]
    return {"proofs": [p for p in proofs if p["channel"] in ids],
            "fuzz": {"examples": sum(f["examples"] for f in runs), "findings": [x for f in runs for x in f["findings"]]}}


def _graph_svg(channel_id: str, graph: nx.DiGraph, layout: Layout) -> Markup:
    svg = draw(graph, layout, id_prefix=f"{channel_id}--")
    return Markup(svg[svg.index("<svg"):] if "<svg" in svg else svg)


def assess(*, channel_ids: Sequence[str] | None = None, assumptions: Assumptions | None = None, seed: int = 0,
           examples: int = DEFAULT_EXAMPLES, directory: Path | None = None, run_proofs: bool = True,
           progress: Progress | None = None, times: StageTimes | None = None,
           layout: str = "auto") -> tuple[dict[str, Any], dict[str, Markup]]:
    """Run every stage; return the bundle and the per-channel attack-graph SVGs (drawn by Graphviz
    ``dot`` where installed with ``layout='auto'``, by the built-in layout otherwise)."""
    import time

    a = assumptions or Assumptions()
    times = times or StageTimes()

    def stage(name: str, fn):
        if progress:
            progress(name, 0.0)
        t0 = time.perf_counter()
        out = fn()
        times.seconds[name] = time.perf_counter() - t0
        if progress:
            progress(name, 1.0)
        return out

    drawer = choose(layout)  # before the run: --layout dot without Graphviz fails at once
    channels = stage("load models", lambda: _channels(channel_ids, directory))
    check_overrides(a, channels.values())
    risks = stage("score risk", lambda: {cid: score(ch, a) for cid, ch in channels.items()})
    mods = load_modifications(known_channels=registry_ids() if directory is None else None)
    added = stage("added risk", lambda: _added(mods, channels, directory, a))
    proofs = stage("run proofs", lambda: _proofs(channels, a)) if run_proofs else []
    fuzz = stage("fuzz", lambda: _fuzz(channels, a, seed, examples,
                                       (lambda f: progress("fuzz", f)) if progress else None))
    robust = stage("robustness", lambda: _robustness(channels, directory, a, seed))
    stage("added-risk robustness", lambda: _added_robustness(added, mods, directory, a, seed))
    per_channel = {c["id"]: c for c in robust.pop("channels")}
    compiled = {cid: compile_graph(ch) for cid, ch in channels.items()}
    entries = [_entry(risks[cid], compiled[cid], proofs, fuzz.get(cid), per_channel[cid]) for cid in channels]
    for e in entries:  # say plainly why a channel has no fuzz evidence
        if e["fuzz"] is None:
            e["fuzz_note"] = ("not fuzzed: this run asked for no examples" if examples <= 0 else
                              "not fuzzed: its model declares no attacker world (fuzz.world)")
    today = load_today(known_channels=registry_ids() if directory is None else None)
    for e in entries:
        undone = _undone(mods, channels[e["id"]], a)
        if undone:
            e["if_undone"] = undone
        without = _without(today, channels[e["id"]], a)
        if without:
            e["without"] = without
    stage("treated robustness", lambda: [_treat(e, directory, a, seed) for e in entries])
    exposed = stage("exposure robustness", lambda: _exposed(mods, channels, a, proofs, fuzz, run_proofs, directory, seed))
    graphs = stage("draw graphs", lambda: {cid: _graph_svg(cid, g, drawer) for cid, g in compiled.items()})

    commands = list(next(iter(risks.values())).commands) if risks else []
    matrix = {"commands": commands,
              "rows": [{"channel": cid, "cells": r.commands, "route": r.route} for cid, r in risks.items()]}
    smets1 = [{"id": e["id"], "title": e["title"], "inherent": e["inherent"]["level"],
               "residual": e["residual"]["level"], "verdict": e["verdict"], "goal": e["residual"]["goal"]}
              for e in entries if channels[e["id"]].comparison == SMETS1_COMPARISON]
    mp169 = _mp169(channels, proofs, fuzz)
    proofs_total = {s: sum(1 for p in proofs if p["status"] == s) for s in ("proved", "refuted", "unknown")}
    fuzz_total = {"examples": sum(f["examples"] for f in fuzz.values()),
                  "implementation_findings": sum(f["implementation_findings"] for f in fuzz.values()),
                  "weakness_findings": sum(f["weakness_findings"] for f in fuzz.values())}
    files = model_files() if directory is None else sorted(
        (f"model/channels/{p.name}", read_bytes(p)) for p in Path(directory).glob("*.yaml"))
    versions = tool_versions()
    bundle = make_bundle(version=versions["nowan"], versions=versions, model_hash=model_hash(files), seed=seed,
                         fuzz_examples=examples, date=source_date(), assumptions=a, channels=entries,
                         command_matrix=matrix, comparisons={"smets1": smets1, "mp169": mp169},
                         proofs_total=proofs_total, fuzz_total=fuzz_total,
                         modifications=mods, added=added, exposed=exposed, today=today,
                         robustness=robust, graph_layout=drawer.to_dict())
    return bundle, graphs


def levels() -> tuple[str, ...]:
    """The risk levels, lowest first, as ``model/data/risk.yaml`` defines them."""
    return catalogues.scales().levels


def above_levels(level: str) -> tuple[str, ...]:
    """The risk levels strictly above ``level``: the residual levels a ``--fail-on level`` gate fails."""
    sc = catalogues.scales()
    if level not in sc.levels:
        raise InputError(f"expected one of {', '.join(sc.levels)}, got {level!r}", where="--fail-on")
    return tuple(lv for lv in sc.levels if sc.rank(lv) > sc.rank(level))


def above(bundle: dict[str, Any], level: str) -> list[str]:
    """Channels whose residual level is above ``level`` (the CI risk gate)."""
    gate = above_levels(level)
    return [c["id"] for c in bundle["channels"] if c["residual"]["level"] in gate]
