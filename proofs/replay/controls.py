"""Replay of family-7 traces: the chosen control set is re-scored by the risk engine itself."""
from __future__ import annotations

from typing import Any

from proofs.controls import replay_on_risk_engine
from proofs.replay import register
from proofs.replay.base import Replay


@register("control-set")
def replay_control_set(trace: dict[str, Any]) -> Replay:
    ok = replay_on_risk_engine(trace)
    return Replay(ok, [], "re-scored with model.channels.residual_with")
