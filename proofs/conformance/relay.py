"""Conformance of ``relay-no-forgery`` (family 5) with the PPMID relay, the hub and the ESME.

The model is :func:`proofs.relay.system`, faithful, the system ``relay-no-forgery`` is proved on;
the meter's answer is the relation's own ``ran``. Indices: the Supplier's i-th issued command has
counter ``base + i`` (``base`` = the Supplier's command counter once the premises is built), so the
abstraction is ``issued`` = commands issued, ``last`` = the ESME's last accepted counter in the
Supplier cell minus ``base`` (0 before any), ``executed`` = the executed counters minus ``base``.

Actions:

- ``issue``: the Supplier sends a signed, ACB-MACed Add Debt over Wi-Fi to the PPMID.
- ``deliver i``: the PPMID forwards issued command i (out of turn, or again: a replay).
- ``deliver again``: the PPMID replays the command the meter executed last.
- ``forge k``: a command no entitled party issued, with counter ``base + k``, either as the relay
  at its luckiest (an unsigned Add Debt whose MAC is right in its first byte only: one guess in
  256 against a 1-byte comparison), or with a DCC insider's help (a correct ACB MAC, no Supplier
  signature: the signature is the barrier). Model: ``forge`` - the meter runs no such command.
"""
from __future__ import annotations

import z3
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Flaw, Scenario
from nowan.model.devices.commands import COMMANDS, encode_command
from nowan.model.gbcs.crypto import CRA_COMMAND
from nowan.model.gbcs.envelope import MAC_LEN, GeneralCiphering, GeneralSigning, other_info_for
from nowan.model.gbcs.protect import apply_mac, command_mac_key
from nowan.proofs import relay
from nowan.proofs.conformance.concrete import ConcreteModel, Values
from nowan.proofs.conformance.machine import Budget, ConformanceMachine, Evidence, run

COMMAND = ("add-debt", 100)


def ran(s: dict, a: dict, t: dict, p: dict) -> z3.BoolRef:
    """The meter's answer in the relation: issuing always succeeds; a delivery or forgery ran."""
    return z3.If(a["kind"] == relay.ISSUE, z3.BoolVal(True), a["ran"])


class RelayMachine(ConformanceMachine):
    """The PPMID relay in front of the ESME against ``relay.system``."""

    @initialize()
    def build(self) -> None:
        self.sc = Scenario.build(Assumptions(), self.device_flaws)
        self.base = self.sc.supplier.command_counter
        self.issued: list[bytes] = []
        self.begin(ConcreteModel(relay.system(), {}, ("issued", "last", "executed")), self.abstract)

    def abstract(self) -> Values:
        esme = self.sc.esme
        last = esme.last_counter.get((self.sc.supplier.eui, CRA_COMMAND), -1)
        return {"issued": len(self.issued), "last": max(0, last - self.base),
                "executed": frozenset(e.counter - self.base for e in esme.executed)}

    @rule()
    def issue(self) -> None:
        frame = self.sc.send_command("esme", *COMMAND)
        if frame is not None:
            self.sc.ppmid.receive_wifi(frame)
            self.issued.append(frame)
        self.check(f"issue {len(self.issued)}", {"kind": relay.ISSUE}, frame is not None, ran)

    @precondition(lambda self: bool(self.issued))
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(1, len(self.issued)))
        frame, ppmid = self.issued[index - 1], self.sc.ppmid
        out = ppmid.forward(ppmid.inbox.index(frame)) if frame in ppmid.inbox else ppmid.replay(ppmid.seen.index(frame))
        self.check(f"deliver {index}", {"kind": relay.DELIVER, "index": index}, out.accepted, ran)

    @precondition(lambda self: self.sc.esme.executed)
    @rule()
    def replay_last(self) -> None:
        """The relay sends again the last command the meter executed (its most tempting replay)."""
        index = self.sc.esme.executed[-1].counter - self.base
        out = self.sc.ppmid.replay(self.sc.ppmid.seen.index(self.issued[index - 1]))
        self.check(f"deliver {index} again", {"kind": relay.DELIVER, "index": index}, out.accepted, ran)

    @rule(ahead=st.integers(0, 3), insider=st.booleans())
    def forge(self, ahead: int, insider: bool) -> None:
        index = len(self.issued) + 1 + ahead
        esme = self.sc.esme
        name, value = COMMAND
        signing = GeneralSigning(CRA_COMMAND, self.base + index, self.sc.supplier.eui, esme.eui, None,
                                 other_info_for(COMMANDS[name].code_for("esme", value)),
                                 encode_command(name, self.base + index, value), None)
        mac = apply_mac(signing, command_mac_key(self.sc.dcc.acb.ka, esme.party.ka_public, signing)).mac  # type: ignore[arg-type]
        raw = GeneralCiphering(signing, mac if insider else mac[:1] + bytes(MAC_LEN - 1)).encode()
        out = self.sc.hub.han_relay_remote(self.sc.ppmid.eui, raw)
        self.check(f"forge {index} ({'insider ACB MAC, unsigned' if insider else 'MAC right in byte 1'})",
                   {"kind": relay.FORGE, "index": index}, out.accepted, ran)


def check(budget: Budget, flaws: frozenset[Flaw] = frozenset()) -> Evidence:
    machine = type("Relay", (RelayMachine,), {"device_flaws": flaws})
    return run(machine, "relay", budget)
