"""SARIF 2.1.0 and JUnit XML for the assessment, so CI can gate on it and show results inline.

Results: a channel whose residual risk is above appetite, a refuted security property, and a fuzz
finding (implementation bugs as errors, demonstrated channel weaknesses as warnings). Everything is
derived from the bundle, so these files are as deterministic as ``report.json``.
"""
from __future__ import annotations

import json
from typing import Any, Mapping
from xml.sax.saxutils import escape, quoteattr

from nowan.attacks.outputs.sarif import SARIF_SCHEMA

_RULES = {
    "risk-above-appetite": "Residual risk above the SSC's risk appetite",
    "property-refuted": "A channel security property is refuted (z3 counterexample)",
    "implementation-invariant": "The reference implementation violated an invariant under attack",
    "channel-weakness": "An attacker on the channel demonstrated a weakness of the channel design",
}


def _result(rule: str, level: str, message: str, source: str, fingerprint: str) -> dict[str, Any]:
    path, _, line = source.partition(":")
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": path or "model"}}}
    if line.isdigit():
        loc["physicalLocation"]["region"] = {"startLine": int(line)}
    return {"ruleId": rule, "ruleIndex": list(_RULES).index(rule), "level": level,
            "message": {"text": message}, "locations": [loc],
            "partialFingerprints": {"nowanId": fingerprint}}


def to_sarif(bundle: Mapping[str, Any]) -> str:
    results = []
    for c in bundle["channels"]:
        src = c.get("source") or "model"
        if c["verdict"] != "within-appetite":
            results.append(_result("risk-above-appetite", "error",
                                   f"{c['id']}: residual {c['residual']['level']} is above the "
                                   f"'{bundle['appetite']}' appetite (goal {c['residual']['goal']})", src,
                                   f"risk@{c['id']}"))
        for p in c.get("proofs", []):
            if p["status"] == "refuted":
                results.append(_result("property-refuted", "warning", f"{p['id']}: {p.get('detail', '')}", src,
                                       p["id"]))
        for f in (c.get("fuzz") or {}).get("findings", []):
            rule = "implementation-invariant" if f["kind"] == "implementation-invariant" else "channel-weakness"
            results.append(_result(rule, "error" if rule == "implementation-invariant" else "warning",
                                   f"{f['invariant']}@{f['channel']}: {f['message']}", src,
                                   f"{f['invariant']}@{f['channel']}"))
    log = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "nowan", "version": bundle["tool"]["version"],
                                      "rules": [{"id": k, "shortDescription": {"text": v}}
                                                for k, v in _RULES.items()]}},
                  "results": results}],
    }
    return json.dumps(log, indent=2) + "\n"


def to_junit(bundle: Mapping[str, Any]) -> str:
    suites = []
    for name, cases in (("risk", _risk_cases(bundle)), ("proofs", _proof_cases(bundle)),
                        ("fuzz", _fuzz_cases(bundle))):
        failures = sum(1 for _, f in cases if f)
        body = "".join(
            f'    <testcase classname={quoteattr("nowan." + name)} name={quoteattr(case)}>'
            + (f"<failure message={quoteattr(fail)}/>" if fail else "") + "</testcase>\n"
            for case, fail in cases)
        suites.append(f'  <testsuite name={quoteattr("nowan." + name)} tests="{len(cases)}" '
                      f'failures="{failures}" errors="0" skipped="0">\n{body}  </testsuite>\n')
    return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nowan assess">\n' + "".join(suites) + \
        "</testsuites>\n"


def _risk_cases(bundle: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(f"residual-within-appetite@{c['id']}",
             "" if c["verdict"] == "within-appetite" else f"residual {c['residual']['level']} above "
                                                          f"{bundle['appetite']}") for c in bundle["channels"]]


def _proof_cases(bundle: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(p["id"], "" if p["status"] == "proved" else f"{p['status']}: {p.get('detail', '')}")
            for c in bundle["channels"] for p in c.get("proofs", [])]


def _fuzz_cases(bundle: Mapping[str, Any]) -> list[tuple[str, str]]:
    cases = []
    for c in bundle["channels"]:
        fz = c.get("fuzz")
        if not fz:
            continue
        bugs = [f for f in fz["findings"] if f["kind"] == "implementation-invariant"]
        cases.append((f"implementation-invariants@{c['id']}",
                      "; ".join(escape(f"{f['invariant']}: {f['message']}") for f in bugs)))
    return cases
