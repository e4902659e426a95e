"""Family-7 witnesses: the chosen control set re-scored by the risk engine itself.

Not a device run: the claim is about the risk model, so the "premises" is the channel model scored
under the trace's assumptions. Proved (the trace enables the chosen controls): that set is within
appetite. Refuted without a budget: even every candidate together is not. Refuted under a budget:
no set of candidates costing at most the budget is within appetite (every such set is scored;
candidate lists are short). The channel is the packaged model of the trace's ``channel``, or the
file named by the evidence's ``model`` (a ``--models`` directory's file).
"""
from __future__ import annotations

from itertools import combinations
from pathlib import Path

from nowan.attacks.counterexamples.args import ListOf, Matches, Record, takes
from nowan.attacks.counterexamples.base import MODEL_ID, CounterexampleWorld
from nowan.model.channels import load_channels, load_file, residual_with, within_appetite
from nowan.model.traces import Trace, TraceError
from nowan.model.values import NumberSpec


class ControlSetWorld(CounterexampleWorld):
    devices = False
    reads = Record({"model": Matches(r"[^\x00]*\.ya?ml", "a path to a .yaml model file", 4096),
                    "controls": ListOf(MODEL_ID, 1000), "budget_gbp": NumberSpec(minimum=0)},
                   optional=frozenset({"model", "controls", "budget_gbp"}))

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        model = self.evidence.get("model")
        self.channel_model = (load_file(Path(model)) if isinstance(model, str) and Path(model).is_file()
                              else load_channels([trace.channel])[trace.channel])
        self.enabled: list[str] = []
        known = set(self.channel_model.candidate_controls) | set(self.channel_model.existing_controls)
        for i, step in enumerate(trace.steps):
            if step.args.get("control") not in known:
                raise TraceError(f"enable: {step.args.get('control')!r} is not a control of {self.channel_model.id}; "
                                 f"expected one of {', '.join(sorted(known))}", where=f"steps[{i}] field 'control'")

    @takes(control=MODEL_ID)
    def do_enable(self, control: str) -> None:
        self.enabled.append(control)

    def verdict(self) -> tuple[bool, str]:
        ch, a = self.channel_model, self.assumptions
        base = set(ch.existing_controls)
        if "controls" in self.evidence:
            level = residual_with(ch, base | set(self.enabled), a).level
            return within_appetite(level), f"{', '.join(self.enabled) or 'no candidate'} enabled: residual {level}"
        candidates = ch.candidate_controls
        budget = self.evidence.get("budget_gbp")
        if budget is None:
            level = residual_with(ch, base | set(candidates), a).level
            return not within_appetite(level), f"every candidate enabled: residual {level}"
        names = sorted(candidates)
        for k in range(len(names) + 1):
            for subset in combinations(names, k):
                if sum(float(candidates[n].cost_gbp) for n in subset) <= float(budget) and within_appetite(
                        residual_with(ch, base | set(subset), a).level):
                    return False, f"{', '.join(subset) or 'no candidate'} fits GBP {float(budget):g} and is within appetite"
        return True, f"no set of candidates within GBP {float(budget):g} is within appetite"
