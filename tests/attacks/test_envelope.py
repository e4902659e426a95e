"""Mutation fuzzing of the envelope parser and verifier over the DCC reference test messages."""
import pytest
from hypothesis import given, strategies as st

from nowan.attacks.envelope import (OPS, SPLICE_FIELDS, EnvelopeTarget, Mutation, apply, check_mutant, load_seeds,
                              verified_seeds)
from nowan.model.gbcs.keystore import Keystore


@pytest.fixture(scope="module")
def target(data_dir):
    return EnvelopeTarget(load_seeds(data_dir / "rtds"), Keystore.load(data_dir / "keystore"))


@pytest.fixture(scope="module")
def verified(target):
    return verified_seeds(target)


def test_real_messages_are_the_seeds_and_many_verify(target, verified):
    assert len(target.seeds) > 50
    assert len(verified) > 20  # the mutants of these must all be rejected


mutation = st.builds(Mutation, op=st.sampled_from(OPS), a=st.integers(0, 600), b=st.integers(0, 300),
                     data=st.binary(max_size=8).map(bytes.hex))


@given(st.data())
def test_no_mutant_escapes_or_verifies(target, verified, data):
    seed = data.draw(st.sampled_from(verified))
    muts = data.draw(st.lists(mutation, min_size=1, max_size=4))
    mutant = apply(seed.raw, muts, target.seeds)
    v = check_mutant(mutant, target.verifier, target.originals, target.protected)
    assert v is None or v.invariant == "envelope-uncovered-fields"


def test_a_changed_outer_header_field_is_reported_as_uncovered_not_as_a_verifying_mutant(target, verified):
    """GBCS MACs the security header and the General-Signing APDU, not the outer General-Ciphering
    header fields: a relay may fill the empty transaction-id, and the frame still verifies."""
    seed = next(s for s in verified if s.raw[0] == 0xDD and s.raw[1] == 0x00)
    mutant = seed.raw[:1] + b"\x02ab" + seed.raw[2:]
    assert target.verifier.verify_bytes(mutant).status == "verified"
    v = check_mutant(mutant, target.verifier, target.originals, target.protected)
    assert v is not None and v.invariant == "envelope-uncovered-fields" and "transaction-id" in v.message
    # the same change with one protected byte altered as well is a mutant that must not verify
    assert check_mutant(mutant[:-1] + bytes([mutant[-1] ^ 1]), target.verifier, target.originals,
                        target.protected) is None


def test_a_signed_apdu_cut_out_of_its_mac_layer_is_reported_as_uncovered(target, verified):
    """The mutant a campaign once flagged: a splice that deletes the General-Ciphering layer leaves
    the original's signed APDU, which verifies on its own (unchanged) signature."""
    from nowan.model.gbcs.envelope import GeneralCiphering, parse_frame

    seed = next(s for s in verified if isinstance(f := parse_frame(s.raw), GeneralCiphering) and f.signing.signature)
    stripped = parse_frame(seed.raw).signing.encode()
    assert target.verifier.verify_bytes(stripped).status == "verified"
    v = check_mutant(stripped, target.verifier, target.originals, target.protected)
    assert v is not None and v.invariant == "envelope-uncovered-fields" and "stripped" in v.message
    # with one signed byte changed it is a forgery attempt that must not verify
    changed = stripped[:20] + bytes([stripped[20] ^ 1]) + stripped[21:]
    assert check_mutant(changed, target.verifier, target.originals, target.protected) is None


@pytest.mark.parametrize("field", SPLICE_FIELDS)
def test_splicing_any_field_from_another_real_message_breaks_verification(target, verified, field):
    """For every field some real donor differs there; each such splice must break verification."""
    base = next(s for s in verified if s.raw[0] == 0xDD)  # General-Ciphering: every field, MAC included
    mutants = [m for m in (apply(base.raw, [Mutation("splice", i, SPLICE_FIELDS.index(field))], target.seeds)
                           for i in range(len(target.seeds))) if m != base.raw]
    assert mutants, f"no real message differs from {base.name} in {field}"
    for mutant in mutants:
        assert target.verifier.verify_bytes(mutant).status != "verified"


def test_flipping_each_mac_bit_is_rejected(target, verified):
    seed = next(s for s in verified if s.raw[0] == 0xDD)
    for pos in range(len(seed.raw) - 12, len(seed.raw)):
        mutant = apply(seed.raw, [Mutation("flip", pos, 3)], target.seeds)
        assert target.verifier.verify_bytes(mutant).status == "rejected"


def test_an_undocumented_exception_is_reported(target, verified):
    class Exploding:
        def verify_bytes(self, raw, source):
            raise IndexError("boom")

    v = check_mutant(verified[0].raw + b"\x00", Exploding(), target.originals)
    assert v is not None and v.invariant == "envelope-errors-documented" and "IndexError" in v.message


def test_an_unmodified_seed_is_not_a_finding(target, verified):
    assert check_mutant(verified[0].raw, target.verifier, target.originals) is None


def test_the_envelope_harness_kills_a_verifier_that_compares_one_mac_byte(target, monkeypatch):
    """Seeded verifier flaw (tests only): the MAC compared on its first byte. A mutant of a real message
    that changes only the other MAC bytes then verifies, and the harness must say so."""
    from nowan.attacks.campaign import run_harness
    from nowan.attacks.registry import EnvelopeHarness
    from nowan.model.assumptions import Assumptions
    from nowan.model.gbcs import protect, verify

    harness = EnvelopeHarness(target)
    monkeypatch.setattr(verify, "check_mac", lambda frame, key: protect.check_mac(frame, key, 1))
    run = run_harness(harness, budget=60, seed=0, assumptions=Assumptions(), stop_on_first=True)
    [f] = run.findings
    assert f.invariant == "mutated-never-verifies" and f.channel == "gbcs-envelope"
    assert harness.replay(f.trace)[0] == "mutated-never-verifies"
    monkeypatch.undo()
    assert harness.replay(f.trace) is None  # the faithful verifier rejects the same mutant
