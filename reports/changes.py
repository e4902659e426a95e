"""What changed since the last assessment: two report.json bundles compared by stable id.

Why: working groups iterate and the committee revisits a modification year after year; it needs to
see which verdicts, levels, controls, assumptions, proofs and fuzz findings moved, and which input
moved them. Every change is keyed by a stable id (``residual@nfc``, ``bruteforce-bound@nfc``,
``credit-once@usb``, ``decision@secmp0037``) and carries its causes: the inputs that differ between
the two runs and that the changed item depends on (the channel's model file, the assumptions its
evidence names, the shared model data, the seed and fuzz budget for fuzz findings, the tool version).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from nowan.model.errors import InputError
from nowan.model.safeio import read_text

SCHEMA_ID = "nowan-report/1"


#: A report.json of every channel is a few MB; this bound only stops a wrong file.
MAX_REPORT_BYTES = 64 << 20


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a report.json; a missing, malformed or foreign file is a one-line error."""
    text = read_text(Path(path), str(path), limit=MAX_REPORT_BYTES)  # a regular file: a FIFO must not block
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError(f"expected a nowan report.json, not valid JSON ({exc})", where=str(path)) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID or not isinstance(data.get("channels"), list):
        raise InputError(f"expected a nowan report.json (schema {SCHEMA_ID})", where=str(path)) from None
    return data


def _assumptions(bundle: Mapping[str, Any]) -> dict[str, Any]:
    return {a["key"]: a["value"] for a in bundle.get("assumptions", [])}


def _inputs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The inputs that differ between the runs, each with a stable id."""
    out: list[dict[str, Any]] = []
    oa, na = _assumptions(old), _assumptions(new)
    for key in sorted(set(oa) | set(na)):
        if oa.get(key) != na.get(key):
            out.append({"id": f"assumption:{key}", "kind": "assumption", "old": oa.get(key), "new": na.get(key)})
    oc = {c["id"]: c for c in old["channels"]}
    nc = {c["id"]: c for c in new["channels"]}
    for cid in sorted(set(oc) | set(nc)):
        a, b = oc.get(cid), nc.get(cid)
        if a is None or b is None or a.get("model_hash") != b.get("model_hash"):
            out.append({"id": f"model:{cid}", "kind": "model", "old": a and a.get("model_hash"),
                        "new": b and b.get("model_hash"), "file": (b or a or {}).get("source", "")})
    changed_models = {i["id"] for i in out if i["kind"] == "model"}
    if old.get("model_hash") != new.get("model_hash") and not changed_models:
        out.append({"id": "model-data", "kind": "model-data", "old": old.get("model_hash"), "new": new.get("model_hash")})
    for key in ("seed", "budget_s"):
        if old.get(key) != new.get(key):
            out.append({"id": key, "kind": key, "old": old.get(key), "new": new.get(key)})
    ov, nv = (old.get("tool") or {}).get("version"), (new.get("tool") or {}).get("version")
    if ov != nv:
        out.append({"id": "tool", "kind": "tool", "old": ov, "new": nv})
    return out


def _causes(inputs: list[dict[str, Any]], channel: Mapping[str, Any] | None, *, fuzz: bool = False) -> list[str]:
    """The changed inputs a channel's result depends on."""
    if channel is None:
        return [i["id"] for i in inputs if i["kind"] == "model"]
    used = {a["key"] for a in channel.get("assumptions_used", [])}
    out = []
    for i in inputs:
        if i["kind"] == "assumption" and i["id"].split(":", 1)[1] in used:
            out.append(i["id"])
        elif i["kind"] == "model" and i["id"] == f"model:{channel['id']}":
            out.append(i["id"])
        elif i["kind"] in ("model-data", "tool") or (fuzz and i["kind"] in ("seed", "budget_s")):
            out.append(i["id"])
    return out


