"""CCS01 / CCS02 payloads: add a device to, or remove it from, the CHF device log.

Byte layout as in the DCC reference test messages (domain.md 3.1): CCS01 is three requests on the
CHF's device-log object (class 104, 0-0:30.3.0.255): method 1 ``register_device`` with
``{ieee_address, key_type=1 (install code), key (16), device_type}``, attribute 3 ``join_timeout``
(long-unsigned seconds) and attribute 2 ``enable_disable_joining`` = true. CCS02 is method 2
``unregister_device`` with the EUI-64. ``encode_ccs01(0x516, ...)`` with the RTDS parties gives the
RTDS content exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

from nowan.model.devices.content import (KIND_ACTION, KIND_SET, T_BOOL, T_LONG_U, T_OCTETS, T_STRUCT, AccessRequest,
                                   ContentError, Spec, boolean, decode_access_request, enum, invoke_id_for,
                                   long_u, octets, struct)

CCS01, CCS02 = 0x0001, 0x0002
_OBIS_DEVICE_LOG = bytes.fromhex("00001E0300FF")
_REGISTER = Spec(KIND_ACTION, 104, _OBIS_DEVICE_LOG, 1)
_UNREGISTER = Spec(KIND_ACTION, 104, _OBIS_DEVICE_LOG, 2)
_JOIN_TIMEOUT = Spec(KIND_SET, 104, _OBIS_DEVICE_LOG, 3)
_ENABLE_JOINING = Spec(KIND_SET, 104, _OBIS_DEVICE_LOG, 2)
KEY_TYPE_INSTALL_CODE = 1

#: CHF device-log device types (domain.md 3.1). The HHT's type is not public: 192 is this model's.
DEVICE_TYPES = {"esme": 0, "gsme": 1, "hcalcs": 13, "ihd": 128, "cad": 130, "ppmid": 132, "hht": 192, "gpf": 254}
TYPE_NAMES = {v: k for k, v in DEVICE_TYPES.items()}


@dataclass(frozen=True)
class DeviceLogChange:
    """A decoded CCS01 (add) or CCS02 (remove)."""

    add: bool
    eui: bytes
    install_code: bytes = b""
    device_type: int = 0
    join_timeout_s: int = 0


def encode_ccs01(counter: int, eui: bytes, install_code: bytes, device_type: int, join_timeout_s: int) -> bytes:
    if len(eui) != 8 or len(install_code) != 16:
        raise ValueError("CCS01 needs an 8-byte EUI and a 16-byte install code")
    params = struct(octets(eui), enum(KEY_TYPE_INSTALL_CODE), octets(install_code), enum(device_type))
    return AccessRequest(invoke_id_for(counter), (_REGISTER, _JOIN_TIMEOUT, _ENABLE_JOINING),
                         (params, long_u(join_timeout_s), boolean(True))).encode()


def encode_ccs02(counter: int, eui: bytes) -> bytes:
    return AccessRequest(invoke_id_for(counter), (_UNREGISTER,), (octets(eui),)).encode()


def decode_device_log_change(content: bytes, message_code: int) -> DeviceLogChange:
    """Decode CCS01/CCS02 content; raises ContentError if it is not the documented layout."""
    req = decode_access_request(content)
    if message_code == CCS01 and req.specs == (_REGISTER, _JOIN_TIMEOUT, _ENABLE_JOINING) and len(req.data) == 3:
        params, timeout, enable = req.data
        items = params.value
        if (params.tag == T_STRUCT and isinstance(items, tuple) and len(items) == 4 and items[0].tag == T_OCTETS
                and len(items[0].value) == 8 and items[2].tag == T_OCTETS and len(items[2].value) == 16  # type: ignore[arg-type]
                and timeout.tag == T_LONG_U and enable.tag == T_BOOL):
            return DeviceLogChange(True, bytes(items[0].value), bytes(items[2].value), int(items[3].value),  # type: ignore[arg-type]
                                   int(timeout.value))  # type: ignore[arg-type]
    if (message_code == CCS02 and req.specs == (_UNREGISTER,) and len(req.data) == 1
            and req.data[0].tag == T_OCTETS and len(req.data[0].value) == 8):  # type: ignore[arg-type]
        return DeviceLogChange(False, bytes(req.data[0].value))  # type: ignore[arg-type]
    raise ContentError(f"device log command 0x{message_code:04X}: content is not a register/unregister request")
