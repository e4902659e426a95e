"""The inputs a set of channels' verdicts rest on: assumptions and calibrations, with their ranges.

One catalogue serves three users: ``--assume calibration.<id>=V`` is checked against it (an unknown
id or a value the engine cannot take is a one-line error), the robustness analysis sweeps its
ranges, and the report lists what each range rests on.
"""
from __future__ import annotations

from typing import Iterable

from nowan.model.assumptions import Assumptions, as_input, catalogue
from nowan.model.channels import catalogues
from nowan.model.channels.types import Channel
from nowan.model.errors import AssumptionError
from nowan.model.ranges import Input


def inputs(channels: Iterable[Channel]) -> dict[str, Input]:
    """Every input of these channels, by ``--assume`` id: assumptions, shared calibrations, then each
    channel's own calibrations, in file order."""
    out: dict[str, Input] = {a.key: as_input(a) for a in catalogue().values()}
    out.update((i.id, i) for i in catalogues.scales().inputs)
    for ch in channels:
        out.update((i.id, i) for i in ch.inputs)
    return out


def check_overrides(assumptions: Assumptions, channels: Iterable[Channel]) -> None:
    """Each ``calibration.<id>`` override names a calibration of the selected channels and has a
    value the engine can take (a scale name, or a number within the calibration's hard bounds)."""
    if not assumptions.calibrations:
        return
    known = inputs(channels)
    for key, value in assumptions.calibrations.items():
        inp = known.get(key)
        if inp is None:
            near: list[str] = []
            parts = key.split(".")
            while parts and not near:   # the ids sharing the longest prefix with the mistyped one
                prefix = ".".join(parts) + "."
                near = sorted(k for k in known if k.startswith(prefix))
                parts.pop()
            raise AssumptionError(f"unknown calibration for the selected channels; expected an id such as "
                                  f"{', '.join(near[:3])} (`nowan robustness --list` lists them)",
                                  where=f"--assume {key}")
        inp.parse(value)
