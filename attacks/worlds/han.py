"""HAN membership: the pairing channel (SECMP0037, inter-PAN window removed) and rogue devices.

The attacker holds a ZigBee SE certificate and is in radio range. It can cut the supply (a power
cycle reopens the inter-PAN window), try to join, replay CCS01 frames it saw on the WAN, and send
HAN-only commands (top-up relay, emergency credit, supply on) from a device that is not on the
hub's device log. Implementation invariant: the log changes only by a MACed, fresh CCS01/CCS02 or
by inter-PAN while the window is open, and nothing from a device off the log is passed on.
Channel weakness: a rogue device on the log at all (possible whenever the window is open).
"""
from __future__ import annotations

import math

from nowan.attacks.vocabulary import INDEX, step
from nowan.model.gbcs.envelope import MAC_LEN
from nowan.attacks.worlds.base import METERS, Observed, PremisesWorld
from nowan.model.devices.devicelog import DEVICE_TYPES
from nowan.model.devices.meter import HAN_EMERGENCY_CREDIT, HAN_SUPPLY_ON, HAN_TOPUP, SUPPLY_ON_REQUEST, HanMessage
from nowan.model.devices.outcomes import Reason
from nowan.model.devices.scenario import ROGUE_EUI, install_code

HAN_ACTIONS = ("emergency-credit", "supply-on", "top-up")
#: A DCC user whose role may not change a hub's device log (registered by the world).
NETWORK_OPERATOR_EUI = bytes.fromhex("90B3D51F30050000")


