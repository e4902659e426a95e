"""z3 proofs of each no-WAN channel's security properties, with counterexamples replayed on the devices.

Public API:

- :func:`run(channels=None, assumptions=None) <proofs.runner.run>` -> ``list[PropertyResult]``: every
  property that applies to the selected channels - ids of packaged models, or a mapping of id to
  the caller's own ``Channel`` objects (used as given, never reloaded) - each with a stable id
  (``<property>@<channel>``), ``status`` (``proved`` | ``refuted`` | ``unknown``), ``seconds`` and a
  plain-data ``trace`` for refutations; ``PropertyResult.to_dict()`` is the JSON shape of
  ``nowan prove --json``.
- A refutation's ``trace`` is in the one trace format (:mod:`nowan.model.traces`): steps, the
  ``world`` that executes them and the proof's ``evidence``. This package only emits it; the one
  replayer, :func:`nowan.attacks.replay.replay` (also ``nowan fuzz --replay FILE``), runs it on
  ``model.devices``, so proofs and attacks each depend on the model only.
- Families, one module each: :mod:`.utrn` (UTRN anti-replay, floor, availability), :mod:`.commands`
  (A-REPLAY), :mod:`.bruteforce` (MAC guessing under the lockout), :mod:`.pairing` (A-60MIN),
  :mod:`.relay` (SECMP0038 relay), :mod:`.mp169` (the MP169 flag), :mod:`.controls` (cheapest
  control set that brings a channel within appetite). :mod:`.applicability` reads off each
  channel model which families apply. :mod:`.engine` is the shared prover (inductive invariant, then a bounded
  search for a real trace).
"""
from nowan.proofs.result import PROVED, REFUTED, UNKNOWN, PropertyResult
from nowan.proofs.runner import run

__all__ = ["PROVED", "REFUTED", "UNKNOWN", "PropertyResult", "run"]
