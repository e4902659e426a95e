"""Which property families apply to a channel, read off the channel's own threat model.

A proof of a property the model does not have (or the absence of one it has) would contradict the
risk score printed next to it, so applicability is derived from the resolved ``Channel`` rather
than from a table of ids: from the keys a model declares (a control's ``mechanism``, a step's
rule, its ``mac-guess`` difficulty, the commands carried), never from control or channel ids. A
user's new model in ``--models DIR`` gets exactly the families its steps and controls imply. The
mapping (model feature -> family):

- a step whose difficulty is a ``mac-guess`` -> ``bruteforce-bound`` (family 3), one per such step,
  on the path its ``han`` flag names (``han`` or ``keypad``), with that step's ``attempt_s`` and
  ``lockout_control``;
- UTRN entry: a step blocked by a control whose ``mechanism`` is ``utrn-counter-cache`` or ``utrn-mac``, or a
  ``mac-guess`` step -> the UTRN families (family 1). Paths: ``keypad`` always (every SMETS2 meter
  has one, and it interleaves with any other path); ``han`` too if a UTRN step enters anywhere but a
  ``keypad`` entry point or its ``mac-guess`` is ``han``;
- Remote Party GBCS commands: a control whose ``mechanism`` is ``gbcs-end-to-end`` (Supplier
  ECDSA, ACB MAC, originator counters) blocking a ``replay`` step on the meter -> ``command-anti-replay`` and
  ``command-floor`` (family 2); and, when ``top-up`` is among the channel's ``commands``, the UTRN
  families with the CS01a/b path (label ``wan``: the full UTRN counter in the command header,
  whichever bearer carries the frame - WAN, USB or a relaying PPMID);
- a ``withhold`` step on a channel that carries GBCS commands -> the relay families (family 5): a
  store-and-forward point (PPMID, USB file) that can drop, delay and reorder authentic frames;
- a ``rogue-join`` step or a ``pairing-window`` control -> ``pairing-window`` (family 4); the window
  is removed unless that control is existing and effective under the assumptions;
- an ``mp169-flag-policy`` control -> the MP169 families (family 6);
- every channel -> ``best-control-set`` (family 7) when its residual risk is above appetite.

SMETS1 UTRN options have none of these features (their meter-side rules are not the GBCS cache),
so they get only family 7, as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nowan.model.channels.types import Channel, MacGuess

#: Control mechanisms (schema ``mechanism``) and the families that check them.
UTRN_MECHANISMS = frozenset({"utrn-counter-cache", "utrn-mac"})
COMMAND_MECHANISM = "gbcs-end-to-end"
PAIRING_MECHANISM = "pairing-window"
MP169_MECHANISM = "mp169-flag-policy"


@dataclass(frozen=True)
class Guess:
    """One ``mac-guess`` step: the path it guesses on and the model's time per guess."""

    step: str
    path: str
    attempt_s: Any
    lockout_control: str | None


@dataclass(frozen=True)
class Families:
    """What the channel model implies, family by family."""

    utrn_paths: tuple[str, ...]
    #: Whether a path of the channel itself carries 20-digit UTRNs, whose counter the meter rebuilds
    #: from 10 truncated bits (keypad or HAN entry). The CS01a/b path carries the full counter, so a
    #: command-only channel has nothing to rebuild: the availability results are not its own.
    truncated: bool
    commands: bool
    guesses: tuple[Guess, ...]
    pairing: bool
    relay: bool
    mp169: bool


def _blocked_by(channel: Channel, mechanisms: frozenset[str]) -> set[str]:
    return {sid for c in channel.controls if c.mechanism in mechanisms for sid in c.blocks}


def families(channel: Channel) -> Families:
    """The families ``channel``'s steps and controls imply (see the module docstring)."""
    guesses = tuple(Guess(s.id, "han" if s.difficulty.han else "keypad", s.difficulty.attempt_s,
                          s.difficulty.lockout_control)
                    for s in channel.steps if isinstance(s.difficulty, MacGuess))
    utrn_steps = [s for s in channel.steps if s.id in _blocked_by(channel, UTRN_MECHANISMS)]
    command_blocked = _blocked_by(channel, frozenset({COMMAND_MECHANISM}))
    commands = any(s.rule.id == "replay" and s.target == "meter" and s.id in command_blocked
                   for s in channel.steps)
    han = any(g.path == "han" for g in guesses) or any(
        s.entry and any(e != "keypad" for e in s.entry) for s in utrn_steps)
    utrn_paths: tuple[str, ...] = ()
    if utrn_steps or guesses:
        utrn_paths = ("keypad", "han") if han else ("keypad",)
    elif commands and "top-up" in channel.commands:
        utrn_paths = ("keypad", "wan")
    mechanisms = {c.mechanism for c in channel.controls}
    return Families(
        utrn_paths=utrn_paths,
        truncated=bool(utrn_steps or guesses),
        commands=commands,
        guesses=guesses,
        pairing=PAIRING_MECHANISM in mechanisms or any(s.rule.id == "rogue-join" for s in channel.steps),
        relay=commands and any(s.rule.id == "withhold" for s in channel.steps),
        mp169=MP169_MECHANISM in mechanisms,
    )
