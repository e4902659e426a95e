"""Proof counterexamples as seeds of a fuzz campaign: translated to a fuzz world's steps, kept in the
campaign's example database, and replayed before the campaign explores anything new.

A z3 counterexample speaks its proof family's vocabulary (``advance 3601 s``, ``rogue-join``:
:mod:`nowan.attacks.counterexamples`); a fuzz world has its own steps, declared with their domains
(``wait`` of 1, 60, 601, 3600 or 90000 s, ``rogue-join`` as a PPMID or an HHT:
:mod:`nowan.attacks.worlds`). :func:`to_fuzz_trace` rewrites a counterexample into the channel's
fuzz world, step by step, and names the fuzz invariant its property is evidence of. Nothing is
dropped or approximated: a step the fuzz world cannot take, a value outside a fuzz step's domain,
or a property no fuzz invariant checks is a :class:`SeedError` naming the trace, ``steps[i]`` and
why, so a seed always replays the attack the proof found.

The translated trace is saved in the example database the campaign uses (``--db``: a directory,
Redis, several) under a key of its own per channel (:func:`save_seed`); every campaign on that
database replays the channel's seeds first, with the one replay loop
(:func:`nowan.attacks.harness.replay_world`), and a seed that still violates its invariant is a
finding like any other (:func:`seed_findings`). Hypothesis's own examples are keyed by machine
and configuration and encoded in its internal choice format; a seed is a plain trace instead, so
it survives both a change of assumption variant and a Hypothesis upgrade.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hypothesis.database import ExampleDatabase

from nowan.attacks.findings import Finding
from nowan.attacks.invariants import INVARIANTS
from nowan.model.traces import Step, Trace, TraceError

#: Example-database key prefix of a channel's seed traces (the channel id follows).
SEED_KEY = b"nowan-seed-trace:"
#: The ``wait`` durations a fuzz world draws (attacks.worlds.base.PremisesWorld.do_wait), longest first.
_WAITS = (90000, 3600, 601, 60, 1)
#: Most ``wait`` steps one counterexample clock move may become (a day and a half is two).
MAX_WAITS = 16
#: Most steps a kept seed may have: a translated counterexample has a handful, and a database
#: shared over Redis must not be able to stall every campaign with a million-step value.
MAX_SEED_STEPS = 1000


class SeedError(TraceError):
    """A counterexample that cannot become a fuzz trace: names the trace, the step and why."""


def _waits(args: Mapping[str, Any]) -> list[Step]:
    """A clock move as the fuzz world's ``wait`` steps, summing to exactly the same seconds."""
    seconds = args["seconds"]
    if not float(seconds).is_integer():
        raise ValueError(f"advance of {seconds} s: the fuzz world waits whole seconds")
    left, out = int(seconds), []
    for w in _WAITS:
        n, left = divmod(left, w)
        out += [Step("env", "wait", {"seconds": w})] * n
    if len(out) > MAX_WAITS:
        raise ValueError(f"advance of {seconds} s needs {len(out)} fuzz wait steps (at most {MAX_WAITS})")
    return out


def _fixed(actor: str, name: str, **args: Any) -> Callable[[Mapping[str, Any]], list[Step]]:
    """One fuzz step with fixed arguments, whatever the counterexample step's (it takes none)."""
    return lambda _: [Step(actor, name, dict(args))]


def _absent(why: str) -> Callable[[Mapping[str, Any]], list[Step]]:
    def fail(_: Mapping[str, Any]) -> list[Step]:
        raise ValueError(why)
    return fail


@dataclass(frozen=True)
class Translation:
    """How one counterexample world's steps read in a fuzz world, and which fuzz invariant shows
    its property. ``steps``: counterexample action -> the fuzz steps doing the same on the devices."""

    fuzz_world: str
    invariants: Mapping[str, str]
    steps: Mapping[str, Callable[[Mapping[str, Any]], list[Step]]]


