"""The premises the fuzzer attacks, by world id: a channel model names its world in ``fuzz.world``.

A world is a family of premises (UTRNs on the keypad, frames relayed by a PPMID, the hub's pairing
window, the DCC's MP169 flag ...), not a channel: several channel models may share one, each with
its own assumption values and steps left out (``fuzz.assumptions``, ``fuzz.omit``).
"""
from __future__ import annotations

from nowan.attacks.harness import World


def worlds() -> dict[str, type[World]]:
    """Every world, by its ``world`` id."""
    from nowan.attacks.worlds.frames import UsbWorld, WanWorld, WifiPpmidRelayWorld
    from nowan.attacks.worlds.han import PairingWorld
    from nowan.attacks.worlds.mp169 import Mp169World
    from nowan.attacks.worlds.utrn import ExtendedWorld, NfcWorld, UtrnWorld, WifiPpmidUtrnWorld

    return {w.world: w for w in (UtrnWorld, ExtendedWorld, WifiPpmidUtrnWorld, NfcWorld, WanWorld, UsbWorld,
                                 WifiPpmidRelayWorld, PairingWorld, Mp169World)}
