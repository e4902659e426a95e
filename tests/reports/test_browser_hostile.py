"""A report built from a model full of script payloads runs no script in a reader's browser.

Every free-text field of a channel model, a string inside an expression, and the name of the
``--models`` folder carry payloads that would mark the page if they ran. Headless Chromium loads
the report and dumps the DOM after scripts had their chance; the mark must be absent.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from nowan.reports.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=3000"]
MARK = "document.body.setAttribute('data-pwned','1')"
PAYLOADS = [f"<script>{MARK}</script>", f'<img src=x onerror="{MARK}">', f"<svg onload=\"{MARK}\">",
            f'"><script>{MARK}</script>', "\x1b[2J\x00"]
TEXT_KEYS = {"title", "description", "note", "source", "mitigation"}


def _inject(node: Any, n: list[int]) -> Any:
    """Append a payload to every free-text value (ids and references must stay valid)."""
    if isinstance(node, dict):
        return {k: (v + " " + PAYLOADS[_next(n)] if k in TEXT_KEYS and isinstance(v, str) else _inject(v, n))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_inject(v, n) for v in node]
    return node


def _next(n: list[int]) -> int:
    n[0] += 1
    return n[0] % len(PAYLOADS)


def hostile_models(root: Path) -> Path:
    from nowan.model.channels.loader import CHANNEL_DIR

    folder = root / f"models<img src=x onerror=\"{MARK}\">"
    folder.mkdir()
    data = yaml.safe_load((CHANNEL_DIR / "utrn-keypad.yaml").read_text())
    data = _inject(data, [0])
    data["sources"] = [s + " " + PAYLOADS[i % len(PAYLOADS)] for i, s in enumerate(data.get("sources", []))]
    for goal in data["goals"]:  # a string constant inside an expression reaches the impact trace
        if "gbp" in goal:
            goal["gbp"] = f'250 if "<img src=x onerror={MARK}>" else 0'
    (folder / "utrn-keypad.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return folder


def test_payloads_reach_the_report_as_text(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["assess", "--models", str(hostile_models(tmp_path)), "--channels", "utrn-keypad",
                                 "--budget", "0", "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = (out / "index.html").read_text()
    assert "&lt;script&gt;" in html  # the text is there, escaped
    assert not re.search(r"<(script|img|svg onload)[^>]*pwned", html)
    md = (out / "report.md").read_text()
    assert not re.search(r"<(script|img|svg)", md) and "\x1b" not in md and "\x00" not in md


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)")
def test_no_script_runs_in_chromium(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["assess", "--models", str(hostile_models(tmp_path)), "--channels", "utrn-keypad",
                                 "--budget", "0", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                               (out / "index.html").resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    body = re.search(r"<body[^>]*>", proc.stdout)
    assert body is not None and "data-pwned" not in body.group(0)
    assert "pwned" in proc.stdout  # the payload text did reach the page, as text
