"""The key findings' plain words: a finding that rests on an assumption or an inference says so, and
the fewer-command-types finding says when its answer follows from how a route is modelled."""
from __future__ import annotations

from importlib import resources

import yaml

from nowan.reports.paper import _fewer_commands

FINDINGS = yaml.safe_load(resources.files("nowan.reports").joinpath("findings.yaml").read_text(encoding="utf-8"))


def test_findings_that_rest_on_assumptions_say_so():
    """SSC review: the reorder harm rests on A-REPLAY, the withholding on A-WITHHOLD's day, the pairing
    gate on an inference and the brute-force bound on a placeholder tolerance; each said none of it."""
    for family, marker in {"relay-reorder": "assumes", "relay-availability": "assumed",
                           "pairing-window": "inferred", "bruteforce-bound": "placeholder"}.items():
        assert marker in " ".join(FINDINGS[family].split()), family


def _page(routes):
    return {"id": "m", "title": "M (x)", "assessed": [{"id": r, "title": f"Route {r}"} for r, _, _ in routes],
            "added": {"routes": {r: {"route": r, "level": lv, "carried": carried} for r, lv, carried in routes},
                      "fewer_commands": [{"name": "top-up only", "worst": {"level": "high"}}]}}


def test_the_fewer_command_types_finding_says_when_a_route_forwards_any_command():
    forwards = _fewer_commands([_page([("hub", "high", []), ("relay", "medium", ["top-up"])])])
    assert "\u2018Route hub\u2019, which forwards whatever command arrives" in forwards
    carried = _fewer_commands([_page([("hub", "medium", []), ("relay", "high", ["top-up"])])])
    assert "forwards whatever command" not in carried and carried.startswith("Fewer command types")
