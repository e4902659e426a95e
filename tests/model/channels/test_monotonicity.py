"""Removing an existing control never lowers residual risk; adding a candidate never raises it."""
from __future__ import annotations

from hypothesis import given, strategies as st

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.model.channels.risk import active_goals, evaluate

CH = load_channels()
IDS = sorted(CH)

assumption_sets = st.fixed_dictionaries({}, optional={
    "lockout.max_failures": st.sampled_from(["1", "5", "50", "1000000000"]),
    "lockout.covers_han": st.sampled_from(["true", "false"]),
    "nowan.share": st.sampled_from(["0.007", "0.03", "0.5"]),
    "nowan.outage_hours": st.sampled_from(["48", "72", "8760"]),
    "pairing.window_s": st.sampled_from(["60", "3600", "86400", "2592000", "inf"]),
    "pairing.power_ons_a_year": st.sampled_from(["0.2", "1", "12"]),
    "utrn.cache_size": st.sampled_from(["0", "100"]),
})


def _risk(ch, a, enabled):
    ev = evaluate(ch, a, enabled)
    goals = active_goals(ch)
    return ev.worst(goals).rank, ev.risk_number(goals)


@given(cid=st.sampled_from(IDS), data=st.data(), overrides=assumption_sets)
def test_removing_existing_never_lowers_adding_candidate_never_raises(cid, data, overrides):
    ch = CH[cid]
    a = Assumptions(overrides)
    controls = sorted(c.id for c in ch.controls)
    base = frozenset(data.draw(st.sets(st.sampled_from(controls))) if controls else set())
    rank0, num0 = _risk(ch, a, base)
    existing = sorted(ch.existing_controls & base)
    if existing:
        removed = data.draw(st.sampled_from(existing))
        rank1, num1 = _risk(ch, a, base - {removed})
        assert (rank1, num1) >= (rank0, num0) and rank1 >= rank0 and num1 >= num0
    candidates = sorted(set(ch.candidate_controls) - base)
    if candidates:
        added = data.draw(st.sampled_from(candidates))
        rank2, num2 = _risk(ch, a, base | {added})
        assert rank2 <= rank0 and num2 <= num0


def test_every_control_of_every_model_respects_monotonicity_from_defaults():
    for ch in CH.values():
        rank0, num0 = _risk(ch, Assumptions(), ch.existing_controls)
        for c in ch.existing_controls:
            r, n = _risk(ch, Assumptions(), ch.existing_controls - {c})
            assert r >= rank0 and n >= num0, (ch.id, c)
        for c in ch.candidate_controls:
            r, n = _risk(ch, Assumptions(), ch.existing_controls | {c})
            assert r <= rank0 and n <= num0, (ch.id, c)
