"""Comms Hub device log, windows and forwarding; DCC access control and the MP169 flag."""
from __future__ import annotations

import math

from nowan.model.devices import Reason, Scenario
from nowan.model.gbcs import codes

from nowan.model.devices.meter import HanMessage
from nowan.model.devices.scenario import ROGUE_EUI


def test_device_log_changes_raise_cs14_alerts_the_dcc_verifies():
    sc = Scenario.build()
    assert len(sc.hub.cs14_alerts) == 3
    assert all(sc.dcc.receive_alert(a).accepted for a in sc.hub.cs14_alerts)
    assert sc.dcc.receive_alert(sc.hub.cs14_alerts[0]).reason is Reason.REPLAYED_COUNTER


def test_device_log_not_changed_by_forged_or_replayed_ccs01():
    sc = Scenario.build()
    sub = sc.dcc.device_log_change(sc.supplier.eui, 9999, sc.hub.eui, ROGUE_EUI, add=True,
                                   install_code=b"0" * 16, device_type=132)
    assert sc.hub.receive_wan(sub.frame).accepted
    assert sc.hub.receive_wan(sub.frame).reason is Reason.REPLAYED_COUNTER
    forged = bytearray(sub.frame)
    forged[-1] ^= 1
    assert sc.hub.receive_wan(bytes(forged)).reason is Reason.BAD_MAC
    before = set(sc.hub.device_log)
    remove = sc.dcc.device_log_change(sc.supplier.eui, 10000, sc.hub.eui, ROGUE_EUI, add=False)
    assert sc.hub.receive_wan(remove.frame).accepted and set(sc.hub.device_log) == before - {ROGUE_EUI}


def test_join_needs_window_and_install_code():
    sc = Scenario.build()
    eui = bytes.fromhex("00DB1234567890C1")
    sc.add_to_log(eui, "ihd", join_timeout_s=90)
    assert sc.hub.join(eui, b"x" * 16).reason is Reason.NOT_AUTHENTIC
    sc.clock.advance(91)
    from nowan.model.devices.scenario import install_code
    assert sc.hub.join(eui, install_code(eui)).reason is Reason.WINDOW_CLOSED


def test_inter_pan_window_closes_and_power_cycle_reopens_it():
    sc = Scenario.build()
    sc.clock.advance(3601)
    assert not sc.hub.inter_pan_open()
    assert sc.hht.commission(sc.hub).reason is Reason.WINDOW_CLOSED
    sc.hub.power_cycle()
    assert sc.hht.commission(sc.hub).accepted and sc.hub.on_log(sc.hht.eui)


def test_removed_window_is_always_open():
    sc = Scenario.build({"pairing.window_s": "inf"})
    sc.clock.advance(10**9)
    assert math.isinf(sc.hub.window_s) and sc.hub.inter_pan_open()


def test_rogue_join_gets_han_authority_but_needs_a_valid_zse_cert():
    sc = Scenario.build()
    assert sc.rogue(cert_valid=False).commission(sc.hub, "ppmid").reason is Reason.BAD_CERTIFICATE
    rogue = sc.rogue()
    assert rogue.commission(sc.hub, "ppmid").accepted
    msg = HanMessage(rogue.eui, sc.esme.eui, 0x0117)
    assert sc.hub.han_send(msg).accepted  # emergency credit from the rogue "PPMID"
    assert not any(e.data.get("via") == "inter-pan" and e.code for e in sc.hub.events)  # no CS14


def test_han_traffic_from_devices_not_on_log_is_dropped():
    sc = Scenario.build()
    stranger = sc.rogue()
    sc.hub.attach(stranger)
    assert sc.hub.han_send(HanMessage(stranger.eui, sc.esme.eui, 0x0117)).reason is Reason.NOT_ON_DEVICE_LOG
    frame = sc.send_command("esme", "add-debt", 10)
    assert sc.hub.han_relay_remote(stranger.eui, frame).reason is Reason.NOT_ON_DEVICE_LOG
    assert sc.esme.account.debt_pence == 0 and not sc.esme.account.emergency_credit_active


def test_forwarding_only_to_devices_on_log():
    sc = Scenario.build()
    frame = sc.send_command("esme", "add-debt", 10)
    remove = sc.dcc.device_log_change(sc.supplier.eui, 5000, sc.hub.eui, sc.esme.eui, add=False)
    assert sc.hub.receive_wan(remove.frame).accepted
    assert sc.hub.receive_wan(frame).reason is Reason.NOT_ON_DEVICE_LOG


def test_ppmid_relay_can_reorder_and_replay_but_not_forge():
    sc = Scenario.build()
    f1, f2 = sc.send_command("esme", "add-debt", 10), sc.send_command("esme", "add-debt", 20)
    sc.ppmid.receive_wifi(f1)
    sc.ppmid.receive_wifi(f2)
    assert sc.ppmid.forward(1).accepted           # f2 first
    assert sc.ppmid.forward(0).reason is Reason.REPLAYED_COUNTER  # f1 now stale: withheld for good
    assert sc.ppmid.replay(1).reason is Reason.REPLAYED_COUNTER
    assert sc.esme.account.debt_pence == 20


