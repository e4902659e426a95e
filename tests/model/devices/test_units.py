"""Clock, lockout window, UTRN counter cache policies, account limits and payload codecs."""
from __future__ import annotations

from pathlib import Path

import pytest

from nowan.model.devices.account import PrepaymentAccount, PrepaymentConfig, SUPPLY_ARMED, SUPPLY_OFF, SUPPLY_ON
from nowan.model.devices.clock import SimClock
from nowan.model.devices.commands import COMMANDS, ESME, GSME, decode_command, encode_command
from nowan.model.devices.content import ContentError, decode_zse_topup, zse_topup_content
from nowan.model.devices.devicelog import decode_device_log_change, encode_ccs01, encode_ccs02
from nowan.model.devices.lockout import Lockout
from nowan.model.devices.outcomes import Reason
from nowan.model.devices.utrn_cache import UtrnCounterCache
from nowan.model.gbcs.envelope import parse_frame, parse_hex

DATA = Path(__file__).parent / "data"


def frame(name: str):
    return parse_frame(parse_hex((DATA / name).read_text()))


def test_clock_only_moves_forward():
    c = SimClock()
    assert c.advance(5) == 5 and c.set(7) == 7
    with pytest.raises(ValueError):
        c.advance(-1)


def test_lockout_sliding_window_engages_and_lifts():
    lk = Lockout(max_failures=3, window_s=600, lock_s=3600)
    assert not lk.record_failure(0) and not lk.record_failure(100)
    assert lk.record_failure(200) and lk.locked(200) and lk.locked(3799)
    assert not lk.locked(3800)
    # failures spread wider than the window never engage it
    lk2 = Lockout(max_failures=3, window_s=600, lock_s=3600)
    for t in (0, 400, 800, 1200, 1600):
        assert not lk2.record_failure(t)


def test_above_min_reconstruction_takes_smallest_above_floor():
    cell = UtrnCounterCache(size=3, policy="above-min", floor=5 << 32)
    assert cell.reconstruct(7) == 7
    assert cell.reconstruct(3) == 1027  # 3 <= floor_hi, so the next wrap
    cell.record(7)
    assert cell.check(7) is Reason.DUPLICATE
    assert cell.check(5) is Reason.BELOW_FLOOR


def test_nearest_max_reconstruction_is_closest_to_max():
    cell = UtrnCounterCache(size=100, policy="nearest-max")
    for c in (1000, 1001, 1002):
        cell.record(c)
    assert cell.reconstruct(1003 % 1024) == 1003
    assert cell.reconstruct(990) == 990        # slightly below max: an out-of-order stale one
    assert cell.reconstruct(1002 % 1024) == 1002  # and a duplicate is recognised as such
    assert cell.check(1002) is Reason.DUPLICATE


def test_cache_evicts_smallest_and_refuses_below_window_when_full():
    cell = UtrnCounterCache(size=3)
    for c in (10, 20, 30, 40):
        cell.record(c)
    assert cell.entries == {20, 30, 40}
    assert cell.check(15) is Reason.BELOW_CACHE_WINDOW
    assert cell.check(25) is Reason.ACCEPTED


def test_cache_rejects_unknown_policy():
    with pytest.raises(ValueError):
        UtrnCounterCache(size=3, policy="newest")


def account() -> PrepaymentAccount:
    return PrepaymentAccount(PrepaymentConfig(max_topup_pence=1000, max_balance_pence=2000,
                                              emergency_credit_limit_pence=300, emergency_credit_threshold_pence=300))


def test_account_limits_and_emergency_credit_repayment():
    acc = account()
    assert acc.credit_check(1001) == "max-topup"
    acc.add_credit(1000, "t")
    acc.add_credit(1000, "t")
    assert acc.credit_check(1) == "max-balance"
    acc.balance_pence = 0
    assert acc.activate_emergency_credit() and acc.emergency_credit_pence == 300
    acc.consume(10)  # 250 pence at the default price: all from emergency credit
    assert acc.emergency_credit_owed == 250 and acc.supply == SUPPLY_ON
    acc.add_credit(400, "t")
    assert acc.balance_pence == 150 and not acc.emergency_credit_active


def test_supply_disables_then_arms_then_on():
    acc = account()
    acc.balance_pence = 100
    acc.consume(10)
    assert acc.supply == SUPPLY_OFF
    acc.add_credit(500, "t")
    assert acc.supply == SUPPLY_ARMED and acc.request_supply_on() and acc.supply == SUPPLY_ON


def test_topup_content_is_the_rtds_cs01a_content():
    s = frame("CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX").signing
    assert encode_command("top-up", s.counter, "73946144332040217315") == s.content
    cmd = decode_command(s.content, s.message_code, ESME)
    assert cmd.command.id == "top-up" and cmd.value == "73946144332040217315"


def test_device_log_contents_are_the_rtds_ccs01_ccs02_contents():
    s1 = frame("CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX").signing
    change = decode_device_log_change(s1.content, 0x0001)
    assert change.add and change.join_timeout_s == 90 and change.eui.hex() == "00db1234567890a0"
    assert encode_ccs01(0x516, change.eui, change.install_code, change.device_type, 90) == s1.content
    s2 = frame("CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX").signing
    assert encode_ccs02(s2.counter, bytes.fromhex("00DB1234567890A0")) == s2.content
    assert not decode_device_log_change(s2.content, 0x0002).add


def test_zse_topup_content_is_the_rtds_pcs01_content():
    s = frame("PCS01_NA_SUCCESS_COMMAND_GBCS.HEX").signing
    origin, utrn = decode_zse_topup(s.content)
    assert origin == 0x02 and utrn == "73941656880950804485"
    assert zse_topup_content(utrn, origin) == s.content


@pytest.mark.parametrize("cid", sorted(COMMANDS))
@pytest.mark.parametrize("kind", [ESME, GSME])
def test_every_command_round_trips(cid, kind):
    value = "73946144332040217315" if cid == "top-up" else (True if cid == "set-non-disconnect" else 1)
    code = COMMANDS[cid].code_for(kind, value if cid == "change-mode" else None)
    got = decode_command(encode_command(cid, 0x1234, value), code, kind)
    assert got.command.id == cid


def test_command_content_errors_are_clear():
    with pytest.raises(ContentError, match="tag 0xD9"):
        decode_command(b"\x00", 0x001E, ESME)
    with pytest.raises(ContentError, match="cannot be carried"):
        decode_command(encode_command("set-debt", 1, 5), 0x001C, ESME)
    with pytest.raises(ContentError, match="expected"):
        decode_command(encode_command("set-debt", 1, 5)[:-2], 0x001E, ESME)


def test_cache_size_zero_leaves_only_the_floor():
    from nowan.model.devices.outcomes import Reason
    from nowan.model.devices.utrn_cache import UtrnCounterCache

    cache = UtrnCounterCache(size=0, floor=5 << 32)
    assert cache.check(6) is Reason.ACCEPTED
    cache.record(6)
    assert cache.entries == set()
    assert cache.check(6) is Reason.ACCEPTED      # a replay above the floor is not caught
    assert cache.check(5) is Reason.BELOW_FLOOR