#: Counterexample world -> its translation. The pairing counterexample's rogue joins as a PPMID
#: (attacks.counterexamples.pairing) and sends emergency credit to the ESME, HAN_ACTIONS[0].
TRANSLATIONS: dict[str, Translation] = {
    "pairing": Translation("pairing", {"pairing-window": "rogue-join-prevented"}, {
        "advance": _waits,
        "power-cycle": _fixed("attacker", "power-cut"),
        "rogue-join": _fixed("attacker", "rogue-join", device_type="ppmid"),
        "rogue-send": _fixed("attacker", "rogue-send", action=0, meter="esme"),
    }),
    "relay-availability": Translation("frames-ppmid-relay", {"relay-availability": "topup-delivered"}, {
        "keypad-topup": _absent("the frames-ppmid-relay fuzz world has no keypad: a top-up reaches its meter "
                                "only as a CS01 frame through the relay"),
        "supplier-sends-topup": _absent("the fuzz world's supplier sells fixed amounts (worlds.base.AMOUNTS) "
                                        "and its relay finding needs a day to pass, which the proof's run "
                                        "does not"),
        "relay-withholds": _fixed("attacker", "drop", index=0),
        "consume": _absent("consumption drives the proof's supply-off claim, which no fuzz invariant checks"),
    }),
}

#: Counterexample worlds with no translation, and why (their property is not a fuzz invariant).
NO_FUZZ_INVARIANT: dict[str, str] = {
    "bruteforce": "a bound on MAC guesses a year is a rate over a year, not a state a fuzz run reaches",
    "utrn-availability": "a genuine UTRN refused is an availability claim; the fuzz invariants are about "
                         "credit wrongly given",
    "utrn-wrap": "the counter-wrap hazard needs 1,025 UTRNs in one step, beyond a fuzz run's length",
    "control-set": "the cheapest control set re-scores the model; it runs no devices",
    "relay-reorder": "supply off because of the order of delivery is not a fuzz invariant",
    "utrn-cell": "its steps set UTRN counters directly, which no fuzz world's party can choose",
    "command-cell": "its steps set command counters directly, which no fuzz world's party can choose",
    "relay-forgery": "its relay forges a frame counter by counter, which the fuzz worlds' steps do not",
    "mp169": "its steps are DCC policy decisions, not the fuzz world's supplier and attacker",
}


def to_fuzz_trace(trace: Trace, harness: Any, source: str = "trace") -> Trace:
    """``trace`` (a proof counterexample) as a trace of ``harness``'s fuzz world, or SeedError.

    The result runs under the channel's own values (its model's fuzz assumptions) overridden by the
    counterexample's, names the fuzz invariant the proof's property is evidence of, and holds only
    steps the channel's parties and attacker can take (checked as ``--replay`` checks them).
    """
    if trace.world is None:
        raise SeedError("a fuzz trace already; a seed is made from a proof counterexample (it names a world)",
                        where=f"{source} field 'world'")
    t = TRANSLATIONS.get(trace.world)
    if t is None:
        why = NO_FUZZ_INVARIANT.get(trace.world, "no translation is defined for it")
        raise SeedError(f"the {trace.world} counterexample cannot seed a fuzz campaign: {why}",
                        where=f"{source} field 'world'")
    world = getattr(getattr(harness, "machine", None), "world_class", None)
    if getattr(world, "world", None) != t.fuzz_world:
        raise SeedError(f"a {trace.world} counterexample translates to the {t.fuzz_world} fuzz world; channel "
                        f"{harness.channel!r} is fuzzed in {getattr(world, 'world', 'none')!r}",
                        where=f"{source} field 'channel'")
    family = (trace.invariant or "").split(".")[0]
    invariant = t.invariants.get(family)
    if invariant is None:
        raise SeedError(f"property {trace.invariant!r} has no fuzz invariant in the {t.fuzz_world} world",
                        where=f"{source} field 'invariant'")
    steps: list[Step] = []
    for i, step in enumerate(trace.steps):
        rewrite = t.steps.get(step.action)
        if rewrite is None:
            raise SeedError(f"{step.action!r} has no step in the {t.fuzz_world} fuzz world",
                            where=f"{source} steps[{i}]")
        try:
            steps += rewrite(step.args)
        except (KeyError, TypeError, ValueError) as exc:
            raise SeedError(f"{step.action}: {exc}", where=f"{source} steps[{i}]") from None
    values = {k: "inf" if v == float("inf") else v for k, v in harness.model_values.items()}
    out = Trace(harness.channel, tuple(steps), {**values, **trace.assumptions}, trace.flaws, invariant)
    try:
        harness.check_trace(out, f"{source} (as {harness.channel} fuzz steps)")
    except TraceError as exc:  # a step the channel's model omits (fuzz.omit)
        raise SeedError(exc.message, where=exc.where) from None
    return out


