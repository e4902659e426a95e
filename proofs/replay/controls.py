"""Replay of family-7 traces: the chosen control set is re-scored by the risk engine itself.

The trace names a packaged channel and carries the run's overridden assumptions, so the replay
scores the same model under the same assumptions as the proof did.
"""
from __future__ import annotations

from typing import Any

from nowan.model.assumptions import Assumptions
from nowan.model.channels import load_channels
from nowan.proofs.controls import replay_on_risk_engine
from nowan.proofs.replay import register
from nowan.proofs.replay.base import Replay


@register("control-set")
def replay_control_set(trace: dict[str, Any]) -> Replay:
    channel = load_channels([trace["channel"]])[trace["channel"]]
    ok = replay_on_risk_engine(trace, channel, Assumptions(trace.get("assumptions", {})))
    return Replay(ok, [], "re-scored with model.channels.residual_with under the trace's assumptions")
