"""Family 7: the cheapest set of candidate controls that brings a channel within appetite.

Applies to every channel whose residual risk, with its existing controls, is above the SSC's
appetite (``model.channels.score``); channels already within appetite have nothing to choose.

``best-control-set``: z3 ``Optimize`` picks the cheapest set of candidate controls (costs from the
channel model) not yet known to be insufficient; the risk engine (``residual_with``) scores it. The
engine is monotone (more controls never raise risk), so an insufficient set rules out all of its
subsets at once: the learned clause "at least one control outside S". The loop ends with the optimum
(status ``proved``: this set is within appetite and every cheaper set is provably not), or with
``refuted``: no set within the budget exists, and the unsat core names the facts that prove it
(the budget, and which sets the engine found insufficient). The trace records the run's
overridden assumptions and replays on the risk engine under them: a proved set must be within
appetite, and a refutation under a budget is re-checked by scoring every set within the budget.

A candidate control that costs GBP 0 is the proposal's own change undone (A-60MIN on
``pairing-no-timeout`` means rejecting SECMP0037); when the cheapest set contains one, the detail
says that the "fix" is to revert the proposal.
"""
from __future__ import annotations


import z3

from nowan.model.assumptions import Assumptions
from nowan.model.channels import residual_with, score, within_appetite
from nowan.model.channels.types import Channel
from nowan.proofs.result import PROVED, REFUTED, UNKNOWN, Finding, counterexample

MAX_ROUNDS = 64


def applies(channel: Channel, a: Assumptions) -> bool:
    """True if the channel's residual risk (its model, these assumptions) is above appetite."""
    return score(channel, a).verdict != "within-appetite"


def _cost(value: float) -> z3.RatNumRef:
    return z3.RealVal(str(value))


def best_set(channel: Channel, a: Assumptions, budget_gbp: float | None = None) -> Finding:
    costs = {c.id: float(c.cost_gbp) for c in channel.controls if c.id in channel.candidate_controls}
    names = sorted(costs)
    pick = {n: z3.Bool(f"control:{n}") for n in names}
    total = z3.Sum([z3.If(pick[n], _cost(costs[n]), z3.RealVal(0)) for n in names]) if names else z3.RealVal(0)
    base = set(channel.existing_controls)
    facts: dict[str, z3.BoolRef] = {}
    if budget_gbp is not None:
        facts[f"budget <= {budget_gbp:g} GBP"] = total <= _cost(budget_gbp)
    for _ in range(MAX_ROUNDS):
        opt = z3.Optimize()
        labels = {name: z3.Bool(f"fact:{name}") for name in facts}
        for name, fact in facts.items():
            opt.add(z3.Implies(labels[name], fact))
        opt.minimize(total)
        r = opt.check(*labels.values())
        if r == z3.unsat:
            core = sorted(str(x).removeprefix("fact:") for x in opt.unsat_core())
            trace = counterexample("control-set", "best-control-set", [], channel=channel.id, model=channel.file,
                                   assumptions=dict(a.overridden), method="z3 Optimize + unsat core",
                                   budget_gbp=budget_gbp, unsat_core=core,
                                   violation="no set of candidate controls within budget brings the residual "
                                             "risk within appetite")
            scope = f"within GBP {budget_gbp:g}" if budget_gbp is not None else "at any cost"
            return Finding(REFUTED, trace, f"no combination of candidate controls {scope} brings the residual risk "
                           "within appetite (z3 unsat core: " + "; ".join(core) + ")")
        if r != z3.sat:
            return Finding(UNKNOWN, None, "solver gave up")
        m = opt.model()
        chosen = sorted(n for n in names if z3.is_true(m.eval(pick[n], model_completion=True)))
        residual = residual_with(channel, base | set(chosen), a)
        if within_appetite(residual.level):
            cost = sum(costs[n] for n in chosen)
            trace = counterexample("control-set", "best-control-set",
                                   [("legit", "enable", {"control": n}) for n in chosen], channel=channel.id,
                                   model=channel.file,
                                   assumptions=dict(a.overridden), method="z3 Optimize", budget_gbp=budget_gbp,
                                   controls=chosen, cost_gbp=cost, residual=residual.level,
                                   insufficient_sets_learned=len(facts) - (budget_gbp is not None))
            detail = f"cheapest: {', '.join(chosen) or 'none'} ({cost:g} GBP) -> {residual.level}"
            reverts = [n for n in chosen if costs[n] == 0]
            if reverts:
                detail += (f"; {', '.join(reverts)} costs nothing because it reverts the proposal "
                           f"({'; '.join(channel.control(n).source for n in reverts)})")
            return Finding(PROVED, trace, detail)
        outside = [pick[n] for n in names if n not in chosen]
        facts[f"{{{', '.join(chosen)}}} leaves {residual.level}"] = z3.Or(outside) if outside else z3.BoolVal(False)
    return Finding(UNKNOWN, None, f"no decision in {MAX_ROUNDS} rounds")


def check(channel: Channel, a: Assumptions, budget_gbp: float | None = None) -> Finding:
    return best_set(channel, a, budget_gbp)