def seed_for(trace: Trace, channels: Mapping[str, Any], source: str = "trace") -> Trace:
    """``trace`` translated for the fuzz world of its own channel among the models ``channels``."""
    from nowan.attacks.registry import harnesses

    model = channels.get(trace.channel)
    if model is None or model.fuzz is None:
        raise SeedError(f"channel {trace.channel!r} has no fuzz world to seed", where=f"{source} field 'channel'")
    [harness] = harnesses([trace.channel], channels=channels)
    return to_fuzz_trace(trace, harness, source)


def kept(seed: Trace) -> str:
    """What a saved seed is, in one line for the command line."""
    return f"kept as a seed of {seed.channel} ({len(seed.steps)} fuzz steps, {seed.invariant})"


def _key(channel: str) -> bytes:
    return SEED_KEY + channel.encode()


def save_seed(database: ExampleDatabase, trace: Trace) -> None:
    """Keep a translated trace in ``database`` (every backend of it), for every later campaign."""
    database.save(_key(trace.channel), json.dumps(trace.to_dict(), sort_keys=True).encode())


def seed_traces(database: ExampleDatabase, channel: str) -> list[Trace]:
    """The seeds kept for ``channel``, in a stable order; one that no longer reads is skipped with
    a warning (a database outlives the version that wrote it)."""
    out = []
    for value in sorted(set(database.fetch(_key(channel)))):
        try:
            trace = Trace.from_dict(json.loads(value), f"seed of {channel}")
        except (ValueError, RecursionError, TraceError) as exc:
            warnings.warn(f"skipped an unreadable seed of {channel}: {exc}", stacklevel=2)
            continue
        if len(trace.steps) > MAX_SEED_STEPS:
            warnings.warn(f"skipped a seed of {channel} with {len(trace.steps)} steps (at most {MAX_SEED_STEPS})",
                          stacklevel=2)
            continue
        out.append(trace)
    return out


def seed_findings(harness: Any, database: ExampleDatabase | None, kind: str,
                  found: set[str]) -> list[Finding]:
    """Replay ``harness``'s seeds whose invariant is of ``kind`` and not in ``found``; each that
    still violates it is a finding, its trace cut after the violating step."""
    if database is None:
        return []
    out: list[Finding] = []
    for trace in seed_traces(database, harness.channel):
        inv = trace.invariant
        if inv not in INVARIANTS or INVARIANTS[inv].kind != kind or inv in found:
            continue
        try:
            hit = harness.replay(trace)
        except TraceError as exc:  # a seed this version of the channel cannot take
            warnings.warn(f"skipped a seed of {harness.channel}: {exc}", stacklevel=2)
            continue
        if hit is not None and hit[0] == inv:
            cut = Trace(trace.channel, trace.steps[:hit[2] + 1], trace.assumptions, trace.flaws, inv)
            out.append(Finding(harness.channel, inv, kind, hit[1], cut))
            found.add(inv)
    return out
