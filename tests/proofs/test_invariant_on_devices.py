"""The invariant z3 proves for family 1, checked on the executable cache over random entry sequences.

If the devices' cache drifted from the encoding (e.g. eviction of the wrong entry), this fails even
though the z3 proof still passes: the proof is only as good as its match with the implementation.
"""
from __future__ import annotations

from hypothesis import given, strategies as st

from nowan.model.devices.outcomes import Reason
from nowan.model.devices.utrn_cache import POLICIES, UtrnCounterCache


@given(size=st.integers(1, 6), policy=st.sampled_from(POLICIES), floor_hi=st.integers(0, 5),
       entries=st.lists(st.integers(0, 3000), max_size=40))
def test_credited_counters_stay_in_cache_or_below_the_watermark(size: int, policy: str, floor_hi: int,
                                                               entries: list[int]) -> None:
    cell = UtrnCounterCache(size, policy, floor=floor_hi << 32)
    credited: list[int] = []
    watermark = floor_hi
    for counter10 in entries:
        upper = cell.reconstruct(counter10 % 1024)
        if cell.check(upper) is not Reason.ACCEPTED:
            continue
        assert upper not in credited  # the property itself
        before = set(cell.entries)
        cell.record(upper)
        evicted = (before | {upper}) - cell.entries
        watermark = max([watermark, *evicted])
        credited.append(upper)
        assert all(c in cell.entries or c <= watermark for c in credited)
        assert all(c > watermark for c in cell.entries)
