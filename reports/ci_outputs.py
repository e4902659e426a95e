"""SARIF 2.1.0 and JUnit XML for ``nowan assess`` and ``nowan fuzz``: one taxonomy, one failure policy.

Both commands describe what they found as :class:`Result` records (a rule, the kind of finding,
the stable id of what it is about, the model line it concerns) and what they checked as
:class:`Case` records; this module alone turns those into files, so a CI dashboard sees the same
rule ids, fingerprints, locations and failures whichever command produced them.

The taxonomy (README "CI outputs"):

- ``implementation-invariant``: the reference implementation broke an invariant under attack (a
  bug). SARIF ``error``; always a failure.
- ``channel-weakness``: the faithful implementation or model still lets an attacker do harm: a
  fuzz weakness, or a security property z3 refutes. SARIF ``warning``; a failure only when the run
  asked for it (``nowan fuzz --fail-on weakness``).
- ``risk-above-appetite``: a channel's residual risk is above the SSC's appetite. SARIF ``error``;
  a failure only above the ``nowan assess --fail-on LEVEL`` gate.

A command exits 1 exactly when its JUnit file holds a failure (:func:`failed`).

Every SARIF result has a physical location, because GitHub code scanning rejects a file holding a
result without one: the model file and the line of the threat, goal or code the result is about.
A file is named relative to the root of the git checkout that holds it (``%SRCROOT%``), or, for
a ``--models`` directory in no checkout, relative to that directory (``MODELSROOT``); never
relative to the working directory, so the same inputs give the same SARIF from any folder.

A check that gave no answer (a proof the solver could not decide, a channel no fuzz world covers)
is a JUnit ``skipped`` case and a SARIF tool notification of level ``note`` in the run's
invocation, with the same location: it is not a finding, so it is not a result. ``partialFingerprints`` hash the rule and the subject only (never the message,
whose amounts change between campaigns), so a finding keeps its identity across runs.
"""
from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS
from nowan.attacks.invariants import INVARIANTS

RISK = "risk-above-appetite"
PROPERTY_REFUTED = "property-refuted"
KINDS = (IMPLEMENTATION, WEAKNESS, RISK)
LEVELS = {IMPLEMENTATION: "error", WEAKNESS: "warning", RISK: "error"}

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
MODELSROOT = "MODELSROOT"
FINGERPRINT = "nowan/v1"
#: The folder model labels are relative to (the repository; in a wheel, the installed package).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Rule:
    """One SARIF rule: a stable id, its kind in the taxonomy, what it means and what to do."""

    id: str
    kind: str
    text: str
    help: str


def rules() -> dict[str, Rule]:
    """The whole taxonomy, in a fixed order: every invariant a harness checks, then the model rules."""
    out = {i.id: Rule(i.id, i.kind, i.text, i.help) for i in INVARIANTS.values()}
    out[PROPERTY_REFUTED] = Rule(
        PROPERTY_REFUTED, WEAKNESS, "A channel security property is refuted (z3 counterexample).",
        "The counterexample in the report shows how the channel's design lets the attacker through; "
        "it replays on the reference devices. Treat it as evidence for the risk verdict.")
    out[RISK] = Rule(
        RISK, RISK, "Residual risk above the SSC's risk appetite.",
        "The report's cheapest treatment lists the candidate controls that bring the channel within "
        "appetite; the goal named in the message drives the residual level.")
    return out


