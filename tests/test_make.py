"""The README's main job: a fresh ``make assess`` runs ``nowan assess`` with its defaults, which write
the committee paper to ``out/report.pdf``."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli

ROOT = Path(__file__).parents[1]
MODELS = Path(__file__).parent / "data" / "models"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_assess_runs_nowan_assess_with_its_defaults():
    plan = subprocess.run(["make", "-n", "-B", "assess"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    runs = [ln for ln in plan.splitlines() if "nowan assess" in ln]
    assert runs == [".venv/bin/nowan assess"], plan  # default --out out, PDF on
    assert ".ci/system-libs pango" in plan  # WeasyPrint's libraries first


def test_nowan_assess_with_its_defaults_writes_out_report_pdf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0"])
    assert r.exit_code == 0, r.output
    pdf = tmp_path / "out" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and "report.pdf:" in r.output
