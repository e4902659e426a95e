"""The evidence bundle: every result the report shows, as plain data (``report.json``).

The report is a pure function of this bundle: the templates only lay it out. Each stage's result
(risk, proofs, fuzz) is attached to the channel it concerns, and every threat is linked to the
proof and fuzz evidence that bears on it, so a reader can go from a verdict to its evidence.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

from nowan.model.assumptions import Assumptions, catalogue
from nowan.model.channels import catalogues
from nowan.model.modifications import Modification, Today
from nowan.reports.decisions import decisions, tally, today_pages
from nowan.reports.sources import cited

SCHEMA_ID = "nowan-report/1"

#: Extra assumption labels that are not parameters but are used by every assessment (domain.md 8).
FIXED_ASSUMPTIONS = {
    "A-REPLAY": "Non-UTRN commands are accepted only if their counter is above the last accepted for that "
                "remote-party cell (domain.md 2.2, 8.4).",
    "A-PPMID": "A PPMID has HAN-only authority and no Remote Party keys; relaying, it can drop, delay, reorder "
               "or replay GBCS commands but not forge them (domain.md 4, 8.6).",
    "A-FLEET": "One Supplier's fleet is 25% of the exposed premises (impact.fleet_share in model/data/risk.yaml; "
               "the largest prepayment suppliers' share) [A]; it sizes every goal reached at 'fleet' scale.",
    "A-RISK": "5x5 matrix with NIST SP 800-30 Rev.1 Table I-2 banding; 'medium' appetite = residual at or "
              "below medium (domain.md 6, 8.7). The SSC's own scales are not public.",
}


def assumptions_table(assumptions: Assumptions) -> list[dict[str, Any]]:
    """Every assumption with value, label, source and whether it was overridden, in catalogue order."""
    cat = catalogue()
    rows = []
    for key, info in assumptions.to_dict().items():
        rows.append({"key": key, "value": info["value"], "label": info["label"], "source": info["source"],
                     "description": cat[key].description if key in cat else "a calibration of the models, overridden",
                     "overridden": info["overridden"]})
        if key in cat and cat[key].reported:   # the figures the sources report, for the flips to be read against
            rows[-1]["reported"] = [r.to_dict() for r in cat[key].reported]
    return rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def scales_data() -> dict[str, Any]:
    """The risk scales and matrix as the report shows them."""
    sc = catalogues.scales()
    return {
        "levels": list(sc.levels),
        "appetite": sc.appetite,
        "likelihood": {str(k): v for k, v in sorted(sc.likelihood_names.items())},
        "impact": {str(k): v for k, v in sorted(sc.impact_names.items())},
        "matrix": {str(k): list(v) for k, v in sorted(sc.matrix.items())},
    }


def evidence_map() -> dict[str, dict[str, tuple[str, ...]]]:
    """Rule id -> the proof property names and fuzz invariants that bear on it, as each rule declares
    them (``evidence`` in ``model/channels/rules.yaml``: one file, no second registry)."""
    return {r.id: {"proofs": r.proofs, "invariants": r.invariants} for r in catalogues.rules().values()}


def link_evidence(entry: dict[str, Any]) -> None:
    """Attach to each threat the proofs and fuzz findings of its rule on the same channel, by id."""
    emap = evidence_map()
    proofs = entry.get("proofs") or []
    fuzz = entry.get("fuzz") or {}
    findings = fuzz.get("findings") or []
    found = {f["invariant"] for f in findings}
    checked = set(fuzz.get("invariants") or ())
    for threat in entry.get("threats", []):
        ev = emap.get(threat.get("rule", ""), {"proofs": (), "invariants": ()})
        linked = [p for p in proofs if p["id"].split("@")[0] in ev["proofs"]]
        threat["evidence"] = {
            "proofs": [p["id"] for p in linked],
            "proof_status": {p["id"]: p["status"] for p in linked},
            "fuzz": [f"{f['invariant']}@{f['channel']}" for f in findings if f["invariant"] in ev["invariants"]],
            "fuzz_held": [i for i in ev["invariants"] if i in checked and i not in found],
        }


def summary(channels: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    within = [c["id"] for c in channels if c["verdict"] == "within-appetite"]
    above = [c["id"] for c in channels if c["verdict"] != "within-appetite"]
    return {"channels": len(channels), "within": within, "above": above}


def make_bundle(*, version: str, versions: Mapping[str, str], model_hash: str, seed: int, fuzz_examples: int,
                date: str | None, assumptions: Assumptions, channels: list[dict[str, Any]],
                command_matrix: dict[str, Any], comparisons: dict[str, Any],
                proofs_total: Mapping[str, int], fuzz_total: Mapping[str, Any],
                modifications: Mapping[str, Modification] | None = None,
                robustness: Mapping[str, Any] | None = None,
                graph_layout: Mapping[str, Any] | None = None,
                added: Mapping[str, Mapping[str, Any]] | None = None,
                exposed: Mapping[str, Mapping[str, Any]] | None = None,
                today: Mapping[str, Today] | None = None) -> dict[str, Any]:
    """Assemble ``report.json``. Nothing here depends on wall time: same inputs, same bytes."""
    for entry in channels:
        link_evidence(entry)
    appetite = catalogues.scales().appetite
    pages = decisions(channels, modifications or {}, appetite, added or {}, exposed or {})
    labels = sorted({a["label"] for a in assumptions_table(assumptions)} | set(FIXED_ASSUMPTIONS))
    out = _jsonable({
        "schema": SCHEMA_ID,
        "tool": {"name": "nowan", "version": version},
        "versions": dict(versions),
        "model_hash": model_hash,
        "seed": seed,
        "fuzz_examples": fuzz_examples,
        "date": date,
        "appetite": appetite,
        "scales": scales_data(),
        "assumptions": assumptions_table(assumptions),
        "assumption_labels": labels,
        "fixed_assumptions": FIXED_ASSUMPTIONS,
        "summary": summary(channels),
        "decision_summary": tally(pages),
        "modifications": pages,
        "today": today_pages(today or {}, channels, appetite),
        "proofs_total": dict(proofs_total),
        "fuzz_total": dict(fuzz_total),
        "robustness": dict(robustness or {}),
        "graph_layout": dict(graph_layout or {"renderer": "built-in", "version": None, "fallback": []}),
        "channels": channels,
        "command_matrix": command_matrix,
        "comparisons": comparisons,
    })
    out["sources"] = cited(out)   # the annex that resolves every citation the report makes
    return out
