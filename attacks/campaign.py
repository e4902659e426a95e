"""The campaign runner behind ``nowan fuzz``: seeded rounds of Hypothesis per harness.

Hypothesis has no time budget, so a campaign runs each harness in *rounds*: a round is one
Hypothesis run with a fixed ``max_examples`` and a seed derived from the campaign seed, the
channel, the invariant kind and the round number, under one of the harness's assumption variants
(the channel's own values, then the shrinking variants of :mod:`attacks.variants`, in turn). Round
sizes follow a fixed schedule (:data:`ROUND_SIZES`), so the examples a campaign explores are a
prefix of one sequence fixed by the seed, whatever the machine's speed: the time budget only
decides, between rounds, how long a prefix is run. Every round uses the campaign's example
database, so a failure found by any worker (or a previous night) is replayed first. Shrinking a
finding is not cut short: a minimal trace is worth the extra seconds. Hypothesis's pool of module
literals is pinned to the code under test for every round (:mod:`model.seeding`), so what the
process imported before (a renderer, a test module) never changes the examples.

Settings come from this module's own registered profiles (``nowan-fuzz``, ``nowan-fuzz-ci``), never
from whatever profile is loaded globally: Hypothesis loads its own ``ci`` profile when ``CI`` is set,
which switches the database off and derandomises, and a campaign must do neither.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.database import ExampleDatabase

from nowan.attacks.findings import IMPLEMENTATION, KINDS, WEAKNESS, CampaignResult, ChannelRun, Finding
from nowan.attacks.harness import HarnessCrash, InvariantViolation
from nowan.attacks.proof_seeds import seed_findings
from nowan.model.traces import Trace
from nowan.model.assumptions import Assumptions
from nowan.model.devices.flaws import Flaw
from nowan.model.errors import InputError
from nowan.model.seeding import CODE_UNDER_TEST, pinned_constants

PROFILE = "nowan-fuzz"
PROFILE_CI = "nowan-fuzz-ci"
#: Share of a channel's budget spent looking for channel weaknesses (the rest hunts bugs).
WEAKNESS_SHARE = 0.25
#: Rules (each a burst of up to machines.BURST steps) per example.
STEPS_PER_EXAMPLE = 12
#: Key prefix of the campaign's examples on a shared Redis server.
REDIS_PREFIX = b"nowan-fuzz:"
#: Examples per round, by how many rounds each variant has already run (the last size repeats):
#: small first, so that every variant is tried early in a short campaign.
ROUND_SIZES = (2, 5, 10, 20, 40)

_common = dict(deadline=None, derandomize=False, print_blob=False, report_multiple_bugs=False,
               suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
               stateful_step_count=STEPS_PER_EXAMPLE,
               phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink))
settings.register_profile(PROFILE, max_examples=20, **_common)
settings.register_profile(PROFILE_CI, max_examples=50, **_common)


class Harness(Protocol):
    """What the runner needs from a harness: run one round, and replay a trace."""

    channel: str
    checks: tuple[str, ...]

    def round(self, assumptions: Assumptions, flaws: frozenset[Flaw], kind: str,
              run_settings: settings, seed: int, ignore: frozenset[str] = frozenset()) -> tuple[int, int]:
        """Run one Hypothesis round, not raising ``ignore``d invariants; (examples, steps) or raise."""

    def variants(self, assumptions: Assumptions, kind: str) -> list[Assumptions]:
        """The assumption values rounds cycle through (``assumptions`` first)."""

    def replay(self, trace: Trace) -> tuple[str, str, int] | None:
        """Re-run a trace: the first violation as (invariant, message, step index), or None."""


@dataclass(frozen=True)
class Progress:
    """One progress report: which harness, how far through its budget, examples so far."""

    channel: str
    kind: str
    fraction: float
    examples: int
    findings: int


def round_seed(seed: int, channel: str, kind: str, n: int) -> int:
    """Deterministic per-round seed: same campaign seed, same examples."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{channel}/{kind}/{n}".encode()).digest()[:8], "big")


