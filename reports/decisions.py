"""From channel verdicts to a decision per modification, the unit the SSC decides on.

Everything here is computed from the evidence bundle's channel entries (residual risk, cheapest
control set, robustness) and the modification catalogue (model/data/modifications.yaml); nothing is
written by hand, so a change to a model or an assumption changes the decision it should.

The rules (docs/methodology.md, "From channels to decisions"):

* A channel within appetite needs nothing. A channel above it is *treatable* when the z3 cheapest
  control set brings it within appetite, *reversed* when that set contains a control that undoes
  the proposal (``reversed_by``: the decision is then to reject, not to treat), and *untreatable*
  when no candidate set is enough.
* ``combine: all`` (the proposal introduces every channel): support if all are within appetite,
  support with conditions if all are within or treatable, cannot support otherwise.
* ``combine: any`` (alternative routes): the best route governs: within appetite first, then the
  cheapest treatment; choosing that route is itself a condition unless every route is within.
* A modification with a ``baseline`` (the SECMP0038 routes) is judged on the risk each route *adds*
  over the premises as it is today (``model.channels.added``), treated by the cheapest candidate
  set that brings that added risk within appetite, its confidence from the robustness of that added
  risk (``model.robustness.added``); the rules above are otherwise the same.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from nowan.model.modifications import Modification
from nowan.reports import confidence as conf_words

SUPPORT = "support"
CONDITIONS = "support-with-conditions"
CANNOT = "cannot-support"
OUTSIDE = "outside-scope"
NOT_ASSESSED = "not-assessed"

#: How each recommendation reads in the paper.
WORDS = {SUPPORT: "Support", CONDITIONS: "Support with conditions", CANNOT: "Cannot support",
         OUTSIDE: "Outside the security assessment", NOT_ASSESSED: "Not assessed"}


def _money(gbp: float) -> str:
    return f"GBP {float(gbp):,.0f}"


def _level(level: str) -> str:
    """A risk level in prose ("very high", not the scale's id "very-high")."""
    return str(level).replace("-", " ")


def _name(title: str) -> str:
    """A control's title inside a sentence: "two-person approval", but "GBCS end-to-end" kept."""
    first = title.split(" ", 1)[0]
    return title[:1].lower() + title[1:] if first[1:] == first[1:].lower() and not any(
        ch.isdigit() for ch in first) else title


def _treatment(entry: Mapping[str, Any], mod: Modification) -> dict[str, Any]:
    """How a channel gets within appetite: none needed, controls, reversal, or not at all."""
    known = {c["id"]: c for c in entry.get("controls", [])}
    best = entry.get("best_controls") or {}
    if entry["verdict"] == "within-appetite":
        return {"kind": "none", "controls": [], "cost_gbp": 0, "residual_after": entry["residual"]["level"]}
    if best.get("status") == "found":
        ids = list(best.get("controls", []))
        controls = [{"id": i, "title": known.get(i, {}).get("title", i)} for i in ids]
        kind = "reverse" if any(i in mod.reversed_by for i in ids) else "controls"
        # a cost the model marks as a placeholder is said to be one wherever it is shown
        placeholder = any(known.get(i, {}).get("cost_placeholder") for i in ids)
        return {"kind": kind, "controls": controls, "cost_gbp": best.get("cost_gbp", 0),
                "cost_placeholder": placeholder, "residual_after": best.get("residual", "")}
    return {"kind": "untreatable", "controls": [], "cost_gbp": 0, "residual_after": entry["residual"]["level"],
            "why": best.get("detail", "no cheapest control set was computed")}


#: The verdict a governing route would need for the recommendation to change.
_TOWARD = {CANNOT: "within-appetite", CONDITIONS: "within-appetite", SUPPORT: "above-appetite"}

_RANK = {"none": 0, "controls": 1, "reverse": 2, "untreatable": 3}


def confidence(entries: Sequence[Mapping[str, Any]], toward: str | None = None,
               about: str = "the routes as proposed, with the controls that exist today") -> dict[str, Any]:
    """The confidence of a decision resting on ``entries``, from their robustness analyses.

    ``status`` is "robust" when no single input, moved alone within its declared range, changes the
    verdict of any governing channel, else "fragile". ``flips`` lists every such change in words
    (``reports/confidence.py``: the input's title, its value now, the flipping value, seed-backed,
    sourced or a calibration), ordered as :func:`nowan.reports.confidence.ordered` says, so the first
    is the one the decision table names (``lead``) and ``more`` counts the others. ``toward`` is the
    verdict that would change the decision (within appetite for a rejection, above it for a support
    or a treated route): a flip in that direction comes first, so a rejection is not shown as fragile
    because a route already within appetite could go above it. ``about`` says which routes (with the
    conditions in force or as proposed) the figures are for. ``short`` is the table's cell text.
    """
    if not entries:
        return {"status": "not-computed", "short": "not computed",
                "text": "not computed (no channel assessed)"}
    rob = [e.get("robustness") for e in entries]
    if any(r is None for r in rob):
        return {"status": "not-computed", "short": "not computed",
                "text": "not computed (no robustness analysis in this run)"}
    flips = conf_words.ordered([{"channel": e["id"], "channel_title": e.get("title", e["id"]), **f}
                                for e, r in zip(entries, rob) for f in (r.get("flips") or [])], toward)
    worst = max(rob, key=lambda r: min(r["p_above"], 1 - r["p_above"]))
    lo, hi = worst["ci"]
    band = (f"share of sampled input combinations above appetite {worst['p_above']:.2f} (95% interval "
            f"{lo:.2f} to {hi:.2f}, sampling noise only; inputs drawn uniformly over their declared ranges)")
    out: dict[str, Any] = {"p_above": worst["p_above"], "ci": [lo, hi], "about": about, "order": conf_words.ORDER_WORDS,
                           "flips": [_flip_row(f) for f in flips]}
    if all(r["robust"] for r in rob):
        return {**out, "status": "robust", "robust": True, "short": "robust", "lead": "", "more": 0,
                "text": f"robust, for {about}: no single input changes the verdict within its declared range; {band}"}
    text = f"fragile, for {about}: {band}"
    short = "fragile"
    if flips:   # each is listed in words where the text is shown (the decision pages)
        text += f"; {len(flips)} single input{'s' if len(flips) != 1 else ''} change{'s' if len(flips) == 1 else ''} it"
        short = conf_words.fragile(flips[0])
    return {**out, "status": "fragile", "robust": False, "text": text, "short": short,
            "lead": out["flips"][0]["words"] if flips else "", "more": max(len(flips) - 1, 0)}


def _flip_row(f: Mapping[str, Any]) -> dict[str, Any]:
    """One flip of a decision's confidence: its raw fields and the words every page shows."""
    return {**{k: f.get(k) for k in ("channel", "channel_title", "input", "title", "at", "op", "verdict", "now",
                                     "unit", "calibration")},
            "kind": conf_words.kind(f), "side": conf_words.side(f["verdict"]), "words": conf_words.flip_words(f),
            "short_words": conf_words.flip_words(f, with_source=False)}


def _evidence(entries: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, str]]]:
    threats, proofs, fuzz = [], [], []
    for e in entries:
        for t in e["residual"].get("path") or []:
            threats.append({"id": t, "channel": e["id"]})
        for p in e.get("proofs") or []:
            # a refuted proof keeps what it shows, so a result that follows from an assumption (the
            # counter wrap: domain.md 1.5's assumed reconstruction, not GBCS) says so where it is listed
            proofs.append({"id": p["id"], "status": p["status"],
                           **({"detail": p["detail"]} if p["status"] == "refuted" and p.get("detail") else {})})
        for f in (e.get("fuzz") or {}).get("findings") or []:
            fuzz.append({"id": f"{f['invariant']}@{f['channel']}", "kind": f.get("kind", "")})
    return {"threats": threats, "proofs": proofs, "fuzz": fuzz}