def test_dcc_checks_role_and_responsible_supplier():
    sc = Scenario.build()
    s2 = sc.supplier2.command(sc.esme.eui, "add-debt", 10)
    assert sc.dcc.submit(sc.supplier2.eui, s2).outcome.reason is Reason.NOT_RESPONSIBLE_SUPPLIER
    ppmid_code = sc.supplier.raw_command(sc.esme.eui, 0x0116, b"")
    assert sc.dcc.submit(sc.supplier.eui, ppmid_code).outcome.reason is Reason.WRONG_ROLE
    assert sc.dcc.submit(sc.ppmid.eui, sc.supplier.command(sc.esme.eui, "add-debt", 1)).outcome.reason \
        is Reason.UNKNOWN_ORIGINATOR


def test_dcc_relays_supplier_originated_joins_and_unjoins():
    """CS03A2, CS03C, CS04AC and CS02b have a form the Supplier originates (catalogue originator
    ``remote-party-or-acb``): the DCC must relay it, signed, to the responsible supplier's device,
    and still refuse the same command from another supplier."""
    sc = Scenario.build()
    for code in (0x000F, 0x00AB, 0x00AF, 0x0102):  # CS04AC, CS03A2, CS03C, CS02b supplierBySupplier
        entry = codes.lookup(code)
        assert entry is not None and entry.originator == "remote-party-or-acb", hex(code)
        sub = sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(sc.esme.eui, code, b""))
        assert sub.frame is not None, (entry.use_case, sub.outcome)
        other = sc.dcc.submit(sc.supplier2.eui, sc.supplier2.raw_command(sc.esme.eui, code, b""))
        assert other.outcome.reason is Reason.NOT_RESPONSIBLE_SUPPLIER, entry.use_case


def test_mp169_flag_rules():
    sc = Scenario.build()
    read = lambda: sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(sc.esme.eui, 0x0069, b""))  # noqa: E731
    assert read().frame is not None
    assert sc.dcc.set_mp169(sc.supplier2.eui, sc.esme.eui, True).reason is Reason.NOT_RESPONSIBLE_SUPPLIER
    assert sc.dcc.set_mp169(sc.supplier.eui, sc.esme.eui, True).accepted
    assert read().outcome.reason is Reason.MP169_BLOCKED
    assert sc.send_command("esme", "add-debt", 5) is not None  # non-consumption commands still pass
    assert sc.dcc.receive_alert(sc.hub.cs14_alerts[0]).accepted  # alerts still pass
    sc.change_supplier()
    assert sc.dcc.devices[sc.esme.eui].mp169  # survives change of supplier
    assert sc.dcc.set_mp169(sc.supplier2.eui, sc.esme.eui, False).reason is Reason.NOT_RESPONSIBLE_SUPPLIER
    assert sc.dcc.set_mp169(sc.supplier.eui, sc.esme.eui, False).accepted
    assert read().frame is not None


def test_steps_are_plain_and_replayable():
    import json
    sc = Scenario.build()
    u = sc.apply({"op": "mint", "meter": "esme", "pence": 300})["utrn"]
    steps = [{"op": "keypad", "meter": "esme", "utrn": u}, {"op": "advance", "seconds": 10},
             {"op": "keypad", "meter": "esme", "utrn": u}, {"op": "power_cycle"},
             {"op": "rogue_join", "device_type": "ppmid"}]
    results = sc.run(steps)
    assert [r.get("reason") for r in results[::2]] == ["accepted", "duplicate", "accepted"]
    replayed = Scenario.build()
    replayed.run(json.loads(json.dumps(sc.trace)))
    assert replayed.state() == sc.state()


def test_only_the_hubs_responsible_supplier_changes_its_device_log():
    sc = Scenario.build()
    other = sc.supplier2.eui
    add = sc.dcc.device_log_change(other, 1, sc.hub.eui, ROGUE_EUI, add=True, install_code=b"0" * 16)
    remove = sc.dcc.device_log_change(other, 2, sc.hub.eui, sc.ppmid.eui, add=False)
    assert add.frame is None and add.outcome.reason is Reason.NOT_RESPONSIBLE_SUPPLIER
    assert remove.frame is None and remove.outcome.reason is Reason.NOT_RESPONSIBLE_SUPPLIER
    sc.change_supplier()  # the hub moves with the meters: the new supplier may now change its log
    assert sc.dcc.device_log_change(other, 3, sc.hub.eui, ROGUE_EUI, add=True,
                                  install_code=b"0" * 16).frame is not None


def test_mp169_suppresses_every_read_directly_about_consumption_and_no_other():
    """Seed 001 section 2.5: the flag suppresses the messages that relate directly to consumption.
    The old set held prepayment registers, billing logs of credits and balances only: half-hour
    profiles, daily logs and energy registers still reached a flagged meter's Supplier."""
    sc = Scenario.build()
    assert sc.dcc.set_mp169(sc.supplier.eui, sc.esme.eui, True).accepted
    assert sc.dcc.set_mp169(sc.supplier.eui, sc.gsme.eui, True).accepted

    def reason(device, code):
        sub = sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(device.eui, code, b""))
        return sub.outcome.reason if sub.frame is None else None

    for code in (0x0037, 0x0027, 0x0033, 0x0060):     # ECS22b half-hour import, ECS17b, ECS21a, ECS66
        assert reason(sc.esme, code) is Reason.MP169_BLOCKED, hex(code)
    for code in (0x0078, 0x0074, 0x00A0):             # GCS17 profile log, GCS13a, GCS61
        assert reason(sc.gsme, code) is Reason.MP169_BLOCKED, hex(code)
    for code in (0x0036, 0x0048):                     # ECS22a half-hour export, ECS35a event log: still flow
        assert reason(sc.esme, code) is None, hex(code)