def campaign_settings(database: ExampleDatabase | None, ci: bool, max_examples: int) -> settings:
    """Settings built on our own profile, whatever profile Hypothesis has loaded globally."""
    return settings(settings.get_profile(PROFILE_CI if ci else PROFILE), database=database,
                    max_examples=max_examples)


def finding_from(channel: str, exc: InvariantViolation | HarnessCrash) -> Finding:
    """The serialisable finding for an invariant violation or crash raised by a harness."""
    from nowan.attacks.invariants import INVARIANTS

    kind = INVARIANTS[exc.invariant].kind
    return Finding(channel, exc.invariant, kind, exc.message, exc.trace)


def _round(harness: Harness, run: ChannelRun, assumptions: Assumptions, flaws: frozenset[Flaw], kind: str,
           run_settings: settings, seed: int) -> tuple[int, InvariantViolation | HarnessCrash | None]:
    """One seeded round, hunting the invariants ``run`` has not violated yet; adds its examples and
    steps to ``run`` and returns (examples, the violation found or None)."""
    found = None
    try:
        with pinned_constants(CODE_UNDER_TEST):  # the examples are a function of the seed alone
            ex, st = harness.round(assumptions, flaws, kind, run_settings, seed,
                                   frozenset(f.invariant for f in run.findings))
    except (InvariantViolation, HarnessCrash) as exc:
        ex, st = getattr(exc, "stats", (0, 0))
        found = exc
    run.examples += ex
    run.steps += st
    return ex, found


