"""Each seeded flaw breaks the property it names; the faithful device keeps it on the same inputs."""
from __future__ import annotations

from dataclasses import replace

from nowan.model.devices import Flaw, Reason, Scenario
from nowan.model.devices.scenario import anchor
from nowan.model.gbcs.protect import apply_mac, command_mac_key
from nowan.model.gbcs.utrn import Ptut, decode_utrn, utrn_from_ptut


def credited_twice(sc: Scenario) -> bool:
    uppers = [c.upper for c in sc.esme.credited]
    return len(uppers) != len(set(uppers))


def test_no_duplicate_check_credits_a_utrn_twice():
    for flaw, expect in ((None, False), (Flaw.NO_DUPLICATE_CHECK, True)):
        sc = Scenario.build(flaws=flaw)
        u = sc.mint("esme", 500)
        sc.esme.enter_utrn(u)
        sc.esme.enter_utrn(u)
        assert credited_twice(sc) is expect


def test_non_atomic_check_credits_interleaved_entries_twice():
    for flaw, expect in ((None, False), (Flaw.NON_ATOMIC_UTRN_CHECK, True)):
        sc = Scenario.build(flaws=flaw)
        u = sc.mint("esme", 500)
        t1, t2 = sc.esme.begin_utrn(u, "keypad"), sc.esme.begin_utrn(u, "han")
        sc.esme.finish_utrn(t1)
        sc.esme.finish_utrn(t2)
        assert credited_twice(sc) is expect


def test_counter_equal_accepted_executes_a_replayed_command():
    for flaw, expect in ((None, 1), (Flaw.COUNTER_EQUAL_ACCEPTED, 2)):
        sc = Scenario.build(flaws=flaw)
        f = sc.send_command("esme", "add-debt", 100)
        sc.hub.receive_wan(f)
        sc.hub.receive_wan(f)
        assert len(sc.esme.executed) == expect


def test_lockout_off_never_locks():
    for flaw, expect in ((None, Reason.LOCKED_OUT), (Flaw.LOCKOUT_OFF, Reason.NOT_AUTHENTIC)):
        sc = Scenario.build({"lockout.max_failures": 3}, flaw)
        bad = sc.mint("gsme", 100)
        for _ in range(4):
            last = sc.esme.enter_utrn(bad)
        assert last.reason is expect


def test_device_log_bypass_lets_strangers_talk():
    for flaw, expect in ((None, False), (Flaw.DEVICE_LOG_BYPASS, True)):
        sc = Scenario.build(flaws=flaw)
        stranger = sc.rogue()
        sc.hub.attach(stranger)
        frame = sc.send_command("esme", "add-debt", 100)  # captured, never delivered over the WAN
        out = sc.hub.han_relay_remote(stranger.eui, frame)
        assert out.accepted is expect and (sc.esme.account.debt_pence == 100) is expect


def forged_utrns(sc: Scenario, pence: int):
    """An authentic UTRN's counter with a larger value, under each of 256 low MAC bytes."""
    real = decode_utrn(sc.mint("esme", 100))
    base = Ptut(real.counter10, real.value_class, pence, real.mac)
    for low in range(256):
        yield utrn_from_ptut(replace(base, mac=(base.mac & ~0xFF) | low).to_int())


def test_short_mac_compare_accepts_a_forged_utrn():
    for flaw, expect in ((None, False), (Flaw.SHORT_MAC_COMPARE, True)):
        sc = Scenario.build({"lockout.max_failures": 0}, flaw)
        accepted = [u for u in forged_utrns(sc, 5000) if sc.esme.enter_utrn(u).accepted]
        assert bool(accepted) is expect


def test_short_mac_compare_accepts_a_command_with_a_forged_mac_tail():
    for flaw, expect in ((None, False), (Flaw.SHORT_MAC_COMPARE, True)):
        sc = Scenario.build(flaws=flaw)
        raw = bytearray(sc.send_command("esme", "add-debt", 100))
        raw[-11:] = bytes(11)  # keep the first MAC byte, zero the rest
        assert sc.hub.receive_wan(bytes(raw)).accepted is expect


def test_critical_signature_unchecked_executes_an_unsigned_critical_command():
    for flaw, expect in ((None, False), (Flaw.CRITICAL_SIGNATURE_UNCHECKED, True)):
        sc = Scenario.build(flaws=flaw)
        s = replace(sc.supplier.command(sc.esme.eui, "set-credit", 4000), signature=None)
        frame = apply_mac(s, command_mac_key(sc.dcc.acb.ka, sc.esme.party.ka_public, s)).encode()
        assert sc.hub.receive_wan(frame).accepted is expect
        assert (sc.esme.account.balance_pence == 4000) is expect


def test_no_floor_check_accepts_a_counter_at_or_below_the_floor():
    for flaw, expect in ((None, False), (Flaw.NO_FLOOR_CHECK, True)):
        sc = Scenario.build(flaws=flaw)
        old = sc.mint("esme", 100, counter=3 << 32)
        sc.esme.replace_supplier(anchor(sc.supplier.party), pp_floor=5 << 32)
        assert sc.esme.enter_utrn(old).accepted is expect


def test_every_flaw_is_exercised_here():
    from pathlib import Path
    text = Path(__file__).read_text()
    assert all(f"Flaw.{f.name})" in text or f"Flaw.{f.name}," in text for f in Flaw)


def test_mp169_flaws_break_the_dcc_policy_they_name():
    for flaw in (None, Flaw.MP169_ANY_SENDER, Flaw.MP169_NOT_ENFORCED, Flaw.MP169_CLEARED_ON_COS):
        sc = Scenario.build(flaws=flaw)
        other_sets = sc.dcc.set_mp169(sc.supplier2.eui, sc.esme.eui, True).accepted
        assert other_sets is (flaw is Flaw.MP169_ANY_SENDER)
        assert sc.dcc.set_mp169(sc.supplier.eui, sc.esme.eui, True).accepted
        read = sc.dcc.submit(sc.supplier.eui, sc.supplier.raw_command(sc.esme.eui, 0x0069, b""))
        assert (read.frame is not None) is (flaw is Flaw.MP169_NOT_ENFORCED)
        sc.change_supplier()
        assert sc.dcc.devices[sc.esme.eui].mp169 is (flaw is not Flaw.MP169_CLEARED_ON_COS)
