"""Mutation self-test: library-made mutants of the security checks, hunted by fuzz and by prove.

The hand-written mutants of :mod:`nowan.attacks.mutants` are the misses a review found; this is the
systematic counterpart. cosmic-ray's operators (the optional ``nowan[mutation]`` extra) make every
small change (a comparison flipped, a condition negated, ``and`` for ``or``, a number moved by one)
inside the functions ``mutation.yaml`` lists as security checks. Each mutant runs in its own
interpreter, which imports the mutated source of that one module in place of the file (nothing is
written to disk, so a run never disturbs the working tree), and is hunted twice:

- **fuzz**: a seeded, round-bounded implementation campaign on the target's channels; killed by any
  implementation finding (a crash included);
- **prove**: every packaged channel's proofs with their conformance runs and the run-time replay of
  refuted traces; killed when any property's status, conformance status or reproduction differs
  from the faithful code's.

Mutants triaged as equivalent (``equivalent:`` in the YAML, each with its reason) are left out of
the kill rate. A mutant whose evaluation times out or whose module no longer imports counts as
killed by both, as in cosmic-ray. It lives in ``reports`` because it drives attacks and proofs,
which each depend on the model only; ``bench/mutation.py`` runs it and prints rates and time.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("mutation.yaml")
#: Rounds per channel of a mutant's fuzz campaign (sizes follow attacks.campaign.ROUND_SIZES).
FUZZ_ROUNDS = 8
FUZZ_SEED = 0
CHILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class Mutant:
    """One library mutant: where, which operator and occurrence, and the channels that hunt it."""

    id: str
    module: str  # repository path, e.g. model/devices/utrn_cache.py
    function: str
    operator: str
    occurrence: int  # cosmic-ray's occurrence index in the whole module
    line: int
    channels: tuple[str, ...]

    @property
    def import_name(self) -> str:
        return "nowan." + self.module[:-3].replace("/", ".")


def load_config(path: Path = CONFIG) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def equivalent(config: dict[str, Any] | None = None) -> dict[str, str]:
    """Mutant id -> why it is equivalent."""
    config = config or load_config()
    return {e["id"]: e["reason"] for e in config.get("equivalent") or []}


def _function_lines(source: str) -> dict[str, tuple[int, int]]:
    """Qualified name (Class.method or function) -> (first line, last line)."""
    out: dict[str, tuple[int, int]] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out[prefix + child.name] = (child.lineno, child.end_lineno or child.lineno)
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")

    walk(ast.parse(source), "")
    return out


def enumerate_mutants(config: dict[str, Any] | None = None, root: Path = ROOT) -> list[Mutant]:
    """Every mutant the configured operators make inside the configured functions, in a stable order."""
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast

    from nowan.attacks.selftest import channels_of

    config = config or load_config()
    out: list[Mutant] = []
    for target in config["targets"]:
        hunters = channels_of(target["worlds"])
        source = (root / target["module"]).read_text()
        spans = _function_lines(source)
        missing = [f for f in target["functions"] if f not in spans]
        if missing:
            raise ValueError(f"{target['module']}: no function {', '.join(missing)} (mutation.yaml)")
        tree = get_ast(source)
        for name in config["operators"]:
            operator = cosmic_ray.plugins.get_operator(name)()
            positions = [start for node in ast_nodes(tree) for start, _ in operator.mutation_positions(node)]
            seen: dict[str, int] = {}
            for occurrence, (line, _col) in enumerate(positions):
                function = next((f for f in target["functions"] if spans[f][0] <= line <= spans[f][1]), None)
                if function is None:
                    continue
                k = seen[function] = seen.get(function, -1) + 1
                short = name.split("/", 1)[1]
                out.append(Mutant(f"{target['module']}::{function}::{short}#{k}", target["module"], function,
                                  name, occurrence, line, hunters))
    return out


def mutated_source(m: Mutant, root: Path = ROOT) -> str:
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    code = mutate_code((root / m.module).read_text(), cosmic_ray.plugins.get_operator(m.operator)(), m.occurrence)
    if code is None:
        raise ValueError(f"{m.id}: cosmic-ray made no mutation")
    return code


def diff(m: Mutant, root: Path = ROOT) -> str:
    """The changed lines, for a reader triaging survivors."""
    import difflib

    before = (root / m.module).read_text().splitlines()
    after = mutated_source(m, root).splitlines()
    return "\n".join(line for line in difflib.unified_diff(before, after, lineterm="", n=0)
                     if line[:1] in "+-" and line[:3] not in ("+++", "---"))


# ------------------------------------------------------------------------------- in the child process
class _MutatedModule:
    """A meta-path finder serving one module's mutated source in place of its file."""

    def __init__(self, name: str, source: str) -> None:
        self.name, self.source = name, source

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        import importlib.util

        if name != self.name:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            real = finder.find_spec(name, path, target)
            if real is not None:
                return importlib.util.spec_from_loader(name, self, origin=real.origin)
        return None

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        module.__file__ = module.__spec__.origin
        exec(compile(self.source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - the mutant


def _fuzz_kills(channels: tuple[str, ...]) -> str | None:
    from nowan.attacks.campaign import run_harness
    from nowan.attacks.findings import IMPLEMENTATION
    from nowan.attacks.registry import harnesses
    from nowan.model.assumptions import Assumptions

    for h in harnesses(list(channels)):
        run = run_harness(h, budget=float("inf"), seed=FUZZ_SEED, assumptions=Assumptions(), kind=IMPLEMENTATION,
                          database=None, stop_on_first=True, max_rounds=FUZZ_ROUNDS)
        if run.findings:
            f = run.findings[0]
            return f"{f.channel}: {f.invariant}"
    return None


def proof_outcomes() -> dict[str, list[Any]]:
    """Per property: status, conformance status, reproduced: what prove says about this code."""
    from nowan.proofs import run
    from nowan.reports.proof_replay import mark_reproduced

    results = run()
    mark_reproduced(results)
    return {f"{r.channel}/{r.property}": [r.status, (r.conformance or {}).get("status"), r.reproduced]
            for r in results}


def _flaw_kills(name: str) -> dict[str, Any]:
    """A seeded ``Flaw`` hunted as a mutant is: the same seeded, round-bounded campaign on the channels
    whose world reaches it (attacks.selftest), and prove's conformance families run on the flawed
    devices (a family that diverges turns its proved properties to unknown)."""
    from nowan.attacks.campaign import run_harness
    from nowan.attacks.findings import IMPLEMENTATION
    from nowan.attacks.registry import harnesses
    from nowan.attacks.selftest import hunting_grounds
    from nowan.model.assumptions import Assumptions
    from nowan.model.devices.flaws import Flaw
    from nowan.proofs.conformance import DIVERGES, SMOKE
    from nowan.proofs.runner import conformance_families

    flaw = Flaw[name]
    fuzz = None
    for h in harnesses(list(hunting_grounds(flaw))):
        run = run_harness(h, budget=float("inf"), seed=FUZZ_SEED, assumptions=Assumptions(), flaws=frozenset({flaw}),
                          kind=IMPLEMENTATION, database=None, stop_on_first=True, max_rounds=FUZZ_ROUNDS)
        if run.findings:
            fuzz = f"{run.findings[0].channel}: {run.findings[0].invariant}"
            break
    diverged = [f.key for f in conformance_families() if f.run(SMOKE, frozenset({flaw})).status == DIVERGES]
    prove = None if not diverged else f"{diverged[0]} diverges" + (f" (+{len(diverged) - 1} more)" if len(diverged) > 1 else "")
    return {"fuzz": fuzz, "prove": prove}


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one mutant (or the faithful code, ``spec['module']`` None; or a seeded ``spec['flaw']``)
    in this fresh process."""
    if spec.get("flaw"):
        return _flaw_kills(spec["flaw"])
    if spec.get("module"):
        sys.meta_path.insert(0, _MutatedModule(spec["module"], spec["source"]))
    out: dict[str, Any] = {"fuzz": None, "proofs": None}
    if spec.get("fuzz", True):
        out["fuzz"] = _fuzz_kills(tuple(spec["channels"]))
    if spec.get("prove", True):
        out["proofs"] = proof_outcomes()
    return out


# ------------------------------------------------------------------------------- in the parent
@dataclass
class Verdict:
    """One mutant's fate: killed by fuzz, by prove, why, and how long its evaluation took."""

    mutant: Mutant
    fuzz: str | None
    prove: str | None
    seconds: float
    equivalent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.mutant.id, "line": self.mutant.line, "fuzz": self.fuzz, "prove": self.prove,
                "seconds": round(self.seconds, 1), "equivalent": self.equivalent}


def _run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any] | str:
    """The child's JSON answer, or why it has none (a timeout or an import failure kills the mutant)."""
    code = "import json,sys; from nowan.reports.mutation import child; print(json.dumps(child(json.load(sys.stdin))))"
    try:
        p = subprocess.run([sys.executable, "-c", code], input=json.dumps(spec), capture_output=True, text=True,
                           timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return f"evaluation failed: {last}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def baseline(timeout: float = CHILD_TIMEOUT_S) -> dict[str, list[Any]]:
    """The faithful code's proof outcomes (its fuzz campaign must be clean: checked by the tests)."""
    got = _run_child({"module": None, "fuzz": False}, timeout)
    if isinstance(got, str):
        raise RuntimeError(f"faithful proofs: {got}")
    return got["proofs"]


def evaluate(m: Mutant, faithful: dict[str, list[Any]], *, timeout: float = CHILD_TIMEOUT_S,
             why_equivalent: str | None = None) -> Verdict:
    import time

    t0 = time.perf_counter()
    got = _run_child({"module": m.import_name, "source": mutated_source(m), "channels": list(m.channels)}, timeout)
    seconds = time.perf_counter() - t0
    if isinstance(got, str):
        return Verdict(m, got, got, seconds, why_equivalent)
    changed = sorted(k for k in faithful.keys() | got["proofs"].keys() if faithful.get(k) != got["proofs"].get(k))
    prove = None if not changed else f"{changed[0]}: {faithful.get(changed[0])} -> {got['proofs'].get(changed[0])}" + (
        f" (+{len(changed) - 1} more)" if len(changed) > 1 else "")
    return Verdict(m, got["fuzz"], prove, seconds, why_equivalent)


@dataclass
class FlawVerdict:
    """One seeded ``Flaw``: the finding of its campaign and the conformance family that saw it, if any."""

    flaw: str
    fuzz: str | None
    prove: str | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"flaw": self.flaw, "fuzz": self.fuzz, "prove": self.prove, "seconds": round(self.seconds, 1)}


