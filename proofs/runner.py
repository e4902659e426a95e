"""Run every property family on the chosen channels and return :class:`PropertyResult` records.

The channels are the caller's: ``run`` takes either channel ids (loaded from the model directory,
the packaged models or ``--models DIR``) or the ``Channel`` objects the caller already loaded (e.g.
``nowan assess --models DIR``), so the proofs always speak about the same models the risk engine
scored. Which families apply is read off each channel model (:mod:`proofs.applicability`); this
module only lists them in a fixed order, so the output is sorted and stable: by channel id, then by
property id. Seconds are measured per property with a performance counter.
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
from nowan.proofs.result import Finding, PropertyResult

Check = Callable[[Assumptions], Finding]
ChannelsArg = Union[Iterable[str], Mapping[str, Channel], None]

#: Optional budget for family 7 (not in the assumption registry yet; absent = no budget).
BUDGET_KEY = "controls.budget_gbp"


def _plan(channel: Channel, a: Assumptions) -> list[tuple[str, Check]]:
    """(property name, check) for every property the channel model implies."""
    fam = families(channel)
    cid = channel.id
    plan: list[tuple[str, Check]] = []
    if fam.utrn_paths:
        paths = fam.utrn_paths
        plan.append(("utrn-anti-replay",
                     lambda a: utrn.check_cell(paths, "replay", cache_size=int(a["utrn.cache_size"]))))
        plan.append(("utrn-floor", lambda a: utrn.check_cell(paths, "floor", cache_size=int(a["utrn.cache_size"]))))
        for policy in utrn.POLICIES:
            plan.append((f"utrn-availability.{policy}", lambda a, p=policy: utrn.availability(p, a)))
        plan.append(("utrn-availability.wrap", utrn.wrap))
    if fam.commands:
        plan.append(("command-anti-replay", lambda a: commands.check(cid, relayed=fam.relay)))
        plan.append(("command-floor", lambda a: commands.check_floor(cid, relayed=fam.relay)))
    for guess in fam.guesses:
        name = "bruteforce-bound" if len(fam.guesses) == 1 else f"bruteforce-bound.{guess.step}"
        plan.append((name, lambda a, g=guess: bruteforce.check(channel, g, a)))
    if fam.pairing:
        plan.append(("pairing-window", lambda a: pairing.check(cid, a, window=pairing.window_for(channel, a))))
    if fam.relay:
        plan.append(("relay-no-forgery", lambda a: relay.no_forgery()))
        plan.append(("relay-availability", relay.availability))
        plan.append(("relay-reorder", relay.reorder))
    if fam.mp169:
        plan.extend((p, lambda a, p=p: mp169.check(p)) for p in mp169.PROPERTIES)
    if controls.applies(channel, a):
        plan.append(("best-control-set", lambda a: controls.check(channel, a, a.get(BUDGET_KEY))))
    return sorted(plan, key=lambda item: item[0])


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
        directory: Path | None = None) -> list[PropertyResult]:
    """Every applicable property of every selected channel, in a stable order.

    ``channels``: channel ids (models in ``directory``, default the packaged ones; an unknown id is
    the loader's one-line error), a mapping of id to ``Channel`` (used as given, never reloaded), or
    ``None`` for every channel in the directory.
    """
    a = assumptions if assumptions is not None else Assumptions()
    out: list[PropertyResult] = []
    for channel in resolve(channels, directory):
        for name, check in _plan(channel, a):
            start = time.perf_counter()
            finding = check(a)
            trace = None if finding.trace is None else {**finding.trace, "channel": channel.id}
            out.append(PropertyResult(name, channel.id, finding.status, time.perf_counter() - start,
                                      trace, finding.detail))
    return out
