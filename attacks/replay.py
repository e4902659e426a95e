"""The one replayer: any trace in the one trace format, fuzz finding or proof counterexample.

``replay(trace)`` picks the premises the trace names (its ``world``, else its channel's fuzz
world, or the GBCS envelope target), checks every step is one that premises can take (a
:class:`~nowan.model.traces.TraceError` naming ``steps[i]`` otherwise), and runs it through the
loop the fuzzer itself uses (:func:`nowan.attacks.harness.run_world`). ``nowan fuzz --replay
FILE``, the proof tests and ``nowan prove`` all call this, so a trace replays the same way wherever
it came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from nowan.attacks.counterexamples import WORLDS, CounterexampleWorld
from nowan.attacks.counterexamples.args import evidence_problem, step_problem
from nowan.attacks.harness import run_world
from nowan.model.traces import Trace, TraceError


@dataclass
class Replay:
    """Whether the devices reproduced the trace's violation, where, and what they did."""

    reproduced: bool
    invariant: str | None = None
    detail: str = ""
    step: int | None = None
    observed: list[dict[str, Any]] = field(default_factory=list)


def _check_steps(world: type[CounterexampleWorld], trace: Trace, source: str) -> None:
    """Every step names a ``do_`` method of ``world``, with the arguments it declares, each in its
    domain; and the evidence holds what the world reads. Checked before any device is built, so a
    hostile trace is one line naming ``steps[i]`` and the field, never a hang or a crash."""
    found = evidence_problem(world.reads, trace.evidence)
    if found:
        raise TraceError(found[1], where=f"{source} field '{found[0]}'")
    for i, step in enumerate(trace.steps):
        handler = getattr(world, f"do_{step.action.replace('-', '_')}", None)
        if handler is None:
            actions = sorted(n[3:].replace("_", "-") for n in dir(world) if n.startswith("do_"))
            raise TraceError(f"unknown action {step.action!r} on {trace.executor}; expected one of "
                             f"{', '.join(actions)}", where=f"{source} steps[{i}]")
        found = step_problem(handler, step.args)
        if found:
            raise TraceError(f"{step.action}: {found[1]}", where=f"{source} steps[{i}] field '{found[0]}'")


def _counterexample(trace: Trace, source: str) -> Replay:
    world_class = WORLDS[trace.executor]
    _check_steps(world_class, trace, source)
    try:
        hit, world = run_world(world_class, trace)
    except TraceError as exc:  # the premises found a step it cannot take (a control the model lacks)
        raise TraceError(exc.message, where=f"{source} {exc.where}") from None
    except (KeyError, TypeError, ValueError) as exc:  # evidence the world needs is missing or malformed
        raise TraceError(f"the {trace.executor} premises cannot be built: {type(exc).__name__}: {exc}",
                         where=f"{source} field 'evidence'") from None
    detail = getattr(world, "detail", "") or (hit[1] if hit else "")
    return Replay(hit is not None and hit[0] != "no-crash", hit[0] if hit else None, detail,
                  hit[2] if hit else None, world.log)


def replay(trace: Trace | Mapping[str, Any], *, envelope: Any = None, source: str = "trace") -> Replay:
    """Run ``trace`` on the devices; ``Replay.reproduced`` says whether its violation showed up.

    ``envelope``: the envelope target (seeds and keystore) a ``gbcs-envelope`` trace was found with.
    A trace the premises cannot take, or naming no known premises, is a ``TraceError`` (exit 2).
    """
    t = trace if isinstance(trace, Trace) else Trace.from_dict(dict(trace), source)
    if t.world is not None:
        if t.world not in WORLDS:
            raise TraceError(f"unknown world {t.world!r}; expected one of {', '.join(sorted(WORLDS))}",
                             where=f"{source} field 'world'")
        return _counterexample(t, source)
    from nowan.attacks.registry import channel_ids, harnesses

    if t.channel not in channel_ids():
        raise TraceError(f"no fuzz world for channel {t.channel!r}; expected one of {', '.join(channel_ids())}",
                         where=f"{source} field 'channel'")
    [harness] = harnesses([t.channel], envelope=envelope)
    harness.check_trace(t, source)
    hit = harness.replay(t)
    return Replay(hit is not None, hit[0] if hit else None, hit[1] if hit else "", hit[2] if hit else None)