def evaluate_flaw(name: str, *, timeout: float = CHILD_TIMEOUT_S) -> FlawVerdict:
    """Hunt one seeded flaw (by ``Flaw`` name) with fuzz and prove, in its own interpreter."""
    import time

    t0 = time.perf_counter()
    got = _run_child({"flaw": name}, timeout)
    if isinstance(got, str):
        return FlawVerdict(name, None, None, time.perf_counter() - t0)  # no verdict is no kill for a flaw
    return FlawVerdict(name, got["fuzz"], got["prove"], time.perf_counter() - t0)


def run(mutants: list[Mutant], *, timeout: float = CHILD_TIMEOUT_S) -> Iterator[Verdict]:
    """Evaluate each mutant against the faithful baseline, yielding verdicts as they come."""
    faithful = baseline(timeout)
    eq = equivalent()
    for m in mutants:
        yield evaluate(m, faithful, timeout=timeout, why_equivalent=eq.get(m.id))


def rates(verdicts: list[Verdict]) -> dict[str, Any]:
    """Kill rates over the non-equivalent mutants: fuzz, prove, and either."""
    live = [v for v in verdicts if v.equivalent is None]
    n = len(live) or 1
    return {"mutants": len(verdicts), "equivalent": len(verdicts) - len(live), "scored": len(live),
            "fuzz": sum(v.fuzz is not None for v in live) / n, "prove": sum(v.prove is not None for v in live) / n,
            "either": sum(v.fuzz is not None or v.prove is not None for v in live) / n,
            "both": sum(v.fuzz is not None and v.prove is not None for v in live) / n}
