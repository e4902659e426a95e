"""Benchmark: GBCS message verification and UTRN throughput against a bare crypto loop.

Prints messages verified per second over the DCC RTDS COMMAND messages (parse, key resolution,
ECDH, KDF, GCM MAC and, for Critical commands, ECDSA), and the ratio to a bare loop that makes the
same cryptographic calls on pre-extracted inputs in the same run. Like is compared with like: the
headline pair does the ECDH for every message in both loops; a second pair caches the ECDH shared
secret per key pair in both. Then UTRNs generated and verified per second. Last, the command line:
``nowan gbcs verify`` on 1,000 RTDS files in one invocation against a plain single-file script that
reads the same files and makes the same cryptographic calls (ECDH cached per key pair in both, as
the verifier does by default), each as a fresh process, so start-up is counted in both, with wall
and CPU time (under load, CPU time is the steadier of the two); and the start-up of the light
commands (``nowan --version``, ``utrn decode``, ``gbcs verify`` on one file). Both commands run
with the bytecode an installed nowan has (see ``_installed_env``). The command line takes its
click-free way in (reports/cli/gbcs_verify.py), as a user's ``nowan gbcs verify`` does.

Run: ``.venv/bin/python bench/gbcs_verify.py [--rounds N]``. Figures are medians over rounds.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from nowan.model.gbcs.crypto import deterministic_private_key, other_info  # noqa: E402
from nowan.model.gbcs.envelope import GeneralCiphering, parse_frame, parse_hex  # noqa: E402
from nowan.model.gbcs.keystore import Keystore, KeyUse  # noqa: E402
from nowan.model.gbcs.utrn import ValueClass, generate_utrn, verify_utrn_mac  # noqa: E402
from nowan.model.gbcs.verify import Verifier  # noqa: E402

DATA = ROOT / "tests" / "data"
ACB = bytes.fromhex("90b3d51f30000002")
SUPPLIER = bytes.fromhex("90b3d51f30010000")
ESME = bytes.fromhex("00db1234567890a0")


def commands(store: Keystore) -> list[bytes]:
    """The RTDS COMMAND messages whose keys the keystore holds (all but the HAN-only PCS01)."""
    check = Verifier(store)
    frames = [parse_hex(p.read_text(), p.name) for p in sorted((DATA / "rtds").glob("*/*_COMMAND_GBCS.HEX"))]
    return [raw for raw in frames if check.verify_bytes(raw).status == "verified"]


def bare_inputs(store: Keystore, frames: list[bytes]) -> list[tuple]:
    """Everything the crypto needs, extracted once, so the bare loop times only the crypto calls."""
    out = []
    for raw in frames:
        frame = parse_frame(raw)
        assert isinstance(frame, GeneralCiphering)
        s = frame.signing
        priv, pub = store.private_key(ACB, KeyUse.KA), store.public_key(s.recipient, KeyUse.KA)
        signature = None
        if s.signature:
            signer = s.supplementary_originator or s.originator
            r, sv = int.from_bytes(s.signature[:32], "big"), int.from_bytes(s.signature[32:], "big")
            signature = (store.public_key(signer, KeyUse.DS), encode_dss_signature(r, sv), s.signed_bytes())
        out.append((priv, pub, other_info(s.originator, s.cra, s.counter, s.recipient), frame.mac_iv(),
                    frame.mac_aad(), frame.mac, signature))
    return out


def bare_loop(inputs: list[tuple], cache: dict | None) -> None:
    """ECDH, KDF, GCM and ECDSA straight from ``cryptography``/``hashlib``: the floor to compare with."""
    ecdh, ecdsa = ec.ECDH(), ec.ECDSA(hashes.SHA256())
    for priv, pub, info, iv, aad, mac, signature in inputs:
        pair = (id(priv), id(pub))  # key objects are unhashable; the keystore hands out the same ones
        if cache is not None and pair in cache:
            z = cache[pair]
        else:
            z = priv.exchange(ecdh, pub)
            if cache is not None:
                cache[pair] = z
        key = hashlib.sha256(b"\x00\x00\x00\x01" + z + info).digest()[:16]
        if not hmac.compare_digest(AESGCM(key).encrypt(iv, b"", aad)[:12], mac):
            raise AssertionError("bare loop: MAC mismatch")
        if signature is not None:
            signature[0].verify(signature[1], signature[2], ecdsa)


def verifier_loop(verifier: Verifier, frames: list[bytes]) -> None:
    for raw in frames:
        if verifier.verify_bytes(raw).status != "verified":
            raise AssertionError("verifier: an RTDS command did not verify")


def median_rate(fn: Callable[[], None], per_call: int, rounds: int) -> float:
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        rates.append(per_call / (time.perf_counter() - t0))
    return statistics.median(rates)


def interleaved(a: Callable[[], None], b: Callable[[], None], per_call: int, rounds: int) -> tuple[float, float]:
    """Alternate the two loops round by round so machine noise hits both alike."""
    ra, rb = [], []
    for _ in range(rounds):
        ra.append(median_rate(a, per_call, 1))
        rb.append(median_rate(b, per_call, 1))
    return statistics.median(ra), statistics.median(rb)


#: The plain script the command line is compared with: parse each file, then the crypto straight
#: from ``cryptography``/``hashlib`` (the bare loop above, reading its inputs from the files).
PLAIN_SCRIPT = """
import hashlib, hmac, sys
from pathlib import Path
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nowan.model.gbcs.crypto import other_info
from nowan.model.gbcs.envelope import parse_frame, parse_hex
from nowan.model.gbcs.keystore import Keystore, KeyUse

