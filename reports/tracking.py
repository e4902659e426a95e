"""Decision tracking: the committee's decision per risk id, kept in a YAML file beside the models.

Modelled on Threagile's ``risk_tracking``: each entry is keyed by a stable risk id the report
prints, ``residual@<channel>`` for a channel's residual risk or a threat id such as
``replay@utrn-keypad@meter``, and records the status the committee gave it (accepted, mitigated,
in-discussion, false-positive), the date, the justification and the ticket. The report shows each
risk's status, flags entries whose risk no longer exists (a model changed under the decision) and
risks above appetite with no decision; ``nowan assess --fail-on LEVEL --ignore-accepted`` lets an
accepted risk through the CI gate.

File shape::

    residual@pairing-no-timeout:
      status: accepted
      date: 2026-11-20
      justification: Accepted for the trial area only, pending the CS14 alert work.
      ticket: SSC-2026-14
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from nowan.model.catalogue import catalogue_entries, check_fields, one_line_text, read_catalogue

STATUSES = ("accepted", "mitigated", "in-discussion", "false-positive")
_FIELDS = ("status", "date", "justification", "ticket")


@dataclass(frozen=True)
class Decision:
    """The committee's decision on one risk id."""

    risk: str
    status: str
    date: str
    justification: str
    ticket: str
    origin: str

    def to_dict(self) -> dict[str, str]:
        return {"risk": self.risk, "status": self.status, "date": self.date,
                "justification": self.justification, "ticket": self.ticket, "origin": self.origin}


def parse_tracking(text: str, file: str) -> dict[str, Decision]:
    """Parse and validate a tracking file; a mistake is one line naming file, line and field."""
    src, entries = catalogue_entries(text, file, "risk id -> {status, date, justification, ticket}")
    out = {}
    for rid, raw in entries:
        if not isinstance(rid, str) or "@" not in rid:
            raise src.error("expected a risk id such as 'residual@CHANNEL' or 'replay@CHANNEL@meter' "
                            "(CHANNEL a channel id)", (rid,))
        check_fields(raw, _FIELDS, error=src.error, path=(rid,))
        if raw["status"] not in STATUSES:
            raise src.error(f"expected one of {', '.join(STATUSES)}, got {raw['status']!r}", (rid, "status"))
        date = raw["date"]
        if isinstance(date, dt.date):
            date = date.isoformat()
        else:
            try:
                date = dt.date.fromisoformat(str(date)).isoformat()
            except ValueError:
                raise src.error(f"expected a date YYYY-MM-DD, got {raw['date']!r}", (rid, "date")) from None
        justification, ticket = (one_line_text(raw[key], error=src.error, path=(rid, key), numbers=True)
                                 for key in ("justification", "ticket"))
        out[rid] = Decision(risk=rid, status=raw["status"], date=date, justification=justification,
                            ticket=ticket, origin=f"{file}:{src.line((rid,))}")
    return out


def load_tracking(path: str | Path) -> dict[str, Decision]:
    """Read the tracking file at ``path``."""
    return parse_tracking(read_catalogue(path), str(path))


def risk_ids(bundle: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every risk id the report knows: each channel's residual risk and each threat."""
    out: dict[str, dict[str, Any]] = {}
    for c in bundle["channels"]:
        out[f"residual@{c['id']}"] = {"channel": c["id"], "kind": "channel", "level": c["residual"]["level"],
                                      "above_appetite": c["verdict"] != "within-appetite", "title": c["title"]}
        for t in c.get("threats", []):
            out[t["id"]] = {"channel": c["id"], "kind": "threat", "level": None, "above_appetite": False,
                            "title": t["title"]}
    return out


def apply(bundle: dict[str, Any], decisions: Mapping[str, Decision], file: str) -> dict[str, Any]:
    """Attach each risk's status to the bundle and return the tracking section."""
    known = risk_ids(bundle)
    for c in bundle["channels"]:
        d = decisions.get(f"residual@{c['id']}")
        c["tracking"] = d.to_dict() if d else None
        for t in c.get("threats", []):
            td = decisions.get(t["id"])
            t["tracking"] = td.to_dict() if td else None
    risks = [dict(id=rid, **info, decision=decisions[rid].to_dict() if rid in decisions else None)
             for rid, info in known.items() if info["kind"] == "channel" or rid in decisions]
    return {
        "file": file,
        "risks": risks,
        "stale": [d.to_dict() for rid, d in decisions.items() if rid not in known],
        "undecided": [rid for rid, info in known.items() if info["above_appetite"] and rid not in decisions],
    }


def accepted_channels(bundle: Mapping[str, Any]) -> frozenset[str]:
    """Channels whose residual risk the committee accepted (the CI gate may let them through)."""
    return frozenset(c["id"] for c in bundle["channels"]
                     if (c.get("tracking") or {}).get("status") == "accepted")
