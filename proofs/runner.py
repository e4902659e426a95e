"""Run every property family on the chosen channels and return :class:`PropertyResult` records.

The channels are the caller's: ``run`` takes either channel ids (loaded from the model directory,
the packaged models or ``--models DIR``) or the ``Channel`` objects the caller already loaded (e.g.
``nowan assess --models DIR``), so the proofs always speak about the same models the risk engine
scored. Which families apply is read off each channel model (:mod:`proofs.applicability`); this
module only lists them in a fixed order, so the output is sorted and stable: by channel id, then by
property id. Seconds are measured per property with a performance counter.

Evidence that the proof is about the code: every property names the conformance family of the model
it is proved on (:mod:`proofs.conformance`); a family runs once per call under a bounded, seeded
budget, and a property whose family does not conform is never reported ``proved``: it becomes
``unknown`` with the first divergent step as the reason. Properties decided on the code's own data
(the DCC's code sets, the risk engine) are marked ``not-applicable``. Replaying each refutation on
the devices is the caller's (``nowan prove`` and ``assess`` do it with the one replayer in
``nowan.attacks``, and fill in ``PropertyResult.reproduced``), since proofs depend on the model only.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Union

from nowan.model.assumptions import Assumptions
from nowan.model.channels import channel_ids, load_channels
from nowan.model.channels.types import Channel
from nowan.proofs import bruteforce, commands, controls, mp169, pairing, relay, utrn
from nowan.proofs.applicability import families
from nowan.proofs.conformance import (CONFORMS, NOT_APPLICABLE, SMOKE, Budget, Family, Ledger, commands_family,
                                      lockout_family, mp169_family, pairing_family, relay_family, utrn_family)
from nowan.model.channels.evaluate import environment
from nowan.proofs.result import PROVED, UNKNOWN, Finding, PropertyResult

Check = Callable[[Assumptions], Finding]
#: A property's conformance: its family, or why none applies (a plain reason string).
Conformance = Union[Family, str]
#: Reasons for the properties decided without a separate model of the devices.
ON_CODE_DATA = "decided over the DCC's own code sets, no separate model"
ON_RISK_ENGINE = "decided by the risk engine over the channel model; no device counterpart"
ON_ACCOUNT_ARITHMETIC = ("z3 Optimize over the account's arithmetic, no transition system; a refutation is "
                         "replayed on the devices")
ChannelsArg = Union[Iterable[str], Mapping[str, Channel], None]

#: Optional budget for family 7 (not in the assumption registry yet; absent = no budget).
BUDGET_KEY = "controls.budget_gbp"


def _plan(channel: Channel, a: Assumptions) -> list[tuple[str, Check, Conformance]]:
    """(property name, check, conformance) for every property the channel model implies."""
    fam = families(channel)
    cid = channel.id
    plan: list[tuple[str, Check, Conformance]] = []
    if fam.utrn_paths:
        paths = fam.utrn_paths
        cell = utrn_family(paths, int(a["utrn.cache_size"]))
        plan.append(("utrn-anti-replay",
                     lambda a: utrn.check_cell(paths, "replay", cache_size=int(a["utrn.cache_size"])), cell))
        plan.append(("utrn-floor", lambda a: utrn.check_cell(paths, "floor", cache_size=int(a["utrn.cache_size"])),
                     cell))
        if fam.truncated:   # only where the channel's own path carries the 10 truncated counter bits
            for policy in utrn.POLICIES:
                plan.append((f"utrn-availability.{policy}", lambda a, p=policy: utrn.availability(p, a), cell))
            plan.append(("utrn-availability.wrap", utrn.wrap, cell))
    if fam.commands:
        plan.append(("command-anti-replay", lambda a: commands.check(cid, relayed=fam.relay), commands_family(False)))
        plan.append(("command-floor", lambda a: commands.check_floor(cid, relayed=fam.relay), commands_family(True)))
    for guess in fam.guesses:
        name = "bruteforce-bound" if len(fam.guesses) == 1 else f"bruteforce-bound.{guess.step}"
        lock = bruteforce.lockout_for(channel, guess, a)
        covers_han = bool(environment(channel, a)["lockout.covers_han"])
        plan.append((name, lambda a, g=guess: bruteforce.check(channel, g, a), lockout_family(lock, guess.path, covers_han)))
    if fam.pairing:
        window = pairing.window_for(channel, a)
        plan.append(("pairing-window", lambda a: pairing.check(cid, a, window=window),
                     pairing_family(window, pairing.claim_window(a))))
    if fam.relay:
        plan.append(("relay-no-forgery", lambda a: relay.no_forgery(), relay_family()))
        plan.append(("relay-availability", relay.availability, ON_ACCOUNT_ARITHMETIC))
        plan.append(("relay-reorder", relay.reorder, ON_ACCOUNT_ARITHMETIC))
    if fam.mp169:
        plan.extend((p, lambda a, p=p: mp169.check(p), ON_CODE_DATA if p == "mp169-consistent" else mp169_family())
                    for p in mp169.PROPERTIES)
    if controls.applies(channel, a):
        plan.append(("best-control-set", lambda a: controls.check(channel, a, a.get(BUDGET_KEY)), ON_RISK_ENGINE))
    return sorted(plan, key=lambda item: item[0])


def conformance_families(channels: ChannelsArg = None, assumptions: Assumptions | None = None,
                         directory: Path | None = None) -> list[Family]:
    """The conformance families ``run`` attaches to the chosen channels' properties, each once, in
    the order first met (what a seeded device flaw must make diverge for prove to see it)."""
    a = assumptions if assumptions is not None else Assumptions()
    out: dict[str, Family] = {}
    for channel in resolve(channels, directory):
        for _, _, conform in _plan(channel, a):
            if isinstance(conform, Family):
                out.setdefault(conform.key, conform)
    return list(out.values())


def resolve(channels: ChannelsArg, directory: Path | None = None) -> list[Channel]:
    """The channel models to prove, sorted by id: the caller's ``Channel`` objects as given, or
    the models of the given ids in ``directory`` (default: the packaged models)."""
    if isinstance(channels, Mapping):
        given = dict(channels)
        for cid, ch in given.items():
            if not isinstance(ch, Channel):
                raise TypeError(f"channel {cid!r}: expected a model.channels Channel, got {type(ch).__name__}")
        return [given[cid] for cid in sorted(given)]
    wanted = sorted(set(channels or ())) or list(channel_ids(directory))
    loaded = load_channels(wanted, directory)
    return [loaded[c] for c in wanted]


def run(channels: ChannelsArg = None, assumptions: Assumptions | None = None,
        directory: Path | None = None, conformance: Budget = SMOKE) -> list[PropertyResult]:
    """Every applicable property of every selected channel, in a stable order.

    ``channels``: channel ids (models in ``directory``, default the packaged ones; an unknown id is
    the loader's one-line error), a mapping of id to ``Channel`` (used as given, never reloaded), or
    ``None`` for every channel in the directory. ``conformance``: the budget and seed of the
    conformance runs (the same budget and seed give the same evidence).
    """
    a = assumptions if assumptions is not None else Assumptions()
    ledger = Ledger(conformance)
    out: list[PropertyResult] = []
    for channel in resolve(channels, directory):
        for name, check, conform in _plan(channel, a):
            start = time.perf_counter()
            finding = check(a)
            status, detail = finding.status, finding.detail
            if isinstance(conform, Family):
                evidence = ledger.get(conform)
                conf = evidence.to_dict()
                if status == PROVED and evidence.status != CONFORMS:
                    status = UNKNOWN
                    detail = f"model does not conform to the code: {evidence.divergence} (proof: {detail})"
            else:
                conf = {"status": NOT_APPLICABLE, "reason": conform}
            trace = None if finding.trace is None else {**finding.trace, "channel": channel.id}
            out.append(PropertyResult(name, channel.id, status, time.perf_counter() - start, trace, detail, conf))
    return out