store = Keystore.load(Path(sys.argv[1]))
acb = bytes.fromhex("90b3d51f30000002")
priv = store.private_key(acb, KeyUse.KA)
ecdh, ecdsa, secrets, ok = ec.ECDH(), ec.ECDSA(hashes.SHA256()), {}, 0
for name in sys.argv[2:]:
    frame = parse_frame(parse_hex(Path(name).read_text(), name))
    s = frame.signing
    if s.recipient not in secrets:
        secrets[s.recipient] = priv.exchange(ecdh, store.public_key(s.recipient, KeyUse.KA))
    key = hashlib.sha256(b"\\x00\\x00\\x00\\x01" + secrets[s.recipient]
                         + other_info(s.originator, s.cra, s.counter, s.recipient)).digest()[:16]
    good = hmac.compare_digest(AESGCM(key).encrypt(frame.mac_iv(), b"", frame.mac_aad())[:12], frame.mac)
    if s.signature:
        r, sv = int.from_bytes(s.signature[:32], "big"), int.from_bytes(s.signature[32:], "big")
        signer = s.supplementary_originator or s.originator
        store.public_key(signer, KeyUse.DS).verify(encode_dss_signature(r, sv), s.signed_bytes(), ecdsa)
    ok += good
print(ok, "verified")
"""


def _installed_env(cache: Path) -> dict[str, str]:
    """The environment of a command as an installed nowan runs: with its modules' bytecode.

    ``pip install`` compiles every module to bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    (set by some sandboxes and CI images) compiles nowan's modules from source in every process,
    a start-up cost no installed copy pays. Both commands get the same bytecode cache, written by
    the warm-up run, and the cache lives in a temporary folder, not in the checkout.
    """
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system, of the child) and standard output of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), out


def command_line(frames: list[bytes], files: int, rounds: int) -> None:
    """``nowan gbcs verify`` on ``files`` RTDS files (one process) against the plain script, rounds
    interleaved so that machine load hits both alike; then the start-up of the light commands."""
    names = sorted((DATA / "rtds").glob("*/*_COMMAND_GBCS.HEX"))
    keep = set(frames)
    sources = [p for p in names if parse_hex(p.read_text(), p.name) in keep]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(files):
            src = sources[i % len(sources)]
            dst = Path(tmp) / f"{i:04d}_{src.name}"
            dst.write_text(src.read_text())
            paths.append(str(dst))
        script = Path(tmp) / "plain_verify.py"
        script.write_text(PLAIN_SCRIPT)
        env = _installed_env(Path(tmp) / "bytecode")
        nowan = [sys.executable, "-m", "nowan.reports.cli"]
        cli = [*nowan, "gbcs", "verify", "--keystore", str(DATA / "keystore"), *paths]
        plain = [sys.executable, str(script), str(DATA / "keystore"), *paths]

        def check(out: str, expect: str) -> None:
            if expect == "cli" and out.count(": verified") != files:
                raise AssertionError("nowan gbcs verify did not verify every file")
            if expect == "plain" and out.split()[0] != str(files):
                raise AssertionError(f"plain script: {out!r}")

        for cmd, expect in ((cli, "cli"), (plain, "plain")):  # warm-up: bytecode and file cache
            check(_timed(cmd, env)[2], expect)
        runs: dict[str, list[tuple[float, float]]] = {"cli": [], "plain": []}
        for _ in range(rounds):
            for cmd, expect in ((cli, "cli"), (plain, "plain")):
                wall, cpu, out = _timed(cmd, env)
                check(out, expect)
                runs[expect].append((wall, cpu))
        light = {"nowan --version": [*nowan, "--version"],
                 "nowan utrn decode": [*nowan, "utrn", "decode", "73946144332040217315"],
                 "nowan gbcs verify (1 file)": [*nowan, "gbcs", "verify", "--keystore", str(DATA / "keystore"),
                                                paths[0]]}
        startup = {}
        for label, cmd in light.items():
            times = [_timed(cmd, env)[:2] for _ in range(rounds)]
            startup[label] = (statistics.median(w for w, _ in times), statistics.median(c for _, c in times))
    (cw, cc), (pw, pc) = ((statistics.median(w for w, _ in runs[k]), statistics.median(c for _, c in runs[k]))
                          for k in ("cli", "plain"))
    print(f"command line     : nowan gbcs verify, {files} files, one process {cw:6.2f} s   plain script "
          f"{pw:6.2f} s   ratio {cw / pw:.2f} (target <= 1.0); CPU time {cc:.2f} s and {pc:.2f} s, ratio {cc / pc:.2f}")
    print("start-up         : " + "   ".join(f"{label} {w:.2f} s (CPU {c:.2f} s)" for label, (w, c) in startup.items())
          + " (target < 0.2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000, help="RTDS files for the command-line comparison")
    parser.add_argument("--cli-rounds", type=int, default=11, help="rounds of the command-line comparison (interleaved)")
    args = parser.parse_args()

    store = Keystore.load(DATA / "keystore")
    frames = commands(store)
    inputs = bare_inputs(store, frames)
    n, signed = len(frames), sum(1 for i in inputs if i[-1] is not None)
    print(f"RTDS COMMAND messages with keys in the keystore: {n} ({signed} Critical, signed); "
          f"{args.rounds} rounds, medians; load average {os.getloadavg()[0]:.1f}")

    uncached = Verifier(store, cache_secrets=False)
    v_rate, b_rate = interleaved(lambda: verifier_loop(uncached, frames), lambda: bare_loop(inputs, None),
                                 n, args.rounds)
    print(f"ECDH per message : verifier {v_rate:8.0f} msg/s   bare crypto {b_rate:8.0f} msg/s   "
          f"ratio {v_rate / b_rate:.2f} (target >= 0.5)")

    cached = Verifier(store)
    verifier_loop(cached, frames)
    bare_cache: dict = {}
    bare_loop(inputs, bare_cache)
    v_rate, b_rate = interleaved(lambda: verifier_loop(cached, frames), lambda: bare_loop(inputs, bare_cache),
                                 n, args.rounds)
    print(f"ECDH cached      : verifier {v_rate:8.0f} msg/s   bare crypto {b_rate:8.0f} msg/s   "
          f"ratio {v_rate / b_rate:.2f}")

    pp_key = store.private_key(SUPPLIER, KeyUse.PP_KA)
    esme_pub = store.public_key(ESME, KeyUse.KA)
    batch = 200
    counters = [(c + 1) << 32 for c in range(batch)]
    utrns = [generate_utrn(pp_key, esme_pub, SUPPLIER, ESME, c, 10, ValueClass.POUNDS) for c in counters]
    gen_rate = median_rate(lambda: [generate_utrn(pp_key, esme_pub, SUPPLIER, ESME, c, 10, ValueClass.POUNDS)
                                    for c in counters], batch, args.rounds)
    # The meter side: device KA private key with the Supplier's PP-KA public key. The DCC publishes
    # no device private keys, so a simulated meter key stands in (the cost is the same).
    meter_key = deterministic_private_key("bench-esme-ka")
    meter_utrns = [generate_utrn(pp_key, meter_key.public_key(), SUPPLIER, ESME, c, 10, ValueClass.POUNDS)
                   for c in counters]
    pp_pub = store.public_key(SUPPLIER, KeyUse.PP_KA)

    def verify_all() -> None:
        for utrn, c in zip(meter_utrns, counters):
            if not verify_utrn_mac(utrn, meter_key, pp_pub, SUPPLIER, ESME, c):
                raise AssertionError("UTRN did not verify")

    ver_rate = median_rate(verify_all, batch, args.rounds)
    assert len(set(utrns)) == batch
    print(f"UTRN             : generated {gen_rate:8.0f} /s   verified {ver_rate:8.0f} /s")
    command_line(frames, args.files, args.cli_rounds)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall times stretch with it; CPU times less)")


if __name__ == "__main__":
    main()