class PairingWorld(PremisesWorld):
    """A premises whose hub has an inter-PAN window of ``pairing.window_s`` after each power-on
    (``inf`` where the channel removes it, SECMP0037: its model says so in ``fuzz.assumptions``)."""

    world = "pairing"
    checks = PremisesWorld.checks + ("han-membership-authorised", "pairing-window-exact", "rogue-join-prevented")
    reads = ("pairing.window_s",)

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.rogue = self.sc.rogue()
        self.authorised: set[str] = set(e.hex() for e in self.sc.hub.device_log)
        self._log_seen = dict(self.sc.hub.device_log)
        self.window = float(self.assumptions["pairing.window_s"])
        #: When the supply last came on, by the world's own record (the hub's verdict is not trusted).
        self.powered_on_at = self.sc.hub.powered_on_at
        if not math.isinf(self.window):
            self.sc.clock.advance(self.window + 1)  # a premises installed long ago: the window has closed
        self.sc.dcc.register_user(NETWORK_OPERATOR_EUI, "network-operator", None)
        #: Device-log frames the DCC issued, against the changes the hub applied (each at most once).
        self.log_frames = 0
        self._log_changes_before = self._log_changes()

    def _log_changes(self) -> int:
        return sum(e.name == "device-log-changed" and e.data.get("via") == "ccs01" for e in self.sc.hub.events)

    def deadlines(self) -> list[float]:
        """The lockout's boundaries and the end of the inter-PAN window."""
        end = self.powered_on_at + self.window
        return sorted(super().deadlines() + ([end] if end > self.sc.clock.now else []))

    def window_open(self) -> bool:
        """Whether inter-PAN joining is allowed now, from the assumption and the world's power record."""
        return math.isinf(self.window) or self.sc.clock.now - self.powered_on_at <= self.window

    # -- legitimate -------------------------------------------------------------------------------
    @step("legit", kind=(0,))
    def do_add_device(self, kind: int) -> None:
        """The supplier adds the HHT through the DCC (SRV 8.11): an authorised change."""
        frame = self.add_hht()
        if frame is not None:
            self.sc.hub.receive_wan(frame)

    def add_hht(self) -> bytes | None:
        """The CCS01 the DCC issues for the supplier's request to add its HHT (seen by the attacker)."""
        eui = self.sc.hht.eui
        self.authorised.add(eui.hex())
        sub = self.sc.dcc.device_log_change(self.sc.supplier.eui, self.sc.supplier.command_counter + 1,
                                            self.sc.hub.eui, eui, add=True, install_code=install_code(eui),
                                            device_type=192, join_timeout_s=90)
        self.sc.supplier.command_counter += 1
        if sub.frame is not None:
            self.log_frames += 1
            self.observed.append(Observed("frame", "hub", sub.frame.hex()))
        return sub.frame

    @step("legit")
    def do_commission_hht(self) -> None:
        """The installer commissions the supplier's HHT over inter-PAN: inside the window the world
        records it must be admitted (``pairing-window-exact``); outside, it must not be."""
        open_ = self.window_open()
        out = self.sc.hht.commission(self.sc.hub)
        if open_ and not out.accepted:
            self.flag("pairing-window-exact", f"the hub refused the HHT over inter-PAN "
                                              f"{self.sc.clock.now - self.powered_on_at:g} s after power-on, "
                                              f"inside the {self.window:g} s window ({out.reason.value})")

    # -- attacker ---------------------------------------------------------------------------------
    @step("attacker", add=(True, False))
    def do_other_log_change(self, add: bool) -> None:
        """The other (not responsible) supplier asks the DCC to add the rogue device to this hub's
        log, or to remove the consumer's PPMID; whatever frame the DCC issues reaches the hub."""
        other = self.sc.supplier2
        other.command_counter += 1
        device = ROGUE_EUI if add else self.sc.ppmid.eui
        sub = self.sc.dcc.device_log_change(other.eui, other.command_counter, self.sc.hub.eui, device, add=add,
                                            install_code=install_code(device), device_type=DEVICE_TYPES["ppmid"])
        if sub.frame is not None:
            self.log_frames += 1
            self.observed.append(Observed("frame", "hub", sub.frame.hex()))
            self.sc.hub.receive_wan(sub.frame)

    @step("attacker", pos=range(MAC_LEN), bit=range(8))
    def do_tamper_ccs01(self, pos: int, bit: int) -> None:
        """The supplier adds its HHT; on the way the attacker flips one bit of the CCS01's MAC (byte
        ``pos``). The hub must drop it: a MAC checked on fewer bytes than GBCS's lets it through."""
        frame = self.add_hht()
        if frame is None:
            return
        raw = bytearray(frame)
        raw[len(raw) - MAC_LEN + pos] ^= 1 << bit
        if self.sc.hub.receive_wan(bytes(raw)).accepted:
            self.flag("han-membership-authorised", f"the hub applied a CCS01 whose MAC byte {pos} was altered "
                                                   "in transit")

    @step("attacker", add=(True, False), who=("stranger", "network-operator"))
    def do_outsider_log_change(self, add: bool, who: str) -> None:
        """Someone the DCC has never registered (the rogue device's owner), or a registered user whose
        role may not send CCS01/CCS02 (a network operator), asks it to add the rogue device to the
        hub's log, or to remove the PPMID."""
        device = ROGUE_EUI if add else self.sc.ppmid.eui
        sender = ROGUE_EUI if who == "stranger" else NETWORK_OPERATOR_EUI
        sub = self.sc.dcc.device_log_change(sender, 1, self.sc.hub.eui, device, add=add,
                                            install_code=install_code(device), device_type=DEVICE_TYPES["ppmid"])
        if sub.frame is not None:
            self.log_frames += 1
            self.observed.append(Observed("frame", "hub", sub.frame.hex()))
            self.sc.hub.receive_wan(sub.frame)

    @step("attacker")
    def do_power_cut(self) -> None:
        """Interrupt the supply (or pull the hub): the inter-PAN window reopens."""
        self.sc.hub.power_cycle()
        self.powered_on_at = self.sc.clock.now

    @step("attacker", device_type=("ppmid", "hht"))
    def do_rogue_join(self, device_type: str) -> None:
        self.rogue.commission(self.sc.hub, device_type)

    @step("attacker", index=INDEX)
    def do_replay_ccs01(self, index: int) -> None:
        item = self.pick(index, "frame")
        if item is not None:
            self.sc.hub.receive_wan(bytes.fromhex(item.data))

    @step("attacker", action=range(3), meter=METERS)
    def do_rogue_send(self, action: int, meter: str) -> None:
        """A HAN-only command from the rogue device, whether or not it is on the log."""
        m = self.meter(meter)
        act = HAN_ACTIONS[action % len(HAN_ACTIONS)]
        if act == "emergency-credit":
            msg = HanMessage(ROGUE_EUI, m.eui, HAN_EMERGENCY_CREDIT[m.kind])
        elif act == "supply-on" and m.kind in HAN_SUPPLY_ON:
            msg = HanMessage(ROGUE_EUI, m.eui, HAN_SUPPLY_ON[m.kind], bytes([SUPPLY_ON_REQUEST]))
        else:
            msg = HanMessage(ROGUE_EUI, m.eui, HAN_TOPUP[m.kind], b"")
        on_log = self.sc.hub.on_log(ROGUE_EUI)
        out = self.sc.hub.han_send(msg)
        if not on_log and out.reason is not Reason.NOT_ON_DEVICE_LOG:
            self.flag("han-membership-authorised",
                      f"the hub passed a {act} from {ROGUE_EUI.hex()}, which is not on its device log")

    # -- invariants -------------------------------------------------------------------------------
    def check(self) -> list[tuple[str, str]]:
        out = super().check()
        hub = self.sc.hub
        for eui, entry in hub.device_log.items():
            if eui in self._log_seen and self._log_seen[eui] is entry:
                continue
            if entry.via == "ccs01" and eui.hex() not in self.authorised:
                out.append(("han-membership-authorised", f"{eui.hex()} added by a CCS01 nobody issued"))
            if entry.via == "inter-pan" and not self.window_open():
                out.append(("han-membership-authorised", f"{eui.hex()} added over inter-PAN "
                                                          f"{self.sc.clock.now - self.powered_on_at:g} s after "
                                                          f"power-on, outside the {self.window:g} s window"))
        for eui in self._log_seen:
            if eui not in hub.device_log:
                out.append(("han-membership-authorised", f"{eui.hex()} removed from the device log by a CCS02 "
                                                          "the responsible supplier never issued"))
        self._log_seen = dict(hub.device_log)
        applied = self._log_changes() - self._log_changes_before
        if applied > self.log_frames:
            out.append(("han-membership-authorised", f"the hub applied {applied} device-log changes from the "
                                                      f"{self.log_frames} CCS01/CCS02 frames the DCC issued: a frame "
                                                      "was applied twice"))
        if hub.on_log(ROGUE_EUI) or ROGUE_EUI in hub.device_log:
            out.append(("rogue-join-prevented", f"rogue device {ROGUE_EUI.hex()} put itself on the device log "
                                                f"over inter-PAN (window {self.assumptions['pairing.window_s']})"))
        return [v for v in out if v[0] in self.checks]
