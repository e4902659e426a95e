"""SARIF 2.1.0 for a fuzz campaign: one rule per invariant, one result per finding.

The trace is carried twice: as a ``codeFlow`` whose thread-flow locations are the steps (so a
SARIF viewer shows the attack step by step) and verbatim in ``properties.trace`` (so the file alone
is enough to replay the finding). Implementation bugs are ``error``; channel weaknesses ``warning``.
"""
from __future__ import annotations

from typing import Any

from nowan.attacks.findings import IMPLEMENTATION, CampaignResult, Finding
from nowan.attacks.invariants import INVARIANTS

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"


def _rule(inv_id: str) -> dict[str, Any]:
    inv = INVARIANTS[inv_id]
    return {"id": inv.id, "name": inv.id.replace("-", " ").title().replace(" ", ""),
            "shortDescription": {"text": inv.text}, "fullDescription": {"text": inv.text},
            "help": {"text": inv.help},
            "defaultConfiguration": {"level": "error" if inv.kind == IMPLEMENTATION else "warning"},
            "properties": {"kind": inv.kind}}


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    flow = [{"location": {"message": {"text": s.describe()}}, "executionOrder": i}
            for i, s in enumerate(f.trace.steps)]
    return {"ruleId": f.invariant, "ruleIndex": rule_index,
            "level": "error" if f.kind == IMPLEMENTATION else "warning",
            "message": {"text": f"{f.channel}: {f.message}"},
            "locations": [{"logicalLocations": [{"name": f.channel, "kind": "module",
                                                 "fullyQualifiedName": f.rule_id}]}],
            "partialFingerprints": {"nowanRule/v1": f.rule_id},
            "codeFlows": [{"message": {"text": f"{len(flow)} steps"},
                           "threadFlows": [{"locations": flow}]}] if flow else [],
            "properties": {"kind": f.kind, "channel": f.channel, "trace": f.trace.to_dict()}}


def to_sarif(result: CampaignResult, version: str = "0") -> dict[str, Any]:
    """The SARIF log for a campaign (a dict ready for ``json.dump``)."""
    ids = list(INVARIANTS)
    results = []
    for f in result.findings:
        r = _result(f, ids.index(f.invariant))
        if not r["codeFlows"]:
            del r["codeFlows"]
        results.append(r)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION,
            "runs": [{"tool": {"driver": {"name": "nowan-fuzz", "version": version,
                                          "informationUri": "https://example.invalid/nowan",
                                          "rules": [_rule(i) for i in ids]}},
                      "invocations": [{"executionSuccessful": True,
                                       "properties": {"seed": result.seed, "budget": result.budget,
                                                      "examples": result.examples}}],
                      "results": results}]}
