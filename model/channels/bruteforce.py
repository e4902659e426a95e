"""The closed form for online MAC guessing under A-LOCKOUT: one function for the risk engine and the proofs.

The risk engine (``evaluate.mac_guess``) scores a ``mac-guess`` step with it, and the z3 brute-force
bound (``proofs.bruteforce``) checks it against an integer optimum over whole attack schedules, so the
attacker's rate cannot drift between the risk score and the proof. From the same attempts a year come
the chance of one forged UTRN per meter (what the bound compares with ``bruteforce.max_probability``)
and the expected forged UTRNs a year across the premises an attack reaches (what the risk engine bands
into a likelihood and prices as the harm): :func:`expected_successes` and :func:`forged_a_year`.

Without a lockout the rate is one attempt per ``attempt_s``. With it, the attacker takes the better of
two periodic moves: stay just under the threshold in every window ((max_failures - 1) / window_s), or
trigger the lock each cycle (max_failures / (max_failures * attempt_s + lock_s)); never faster than
one attempt per ``attempt_s``.
"""
from __future__ import annotations

import math

SECONDS_PER_YEAR = 365 * 86400


def attempts_per_second(attempt_s: float, max_failures: float, window_s: float, lock_s: float,
                        lockout_applies: bool) -> float:
    """The attacker's long-run guessing rate (attempts per second)."""
    rate = 1.0 / attempt_s if attempt_s > 0 else math.inf
    if lockout_applies:
        under = (max_failures - 1) / window_s if max_failures > 1 and window_s else 0.0
        cycle = max_failures / (max_failures * attempt_s + lock_s) if max_failures > 0 else 0.0
        rate = min(rate, max(under, cycle))
    return rate


def attempts_in(horizon_s: float, attempt_s: float, max_failures: float, window_s: float, lock_s: float,
                lockout_applies: bool) -> float:
    """Attempts in ``horizon_s`` at the closed-form rate (a year: the risk engine's figure)."""
    return attempts_per_second(attempt_s, max_failures, window_s, lock_s, lockout_applies) * horizon_s


def expected_successes(attempts: float, mac_bits: int) -> float:
    """Expected forged codes from ``attempts`` guesses at a ``mac_bits`` MAC: ``attempts * 2^-mac_bits``
    (each guess is a fresh independent try; no cap, ``inf`` for unlimited guessing)."""
    return math.inf if math.isinf(attempts) else attempts * 2.0 ** -mac_bits


def success_probability(attempts: float, mac_bits: int) -> float:
    """The chance of one success per meter: the union bound on :func:`expected_successes`, at most 1."""
    return min(1.0, expected_successes(attempts, mac_bits))


def forged_a_year(per_premises: float, premises: float) -> float:
    """Expected forged codes a year across ``premises`` each guessed at ``per_premises`` a year."""
    return 0.0 if premises <= 0 else per_premises * premises
