"""Hypothesis property tests over random step sequences (many operations per example)."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, strategies as st

from nowan.model.devices import Reason, Scenario

ASSUME = {"limits.max_topup_pence": 3000, "limits.max_balance_pence": 6000, "utrn.cache_size": 8,
          "lockout.max_failures": 4}

utrn_action = st.one_of(
    st.tuples(st.just("mint"), st.sampled_from(["esme", "gsme"]), st.integers(1, 4000)),
    st.tuples(st.just("enter"), st.integers(0, 50), st.sampled_from(["keypad", "han"]), st.sampled_from(["esme", "gsme"])),
    st.tuples(st.just("interleave"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(0, 2000)),
    st.tuples(st.just("consume"), st.integers(0, 40)),
    st.tuples(st.just("garbage"), st.text("0123456789", min_size=0, max_size=22)),
)


@given(st.sampled_from(["above-min", "nearest-max"]), st.lists(utrn_action, min_size=1, max_size=60))
def test_no_utrn_credited_twice_and_credit_within_limits(policy, actions):
    sc = Scenario.build({**ASSUME, "utrn.reconstruction": policy})
    minted: list[tuple[str, str]] = []
    for a in actions:
        if a[0] == "mint":
            minted.append((a[1], sc.mint(a[1], a[2])))
        elif a[0] == "enter" and minted:
            meter, utrn = minted[a[1] % len(minted)]
            m = sc.meter(a[3])
            if a[2] == "keypad":
                m.enter_utrn(utrn)
            else:
                sc.ppmid.top_up(m.eui, m.kind, utrn)
        elif a[0] == "interleave" and minted:
            t1 = sc.esme.begin_utrn(minted[a[1] % len(minted)][1])
            t2 = sc.esme.begin_utrn(minted[a[2] % len(minted)][1], "han")
            sc.esme.finish_utrn(t1)
            sc.esme.finish_utrn(t2)
        elif a[0] == "advance":
            sc.clock.advance(a[1])
        elif a[0] == "consume":
            sc.esme.consume(a[1])
        elif a[0] == "garbage":
            assert not sc.esme.enter_utrn(a[1]).accepted or a[1] in {u for _, u in minted}
        for m in (sc.esme, sc.gsme):
            uppers = Counter(c.upper for c in m.credited)
            assert all(n == 1 for n in uppers.values()), "a UTRN counter was credited twice"
            assert all(c.pence <= ASSUME["limits.max_topup_pence"] for c in m.credited)
            assert m.account.balance_pence <= ASSUME["limits.max_balance_pence"]
            assert m.account.emergency_credit_pence <= m.account.config.emergency_credit_limit_pence
            assert len(m.utrn_cell.entries) <= ASSUME["utrn.cache_size"]


@given(st.lists(st.tuples(st.sampled_from(["new", "deliver", "relay"]), st.integers(0, 30)), min_size=1, max_size=40))
def test_command_with_counter_not_above_last_is_refused(actions):
    sc = Scenario.build()
    frames: list[tuple[int, bytes]] = []
    for kind, i in actions:
        if kind == "new":
            s = sc.supplier.command(sc.esme.eui, "add-debt", 1)
            frames.append((s.counter, sc.dcc.submit(sc.supplier.eui, s).frame))
            continue
        if not frames:
            continue
        counter, raw = frames[i % len(frames)]
        last = max((e.counter for e in sc.esme.executed), default=-1)
        out = sc.hub.receive_wan(raw) if kind == "deliver" else sc.hub.han_relay_remote(sc.ppmid.eui, raw)
        assert out.accepted == (counter > last)
        if not out.accepted:
            assert out.reason is Reason.REPLAYED_COUNTER
    counters = [e.counter for e in sc.esme.executed]
    assert counters == sorted(set(counters))
    assert sc.esme.account.debt_pence == len(counters)


@given(st.lists(st.tuples(st.sampled_from(["han", "relay", "rogue_join", "power_cycle", "advance"]),
                          st.integers(0, 4000)), min_size=1, max_size=30), st.sampled_from([3600, "inf"]))
def test_only_devices_on_the_log_talk_on_the_han(actions, window):
    from nowan.model.devices.meter import HanMessage
    sc = Scenario.build({"pairing.window_s": window})
    rogue = sc.rogue()
    sc.hub.attach(rogue)
    frame = sc.send_command("esme", "add-debt", 1)
    for op, n in actions:
        was_on_log = sc.hub.on_log(rogue.eui)
        if op == "han":
            out = sc.hub.han_send(HanMessage(rogue.eui, sc.esme.eui, 0x0117))
            assert out.accepted <= was_on_log
            if not was_on_log:
                assert out.reason is Reason.NOT_ON_DEVICE_LOG
        elif op == "relay":
            out = sc.hub.han_relay_remote(rogue.eui, frame)
            if not was_on_log:
                assert out.reason is Reason.NOT_ON_DEVICE_LOG
        elif op == "rogue_join":
            out = rogue.commission(sc.hub, "ppmid")
            assert out.accepted == sc.hub.inter_pan_open()
        elif op == "power_cycle":
            sc.hub.power_cycle()
        else:
            sc.clock.advance(n)
    for ev in sc.esme.events_named("emergency-credit-activated"):
        assert bytes.fromhex(ev.data["source"]) in sc.hub.device_log


@given(st.integers(1, 8), st.integers(1, 900), st.integers(60, 5000), st.lists(st.integers(0, 400), max_size=20))
def test_lockout_engages_after_failures_and_lifts_after_lock_s(max_failures, window_s, lock_s, gaps):
    sc = Scenario.build({"lockout.max_failures": max_failures, "lockout.window_s": window_s, "lockout.lock_s": lock_s})
    bad = sc.mint("gsme", 100)
    failures: list[float] = []
    locked_until = float("-inf")
    for gap in gaps:
        sc.clock.advance(gap)
        now = sc.clock.now
        out = sc.esme.enter_utrn(bad)
        if now < locked_until:
            assert out.reason is Reason.LOCKED_OUT
            continue
        assert out.reason is Reason.NOT_AUTHENTIC
        failures = [t for t in failures if t > now - window_s] + [now]
        if len(failures) >= max_failures:
            locked_until, failures = now + lock_s, []
    # after the lock lifts, a good UTRN goes through
    sc.clock.set(max(sc.clock.now, locked_until))
    assert sc.esme.enter_utrn(sc.mint("esme", 100)).accepted
