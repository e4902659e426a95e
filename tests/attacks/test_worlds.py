"""Invariant checks of the premises worlds, driven step by step (no fuzzer): each must be able to fail."""
from nowan.model.traces import Step, Trace
from nowan.attacks.worlds.frames import COMMAND_IDS, WanWorld
from nowan.attacks.harness import replay_world
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw

SET_CREDIT = COMMAND_IDS.index("set-credit")


def _tamper_trace(flaws: tuple[str, ...]) -> Trace:
    """The supplier sends set-credit 500; a DCC insider drops it and MACs set-credit 40000, same counter."""
    return Trace("wan", (Step("legit", "command", {"meter": "esme", "command": SET_CREDIT, "value": 500}),
                         Step("attacker", "acb-tamper", {"index": 0, "command": SET_CREDIT, "value": 40000})),
                 flaws=flaws)


def test_an_insider_altered_value_with_the_issued_counter_is_an_unentitled_command():
    seen = []
    hit = replay_world(WanWorld, _tamper_trace(("CRITICAL_SIGNATURE_UNCHECKED",)),
                       on_step=lambda i, s, w: seen.append(w.meter("esme").account.balance_pence))
    assert seen == [0, 40000]  # the altered value ran: same originator, counter and message code
    assert hit is not None and hit[0] == "entitled-commands-only" and hit[2] == 1
    assert "content the supplier never issued" in hit[1]


def test_the_signature_check_stops_the_same_tamper():
    world = WanWorld(Assumptions(), frozenset())
    for step in _tamper_trace(()).steps:
        world.apply(step)
    assert world.meter("esme").account.balance_pence == 0 and world.check() == []


def test_the_issued_command_delivered_unaltered_is_entitled():
    world = WanWorld(Assumptions(), frozenset({Flaw.CRITICAL_SIGNATURE_UNCHECKED}))
    world.apply(Step("legit", "command", {"meter": "esme", "command": SET_CREDIT, "value": 500}))
    world.apply(Step("legit", "deliver", {"index": 0}))
    assert world.meter("esme").account.balance_pence == 500 and world.check() == []


def _replay(world_class, *steps):
    return replay_world(world_class, Trace(world_class.world, tuple(steps), invariant="topup-delivered"))


BUY = Step("legit", "buy", {"meter": "esme", "amount": 0})
TOPUP = Step("legit", "topup", {"meter": "esme", "amount": 0})
DAY = Step("env", "wait", {"seconds": 90000})


def test_a_top_up_nobody_withheld_is_delivered_when_time_passes():
    """Legitimate parties deliver eventually: no attacker step, no topup-delivered finding."""
    from nowan.attacks.worlds.frames import WifiPpmidRelayWorld
    from nowan.attacks.worlds.utrn import WifiPpmidUtrnWorld

    assert _replay(WifiPpmidUtrnWorld, BUY, DAY) is None
    assert _replay(WifiPpmidRelayWorld, TOPUP, DAY) is None


def test_a_top_up_the_relay_withheld_is_a_channel_weakness_after_the_deadline():
    from nowan.attacks.worlds.frames import WifiPpmidRelayWorld
    from nowan.attacks.worlds.utrn import WifiPpmidUtrnWorld

    hit = _replay(WifiPpmidUtrnWorld, BUY, Step("attacker", "withhold", {"index": 0}), DAY)
    assert hit is not None and hit[0] == "topup-delivered" and "withheld by the attacker" in hit[1]
    hit = _replay(WifiPpmidRelayWorld, TOPUP, Step("attacker", "drop", {"index": 0}), DAY)
    assert hit is not None and hit[0] == "topup-delivered" and hit[2] == 2
    # withheld, then sent on by the attacker itself before the deadline: the credit arrived
    assert _replay(WifiPpmidUtrnWorld, BUY, Step("attacker", "withhold", {"index": 0}),
                   Step("attacker", "replay", {"index": 0, "meter": "esme"}), DAY) is None


# ------------------------------------------------------------------ boundaries and liveness
def _keypad(*steps):
    from nowan.attacks.worlds.utrn import UtrnWorld

    world = UtrnWorld(Assumptions(), frozenset())
    for step in steps:
        world.apply(Step(*step))
        assert world.check() == [], step
    return world


FORGE = ("attacker", "forge", {"index": 0, "pence": 7000, "ahead": 1, "mac": 1})


