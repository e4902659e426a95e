"""Open the committee page in headless Chromium, as a reader would: it must render cleanly."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nowan.model.channels import channel_ids
from click.testing import CliRunner

from nowan.reports.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)")
def test_index_renders_in_chromium_without_console_errors(tmp_path):
    r = CliRunner().invoke(cli, ["assess", "--budget", "0", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "index.html").resolve()
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]
    assert console == []
    dom = proc.stdout
    ids = re.findall(r'<section class="channel" id="channel-([a-z0-9-]+)">', dom)
    assert sorted(ids) == sorted(channel_ids()) and "pairing-no-timeout" in ids
    for cid in ids:
        section = dom[dom.index(f'id="channel-{cid}"'):]
        section = section[:section.index("</section>")]
        assert '<div class="graph"><svg' in section, cid
    assert 'class="heatmap"' in dom
    # nothing loaded from a network (the Sources section prints addresses as text, never as links)
    assert not re.search(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", dom)