def _conditions(route: Mapping[str, Any] | None, treated: Sequence[tuple[Mapping[str, Any], dict[str, Any]]],
                routes: int, all_within: bool) -> list[str]:
    out = []
    if route is not None and routes > 1 and not all_within:
        out.append(f"Deliver it only by the route \u2018{route['title']}\u2019.")
    for entry, t in treated:
        if t["kind"] == "controls":
            names = "; ".join(_name(c["title"]) for c in t["controls"])
            cost = f"placeholder cost {_money(t['cost_gbp'])}" if t.get("cost_placeholder") \
                else f"about {_money(t['cost_gbp'])}"
            out.append(f"On the route \u2018{entry['title']}\u2019: adopt {names} ({cost}); "
                       f"the residual risk then falls from {_level(entry['residual']['level'])} "
                       f"to {_level(t['residual_after'])}.")
    return out


def _added_view(entry: Mapping[str, Any], added: Mapping[str, Any]) -> dict[str, Any]:
    """The channel entry as the decision sees it when the route is judged on its added risk: the
    added level and verdict, the treatment of the added risk, the attack path of the worst added
    harm; its own residual level kept as ``own_residual``."""
    path = next((g["residual"]["path"] for g in entry.get("goals", [])
                 if g["id"] == added["goal"] and g.get("residual")), [])
    return {**entry, "own_residual": entry["residual"]["level"], "added": added,
            "residual": {"level": added["level"], "path": path}, "verdict": added["verdict"],
            "best_controls": added["treatment"] if added["verdict"] != "within-appetite" else {"status": "not-needed"},
            "robustness": added.get("robustness")}


