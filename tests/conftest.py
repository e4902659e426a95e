"""Test-suite settings: Hypothesis profiles and paths to the copied DCC test data.

Profiles: ``default`` is fast for laptops; ``ci`` (selected when the CI variable is set, or by
HYPOTHESIS_PROFILE=ci) runs more examples, derandomised, without a database, so every CI run
replays the same examples.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
# The fuzz campaign registers its own profiles at import; importing it here, before any test runs under an
# @settings decorator, keeps Hypothesis from warning that a profile was registered inside a test.
import nowan.attacks.campaign  # noqa: E402,F401

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def one_mistake() -> Callable[..., None]:
    """Check a catalogue parser on one edit of a good file: the good text parses, and the edited one
    fails with one line that starts with ``where`` (file:line field) and says ``what``."""
    def check(parse: Callable[[str], object], good: str, old: str, new: str, where: str, what: str) -> None:
        from nowan.model.errors import NowanError

        parse(good)
        with pytest.raises(NowanError) as exc:
            parse(good.replace(old, new, 1))
        text = str(exc.value)
        assert text.startswith(where) and what in text and "\n" not in text, text

    return check


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Test data copied into the project (DCC public test keys and RTDS messages)."""
    return DATA


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A real ``redis-server`` (Debian's package, installed by .ci/run) on a free local port, without
    persistence; the URL of its database 0. Skips, saying why, only when it cannot be started."""
    pytest.importorskip("redis", reason="the redis client is in the test extra (pip install -e '.[test]')")
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.skip(f"redis-server did not start: {proc.stderr.read().decode(errors='replace')[-300:]}")
            time.sleep(0.05)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test server, emptied: each test starts from no examples."""
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    return redis_server
