"""Dolev-Yao attackers per channel, fuzzing the reference implementation's real bytes.

Public API (everything else is private to its module):

- :mod:`nowan.model.traces` (in the model, shared with ``proofs``): :class:`Step` (actor, action,
  JSON args) and :class:`Trace` (channel, assumptions, flaws, steps, and for a proof counterexample
  its ``world`` and ``evidence``) with ``to_json`` / ``load`` / ``save``: the one replayable record.
- :mod:`attacks.replay`: ``replay(trace) -> Replay`` (``reproduced``, ``invariant``, ``detail``,
  ``step``, ``observed``): the one replayer, for fuzz findings and proof counterexamples alike
  (``nowan fuzz --replay FILE``). :mod:`attacks.counterexamples` holds the premises that execute
  each proof family's counterexamples, through the same loop as the fuzz worlds.
- :mod:`attacks.registry`: ``channel_ids(channels=None)``, ``not_fuzzed(channels=None)`` and
  ``harnesses(ids, envelope=None, channels=None)``: one harness per channel model that names an
  attacker world in its ``fuzz`` section (with the model's assumption values and steps), plus
  ``gbcs-envelope`` (mutation fuzzing of the envelope parser and verifier). Each harness has
  ``channel``, ``checks``, ``round(...)``, ``variants(...)``, ``replay(trace)`` and
  ``check_trace(trace, source)`` (TraceError naming ``steps[i]`` for a step the channel cannot take).
- :mod:`attacks.campaign`: ``run_campaign(harnesses, budget=, seed=, assumptions=, database=, ...)``
  returning a :class:`~attacks.findings.CampaignResult`; ``run_harness`` for one harness;
  ``open_database(spec)`` / ``open_databases(specs)`` for ``--db``; ``ReportingDatabase`` for
  ``--db-log``; the settings profiles ``nowan-fuzz`` / ``nowan-fuzz-ci``.
- :mod:`attacks.findings`: :class:`Finding` (channel, invariant, kind, message, trace) where kind is
  ``implementation-invariant`` (a bug) or ``channel-weakness`` (evidence for the risk report).
- :mod:`attacks.invariants`: the invariant catalogue (id, kind, text, help).
- SARIF and JUnit for a campaign are written by :mod:`nowan.reports.ci_outputs` (one writer for
  ``fuzz`` and ``assess``; attacks does not depend on reports).
- :mod:`attacks.envelope`: seeds, mutations and the two envelope properties.
- :mod:`attacks.selftest`: ``run_selftest`` / ``hunt``: kill each seeded flaw, report the kill rate.

Layout: ``worlds/`` hold the premises the attacker works on (devices, legitimate record, attacker
knowledge, invariant checks), each step declared on the world method that performs it
(:mod:`attacks.vocabulary`, in the style of Hypothesis's ``@rule``); ``machines.py`` turns a world
into a Hypothesis machine; ``variants.py`` the shrinking assumption variants; ``mutants.py`` the
code mutants the tests and benchmark hunt.
"""
