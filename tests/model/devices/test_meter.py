"""Meter behaviour: UTRN paths, lockout, limits, Remote Party checks and every MP094 effect."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from nowan.model.assumptions import Assumptions
from nowan.model.devices import Reason, Scenario, SimClock
from nowan.model.devices.keys import CachedKa, Party
from nowan.model.devices.meter import Meter, SupplierAnchor
from nowan.model.devices.outcomes import Alert, ZseResult
from nowan.model.gbcs.envelope import GeneralCiphering, parse_frame, parse_hex

DATA = Path(__file__).parent / "data"


def test_keypad_utrn_credits_once_then_duplicate():
    sc = Scenario.build()
    u = sc.mint("esme", 1000)
    ok = sc.esme.enter_utrn(u)
    assert ok.accepted and ok.credited_pence == 1000 and ok.alert == Alert.CREDIT_ADDED_LOCALLY
    assert sc.esme.account.balance_pence == 1000
    again = sc.esme.enter_utrn(u)
    assert again.reason is Reason.DUPLICATE and again.zse_result == ZseResult.REJECTED_DUPLICATE
    assert again.alert == Alert.DUPLICATE_UTRN and sc.esme.account.balance_pence == 1000


def test_utrn_for_another_meter_or_altered_is_not_authentic():
    sc = Scenario.build()
    u = sc.mint("gsme", 500)
    assert sc.esme.enter_utrn(u).reason is Reason.NOT_AUTHENTIC
    assert sc.esme.enter_utrn("12345").reason is Reason.MALFORMED


def test_out_of_order_recent_utrns_are_accepted():
    sc = Scenario.build()
    us = [sc.mint("esme", 100) for _ in range(3)]
    assert [sc.esme.enter_utrn(u).accepted for u in reversed(us)] == [True, True, True]


@pytest.mark.parametrize("policy", ["above-min", "nearest-max"])
def test_both_reconstruction_policies_accept_sequential_utrns(policy):
    sc = Scenario.build({"utrn.reconstruction": policy})
    for _ in range(5):
        assert sc.esme.enter_utrn(sc.mint("esme", 100)).accepted


def test_limits_refuse_large_topup_and_overfull_balance():
    sc = Scenario.build({"limits.max_topup_pence": 1000, "limits.max_balance_pence": 1500})
    big = sc.esme.enter_utrn(sc.mint("esme", 1100))
    assert big.reason is Reason.EXCEEDS_MAX_TOPUP and big.alert == Alert.UTRN_EXCEEDS_MAX_CREDIT
    assert sc.esme.enter_utrn(sc.mint("esme", 1000)).accepted
    full = sc.esme.enter_utrn(sc.mint("esme", 600))
    assert full.reason is Reason.EXCEEDS_MAX_BALANCE and full.alert == Alert.CREDIT_EXCEEDS_MAX_BALANCE
    assert sc.esme.account.balance_pence == 1000


def test_lockout_engages_after_configured_failures_and_lifts_after_lock_s():
    sc = Scenario.build({"lockout.max_failures": 3, "lockout.lock_s": 100})
    bad = sc.mint("gsme", 100)  # authentic, but not for the ESME
    for _ in range(3):
        assert sc.esme.enter_utrn(bad).reason is Reason.NOT_AUTHENTIC
    good = sc.mint("esme", 100)
    locked = sc.esme.enter_utrn(good)
    assert locked.reason is Reason.LOCKED_OUT and locked.zse_result == ZseResult.REJECTED_KEYPAD_LOCK
    assert any(e.code == Alert.UTRN_MANUAL_ENTRY_SUSPENDED for e in sc.esme.events)
    sc.clock.advance(99)
    assert sc.esme.enter_utrn(good).reason is Reason.LOCKED_OUT
    sc.clock.advance(1)
    assert sc.esme.enter_utrn(good).accepted


@pytest.mark.parametrize("covers", [True, False])
def test_lockout_covers_han_path_only_when_configured(covers):
    sc = Scenario.build({"lockout.max_failures": 2, "lockout.covers_han": covers})
    bad = sc.mint("gsme", 100)
    for _ in range(2):
        sc.esme.enter_utrn(bad)  # keypad failures engage the lock
    out = sc.ppmid.top_up(sc.esme.eui, "esme", sc.mint("esme", 100))
    assert out.accepted is (not covers)


def test_ppmid_han_only_authority():
    sc = Scenario.build()
    assert sc.ppmid.top_up(sc.gsme.eui, "gsme", sc.mint("gsme", 250)).accepted
    assert sc.gsme.account.balance_pence == 250
    assert sc.ppmid.emergency_credit(sc.esme.eui, "esme").accepted
    assert sc.esme.account.emergency_credit_active
    assert sc.ppmid.supply_on(sc.gsme.eui, "gsme").reason is Reason.NOT_ALLOWED


def wan(sc: Scenario, frame: bytes | None):
    assert frame is not None
    return sc.hub.receive_wan(frame)


def test_remote_command_counter_must_rise():
    sc = Scenario.build()
    f1 = sc.send_command("esme", "add-debt", 100)
    f2 = sc.send_command("esme", "add-debt", 50)
    assert wan(sc, f2).accepted
    assert wan(sc, f1).reason is Reason.REPLAYED_COUNTER  # older counter after a newer one
    assert wan(sc, f2).reason is Reason.REPLAYED_COUNTER  # same counter
    assert sc.esme.account.debt_pence == 50
    assert [e.command for e in sc.esme.executed] == ["add-debt"]


def test_remote_command_with_tampered_byte_is_refused():
    sc = Scenario.build()
    f = bytearray(sc.send_command("esme", "set-credit", 400) or b"")
    f[-20] ^= 0x01
    assert wan(sc, bytes(f)).reason in (Reason.BAD_MAC, Reason.MALFORMED)
    assert sc.esme.account.balance_pence == 0


def test_critical_command_needs_supplier_signature():
    sc = Scenario.build()
    s = sc.supplier.command(sc.esme.eui, "set-credit", 400)
    unsigned = replace(s, signature=None)
    # The DCC would refuse it; an attacker holding the ACB key path (or a relay) still cannot pass the meter.
    from nowan.model.gbcs.protect import apply_mac, command_mac_key
    frame = apply_mac(unsigned, command_mac_key(sc.dcc.acb.ka, sc.esme.party.ka_public, unsigned)).encode()
    assert wan(sc, frame).reason is Reason.BAD_SIGNATURE
    assert sc.dcc.submit(sc.supplier.eui, unsigned).outcome.reason is Reason.BAD_SIGNATURE


@pytest.mark.parametrize("command,value,check", [
    ("deduct-credit", 300, lambda a: a.balance_pence == 700),
    ("set-credit", 250, lambda a: a.balance_pence == 250),
    ("change-price", 31, lambda a: a.price_pence_per_kwh == 31),
    ("change-mode", 0, lambda a: a.mode == "credit"),
    ("add-debt", 120, lambda a: a.debt_pence == 120),
    ("set-debt", 80, lambda a: a.debt_pence == 80),
    ("set-non-disconnect", True, lambda a: a.non_disconnect),
])
@pytest.mark.parametrize("meter", ["esme", "gsme"])
def test_each_mp094_command_has_its_effect(meter, command, value, check):
    sc = Scenario.build()
    assert sc.meter(meter).enter_utrn(sc.mint(meter, 1000)).accepted
    assert wan(sc, sc.send_command(meter, command, value)).accepted
    assert check(sc.meter(meter).account)


def test_deduct_debt_and_revert_defaults():
    sc = Scenario.build()
    for cmd, v in (("add-debt", 300), ("deduct-debt", 100), ("change-price", 99), ("set-non-disconnect", True)):
        assert wan(sc, sc.send_command("esme", cmd, v)).accepted
    assert sc.esme.account.debt_pence == 200
    assert wan(sc, sc.send_command("esme", "revert-defaults")).accepted
    acc = sc.esme.account
    assert acc.price_pence_per_kwh == 25 and not acc.non_disconnect


def test_open_han_adds_to_device_log_via_ccs01():
    sc = Scenario.build()
    eui = bytes.fromhex("00DB1234567890C0")
    assert sc.add_to_log(eui, "ihd").accepted and eui in sc.hub.device_log


def test_wan_topup_uses_header_counter_and_cache():
    sc = Scenario.build()
    f = sc.wan_topup_frame("esme", 700)
    assert wan(sc, f).accepted and sc.esme.account.balance_pence == 700
    assert wan(sc, f).reason is Reason.DUPLICATE


def test_change_of_supplier_replaces_utrn_cell():
    sc = Scenario.build()
    old = sc.mint("esme", 100)
    sc.change_supplier()
    assert sc.esme.enter_utrn(old).reason is Reason.NOT_AUTHENTIC
    assert sc.esme.enter_utrn(sc.mint("esme", 100)).accepted


def _cert_pub(name: str):
    return x509.load_pem_x509_certificate((DATA / name).read_bytes()).public_key()


def _key(name: str):
    return load_pem_private_key((DATA / name).read_bytes(), None)


def test_meter_with_dcc_test_identity_accepts_the_rtds_cs01a_top_up():
    """Real reference bytes: ACB MAC and UTRN MAC both verify on the simulated meter."""
    esme_pub = _cert_pub("00db1234567890a0-ka.pem")
    acb, pp = _key("90b3d51f30000002-ka.key"), _key("90b3d51f30010000-pp-ka.key")
    party = Party("esme", bytes.fromhex("00DB1234567890A0"), "esme", None, CachedKa.from_secrets(esme_pub, [acb, pp]))
    supplier = SupplierAnchor(bytes.fromhex("90B3D51F30010000"), _cert_pub("90b3d51f30010000-ds.pem"),
                              pp.public_key())
    meter = Meter(party, SimClock(), Assumptions(), kind="esme", acb_eui=bytes.fromhex("90B3D51F30000002"),
                  acb_ka_public=acb.public_key(), supplier=supplier)
    raw = parse_hex((DATA / "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX").read_text())
    out = meter.receive_remote(raw)
    assert out.accepted and out.credited_pence == 1000 and meter.credited[0].upper == 3
    assert meter.receive_remote(raw).reason is Reason.DUPLICATE
    flipped = bytearray(raw)
    flipped[-1] ^= 0x80
    assert meter.receive_remote(bytes(flipped)).reason is Reason.BAD_MAC
    assert isinstance(parse_frame(raw), GeneralCiphering)


def test_command_floor_on_credential_change_refuses_counters_at_or_below_it():
    from nowan.model.devices import Flaw
    for flaws, expect in ((None, [False, True]), (Flaw.NO_FLOOR_CHECK, [True, True])):
        sc = Scenario.build(flaws=flaws)
        sc.esme.replace_supplier(sc.esme.supplier, pp_floor=0, command_floor=0x2000)
        results = []
        for counter in (0x2000, 0x2001):
            sc.supplier.command_counter = counter - 1
            frame = sc.send_command("esme", "add-debt", 10)
            results.append(sc.hub.receive_wan(frame).accepted)
        assert results == expect


def test_executed_command_records_a_digest_of_the_content_it_ran():
    """Originator, counter and code do not fix the value: the executed record carries the content digest."""
    import hashlib

    sc = Scenario.build()
    f = sc.send_command("esme", "set-credit", 500)
    assert wan(sc, f).accepted
    [e] = sc.esme.executed
    assert e.content_sha256 == hashlib.sha256(parse_frame(f).signing.content).hexdigest()
    other = sc.send_command("esme", "set-credit", 600)
    assert wan(sc, other).accepted
    assert sc.esme.executed[1].content_sha256 != e.content_sha256