@dataclass(frozen=True)
class Result:
    """One finding, whichever stage produced it."""

    rule: str
    subject: str                 # stable id of what it is about: 'nfc', 'wrap@utrn-keypad', 'credit-once@usb'
    message: str
    source: str                  # 'path:line' of the model record (or code) the finding concerns
    residual: str | None = None  # the residual level, for risk results (the --fail-on gate reads it)
    steps: tuple[str, ...] = ()  # the attack trace, one line per step
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return rules()[self.rule].kind

    @property
    def fingerprint(self) -> str:
        """Same rule and subject, same fingerprint, whatever the message says this time."""
        return hashlib.sha256(f"{self.rule}\0{self.subject}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Policy:
    """Which results fail the run: bugs always; weaknesses on request; risk above a gate level."""

    weakness: bool = False
    risk_levels: frozenset[str] = frozenset()  # residual levels that fail (above --fail-on LEVEL)
    accepted: frozenset[str] = frozenset()     # channels whose residual risk the committee accepted

    def fails(self, r: Result) -> bool:
        if r.kind == IMPLEMENTATION:
            return True
        if r.kind == WEAKNESS:
            return self.weakness
        return r.residual in self.risk_levels and r.subject not in self.accepted


@dataclass(frozen=True)
class Case:
    """One JUnit test case: a check that ran, and the result it produced (None: it held)."""

    suite: str
    classname: str
    name: str
    result: Result | None = None
    failure: str | None = None   # a failure with no result of its own (a gated residual level)
    note: str | None = None      # system-out for a passing case
    skipped: str | None = None   # the check gave no answer (a proof the solver could not decide)
    seconds: float | None = None
    where: str | None = None     # 'path:line' a skipped check concerns (its SARIF notification's location)


def failed(cases: Iterable[Case], policy: Policy) -> list[Case]:
    """The failing cases: the run exits 1 exactly when there is one."""
    return [c for c in cases if c.failure or (c.result is not None and policy.fails(c.result))]


# -- locations ----------------------------------------------------------------------------------
def split_source(source: str) -> tuple[str, int]:
    """``'model/channels/nfc.yaml:42'`` -> (path, 42); no line -> line 1 (the file as a whole)."""
    path, sep, line = source.rpartition(":")
    if sep and line.isdigit() and path:
        return path, max(1, int(line))
    return source, 1


def artifact(path: str, models_root: Path | None = None) -> dict[str, str]:
    """A relative ``artifactLocation`` that does not depend on the working directory.

    A file of the ``--models`` directory (its label is the path as the user gave it) and any other
    absolute path are named relative to the root of the git checkout holding them (``%SRCROOT%``,
    what GitHub code scanning resolves against) or, in no checkout, relative to the ``--models``
    root (``MODELSROOT``). A packaged model's label is already relative to the repository. No
    absolute path reaches the file (same bytes on every machine), and URIs are percent-encoded: a
    folder name may hold spaces, quotes, markup or control characters.
    """
    from urllib.parse import quote

    p = Path(path)
    full = (p if p.is_absolute() else Path(os.getcwd()) / p).resolve()
    root = models_root.resolve() if models_root is not None else None
    inside = root is not None and (full == root or root in full.parents)
    if not p.is_absolute() and not inside:
        return {"uri": quote(p.as_posix()), "uriBaseId": SRCROOT}
    checkout = checkout_root(full.parent)
    if checkout is not None:
        return {"uri": quote(full.relative_to(checkout).as_posix()), "uriBaseId": SRCROOT}
    if inside:
        return {"uri": quote(full.relative_to(root).as_posix()), "uriBaseId": MODELSROOT}  # type: ignore[arg-type]
    return {"uri": quote(full.name), "uriBaseId": MODELSROOT}


@lru_cache(maxsize=64)
def checkout_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git`` (a checkout or a worktree), or None."""
    for d in (folder, *folder.parents):
        if (d / ".git").exists():
            return d
    return None


def evidence_source(threats: Sequence[Mapping[str, Any]], *, invariant: str | None = None,
                    proof: str | None = None) -> str | None:
    """The model line of the first threat whose rule the invariant or proof property bears on
    (``evidence`` in ``model/channels/rules.yaml``); ``threats`` are dicts with ``rule`` and ``source``."""
    from nowan.reports.bundle import evidence_map

    emap = evidence_map()
    for t in threats:
        ev = emap.get(t.get("rule", ""), {"proofs": (), "invariants": ()})
        if invariant is not None and invariant in ev["invariants"]:
            return t["source"]
        if proof is not None and proof.split("@")[0] in ev["proofs"]:
            return t["source"]
    return None


def code_source(obj: Any) -> str:
    """``path:line`` of a function or class of ours, relative to the project (for findings about code,
    such as the GBCS envelope verifier, that no channel model describes)."""
    import inspect

    path = Path(inspect.getsourcefile(obj) or "").resolve()
    line = inspect.getsourcelines(obj)[1]
    try:
        return f"{path.relative_to(PROJECT_ROOT).as_posix()}:{line}"
    except ValueError:
        return f"{path.as_posix()}:{line}"


# -- building results ---------------------------------------------------------------------------
def fuzz_cases(channel: str, invariants: Iterable[str], findings: Sequence[Mapping[str, Any]],
               source_of: Mapping[str, str], *, seconds: float | None = None) -> list[Case]:
    """A case per invariant the harness checked, failing or noted by its finding.

    ``findings`` are ``Finding.to_dict()`` shapes; ``source_of`` maps an invariant to its model line."""
    by_inv = {f["invariant"]: f for f in findings}
    cases = []
    for inv in dict.fromkeys([*invariants, *by_inv]):
        f = by_inv.get(inv)
        result = None
        if f is not None:
            steps = tuple(_describe(s) for s in (f.get("trace") or {}).get("steps", []))
            result = Result(inv, f"{inv}@{channel}", f"{inv}@{channel}: {f['message']}", source_of[inv],
                            steps=steps, properties={"channel": channel, "trace": f.get("trace")})
        cases.append(Case("nowan.fuzz", f"nowan.fuzz.{channel}", inv, result, seconds=seconds))
    return cases


def _xml(value: Any) -> str:
    """Text valid in XML 1.0: control characters (but newline and tab) shown as escapes."""
    from nowan.model.errors import printable

    return printable(value, keep_lines=True)


def _describe(step: Mapping[str, Any]) -> str:
    from nowan.model.traces import Step

    return Step.from_dict(step).describe()


def harness_sources(channel: str, invariants: Iterable[str], under_test: Any,
                    directory: Path | None = None) -> dict[str, str]:
    """For ``nowan fuzz``: each invariant's location, the model line of the first threat of the
    channel it bears on (the channel file itself if none does). A harness with no channel model
    (the GBCS envelope fuzzer) points at the code under test."""
    from nowan.model.channels import load_channels
    from nowan.model.channels.loader import CHANNEL_DIR

    if not ((directory or CHANNEL_DIR) / f"{channel}.yaml").exists():
        where = code_source(under_test)
        return {i: where for i in invariants}
    ch = load_channels([channel], directory)[channel]
    threats = [{"rule": s.rule.id, "source": str(s.origin)} for s in ch.steps]
    return {i: evidence_source(threats, invariant=i) or f"{ch.file}:1" for i in invariants}


def assess_cases(bundle: Mapping[str, Any], risk_levels: Iterable[str] = (),
                 accepted: Iterable[str] = ()) -> list[Case]:
    """Risk, proof and fuzz cases for every channel of an assessment bundle, in report order;
    ``accepted`` channels (decision tracking) are not failed by the gate."""
    gate = frozenset(risk_levels)
    accepted = frozenset(accepted)
    risk, proofs, fuzz = [], [], []
    for c in bundle["channels"]:
        threats = c.get("threats", [])
        goal_source = {g["id"]: g["source"] for g in c.get("goals", [])}
        driving = goal_source.get(c["residual"].get("goal", ""), c["source"])
        level = c["residual"]["level"]
        text = f"{c['id']}: residual {level} (goal {c['residual']['goal']})"
        result = None
        if c["verdict"] != "within-appetite":
            result = Result(RISK, c["id"], f"{c['id']}: residual {level} is above the '{bundle['appetite']}' "
                            f"appetite (goal {c['residual']['goal']})", driving, residual=level)
        gated = (f"residual {level} above the --fail-on gate"
                 if level in gate and result is None and c["id"] not in accepted else None)
        risk.append(Case("nowan.risk", "nowan.risk", f"residual@{c['id']}", result, failure=gated, note=text))
        for p in c.get("proofs", []):
            where = evidence_source(threats, proof=p["id"]) or driving
            status = p["status"]
            res = (Result(PROPERTY_REFUTED, p["id"], f"{p['id']}: {p.get('detail', '')}", where,
                          properties={"channel": c["id"], "counterexample": p.get("trace")})
                   if status == "refuted" else None)
            proofs.append(Case("nowan.proofs", f"nowan.proofs.{c['id']}", p["id"], res,
                               note=f"{status}: {p.get('detail', '')}" if status == "proved" else None,
                               skipped=f"{status}: {p.get('detail', '')}" if status not in ("proved", "refuted") else None,
                               where=where))
        fz = c.get("fuzz")
        if fz:
            invs = list(dict.fromkeys([*fz.get("invariants", []), *(f["invariant"] for f in fz["findings"])]))
            source_of = {i: evidence_source(threats, invariant=i) or driving for i in invs}
            fuzz.extend(fuzz_cases(c["id"], invs, fz["findings"], source_of))
        else:
            why = NO_WORLD if bundle.get("fuzz_examples", 0) else "fuzzing was skipped (--examples 0)"
            fuzz.append(not_fuzzed(c["id"], why, c["source"]))
    return risk + proofs + fuzz


#: Why a channel of the model directory was not fuzzed, when no fuzz world covers it.
NO_WORLD = "no fuzz world covers this channel yet"


def not_fuzzed(channel: str, why: str, where: str) -> Case:
    """The case for a channel that was not fuzzed: skipped, with the reason (never silently absent)."""
    return Case("nowan.fuzz", f"nowan.fuzz.{channel}", NOT_FUZZED, skipped=f"{channel}: not fuzzed: {why}",
                where=where)


#: The JUnit case name and SARIF notification id of a channel that was not fuzzed.
NOT_FUZZED = "not-fuzzed"


# -- SARIF --------------------------------------------------------------------------------------
def to_sarif(cases: Iterable[Case], *, version: str, models_root: Path | None = None,
             invocation: Mapping[str, Any] | None = None) -> str:
    """The SARIF 2.1.0 log (JSON text) for every result among ``cases``."""
    table = rules()
    ids = list(table)
    results = []
    notes = []
    for case in cases:
        r = case.result
        if r is None and case.skipped:  # no answer, no finding: a note about the run, at its model line
            path, line = split_source(case.where or "")
            note: dict[str, Any] = {"level": "note", "message": {"text": case.skipped},
                                    "descriptor": {"id": case.name if case.name == NOT_FUZZED else "not-decided"}}
            if case.where:
                note["locations"] = [{"physicalLocation": {"artifactLocation": artifact(path, models_root),
                                                           "region": {"startLine": line}}}]
            notes.append(note)
        if r is None:
            continue
        path, line = split_source(r.source)
        physical = {"artifactLocation": artifact(path, models_root), "region": {"startLine": line}}
        res: dict[str, Any] = {
            "ruleId": r.rule, "ruleIndex": ids.index(r.rule), "level": LEVELS[r.kind],
            "message": {"text": r.message},
            "locations": [{"physicalLocation": physical,
                           "logicalLocations": [{"name": r.subject, "kind": "member"}]}],
            "partialFingerprints": {FINGERPRINT: r.fingerprint},
            "properties": {"kind": r.kind, "subject": r.subject, **r.properties},
        }
        if r.steps:
            res["codeFlows"] = [{"message": {"text": f"{len(r.steps)} steps"}, "threadFlows": [{"locations": [
                {"location": {"physicalLocation": physical, "message": {"text": s}}, "executionOrder": i}
                for i, s in enumerate(r.steps)]}]}]
        results.append(res)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "nowan", "version": version, "rules": [_rule(r) for r in table.values()]}},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The repository root: model files are named relative to it."}},
            MODELSROOT: {"description": {"text": "The --models directory, when it lies outside the repository."}}},
        "results": results,
    }
    if invocation is not None or notes:
        run["invocations"] = [{"executionSuccessful": True,
                               **({"toolExecutionNotifications": notes} if notes else {}),
                               **({"properties": dict(invocation)} if invocation is not None else {})}]
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(r: Rule) -> dict[str, Any]:
    return {"id": r.id, "name": "".join(w.title() for w in r.id.split("-")),
            "shortDescription": {"text": r.text}, "fullDescription": {"text": r.text},
            "help": {"text": r.help}, "defaultConfiguration": {"level": LEVELS[r.kind]},
            "properties": {"kind": r.kind, "tags": ["security", r.kind]}}


# -- JUnit --------------------------------------------------------------------------------------
def to_junit(cases: Sequence[Case], policy: Policy, *, name: str,
             properties: Mapping[str, Any] | None = None) -> str:
    """The JUnit XML document, built with ElementTree (which escapes every text and attribute once).

    ElementTree does not touch control characters, and XML 1.0 forbids most of them (a NUL or
    an ESC makes the file unreadable to every CI tool), so every string passes ``_xml`` first.
    """
    root = ET.Element("testsuites", name=name)
    suites: dict[str, list[Case]] = {}
    for c in cases:
        suites.setdefault(c.suite, []).append(c)
    total = fails = 0
    for suite_name, members in suites.items():
        bad = failed(members, policy)
        skipped = sum(1 for c in members if c.skipped)
        suite = ET.SubElement(root, "testsuite", name=_xml(suite_name), tests=str(len(members)),
                              failures=str(len(bad)), errors="0", skipped=str(skipped))
        if properties:
            props = ET.SubElement(suite, "properties")
            for k, v in properties.items():
                ET.SubElement(props, "property", name=_xml(k), value=_xml(v))
        for c in members:
            case = ET.SubElement(suite, "testcase", classname=_xml(c.classname), name=_xml(c.name))
            if c.seconds is not None:
                case.set("time", f"{c.seconds:.3f}")
            r = c.result
            if c in bad:
                fail = ET.SubElement(case, "failure", message=_xml(r.message if r else c.failure),
                                     type=r.kind if r else RISK)
                fail.text = _xml("\n".join(r.steps)) if r and r.steps else None
            elif c.skipped:
                ET.SubElement(case, "skipped", message=_xml(c.skipped))
            elif r is not None or c.note:
                out = ET.SubElement(case, "system-out")
                out.text = _xml("\n".join([f"{r.kind}: {r.message}", *r.steps]) if r else c.note)
        total += len(members)
        fails += len(bad)
    root.set("tests", str(total))
    root.set("failures", str(fails))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