def test_the_world_waits_to_exactly_the_lock_expiry_and_a_top_up_there_is_credited():
    world = _keypad(("legit", "top-up", {"meter": "esme", "amount": 0}), *[FORGE] * 5)
    until = world.lock_rule["esme"].locked_until
    assert until == world.meter("esme").lockout.locked_until  # five failures locked the keypad
    _ = [world.apply(Step("env", "wait-until", {"which": 0, "offset": 0})), world.check()]
    assert world.sc.clock.now == until
    world.apply(Step("legit", "top-up", {"meter": "esme", "amount": 1}))
    assert world.check() == [] and world.meter("esme").credited[-1].pence == 1000


def test_a_top_up_of_exactly_each_limit_is_credited():
    world = _keypad(("legit", "top-up-limit", {"meter": "esme", "limit": "max-topup"}),
                    ("legit", "consume", {"meter": "esme", "kwh": 3}),
                    ("legit", "top-up-limit", {"meter": "esme", "limit": "max-balance"}),
                    ("legit", "top-up-limit", {"meter": "esme", "limit": "max-balance"}))
    acc = world.meter("esme").account
    assert acc.balance_pence == int(world.assumptions["limits.max_balance_pence"])
    assert [r.pence for r in world.meter("esme").credited] == [25000, 25000, 75]  # the rest after the pounds


def test_a_refused_legitimate_top_up_is_a_finding():
    from nowan.attacks.mutants import MUTANTS

    with MUTANTS["max-topup-exclusive"].applied():
        from nowan.attacks.worlds.utrn import UtrnWorld

        world = UtrnWorld(Assumptions(), frozenset())
        world.apply(Step("legit", "top-up-limit", {"meter": "esme", "limit": "max-topup"}))
        [(inv, msg)] = world.check()
    assert inv == "topup-credited" and "25000 pence" in msg


def test_emergency_credit_the_rules_allow_is_granted_and_keeps_the_supply_on():
    world = _keypad(("legit", "emergency-credit", {"meter": "esme", "via": "ppmid"}))
    acc = world.meter("esme").account
    assert acc.emergency_credit_active and acc.supply == "on"


def test_the_pairing_world_commissions_at_the_windows_last_second_and_refuses_a_tampered_ccs01():
    from nowan.attacks.worlds.han import PairingWorld

    world = PairingWorld(Assumptions({"pairing.window_s": 60}), frozenset())
    for step in (Step("attacker", "power-cut", {}), Step("env", "wait-until", {"which": 0, "offset": 0}),
                 Step("legit", "commission-hht", {}), Step("attacker", "tamper-ccs01", {"pos": 11, "bit": 0}),
                 Step("attacker", "replay-ccs01", {"index": 0}), Step("attacker", "outsider-log-change", {"add": True, "who": "stranger"}),
                 Step("attacker", "outsider-log-change", {"add": True, "who": "network-operator"})):
        world.apply(step)
        assert world.check() == [], step
    assert world.sc.clock.now - world.powered_on_at == 60 and world.sc.hht.eui in world.sc.hub.device_log


def test_emergency_credit_owed_counted_against_the_headroom_refuses_a_legitimate_top_up(monkeypatch):
    """Emergency credit in use, the balance set to exactly the Max Meter Balance, then a top-up that only
    repays what is owed: within the limits, so it must be credited (a check adding the amount owed
    instead of subtracting it refuses it)."""
    from nowan.model.devices.account import PrepaymentAccount

    steps = (Step("legit", "emergency-credit", {"meter": "esme", "via": "keypad"}),
             Step("legit", "consume", {"meter": "esme", "kwh": 20}),
             Step("legit", "set-credit-limit", {"meter": "esme"}),
             Step("legit", "topup-limit", {"meter": "esme", "limit": "max-balance"}))
    trace = Trace("wan", steps, invariant="topup-credited")
    assert replay_world(WanWorld, trace) is None

    def owed_added(self, amount):
        if self.balance_pence + max(0, amount + self.emergency_credit_owed) > self.config.max_balance_pence:
            return "max-balance"
        return None
    monkeypatch.setattr(PrepaymentAccount, "credit_check", owed_added)
    hit = replay_world(WanWorld, trace)
    assert hit is not None and hit[2] == 3 and "500 pence" in hit[1]
