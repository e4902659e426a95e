"""The shared fuzz database on a real Redis server: concurrent campaigns share examples, and a
campaign killed with SIGKILL has lost no example it reported saved.

The campaigns run as ``nowan fuzz`` processes against a ``redis-server`` this module starts (Debian's
package; .ci/run installs it); without the program the tests skip, saying so. Examples are followed
through ``--db-log``: a line per example saved, deleted or replayed, written once Redis has it.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nowan.attacks.campaign import REDIS_PREFIX


def _log(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split()) for line in path.read_text().splitlines() if line.count(" ") == 2]


def _wait_for(path: Path, event: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(e == event for e, _, _ in _log(path)):
            return
        if proc.poll() is not None:
            pytest.fail(f"the campaign ended (status {proc.returncode}) before any example was {event}: "
                        f"{proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    pytest.fail(f"no example {event} within {timeout} s")


def _campaign(tmp: Path, name: str, url: str, channels: str, budget: str, seed: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nowan.reports.cli", "fuzz", "--channels", channels, "--budget", budget,
         "--seed", seed, "--db", url, "--db-log", str(tmp / f"{name}.log"), "--out", str(tmp / name), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": ""})


def _stored(url: str) -> set[tuple[str, str]]:
    import redis

    client = redis.Redis.from_url(url)
    short = lambda b: hashlib.sha256(b).hexdigest()[:16]  # noqa: E731 - the log's ids
    return {(short(k[len(REDIS_PREFIX):]), short(v)) for k in client.scan_iter(REDIS_PREFIX + b"*")
            for v in client.smembers(k)}


def test_two_concurrent_campaigns_share_one_database(tmp_path, redis_url):
    # A finds the pairing-no-timeout weakness and goes on fuzzing usb; B starts while A still runs
    a = _campaign(tmp_path, "a", redis_url, "pairing-no-timeout,usb", "10", "1")
    try:
        _wait_for(tmp_path / "a.log", "saved", a)
        assert a.poll() is None, "A ended before B started: the campaigns did not overlap"
        b = _campaign(tmp_path, "b", redis_url, "pairing-no-timeout", "2", "2")
        out_b, err_b = b.communicate(timeout=120)
    finally:
        out_a, err_a = a.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0, err_a + err_b
    saved_by_a = {(k, v) for e, k, v in _log(tmp_path / "a.log") if e == "saved"}
    replayed_by_b = {(k, v) for e, k, v in _log(tmp_path / "b.log") if e == "replayed"}
    assert saved_by_a & replayed_by_b, "B replayed none of the examples A saved"
    assert '"invariant": "rogue-join-prevented"' in out_b


def test_a_campaign_killed_with_sigkill_loses_no_example_it_reported_saved(tmp_path, redis_url):
    a = _campaign(tmp_path, "a", redis_url, "pairing-no-timeout,usb", "60", "3")
    try:
        _wait_for(tmp_path / "a.log", "saved", a)
    finally:
        a.send_signal(signal.SIGKILL)
        a.communicate(timeout=60)
    assert a.returncode == -signal.SIGKILL
    live: set[tuple[str, str]] = set()
    for event, k, v in _log(tmp_path / "a.log"):
        if event == "saved":
            live.add((k, v))
        elif event == "deleted":
            live.discard((k, v))
    assert live and live <= _stored(redis_url)
