"""JUnit XML for a fuzz campaign: a test suite per channel, a test case per invariant it checks.

CI systems read JUnit natively; a finding becomes a ``failure`` (implementation bug) or, for a
channel weakness, a passing case with the evidence in ``system-out`` so that a weakness, which is
expected on some channels, does not turn a dashboard red.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from nowan.attacks.findings import IMPLEMENTATION, CampaignResult


def to_junit(result: CampaignResult, checked: dict[str, tuple[str, ...]]) -> str:
    """The JUnit XML document; ``checked`` maps each channel to the invariant ids its harness checks."""
    suites = ET.Element("testsuites", name="nowan-fuzz", tests="0", failures="0",
                        time=f"{result.seconds:.3f}")
    total = failures = 0
    for run in result.runs:
        by_inv = {f.invariant: f for f in run.findings}
        inv_ids = list(dict.fromkeys([*checked.get(run.channel, ()), *by_inv]))
        n_fail = sum(1 for f in run.findings if f.kind == IMPLEMENTATION)
        suite = ET.SubElement(suites, "testsuite", name=run.channel, tests=str(len(inv_ids)),
                              failures=str(n_fail), errors="0", skipped="0", time=f"{run.seconds:.3f}")
        props = ET.SubElement(suite, "properties")
        for k, v in (("examples", run.examples), ("steps", run.steps), ("seed", result.seed)):
            ET.SubElement(props, "property", name=k, value=str(v))
        for inv in inv_ids:
            case = ET.SubElement(suite, "testcase", classname=f"nowan.fuzz.{run.channel}", name=inv,
                                 time="0")
            f = by_inv.get(inv)
            if f is None:
                continue
            steps = "\n".join(s.describe() for s in f.trace.steps)
            if f.kind == IMPLEMENTATION:
                fail = ET.SubElement(case, "failure", message=f.message, type=f.kind)
                fail.text = steps
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{f.kind}: {f.message}\n{steps}"
        total += len(inv_ids)
        failures += n_fail
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
