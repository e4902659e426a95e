"""A real message cut inside or just before its signature is malformed, never "signature absent"."""
from __future__ import annotations

from pathlib import Path

import pytest

from nowan.model.errors import FrameError
from nowan.model.gbcs.envelope import parse_frame, parse_hex

DATA = Path(__file__).parents[2] / "data" / "rtds"
ALERT = DATA / "1.6_ECS02" / "ECS02_1.6_8F66_FUTURE_DATED_TWIN_SUCCESS_ALERT_PAYMENT_MODE_GBCS.HEX"
PRECOMMAND = DATA / "1.6_ECS02" / "ECS02_1.6_CANCELLATION_TWIN_SUCCESS_PRECOMMAND_GBCS.HEX"


@pytest.mark.parametrize("cut", [1, 10, 63, 64, 65])
def test_a_signed_alert_cut_in_its_signature_is_malformed(cut: int) -> None:
    raw = parse_hex(ALERT.read_text(), ALERT.name)
    assert parse_frame(raw).signature is not None
    with pytest.raises(FrameError, match="signature"):
        parse_frame(raw[:-cut])


def test_a_pre_command_may_end_after_its_content() -> None:
    raw = parse_hex(PRECOMMAND.read_text(), PRECOMMAND.name)
    assert parse_frame(raw).signature is None
