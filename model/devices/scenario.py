"""One premises in one call: Supplier, DCC/ACB, Comms Hub, ESME, GSME, PPMID and HHT on one clock.

``Scenario.build()`` gives a commissioned premises: the devices are registered at the DCC, added to
the hub's device log by real CCS01 frames, joined, and in radio range; the clock is at 0 and the
hub was powered on at 0 (so the inter-PAN window is open until ``pairing.window_s``). All keys are
deterministic, so two builds with the same arguments behave identically.

Steps are plain dicts (JSON-serialisable) so an attacker's or a proof's trace can be stored and
replayed with :meth:`Scenario.apply` / :meth:`Scenario.run`; see ``STEP_OPS`` for the operations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from nowan.model.assumptions import Assumptions
from nowan.model.devices.clock import SimClock
from nowan.model.devices.commands import ESME, GSME
from nowan.model.devices.dcc import Dcc
from nowan.model.devices.devicelog import DEVICE_TYPES
from nowan.model.devices.flaws import Flaw, as_flaws
from nowan.model.devices.headend import SupplierHeadEnd
from nowan.model.devices.hub import CommsHub, ZseCertificate
from nowan.model.devices.keys import Party, make_party
from nowan.model.devices.meter import Meter, SupplierAnchor
from nowan.model.devices.outcomes import Outcome
from nowan.model.devices.ppmid import Hht, Ppmid

SUPPLIER_EUI = bytes.fromhex("90B3D51F30010000")
SUPPLIER2_EUI = bytes.fromhex("90B3D51F30030000")
ACB_EUI = bytes.fromhex("90B3D51F30000002")
ESME_EUI = bytes.fromhex("00DB1234567890A0")
GSME_EUI = bytes.fromhex("00DB1234567890A1")
CHF_EUI = bytes.fromhex("00DB1234567890A2")
PPMID_EUI = bytes.fromhex("00DB1234567890A4")
HHT_EUI = bytes.fromhex("00DB1234567890B0")
ROGUE_EUI = bytes.fromhex("00DB12345678FFFF")


def install_code(eui: bytes) -> bytes:
    """A deterministic 16-byte install code per device."""
    return (eui.hex().upper() * 2)[:16].encode()


def anchor(supplier: Party) -> SupplierAnchor:
    return SupplierAnchor(supplier.eui, supplier.ds_public, supplier.pp_public)


@dataclass
class Scenario:
    """A wired premises; every attribute is the live device, readable for invariants."""

    clock: SimClock
    assumptions: Assumptions
    supplier: SupplierHeadEnd
    supplier2: SupplierHeadEnd
    dcc: Dcc
    hub: CommsHub
    esme: Meter
    gsme: Meter
    ppmid: Ppmid
    hht: Hht
    flaws: frozenset[Flaw] = field(default_factory=frozenset)
    trace: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def build(cls, assumptions: Assumptions | Mapping[str, Any] | None = None,
              flaws: Iterable[Flaw] | Flaw | None = None, *, commission_hht: bool = False) -> "Scenario":
        a = assumptions if isinstance(assumptions, Assumptions) else Assumptions(assumptions or {})
        fl = as_flaws(flaws)
        clock = SimClock()
        sup_p = make_party("supplier", SUPPLIER_EUI, "supplier", prepayment=True)
        sup2_p = make_party("supplier2", SUPPLIER2_EUI, "supplier", prepayment=True)
        acb_p = make_party("dcc", ACB_EUI, "acb")
        dcc = Dcc(acb_p, clock, fl)
        supplier, supplier2 = SupplierHeadEnd(sup_p, clock), SupplierHeadEnd(sup2_p, clock)
        for s in (sup_p, sup2_p):
            dcc.register_user(s.eui, "supplier", s.ds_public)
        hub = CommsHub(make_party("hub", CHF_EUI, "chf"), clock, a, acb_eui=ACB_EUI,
                       acb_ka_public=acb_p.ka_public, flaws=fl)
        dcc.register_device(CHF_EUI, "chf", hub.party.ka_public, SUPPLIER_EUI)
        meters = {}
        for name, eui, kind in (("esme", ESME_EUI, ESME), ("gsme", GSME_EUI, GSME)):
            mp = make_party(name, eui, kind)
            meters[name] = Meter(mp, clock, a, kind=kind, acb_eui=ACB_EUI, acb_ka_public=acb_p.ka_public,
                                 supplier=anchor(sup_p), flaws=fl)
            dcc.register_device(eui, kind, mp.ka_public, SUPPLIER_EUI)
        ppmid = Ppmid(make_party("ppmid", PPMID_EUI, "ppmid"), clock, hub, install_code(PPMID_EUI))
        dcc.register_device(PPMID_EUI, "ppmid", ppmid.party.ka_public, SUPPLIER_EUI)
        hht = Hht(make_party("hht", HHT_EUI, "hht"), clock, install_code(HHT_EUI))
        sc = cls(clock, a, supplier, supplier2, dcc, hub, meters["esme"], meters["gsme"], ppmid, hht, fl)
        for dev, kind in ((sc.esme, "esme"), (sc.gsme, "gsme"), (ppmid, "ppmid")):
            sc.add_to_log(dev.eui, kind)
            hub.attach(dev)
            out = hub.join(dev.eui, install_code(dev.eui))
            assert out.accepted, out
        if commission_hht:
            assert hht.commission(hub).accepted
        return sc

    # ------------------------------------------------------------------ conveniences
    def meter(self, name: str) -> Meter:
        return {"esme": self.esme, "gsme": self.gsme}[name]

    def add_to_log(self, eui: bytes, kind: str, *, join_timeout_s: int = 90) -> Outcome:
        """SRV 8.11 through the DCC, delivered to the hub over the WAN."""
        self.supplier.command_counter += 1
        sub = self.dcc.device_log_change(self.supplier.eui, self.supplier.command_counter, self.hub.eui, eui,
                                         add=True, install_code=install_code(eui),
                                         device_type=DEVICE_TYPES[kind], join_timeout_s=join_timeout_s)
        assert sub.frame is not None, sub
        return self.hub.receive_wan(sub.frame)

    def mint(self, meter: str, pence: int, counter: int | None = None) -> str:
        m = self.meter(meter)
        return self.supplier.mint_utrn(m.eui, m.party.ka_public, pence, counter)

    def send_command(self, meter: str, command_id: str, value: Any = None) -> bytes | None:
        """Build, sign (if Critical) and ACB-protect a command; returns the frame (None if refused)."""
        m = self.meter(meter)
        sub = self.dcc.submit(self.supplier.eui, self.supplier.command(m.eui, command_id, value, kind=m.kind))
        return sub.frame

    def wan_topup_frame(self, meter: str, pence: int) -> bytes | None:
        m = self.meter(meter)
        counter = self.supplier.next_utrn_counter(m.eui)
        utrn = self.supplier.mint_utrn(m.eui, m.party.ka_public, pence, counter)
        return self.dcc.submit(self.supplier.eui, self.supplier.topup_command(m.eui, utrn, counter, kind=m.kind)).frame

    def rogue(self, cert_valid: bool = True) -> Hht:
        """A device with a ZigBee SE certificate in radio range (not on the log)."""
        p = make_party("rogue", ROGUE_EUI, "hht")
        return Hht(p, self.clock, install_code(ROGUE_EUI), ZseCertificate(ROGUE_EUI, valid=cert_valid))

    def change_supplier(self) -> None:
        """Change of supplier to supplier2: DCC registration and meter trust anchors (MP169 stays).

        The hub and the PPMID move with the meters: the new supplier is now the one the DCC lets
        change the hub's device log.
        """
        for m in (self.esme, self.gsme):
            self.dcc.change_supplier(m.eui, self.supplier2.eui)
            m.replace_supplier(anchor(self.supplier2.party), pp_floor=0)
        for eui in (self.hub.eui, self.ppmid.eui):
            self.dcc.change_supplier(eui, self.supplier2.eui)
        self.supplier, self.supplier2 = self.supplier2, self.supplier

    # ------------------------------------------------------------------ serialisable steps
    def apply(self, step: Mapping[str, Any]) -> dict[str, Any]:
        """Run one plain step (see STEP_OPS) and return a plain result; the step is appended to trace."""
        op = step["op"]
        fn = STEP_OPS.get(op)
        if fn is None:
            raise ValueError(f"unknown step op {op!r}; expected one of {', '.join(STEP_OPS)}")
        result = fn(self, step)
        self.trace.append(dict(step))
        return result

    def run(self, steps: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [self.apply(s) for s in steps]

    def state(self) -> dict[str, Any]:
        """Everything invariants read, as plain data."""
        return {"t": self.clock.now, "esme": self.esme.snapshot(), "gsme": self.gsme.snapshot(),
                "hub": self.hub.snapshot(), "ppmid": self.ppmid.snapshot(),
                "mp169": {e.hex(): r.mp169 for e, r in self.dcc.devices.items()}}


def _out(o: Outcome) -> dict[str, Any]:
    return o.to_dict()


def _frame(step: Mapping[str, Any]) -> bytes:
    return bytes.fromhex(step["frame"])


STEP_OPS: dict[str, Callable[[Scenario, Mapping[str, Any]], dict[str, Any]]] = {
    # {"op": "advance", "seconds": 60}
    "advance": lambda sc, s: {"t": sc.clock.advance(float(s["seconds"]))},
    # {"op": "mint", "meter": "esme", "pence": 1000} -> {"utrn": ...}
    "mint": lambda sc, s: {"utrn": sc.mint(s["meter"], int(s["pence"]), s.get("counter"))},
    # {"op": "keypad", "meter": "esme", "utrn": "7394..."}
    "keypad": lambda sc, s: _out(sc.meter(s["meter"]).enter_utrn(s["utrn"], "keypad")),
    # {"op": "ppmid_topup", "meter": "esme", "utrn": "..."}
    "ppmid_topup": lambda sc, s: _out(sc.ppmid.top_up(sc.meter(s["meter"]).eui, sc.meter(s["meter"]).kind, s["utrn"])),
    # {"op": "ppmid_emergency_credit", "meter": "esme"}
    "ppmid_emergency_credit": lambda sc, s: _out(sc.ppmid.emergency_credit(sc.meter(s["meter"]).eui,
                                                                          sc.meter(s["meter"]).kind)),
    # {"op": "ppmid_supply_on"}
    "ppmid_supply_on": lambda sc, s: _out(sc.ppmid.supply_on(sc.esme.eui)),
    # {"op": "command", "meter": "esme", "command": "set-debt", "value": 100} -> {"frame": hex|None}
    "command": lambda sc, s: {"frame": (lambda f: f.hex() if f else None)(
        sc.send_command(s["meter"], s["command"], s.get("value")))},
    # {"op": "wan", "frame": hex}: deliver a frame to the hub from the WAN side
    "wan": lambda sc, s: _out(sc.hub.receive_wan(_frame(s))),
    # {"op": "wifi", "frame": hex}: the Supplier sends a frame to the PPMID over Wi-Fi (relay mode)
    "wifi": lambda sc, s: (sc.ppmid.receive_wifi(_frame(s)), {"queued": len(sc.ppmid.inbox)})[1],
    # {"op": "ppmid_forward", "index": 0} / "ppmid_drop" / "ppmid_replay"
    "ppmid_forward": lambda sc, s: _out(sc.ppmid.forward(int(s.get("index", 0)))),
    "ppmid_drop": lambda sc, s: {"dropped": sc.ppmid.drop(int(s.get("index", 0)))},
    "ppmid_replay": lambda sc, s: _out(sc.ppmid.replay(int(s["index"]))),
    # {"op": "han_relay", "source": "00db...", "frame": hex}: any device puts a frame on the HAN
    "han_relay": lambda sc, s: _out(sc.hub.han_relay_remote(bytes.fromhex(s["source"]), _frame(s))),
    # {"op": "power_cycle"}
    "power_cycle": lambda sc, s: (sc.hub.power_cycle(), {"t": sc.clock.now})[1],
    # {"op": "rogue_join", "device_type": "ppmid"}
    "rogue_join": lambda sc, s: _out(sc.rogue(bool(s.get("cert_valid", True))).commission(
        sc.hub, s.get("device_type", "ppmid"))),
    # {"op": "consume", "meter": "esme", "kwh": 10}
    "consume": lambda sc, s: {"charged": sc.meter(s["meter"]).consume(int(s["kwh"]))},
}
