"""Golden tests for the GBCS core: the DCC UTRN vectors, the envelope codec and the message MAC."""
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from hypothesis import given, strategies as st

from nowan.model.errors import FrameError, UtrnFormatError
from nowan.model.gbcs.crypto import deterministic_private_key, sign_raw, verify_raw
from nowan.model.gbcs.envelope import GeneralCiphering, GeneralSigning, other_info_for, parse_frame, parse_hex
from nowan.model.gbcs.eui import format_eui, parse_eui
from nowan.model.gbcs.protect import apply_mac, check_mac, check_signature, command_mac_key, sign
from nowan.model.gbcs.utrn import Ptut, ValueClass, check_digit, decode_utrn, generate_utrn, utrn_from_ptut, verify_utrn_mac

DATA = Path(__file__).parents[2] / "data"
SUPPLIER = parse_eui("90-B3-D5-1F-30-01-00-00")
ESME = parse_eui("00db1234567890a0")


def _key(name):
    return load_pem_private_key((DATA / "keystore" / name).read_bytes(), None)


def _pub(name):
    return x509.load_pem_x509_certificate((DATA / "keystore" / name).read_bytes()).public_key()


# domain.md 1.3: DCC unit tests and RTDS 4.5.0 CS01a
VECTORS = [
    (1 << 32, 100, ValueClass.POUNDS, "73943333457189043313", 0x0000A064D51CA60B),
    (4 << 32, 1234, ValueClass.PENNIES, "73947252416745201637", 0x000204D23855D663),
    (1 << 32, 8191, ValueClass.POUNDS, "73943680956463432551", 0x0000BFFFAE316057),
    (3 << 32, 10, ValueClass.POUNDS, "73946144332040217315", 0x0001A00A9CD029E3),
    (5 << 32, 10, ValueClass.POUNDS, "73948959061972833313", 0x0002A00A26972203),
]


@pytest.mark.parametrize("counter,value,vclass,utrn,ptut", VECTORS)
def test_dcc_utrn_vectors_reproduce(counter, value, vclass, utrn, ptut):
    made = generate_utrn(_key("90b3d51f30010000-pp-ka.key"), _pub("00db1234567890a0-ka.pem"),
                         SUPPLIER, ESME, counter, value, vclass)
    assert made == utrn
    assert decode_utrn(utrn).to_int() == ptut
    assert verify_utrn_mac(utrn, _key("90b3d51f30010000-pp-ka.key"), _pub("00db1234567890a0-ka.pem"),
                           SUPPLIER, ESME, counter)
    # bound to the device: the same digits do not verify for the GSME
    assert not verify_utrn_mac(utrn, _key("90b3d51f30010000-pp-ka.key"), _pub("00db1234567890a1-ka.pem"),
                               SUPPLIER, parse_eui("00db1234567890a1"), counter)


def test_pcs01_placeholder_utrn_decodes_but_mac_is_zero():
    p = decode_utrn("73941656880950804485")
    assert (p.counter10, p.value_class, p.value, p.mac) == (0, ValueClass.PENNIES, 2025, 0)


@pytest.mark.parametrize("text,needle", [
    ("7394333345718904331", "expected 20 digits"),
    ("7394333345718904331x", "expected only digits"),
    ("73943333457189043310", "bad check digit"),
    ("12345678901234567890", "PPTD out of range"),
    ("73941569907863060470", "below the minimum"),
])
def test_malformed_utrn_errors(text, needle):
    with pytest.raises(UtrnFormatError) as e:
        decode_utrn(text)
    assert needle in str(e.value)


@given(st.integers(0, 1023), st.sampled_from(list(ValueClass)), st.integers(0, 8191), st.integers(0, 2**32 - 1))
def test_utrn_codec_round_trip(c10, vclass, value, mac):
    p = Ptut(c10, vclass, value, mac)
    assert decode_utrn(utrn_from_ptut(p.to_int())) == p


@given(st.text(alphabet="0123456789", min_size=19, max_size=19), st.integers(0, 18), st.integers(1, 9))
def test_check_digit_catches_single_digit_errors(digits, pos, delta):
    changed = digits[:pos] + str((int(digits[pos]) + delta) % 10) + digits[pos + 1:]
    assert check_digit(changed) != check_digit(digits)


def test_eui_forms():
    assert parse_eui("90b3d51f30010000") == parse_eui("90-B3-D5-1F-30-01-00-00")
    assert format_eui(SUPPLIER) == "90-B3-D5-1F-30-01-00-00"


def test_rtds_codec_round_trip_and_command_mac():
    acb = _key("90b3d51f30000002-ka.key")
    esme = _pub("00db1234567890a0-ka.pem")
    files = sorted((DATA / "rtds").glob("*/*.HEX"))
    assert len(files) > 100
    checked = 0
    for f in files:
        raw = parse_hex(f.read_text(), f.name)
        frame = parse_frame(raw, f.name)
        assert frame.encode() == raw, f.name
        if isinstance(frame, GeneralCiphering) and frame.signing.cra == 1 and frame.signing.recipient == ESME:
            assert check_mac(frame, command_mac_key(acb, esme, frame.signing)), f.name
            checked += 1
    assert checked >= 30


def test_rtds_critical_signature_verifies():
    raw = parse_hex((DATA / "rtds/2.5_ECS09/ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX").read_text())
    frame = parse_frame(raw)
    assert frame.signing.message_code == 0x0020
    assert check_signature(frame.signing, _pub("90b3d51f30010000-ds.pem"))
    pre = parse_frame(parse_hex((DATA / "rtds/2.5_ECS09/ECS09_2.5_SUCCESS_PRECOMMAND_GBCS.HEX").read_text()))
    assert isinstance(pre, GeneralSigning) and pre.signature is None and not pre.signature_field
    assert pre.signed_bytes() == frame.signing.signed_bytes()


def test_build_sign_mac_round_trip_with_simulation_keys():
    acb, dev, sup = (deterministic_private_key(x) for x in ("acb", "dev", "sup"))
    gs = GeneralSigning(1, 0x3E9, SUPPLIER, ESME, None, other_info_for(0x001C), b"\x01\x02", None)
    signed = sign(gs, sup)
    frame = apply_mac(signed, command_mac_key(acb, dev.public_key(), signed))
    again = parse_frame(frame.encode())
    assert again == frame
    assert check_mac(again, command_mac_key(dev, acb.public_key(), again.signing))
    assert check_signature(again.signing, sup.public_key())
    assert not check_signature(again.signing, acb.public_key())
    sig = sign_raw(sup, b"x")
    assert verify_raw(sup.public_key(), b"x", sig) and not verify_raw(sup.public_key(), b"y", sig)


@pytest.mark.parametrize("hex_text,needle", [
    ("", "empty"),
    ("C001", "not a GBCS"),
    ("DD00000000000005", "length 5 but 0 bytes follow"),
    ("DD0000000000000B1100000000DF0901000000", "ends after"),
    ("zz", "hexadecimal"),
    ("DDD", "odd number"),
])
def test_bad_frames_give_clear_errors(hex_text, needle):
    with pytest.raises(FrameError) as e:
        parse_frame(parse_hex(hex_text, "x.HEX"), "x.HEX")
    assert needle in str(e.value)


def test_signatures_are_deterministic_rfc6979():
    """RFC 6979 appendix A.2.5 (P-256, SHA-256, message "sample"): the same bytes in every process."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721, ec.SECP256R1())
    assert sign_raw(key, b"sample").hex().upper() == (
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8")