def round_plan(harness: Harness, assumptions: Assumptions, kind: str, n: int) -> tuple[Assumptions, int]:
    """Round ``n``'s assumption variant and size: variants in turn, each on the ROUND_SIZES schedule."""
    vs = harness.variants(assumptions, kind)
    return vs[n % len(vs)], ROUND_SIZES[min(n // len(vs), len(ROUND_SIZES) - 1)]


def run_harness(harness: Harness, *, budget: float, seed: int, assumptions: Assumptions,
                flaws: Iterable[Flaw] = (), kind: str = IMPLEMENTATION,
                database: ExampleDatabase | None = None, ci: bool = False,
                progress: Callable[[Progress], None] | None = None, stop_on_first: bool = False,
                clock: Callable[[], float] = time.monotonic, max_rounds: int | None = None) -> ChannelRun:
    """Run one harness for one invariant kind, round after round, until its budget is spent.

    The channel's seed traces in ``database`` (proof counterexamples, :mod:`attacks.proof_seeds`) are
    replayed first; then the rounds, fixed by the seed (see :func:`round_plan`), the clock read only
    between them.
    ``max_rounds`` bounds the campaign by rounds instead (then it explores the same examples on any
    machine). After a finding the hunt goes on for the invariants not yet violated (so one channel
    weakness found early does not hide another), unless ``stop_on_first``.
    """
    fl = frozenset(flaws)
    run = ChannelRun(harness.channel)
    start = clock()
    wanted = {i for i in harness.checks if _kind_of(i) == kind}
    run.findings += seed_findings(harness, database, kind, set())  # seeds (proof counterexamples) first
    n = 0
    while (max_rounds is None or n < max_rounds) and clock() - start < budget \
            and not (wanted and wanted <= {f.invariant for f in run.findings}):
        variant, size = round_plan(harness, assumptions, kind, n)
        _, found = _round(harness, run, variant, fl, kind, campaign_settings(database, ci, size),
                          round_seed(seed, harness.channel, kind, n))
        n += 1
        if found is not None:
            run.findings.append(finding_from(harness.channel, found))
            if stop_on_first or found.invariant == "no-crash":
                break
        if progress is not None:
            progress(Progress(harness.channel, kind, min(1.0, (clock() - start) / budget), run.examples,
                              len(run.findings)))
    run.seconds = clock() - start
    run.rounds = n
    return run


def run_examples(harnesses: Sequence[Harness], *, examples: int, seed: int = 0,
                 assumptions: Assumptions | None = None, flaws: Iterable[Flaw] = (),
                 progress: Callable[[Progress], None] | None = None) -> CampaignResult:
    """An example-bounded campaign for reproducible reports: no clock, no database.

    Each harness runs ``examples`` seeded examples per invariant kind, shared out over its
    assumption variants (the channel's own values first, so they get the remainder); after a finding that round's variant runs again (next
    round seed) for the invariants not yet violated, so one weakness does not hide another. The
    same arguments always give the same examples and findings. ``progress`` hears after each
    harness and kind, its fraction the share of the campaign done (for a display only: nothing it
    returns reaches the result).
    """
    a = assumptions or Assumptions()
    fl = frozenset(flaws)
    result = CampaignResult(seed=seed, budget=float(examples))
    for index, h in enumerate(harnesses):
        run = ChannelRun(h.channel)
        n = 0
        for kind in KINDS:
            wanted = {i for i in h.checks if _kind_of(i) == kind}
            vs = h.variants(a, kind)
            for i, variant in enumerate(vs):
                per = examples // len(vs) + (i < examples % len(vs))
                while per and wanted - {f.invariant for f in run.findings}:
                    _, found = _round(h, run, variant, fl, kind, campaign_settings(None, False, per),
                                      round_seed(seed, h.channel, kind, n))
                    n += 1
                    if found is None:
                        break
                    run.findings.append(finding_from(h.channel, found))
                    if found.invariant == "no-crash":
                        break
            if progress is not None:
                done = index + (KINDS.index(kind) + 1) / len(KINDS)
                progress(Progress(h.channel, kind, done / len(harnesses), run.examples, len(run.findings)))
        run.rounds = n
        result.runs.append(run)
    return result


def run_campaign(harnesses: Sequence[Harness], *, budget: float, seed: int = 0,
                 assumptions: Assumptions | None = None, flaws: Iterable[Flaw] = (),
                 database: ExampleDatabase | None = None, ci: bool = False,
                 weakness_share: float = WEAKNESS_SHARE,
                 progress: Callable[[Progress], None] | None = None) -> CampaignResult:
    """Split ``budget`` evenly over the harnesses; each hunts bugs, then channel weaknesses."""
    a = assumptions or Assumptions()
    result = CampaignResult(seed=seed, budget=budget)
    if not harnesses:
        return result
    share = budget / len(harnesses)
    for h in harnesses:
        kinds = [(IMPLEMENTATION, share * (1 - weakness_share))]
        if weakness_share > 0 and any(_kind_of(i) == WEAKNESS for i in h.checks):
            kinds.append((WEAKNESS, share * weakness_share))
        else:
            kinds = [(IMPLEMENTATION, share)]
        merged = ChannelRun(h.channel)
        for kind, b in kinds:
            r = run_harness(h, budget=b, seed=seed, assumptions=a, flaws=flaws, kind=kind,
                            database=database, ci=ci, progress=progress)
            merged.examples += r.examples
            merged.steps += r.steps
            merged.seconds += r.seconds
            merged.rounds += r.rounds
            merged.findings.extend(r.findings)
        result.runs.append(merged)
    return result


def _kind_of(inv_id: str) -> str:
    from nowan.attacks.invariants import INVARIANTS

    return INVARIANTS[inv_id].kind


# -- example database ---------------------------------------------------------------------------
class ReportingDatabase(ExampleDatabase):
    """Wraps a campaign's database and reports each example saved to it, deleted from it (Hypothesis
    prunes examples that stopped failing) or replayed from it.

    A save is reported only after the backend returned, i.e. after Redis acknowledged the write
    (or the directory backend renamed the file into place), so a campaign killed at any moment has
    lost no example it reported saved. Sharing is observable too: an example another campaign
    saved shows up here as replayed.
    """

    def __init__(self, inner: ExampleDatabase, report: Callable[[str, bytes, bytes], None]) -> None:
        super().__init__()
        self.inner = inner
        self.report = report

    def __repr__(self) -> str:
        return f"ReportingDatabase({self.inner!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReportingDatabase) and self.inner == other.inner

    def fetch(self, key: bytes) -> Iterable[bytes]:
        for value in self.inner.fetch(key):
            self.report("replayed", key, value)
            yield value

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(key, value)
        self.report("saved", key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(key, value)
        self.report("deleted", key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(src, dest, value)
        self.report("deleted", src, value)
        self.report("saved", dest, value)


def example_id(data: bytes) -> str:
    """The short id a database log uses for a key or a value (sha256 prefix, hex)."""
    return hashlib.sha256(data).hexdigest()[:16]


def open_databases(specs: Sequence[str], default_dir: str | Path = ".nowan/fuzz-db") -> ExampleDatabase | None:
    """Several ``--db`` options: examples are read from and written to every one of them (for
    instance a Redis server shared by concurrent campaigns, and a directory uploaded as an artifact)."""
    from hypothesis.database import MultiplexedDatabase

    if not specs:
        return open_database(None, default_dir)
    dbs = [open_database(s, default_dir) for s in specs]
    if any(d is None for d in dbs):
        if len(dbs) > 1:
            raise InputError("'none' cannot be combined with another database", where="--db")
        return None
    return dbs[0] if len(dbs) == 1 else MultiplexedDatabase(*dbs)


#: GitHub's rules for an owner, a repository and (a safe subset of) an artifact name: checked
#: before the campaign, so a typo is one line, not a URL error in its middle.
_GITHUB_NAMES = (r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}", r"[A-Za-z0-9._-]{1,100}", r"[A-Za-z0-9._-]{1,200}")


def open_database(spec: str | None, default_dir: str | Path = ".nowan/fuzz-db") -> ExampleDatabase | None:
    """``--db``: a directory (default), ``none``, ``redis://host:port/db`` or
    ``github://owner/repo[/artifact]`` (read-only, the nightly corpus, merged with a local directory).

    Redis and GitHub artifacts are Hypothesis's own backends; Redis needs the optional ``redis``
    package (``pip install nowan[redis]``). A Redis server that does not answer is a one-line
    error before the campaign starts, not a traceback in its middle.
    """
    from hypothesis.database import (DirectoryBasedExampleDatabase, GitHubArtifactDatabase,
                                     MultiplexedDatabase, ReadOnlyDatabase)

    if spec is None:
        return DirectoryBasedExampleDatabase(str(default_dir))
    text = spec.strip()
    if text.lower() == "none":
        return None
    if text.startswith(("redis://", "rediss://")):
        try:
            import redis  # noqa: F401
            from hypothesis.extra.redis import RedisExampleDatabase
        except ImportError:
            raise InputError("a Redis example database needs the optional 'redis' package "
                             "(pip install 'nowan[redis]')", where=f"--db {spec}") from None
        try:
            client = redis.Redis.from_url(text)
            client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise InputError(f"cannot reach the Redis server ({exc})", where=f"--db {spec}") from None
        return RedisExampleDatabase(client, key_prefix=REDIS_PREFIX)
    if text.startswith("github://"):
        parts = text[len("github://"):].rstrip("/").split("/")
        if len(parts) not in (2, 3) or not all(re.fullmatch(p, x) for p, x in zip(_GITHUB_NAMES, parts)) \
                or parts[1] in (".", ".."):
            raise InputError("expected github://OWNER/REPO[/ARTIFACT]: an owner of letters, digits and single "
                             "hyphens, a repository and an artifact name of letters, digits, '.', '_' and '-'",
                             where=f"--db {spec}")
        artifact = parts[2] if len(parts) == 3 else "hypothesis-example-db"
        shared = GitHubArtifactDatabase(parts[0], parts[1], artifact_name=artifact)
        return MultiplexedDatabase(DirectoryBasedExampleDatabase(str(default_dir)), ReadOnlyDatabase(shared))
    if "://" in text:
        raise InputError("expected a directory, none, redis://... or github://OWNER/REPO[/ARTIFACT]",
                         where=f"--db {spec}")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise InputError("expected a directory for the example database, found a file", where=f"--db {spec}")
    return DirectoryBasedExampleDatabase(str(path))