def decide(mod: Modification, channels: Mapping[str, Mapping[str, Any]], appetite: str,
           added: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The decision page's data for one modification, from the bundle's channel entries and, for a
    modification with a baseline, the added risk of its routes (``added``)."""
    page: dict[str, Any] = mod.to_dict()
    present = [channels[c] for c in mod.channels if c in channels]
    if mod.baseline is not None and added and not added["missing"]:
        present = [_added_view(e, added["routes"][e["id"]]) for e in present]
    page["assessed"] = [{"id": e["id"], "title": e["title"], "residual": e["residual"]["level"],
                         "own_residual": e.get("own_residual", e["residual"]["level"]),
                         "goal": e["residual"].get("goal"),
                         "verdict": e["verdict"], "treatment": _treatment(e, mod)} for e in present]
    missing = [c for c in mod.channels if c not in channels]
    rec, reason, governing, conditions = _recommend(mod, present, missing, appetite, added)
    others = _others(governing, mod)
    page.update(reason_shared=reason, others=others)
    reason += _alone(others)
    page.update(recommendation=rec, recommendation_words=WORDS[rec], reason=reason, conditions=conditions,
                governing=[e["id"] for e in governing], confidence=_decision_confidence(mod, rec, governing, page),
                evidence=_evidence(governing), added=added)
    # the single-input flips of the verdicts the decision rests on (own, added or re-exposed), for the
    # key findings that read a decision against the figures the sources report
    page["flips"] = [{"channel": e["id"], **{k: f.get(k) for k in ("input", "at", "op", "verdict")}}
                     for e in governing for f in (e.get("robustness") or {}).get("flips") or []]
    page["positions"] = [_compared(p, rec, governing, mod) for p in page["positions"]]
    for p in page["positions"]:
        if p["comparison"] == DIFFERS:
            p["why"] = _why_differs(p["stance"], governing, appetite)
            p["why_short"] = _why_short(p["stance"], governing, mod)
        elif p["agrees"] and mod.baseline is not None and governing:
            p["why"] = _why_agrees(governing, mod)
        if p.get("no_worse_than"):
            p["test"] = _no_worse_than(p["no_worse_than"], present, channels)
        if p.get("harms"):
            p["harms_scored"] = _harms_scored(p["harms"], present)
            p["harms_words"] = _harms_words(p["harms_scored"], appetite)
    return page


def _harms_scored(goals: Sequence[str], present: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The model's result for each harm a position names (``harms``: goal ids), on every route of the
    modification that models it; a harm no route models is listed with no result (``routes`` empty)."""
    out = []
    for gid in goals:
        routes = [{"channel": e["id"], "route": e["title"], "title": g.get("title", gid), "verdict": g.get("verdict", ""),
                   **{k: g["residual"].get(k) for k in ("likelihood", "impact", "level", "attacker", "scale")}}
                  for e in present for g in e.get("goals") or () if g.get("id") == gid and g.get("residual")]
        out.append({"goal": gid, "routes": routes})
    return out


def _harms_words(scored: Sequence[Mapping[str, Any]], appetite: str) -> str:
    """The harms a position names with the model's result for each, in sentences."""
    out = []
    for h in scored:
        if not h["routes"]:
            out.append(f"The harm it names ({h['goal']}) is not modelled on its routes.")
            continue
        on = "; ".join(f"on the route \u2018{r['route']}\u2019: likelihood {r['likelihood']} and impact {r['impact']} "
                       f"(worst attacker {str(r['attacker']).replace('-', ' ')}, {r['scale']} scale), "
                       f"{_level(r['level'])}, {'within' if r['verdict'] == 'within-appetite' else 'above'} "
                       f"the {appetite} appetite" for r in h["routes"])
        out.append(f"The model scores the harm it names, \u2018{h['routes'][0]['title']}\u2019, {on}.")
    return " ".join(out)


def _decision_confidence(mod: Modification, rec: str, governing: Sequence[Mapping[str, Any]],
                         page: Mapping[str, Any]) -> dict[str, Any]:
    """The confidence of the verdicts the recommendation rests on, and which routes it is about.

    A "support with conditions" whose route is treated by candidate controls rests on the route with
    those controls in force staying within appetite, so its confidence is that of the treated route
    (``robustness_treated``), and a flip that matters is one putting it above appetite. A rejection
    judged on added risk rests on the routes above appetite only. Each flip says what the
    recommendation becomes (:func:`_becomes`)."""
    kinds = {a["id"]: a["treatment"]["kind"] for a in page["assessed"]}
    treated = [e for e in governing if kinds.get(e["id"]) == "controls"]
    toward = _TOWARD.get(rec)
    about = ""
    basis = list(governing)
    if rec == CONDITIONS and treated and all(e.get("robustness_treated") for e in treated):
        ids = {e["id"] for e in treated}
        basis = [{**e, "robustness": e["robustness_treated"]} if e["id"] in ids else e for e in governing]
        toward, about = "above-appetite", "the route with the conditions in force"
    elif rec == CONDITIONS and treated:
        about = ("the route as proposed, without the conditions (the robustness of the treated route is not "
                 "computed for this run)" if mod.baseline is None else "the route as proposed, without the "
                 "conditions (the robustness of a treated added risk is not computed)")
    if mod.baseline is not None and rec == CANNOT:
        # the rejection rests on the routes above appetite: a route within moving further within, or
        # above, changes nothing, so the flips shown are theirs
        basis = [e for e in governing if e["verdict"] != "within-appetite"]
    if mod.baseline is not None and governing and any(e.get("robustness") is None for e in governing):
        return {"status": "not-computed", "short": "not computed",
                "text": "not computed for the added risk (the robustness "
                "analysis samples each channel's own residual risk)"}
    about = about or ("the route as proposed, with the controls that exist today" if len(basis) == 1 else
                      "the routes as proposed, with the controls that exist today")
    conf = confidence(basis, toward, about)
    for f in conf.get("flips") or []:
        f["becomes"] = _becomes(mod, rec, kinds, f["channel"], f["verdict"])
        if toward == "above-appetite" and rec == CONDITIONS and f["verdict"] == toward and \
                kinds.get(f["channel"]) == "controls":
            f["becomes"] = ("the conditions no longer suffice: the recommendation becomes support with further "
                            "conditions or cannot support, as the candidate controls then allow")
    return conf


def _becomes(mod: Modification, rec: str, kinds: Mapping[str, str], channel: str, verdict: str) -> str:
    """What the recommendation becomes if one route's verdict flips, by the combining rules of
    :func:`_recommend_on` on the treatment kinds of the routes. A route put above appetite may be
    treatable then or not (the solver has not run on the moved input), so both outcomes are said."""
    options = ["none"] if verdict == "within-appetite" else ["controls", "untreatable"]
    recs = list(dict.fromkeys(_rec_of({**kinds, channel: k}, mod.combine) for k in options))
    words = " or ".join(WORDS[r].lower() for r in recs)
    if recs == [rec]:
        return f"the recommendation stays {words}"
    if len(recs) > 1:
        return f"the recommendation becomes {words}, as the candidate controls then allow"
    return f"the recommendation becomes {words}"


def _rec_of(kinds: Mapping[str, str], combine: str) -> str:
    """The recommendation from the treatment kinds of the routes (the rules of :func:`_recommend_on`)."""
    pick = min if combine == "any" else max
    k = pick(kinds.values(), key=lambda x: _RANK[x])
    if all(x == "none" for x in kinds.values()):
        return SUPPORT
    return CONDITIONS if k in ("none", "controls") else CANNOT


#: How each comparison of a recorded position with the recommendation reads (``comparison``).
AGREES, ON_OUTCOME, ON_CONDITION, DIFFERS, CONTEXT, UNCOMPARED = (
    "agrees", "agrees-on-outcome", "differs-on-condition", "differs", "context", "none")


def _compared(p: Mapping[str, Any], rec: str, governing: Sequence[Mapping[str, Any]],
              mod: Modification) -> dict[str, Any]:
    """A recorded position with the assessment's comparison: ``agrees`` (True only for an agreement
    in outcome, False for any difference, None when not compared), ``comparison`` and
    ``comparison_words`` (what the paper shows), and each condition the position sets tested on the
    routes the recommendation rests on.

    Only a security position is compared: a business need or a cost is shown for context, so that a
    supplier not wanting a change is not counted as a security agreement or difference. A condition
    the recommended routes do not meet (the SSC's end-to-end controls for price and supply commands)
    is a difference in substance, "differs (its condition ... is not met)". An outcome reached for
    another reason than the one the position gives (``reason_channels``: the routes its reason is
    about, e.g. the Wi-Fi relay for SECMP0038, found within appetite) is "agrees on the outcome,
    differs on the reason", never plain "agrees"."""
    out = dict(p)
    if p["kind"] != "security":
        out.update(agrees=None, comparison=CONTEXT,
                   comparison_words="for context only (not a security view)")
        return out
    agrees = _agrees(p["stance"], rec)
    out["agrees"] = agrees
    if agrees is None:
        out.update(comparison=UNCOMPARED, comparison_words="no position to compare")
        return out
    if not agrees:
        out.update(comparison=DIFFERS, comparison_words="differs")
        return out
    tested = [_condition_met(c, governing, mod) for c in p.get("conditions") or ()]
    out["conditions_tested"] = tested
    unmet = [t for t in tested if not t["met"]]
    within = [e for e in governing if e["id"] in (p.get("reason_channels") or ()) and e["verdict"] == "within-appetite"]
    if unmet:
        out.update(agrees=False, comparison=ON_CONDITION, comparison_words="differs (its condition, "
                   + "; ".join(t["plain"] for t in unmet) + ", is not met by the recommended route)")
    elif within:
        names = ", ".join(f"\u2018{e['title']}\u2019" for e in within)
        out.update(comparison=ON_OUTCOME, comparison_words="agrees on the outcome, differs on the reason",
                   reason_differs=f"the route its reason is about, {names}, is within appetite in this model, "
                   "which rejects the proposal for another route")
    else:
        out.update(comparison=AGREES, comparison_words="agrees")
    return out


def _condition_met(cond: Mapping[str, Any], governing: Sequence[Mapping[str, Any]], mod: Modification) -> dict[str, Any]:
    """Whether the routes the recommendation rests on meet a position's condition, from their models:
    every command the route carries that the condition covers (by catalogue fields) needs a control
    in force, existing or adopted by the recommendation's conditions, of a mechanism the condition
    names (e.g. ``gbcs-end-to-end``). A route that carries none of those commands meets it."""
    from nowan.model.channels.catalogues import commands as command_catalogue

    cat = command_catalogue()
    want = dict(cond["commands"])
    failing, meeting = [], []
    for e in governing:
        covered = [c for c in e.get("commands_carried") or () if all(cat.get(c, {}).get(k) == v for k, v in want.items())]
        if not covered:
            continue
        adopted = {c["id"] for c in _treatment(e, mod)["controls"]}
        by = [c for c in e.get("controls") or () if c.get("mechanism") in cond["protected_by"]
              and (c.get("enabled") or c["id"] in adopted)]
        names = ", ".join(cat[c]["title"].lower() for c in covered if c in cat)
        if by:
            meeting.append(f"on the route \u2018{e['title']}\u2019 {names} are protected by {by[0]['title']}")
        else:
            failing.append(f"the route \u2018{e['title']}\u2019 carries {names} with no control of the kind it asks "
                           f"for ({', '.join(cond['protected_by'])}) in force, nor among the conditions")
    if failing:
        detail = "not met: " + "; ".join(failing)
    elif meeting:
        detail = "met: " + "; ".join(meeting)
    else:
        detail = "met: the routes the recommendation rests on carry none of those commands"
    return {"plain": cond["plain"], "source": cond["source"], "met": not failing, "detail": detail}


def _no_worse_than(ref: str, present: Sequence[Mapping[str, Any]], channels: Mapping[str, Mapping[str, Any]]) -> str:
    """A position's testable condition: every route's residual risk no worse than channel ``ref``'s."""
    from nowan.model.channels.catalogues import scales

    base = channels.get(ref)
    if base is None or not present:
        return f"Its condition (risk no worse than {ref}) is not tested: {ref} was not part of this run."
    rank = scales().rank
    lv = base["residual"]["level"]
    worse = [e for e in present if rank(e["residual"]["level"]) > rank(lv)]
    routes = "; ".join(f"{e['id']} {_level(e['residual']['level'])}" for e in present)
    verdict = "not met" if worse else "met"
    return (f"Its condition, risk no worse than \u2018{base['title']}\u2019 ({ref}, residual {_level(lv)}), "
            f"is {verdict} here ({routes}).")


def _why_agrees(governing: Sequence[Mapping[str, Any]], mod: Modification) -> str:
    """A position the added-risk decision agrees with agrees in direction only: the recorded reason
    is in its quote; the model's is the worst harm the governing routes add."""
    worst = max(governing, key=lambda e: _RANK[_treatment(e, mod)["kind"]])
    a = worst["added"]
    if a["goal"] is None:
        return ""
    return (f"It agrees in direction, for the model's own reason, not necessarily the one quoted: the route "
            f"\u2018{worst['title']}\u2019 adds \u2018{a['title']}\u2019 (likelihood {a['likelihood']}, "
            f"impact {a['impact']}).")


def _why_differs(stance: str, governing: Sequence[Mapping[str, Any]], appetite: str) -> str:
    """Why the computed recommendation differs from a recorded position, from the model alone.

    The issue's rule: where an honest model no longer reproduces a recorded position, the report says
    so and why. The why is the governing route's worst goal with its likelihood and impact (and the
    reach behind the impact), then the single-input changes, within their declared ranges, that would
    move the verdict to the recorded side: the committee sees what it would have to believe to agree.
    """
    want = "above-appetite" if stance == CANNOT else "within-appetite"
    side = "above" if want == "above-appetite" else "within"
    parts = []
    for e in governing:
        res, add = e["residual"], e.get("added") or {}
        titles = {g.get("id"): g.get("title") for g in e.get("goals") or []}
        goal = add.get("title") or titles.get(res.get("goal")) or res.get("goal") or "no goal"
        what = "the worst harm it adds" if add else "the worst goal"
        if add and not add.get("goal"):
            parts.append(f"the route \u2018{e['title']}\u2019 adds no harm over the baseline premises")
            continue
        lik, imp = add.get("likelihood", res.get("likelihood")), add.get("impact", res.get("impact"))
        impact = next((t for t in res.get("trace") or [] if t.get("what") == "impact"), {})
        reach = ""
        rep = impact.get("repeat") or {}
        if rep.get("premises_a_year"):
            reach = (f", its impact set by the premises the attackers reach, about "
                     f"{rep['premises_a_year']:,.0f} a year (attempts a year times attackers)")
        s = (f"on the route \u2018{e['title']}\u2019 {what}, \u2018{goal}\u2019, scores likelihood "
             f"{lik} and impact {imp}{reach}: {_level(res['level'])}, "
             f"{'above' if e['verdict'] == 'above-appetite' else 'within'} the {appetite} appetite")
        flips = [f for f in ((e.get("robustness") or {}).get("flips") or []) if f.get("verdict") == want]
        if e["verdict"] == want:
            s += (f". The route is {side} appetite as the position holds; the recommendation differs because "
                  "the cheapest candidate controls (the conditions above) bring it within appetite")
        elif e.get("robustness") is None:
            s += "; the robustness analysis was not run, so what would move it is not computed"
        elif flips:
            more = f" (and {len(flips) - 3} more inputs)" if len(flips) > 3 else ""
            s += f". It would be {side} appetite, as the position holds, if {_flip_words(flips[:3], '; or ')}{more}"
        else:
            s += f". No single input moved within its declared range makes it {side} appetite"
        undone = e.get("if_undone")
        if undone and undone["level"] == res["level"] and not add:
            s += (f". With the proposal undone ({', '.join(undone['controls'])} kept) the route scores "
                  f"{_level(undone['level'])} too (likelihood {undone['likelihood']}, impact {undone['impact']}): "
                  "on this scale of levels the model cannot tell the proposal from today's arrangement, and the "
                  "changes listed may put today's arrangement above appetite as well")
        parts.append(s)
    return ("The model differs because " + "; ".join(parts) + ".") if parts else ""


def _flip_words(flips: Sequence[Mapping[str, Any]], sep: str = " or ") -> str:
    """Flips as conditions, each with the value used now and whether its input is seed-backed, sourced
    or a calibration (the model authors' own figure, no public source), as every page writes them."""
    return sep.join(conf_words.flip_clause(f) for f in flips)


def _why_short(stance: str, governing: Sequence[Mapping[str, Any]], mod: Modification) -> str:
    """The reason a recommendation differs from a recorded position in one clause, for the key
    findings: the inputs that decide it and where they flip it, whether they are calibrations, and
    whether the model can tell the proposal from today's arrangement (``if_undone``)."""
    want = "above-appetite" if stance == CANNOT else "within-appetite"
    parts = []
    for e in governing:
        flips = [f for f in ((e.get("robustness") or {}).get("flips") or []) if f.get("verdict") == want]
        if e["verdict"] == want or not flips:
            continue
        side = "above" if want == "above-appetite" else "within"
        s = f"it scores {_level(e['residual']['level'])}, {side} appetite only if {_flip_words(flips[:3])}"
        undone = e.get("if_undone")
        if undone and undone["level"] == e["residual"]["level"] and not e.get("added"):
            undo = f"one were to {mod.reversal}" if mod.reversal else f"{', '.join(undone['controls'])} were kept"
            s += (f"; it scores {_level(undone['level'])} too if {undo}, so the model cannot tell the proposal "
                  "from today's arrangement")
        parts.append(s)
    return "; ".join(parts)


def _agrees(stance: str, rec: str) -> bool | None:
    """Whether a recorded stance and the computed recommendation point the same way (for or
    against); None when either side takes no position."""
    if stance == "none" or rec in (OUTSIDE, NOT_ASSESSED):
        return None
    return (stance == CANNOT) == (rec == CANNOT)


def _why_added(entry: Mapping[str, Any]) -> str:
    """What the governing route adds that the baseline premises does not already carry."""
    a = entry["added"]
    if a["goal"] is None:
        return " It adds no harm that premises does not already carry."
    return (f" It adds \u2018{a['title']}\u2019 (likelihood {a['likelihood']}, impact {a['impact']}), which that "
            f"premises does not already carry (the route's own residual risk: {_level(entry['own_residual'])}).")


def _recommend(mod: Modification, present: list[Mapping[str, Any]], missing: list[str],
               appetite: str, added: Mapping[str, Any] | None = None) -> tuple[str, str, list[Mapping[str, Any]], list[str]]:
    if mod.outside:
        return OUTSIDE, mod.outside, [], []
    if not mod.channels:
        return NOT_ASSESSED, mod.not_modelled, [], []
    if (mod.combine == "all" and missing) or not present:
        return NOT_ASSESSED, f"The channels {', '.join(missing)} were not part of this assessment run.", [], []
    if mod.baseline is not None and (not added or added["missing"]):
        gone = ", ".join((added or {}).get("missing") or mod.baseline.channels)
        return NOT_ASSESSED, (f"It is judged on the risk it adds over {mod.baseline.plain}, and the baseline "
                              f"channels ({gone}) are not in this run's model directory."), [], []
    rec, reason, governing, conditions = _recommend_on(mod, present, appetite)
    if mod.baseline is not None and governing:
        reason += _why_added(_worst(governing, mod))
    return rec, reason, governing, conditions


def _worst(governing: Sequence[Mapping[str, Any]], mod: Modification) -> Mapping[str, Any]:
    """The governing route the recommendation rests on: the hardest to treat."""
    return max(governing, key=lambda e: _RANK[_treatment(e, mod)["kind"]])


def _others(governing: Sequence[Mapping[str, Any]], mod: Modification) -> list[dict[str, Any]]:
    """The other routes of a proposal judged on added risk, each on its own: the added level and
    verdict, and the harms of theirs left out because they only withhold commands the premises does
    not receive today (so the reader sees which route the recommendation rests on)."""
    if mod.baseline is None or not governing or any("added" not in e for e in governing):
        return []
    worst = _worst(governing, mod)
    return [{"title": e["title"], "level": e["added"]["level"], "verdict": e["added"]["verdict"],
             "not_delivered_today": list(dict.fromkeys(p["title"] for p in e["added"].get("not_delivered_today") or []))}
            for e in governing if e is not worst]


def not_delivered_words(titles: Sequence[str]) -> str:
    """The harms left out of a route's added risk because they only withhold what is not delivered today."""
    return ("not counting \u2018" + "\u2019, \u2018".join(titles) +
            "\u2019, which only withholds commands that premises does not receive today") if titles else ""


def _alone(others: Sequence[Mapping[str, Any]]) -> str:
    """The other routes in a sentence (see :func:`_others`)."""
    out = []
    for o in others:
        s = (f"the route \u2018{o['title']}\u2019 adds {_level(o['level'])}, "
             f"{'within' if o['verdict'] == 'within-appetite' else 'above'} appetite")
        if o["not_delivered_today"]:
            s += f" ({not_delivered_words(o['not_delivered_today'])})"
        out.append(s)
    return (" On its own, " + "; ".join(out) + ".") if out else ""


def _risk_of(route: str, mod: Modification) -> str:
    """'The residual risk of the route ...', or for a modification judged over a baseline,
    'Over <the baseline premises>, the risk the route ... adds'."""
    if mod.baseline is None:
        return f"The residual risk of {route}"
    return f"Over {mod.baseline.plain}, the risk {route} adds"


def _recommend_on(mod: Modification, present: list[Mapping[str, Any]],
                  appetite: str) -> tuple[str, str, list[Mapping[str, Any]], list[str]]:
    treated = [(e, _treatment(e, mod)) for e in present]
    if mod.combine == "any":
        entry, t = min(treated, key=lambda et: (_RANK[et[1]["kind"]], et[1]["cost_gbp"],
                                                 present.index(et[0])))
        chosen = [(entry, t)]
    else:
        entry, t = max(treated, key=lambda et: _RANK[et[1]["kind"]])
        chosen = treated
    kind = t["kind"]
    governing = [e for e, _ in chosen]
    level = _level(entry["residual"]["level"])
    route = f"the route \u2018{entry['title']}\u2019"  # a channel's title is a phrase, not a noun: quote it
    if kind == "reverse":
        return CANNOT, (f"{_risk_of(route, mod)} is {level}, above the {appetite} appetite, and the "
                        f"only treatment that brings it within appetite is to {mod.reversal}. The decision is "
                        "therefore to reject the proposal, not to treat it."), governing, []
    if kind == "untreatable":
        return CANNOT, (f"{_risk_of(route, mod)} is {level}, above the {appetite} appetite, and no "
                        "combination of the candidate controls in its model brings it within appetite."), governing, []
    all_within = all(tt["kind"] == "none" for _, tt in treated)
    conditions = _conditions(entry if mod.combine == "any" else None, chosen, len(present), all_within)
    if all_within:
        what = "every route considered" if mod.combine == "any" and len(present) > 1 else "the channels it introduces"
        what = f"The residual risk of {what}" if mod.baseline is None else \
            f"Over {mod.baseline.plain}, the risk {what} add"
        return SUPPORT, (f"{what} is within the {appetite} appetite with the controls that "
                         "exist today."), governing, []
    if kind == "none":
        return CONDITIONS, (f"Of the routes considered, only some are within the {appetite} appetite with "
                            f"today's controls; the best is {route} (residual {level})."), \
            governing, conditions
    what = "The residual risk" if mod.baseline is None else f"Over {mod.baseline.plain}, the risk it adds"
    found_by = "found by the solver" if mod.baseline is None else "of its routes"
    return CONDITIONS, (f"{what} is above the {appetite} appetite; the cheapest set of candidate "
                        f"controls {found_by} brings it within appetite."), governing, conditions


def decisions(bundle_channels: Sequence[Mapping[str, Any]], modifications: Mapping[str, Modification],
              appetite: str, added: Mapping[str, Mapping[str, Any]] | None = None,
              exposed: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """A decision page per modification, in catalogue order (``added``: per modification with a
    baseline, the added risk of its routes; ``exposed``: per modification with an ``exposure``, its
    routes' entries re-scored under that duration)."""
    by_id = {c["id"]: c for c in bundle_channels}
    pages = []
    for m in modifications.values():
        ex = (exposed or {}).get(m.id)
        page = decide(m, {**by_id, **ex["channels"]} if ex else by_id, appetite, (added or {}).get(m.id))
        page["exposure_note"] = ""
        if ex:
            _note_exposure(page, ex)
        pages.append(page)
    for page in pages:
        page["basis_note"] = _basis_note(page, pages)
    return pages


def short_title(title: str) -> str:
    """A modification's name without its explanation in brackets ("SECMP0037")."""
    return title.split(" (")[0]


def _basis_note(page: Mapping[str, Any], pages: Sequence[Mapping[str, Any]]) -> str:
    """Why a harm counts on this page and not on the pages that judge routes on added risk.

    The same harm (often on the same route) can be judged on two bases: on the route's own residual risk
    where the proposal is to deliver the commands (MP094), on the risk it adds over the premises as it
    is today where the proposal's scope says so (SECMP0038, seed 004), which leaves out withholding
    commands that premises does not receive today. One sentence, from the pages' data: the routes whose
    worst harm here is one an added-risk page leaves out, those pages, and each proposal's scope with
    its source."""
    if page.get("baseline"):
        return ""
    left: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}   # harm (goal id) -> pages leaving it out
    for other in pages:
        for a in ((other.get("added") or {}).get("routes") or {}).values():
            for h in a.get("not_delivered_today") or ():
                if other["id"] not in {o["id"] for o, _ in left.get(h["goal"], [])}:
                    left.setdefault(h["goal"], []).append((other, h))
    hits = [(a, left[a["goal"]]) for a in page.get("assessed") or () if a.get("goal") in left]
    if not hits:
        return ""
    routes = [f"\u2018{a['title']}\u2019" for a, _ in hits]
    harms = list(dict.fromkeys(f"\u2018{h['title']}\u2019" for _, there in hits for _, h in there))
    levels = sorted({_level(a["residual"]) for a, _ in hits})
    elsewhere = list(dict.fromkeys(o["id"] for _, there in hits for o, _ in there))
    by_id = {o["id"]: o for _, there in hits for o, _ in there}
    bases = list(dict.fromkeys((by_id[i]["baseline"]["plain"], by_id[i]["baseline"]["source"]) for i in elsewhere))
    scope = page.get("own_risk")
    why = f", as {scope['plain']} [{scope['source']}]" if scope else ""
    there = "; ".join(f"{plain}, which receives no such commands today, so withholding them adds nothing [{src}]"
                      for plain, src in bases)
    return (f"The route{'s' if len(routes) > 1 else ''} {series(routes)} {'scores' if len(routes) == 1 else 'score'} "
            f"{series(levels)} here from {series(harms)}, which the "
            f"{series([short_title(by_id[i]['title']) for i in elsewhere])} page{'s' if len(elsewhere) > 1 else ''} "
            f"{'does' if len(elsewhere) == 1 else 'do'} not count: here each route is judged on its own residual risk{why}; there on the risk it adds over "
            f"{there}")


def series(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _note_exposure(page: dict[str, Any], ex: Mapping[str, Any]) -> None:
    """Say on the page which no-WAN duration its routes were scored under, and that the channel
    summary shows each channel under its own file's exposure (which may differ)."""
    moved = [c for c in ex["moved"] if c in {a["id"] for a in page["assessed"]}]
    text = (f"every route is scored as {ex['duration']} no-WAN, as the modification says [{ex['source']}]. "
            "The channel summary in the appendix shows each channel under its own file's exposure")
    if moved:
        files = "; ".join(f"{c}: {ex['files'][c]}" for c in moved)
        text += f", which differs here ({files}), so a residual there may differ from this page"
    page["exposure_note"] = text


def tally(pages: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many modifications got each recommendation."""
    return {k: sum(1 for p in pages if p["recommendation"] == k) for k in WORDS}


def today_pages(today: Mapping[str, Any], bundle_channels: Sequence[Mapping[str, Any]],
                appetite: str) -> list[dict[str, Any]]:
    """A page per route in use today (``model.modifications.Today``): the channel's own verdict, what
    drives it, and each recorded position compared with it. Nothing is recommended: the proposals are
    judged against these routes, so the committee sees whether the model reproduces what the seeds
    say of them, for the same reason, and what would change it (issue 10: where an honest model no
    longer reproduces a recorded position, the report says so and why)."""
    by_id = {c["id"]: c for c in bundle_channels}
    pages = []
    for t in today.values():
        page = t.to_dict()
        e = by_id.get(t.channel)
        page["route"] = None if e is None else {
            "id": e["id"], "title": e["title"], "verdict": e["verdict"],
            **{k: e["residual"].get(k) for k in ("level", "likelihood", "impact")}}
        page["driver"], page["driver_short"] = _driver(e, appetite) if e is not None else ("", "")
        # the inputs that set the exposure its likelihood counts (a flip on one of them reads as such)
        page["exposure_inputs"] = [] if e is None else next(
            (t.get("assumptions") or [] for t in e["residual"].get("trace") or () if t.get("what") == "exposure"), [])
        # what the paper's tally reads in place of a recommendation: the route's own verdict
        page["recommendation_words"] = "not assessed" if e is None else _level(e["verdict"])
        page["positions"] = [_compared_today(p, e) for p in page["positions"]]
        pages.append(page)
    return pages


def _driver(e: Mapping[str, Any], appetite: str) -> tuple[str, str]:
    """What the route's verdict comes from: the worst goal, the attacker and its capability, the path,
    and the exposure its likelihood counts (with the inputs that set it); as a sentence for its page
    and as a clause for the key findings."""
    from nowan.model.channels.catalogues import article, scales

    res = e["residual"]
    trace = {t.get("what"): t for t in res.get("trace") or ()}
    goal = next((g.get("title") for g in e.get("goals") or () if g.get("id") == res.get("goal")), res.get("goal"))
    titles = {t["id"]: t.get("title", t["id"]) for t in e.get("threats") or ()}
    cap = trace.get("attacker", {}).get("capability")
    who = _name(scales().attackers.get(res.get("attacker"), {}).get("title") or str(res.get("attacker")))
    by = (f"\u2018{goal}\u2019, reached by {article(who)} {who}"
          + (f" (capability {cap})" if cap is not None else "") + f" at {res.get('scale')} scale through "
          + "; then ".join(f"\u2018{titles.get(p, p)}\u2019" for p in res.get("path") or ()))
    exp = trace.get("exposure") or {}
    keys = ", ".join(exp.get("assumptions") or ())
    s = (f"The model scores the route \u2018{e['title']}\u2019 {_level(res['level'])} (likelihood {res.get('likelihood')}, "
         f"impact {res.get('impact')}), {'within' if e['verdict'] == 'within-appetite' else 'above'} the {appetite} "
         f"appetite, from {by}")
    if exp.get("value") is not None:
        s += (f"; its likelihood counts the route's exposure, {exp['value']:,.0f} {exp.get('unit', '')}"
              + (f" (set by {keys})" if keys else ""))
    # the key findings name each step by its rule's title (plain words, no model codes)
    from nowan.model.channels.catalogues import rules

    kinds = {t["id"]: t.get("rule") for t in e.get("threats") or ()}
    steps = [_name(rules()[kinds[p]].title) if kinds.get(p) in rules() else titles.get(p, p) for p in res.get("path") or ()]
    short = f"\u2018{goal}\u2019 by {article(who)} {who} through " + ", then ".join(steps)
    return s + ".", short


def _compared_today(p: Mapping[str, Any], e: Mapping[str, Any] | None) -> dict[str, Any]:
    """A position on a route in use today compared with the channel's verdict: ``agrees`` (None when not
    compared), ``comparison`` and its words as for a proposal; ``reason_test`` whether the verdict
    rests on the position's reason (the route re-scored without the controls of its
    ``reason_mechanisms``, the channel entry's ``without``); ``holds_while`` the single-input changes
    that would reverse the model's verdict (robustness flips)."""
    out = dict(p)
    if p["kind"] != "security":
        out.update(agrees=None, comparison=CONTEXT, comparison_words="for context only (not a security view)")
        return out
    if p["stance"] == "none" or e is None:
        out.update(agrees=None, comparison=UNCOMPARED,
                   comparison_words="no position to compare" if e is not None else "not assessed in this run")
        return out
    agrees = p["stance"] == e["verdict"]
    out.update(agrees=agrees, comparison=AGREES if agrees else DIFFERS, comparison_words="agrees" if agrees else "differs")
    without = next((w for w in e.get("without") or () if w["mechanisms"] == list(p.get("reason_mechanisms") or ())), None)
    if p.get("reason_mechanisms") and without is not None:
        holds = without["verdict"] != p["stance"]
        out["reason_holds"] = holds
        out["reason_without"] = (f"without {', '.join(without['controls'])} it scores {_level(without['level'])}, "
                                 f"{'within' if without['verdict'] == 'within-appetite' else 'above'} appetite")
        goal = next((g.get("title") for g in e.get("goals") or () if g.get("id") == without.get("goal")), None)
        out["reason_test"] = (
            f"Without the controls its reason rests on ({', '.join(without['controls'])}: "
            f"{', '.join(without['mechanisms'])}) the route scores {_level(without['level'])} (likelihood "
            f"{without['likelihood']}, impact {without['impact']}" + (f", from \u2018{goal}\u2019" if goal else "") + "), "
            f"{'within' if without['verdict'] == 'within-appetite' else 'above'} appetite: the model's verdict "
            + ("rests on the reason the position gives" if holds else "does not rest on the reason the position gives"))
        if agrees and not holds:
            out.update(comparison=ON_OUTCOME, comparison_words="agrees on the outcome, differs on the reason")
    rob = e.get("robustness")
    if rob is not None:
        other = "above-appetite" if e["verdict"] == "within-appetite" else "within-appetite"
        flips = [f for f in rob.get("flips") or () if f.get("verdict") == other]
        side = "above" if other == "above-appetite" else "within"
        more = f" (and {len(flips) - 3} more inputs)" if len(flips) > 3 else ""
        out["holds_while"] = (f"The model's verdict would be {side} appetite if {_flip_words(flips[:3], '; or ')}{more}"
                              if flips else f"No single input moved within its declared range puts the route {side} appetite")
        out["flips"] = [{k: f.get(k) for k in ("input", "at", "op", "verdict", "condition", "now", "calibration", "title", "unit", "span", "source", "range")}
                        for f in flips]
    return out
