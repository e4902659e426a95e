"""The Sources annex: every citation a report makes resolves to what it names, from data kept in
step with the repository's own source lists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nowan.reports.sources import catalogue, cited

ROOT = Path(__file__).parents[2]


def test_the_packaged_source_list_agrees_with_the_documents_it_summarises():
    """docs/sources.md names the seeds and docs/domain.md lists S1-S29 and its sections; the annex's
    data must say the same, so a citation reads the same in the repository and in the paper."""
    cat = catalogue()
    seeds = dict(re.findall(r"^\| (00\d) \| (.+?) \|$", (ROOT / "docs" / "sources.md").read_text(), re.M))
    assert cat["seeds"] == {f"seed {k}": v.strip() for k, v in seeds.items()}
    domain = (ROOT / "docs" / "domain.md").read_text()
    refs = dict(re.findall(r"^- (S\d+) \u2014 (.+)$", domain, re.M))
    assert cat["references"] == {k: v.strip() for k, v in refs.items()}
    sections = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", domain, re.M)
    assert sorted(cat["domain"]) == sorted(f"domain.md {n}" for n in sections)


def test_citations_are_found_in_every_form_the_models_write():
    got = {s["id"]: s["title"] for s in cited({"a": ["domain.md 1.4, 1.5 and seed 002"],
                                               "b": "domain.md 11.2-11.3; S16: lockout; domain.md 8.4"})}
    assert set(got) == {"domain.md 1.4", "domain.md 1.5", "seed 002", "domain.md 11.2", "domain.md 11.3", "S16",
                        "domain.md 8.4"}
    assert got["domain.md 8.4"].endswith(", item 4") and "Landis+Gyr" in got["S16"]
    assert cited({"x": "S99 and SMETS1 and CS01a"}) == [{"kind": "references", "id": "S99",
                                                         "title": "not in the source list"}]


@pytest.fixture(scope="module")
def report():
    from nowan.reports.pipeline import assess

    bundle, _ = assess(examples=0, run_proofs=False)
    return bundle


def test_every_citation_in_a_full_report_resolves(report):
    listed = {s["id"] for s in report["sources"]}
    assert {"seed 000", "seed 001", "seed 002", "seed 003", "seed 004"} <= listed
    assert [s for s in report["sources"] if s["title"] == "not in the source list"] == []
    assert listed == {s["id"] for s in cited({k: v for k, v in report.items() if k != "sources"})}