def _change(cid: str, kind: str, old: Any, new: Any, causes: list[str]) -> dict[str, Any]:
    return {"id": cid, "kind": kind, "old": old, "new": new,
            "caused_by": causes or ["unattributed: no changed input this item depends on"]}


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The changes from ``old`` to ``new`` (two bundles), each with the inputs that caused it."""
    inputs = _inputs(old, new)
    changes: list[dict[str, Any]] = []
    oc = {c["id"]: c for c in old["channels"]}
    nc = {c["id"]: c for c in new["channels"]}
    for cid in [c["id"] for c in new["channels"]] + [c for c in oc if c not in nc]:
        a, b = oc.get(cid), nc.get(cid)
        if a is None or b is None:
            changes.append(_change(f"channel@{cid}", "channel", "absent" if a is None else "assessed",
                                   "absent" if b is None else "assessed", _causes(inputs, None)))
            continue
        causes = _causes(inputs, b) or _causes(inputs, a)
        if a["verdict"] != b["verdict"]:
            changes.append(_change(f"verdict@{cid}", "verdict", a["verdict"], b["verdict"], causes))
        for which in ("inherent", "residual"):
            if a[which]["level"] != b[which]["level"]:
                changes.append(_change(f"{which}@{cid}", "level", a[which]["level"], b[which]["level"], causes))
        octl = {k["id"]: (k["status"], k["enabled"]) for k in a.get("controls", [])}
        nctl = {k["id"]: (k["status"], k["enabled"]) for k in b.get("controls", [])}
        for k in sorted(set(octl) | set(nctl)):
            if octl.get(k) != nctl.get(k):
                fmt = lambda v: "absent" if v is None else f"{v[0]}, {'in force' if v[1] else 'not in force'}"  # noqa: E731
                changes.append(_change(f"control:{k}@{cid}", "control", fmt(octl.get(k)), fmt(nctl.get(k)), causes))
        ob, nb = a.get("best_controls") or {}, b.get("best_controls") or {}
        if (ob.get("status"), ob.get("controls")) != (nb.get("status"), nb.get("controls")):
            show = lambda v: f"{v.get('status', 'none')}: {', '.join(v.get('controls') or []) or '-'}"  # noqa: E731
            changes.append(_change(f"cheapest-controls@{cid}", "control", show(ob), show(nb), causes))
        op = {p["id"]: p["status"] for p in a.get("proofs") or []}
        np_ = {p["id"]: p["status"] for p in b.get("proofs") or []}
        for pid in sorted(set(op) | set(np_)):
            if op.get(pid) != np_.get(pid):
                changes.append(_change(pid, "proof", op.get(pid, "absent"), np_.get(pid, "absent"), causes))
        fcause = _causes(inputs, b, fuzz=True)
        of = {f"{f['invariant']}@{f['channel']}" for f in (a.get("fuzz") or {}).get("findings") or []}
        nf = {f"{f['invariant']}@{f['channel']}" for f in (b.get("fuzz") or {}).get("findings") or []}
        for fid in sorted(of ^ nf):
            changes.append(_change(fid, "fuzz-finding", "found" if fid in of else "absent",
                                   "found" if fid in nf else "absent", fcause))
    changes.extend(_decision_changes(old, new, changes))
    return {"baseline": {"model_hash": old.get("model_hash"), "date": old.get("date"), "seed": old.get("seed")},
            "inputs": inputs, "changes": changes}


def _decision_changes(old: Mapping[str, Any], new: Mapping[str, Any],
                      changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A modification whose recommendation moved, caused by what moved its channels."""
    om = {m["id"]: m for m in old.get("modifications") or []}
    out = []
    for m in new.get("modifications") or []:
        before = om.get(m["id"])
        if before is None or before["recommendation"] == m["recommendation"]:
            continue
        causes = sorted({c for ch in changes if ch["id"].split("@")[-1] in m["channels"] for c in ch["caused_by"]})
        out.append(_change(f"decision@{m['id']}", "decision", before["recommendation"], m["recommendation"], causes))
    return out


def describe(d: Mapping[str, Any]) -> list[str]:
    """The changes as lines of text, for ``nowan diff`` and the terminal."""
    lines = []
    for i in d["inputs"]:
        lines.append(f"input {i['id']}: {i['old']} -> {i['new']}")
    for c in d["changes"]:
        lines.append(f"{c['kind']} {c['id']}: {c['old']} -> {c['new']} (caused by {', '.join(c['caused_by'])})")
    if not d["changes"]:
        lines.append("no verdict, level, control, proof, fuzz finding or decision changed")
    return lines
