"""Seed frames and keys for the envelope fuzzer when no reference test data is given.

``nowan fuzz`` must run anywhere, without the DCC's reference test messages at hand, so it builds
its seeds with the reference implementation itself: commands (Critical ones signed), a CS01a
top-up, a CCS01 device-log change and a CS14 alert, from a commissioned premises with
deterministic keys, and a keystore that holds exactly what a verifier at the DCC would hold.
"""
from __future__ import annotations

from functools import lru_cache

from nowan.attacks.envelope import EnvelopeTarget, Seed
from nowan.model.devices.scenario import Scenario
from nowan.model.gbcs.keystore import Credential, Keystore, KeyUse, Role


def synthetic_seeds(sc: Scenario) -> list[Seed]:
    seeds = [Seed("CS14_alert", sc.hub.cs14_alerts[0])]
    for meter in ("esme", "gsme"):
        for cid, value in (("set-debt", 1200), ("change-price", 31), ("set-credit", 500),
                           ("change-mode", 0), ("set-non-disconnect", 1)):
            frame = sc.send_command(meter, cid, value)
            if frame is not None:
                seeds.append(Seed(f"{meter}_{cid}", frame))
        top = sc.wan_topup_frame(meter, 1000)
        if top is not None:
            seeds.append(Seed(f"{meter}_top-up", top))
    sub = sc.dcc.device_log_change(sc.supplier.eui, sc.supplier.command_counter + 1, sc.hub.eui, sc.hht.eui,
                                   add=True, install_code=b"0" * 16, device_type=192)
    if sub.frame is not None:
        seeds.append(Seed("CCS01_hht", sub.frame))
    return seeds


def synthetic_keystore(sc: Scenario) -> Keystore:
    """The ACB's KA key pair, the devices' KA public keys and the suppliers' DS public keys."""
    creds = [Credential(sc.dcc.acb.eui, KeyUse.KA, sc.dcc.acb.ka_public, Role.ACCESS_CONTROL_BROKER,
                        "synthetic", private_key=sc.dcc.acb.ka)]  # type: ignore[arg-type]
    for dev in (sc.esme, sc.gsme, sc.hub):
        creds.append(Credential(dev.eui, KeyUse.KA, dev.party.ka_public, None, "synthetic", device=True))
    for head in (sc.supplier, sc.supplier2):
        creds.append(Credential(head.eui, KeyUse.DS, head.party.ds_public, Role.SUPPLIER, "synthetic"))
    return Keystore(creds)


@lru_cache(maxsize=1)
def synthetic_target() -> EnvelopeTarget:
    sc = Scenario.build()
    return EnvelopeTarget(synthetic_seeds(sc), synthetic_keystore(sc))
