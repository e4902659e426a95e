"""The mutation self-test's harness (reports/mutation.py) on one mutant; the full run is bench/mutation.py."""
from __future__ import annotations

from pathlib import Path

from nowan.reports.mutation import ROOT, baseline, diff, enumerate_mutants, equivalent, evaluate, load_config


def test_every_target_function_gets_mutants_and_every_triaged_id_is_one():
    mutants = enumerate_mutants()
    ids = {m.id for m in mutants}
    assert len(ids) == len(mutants)
    wanted = {(t["module"], f) for t in load_config()["targets"] for f in t["functions"]}
    assert wanted == {(m.module, m.function) for m in mutants}
    assert set(equivalent()) <= ids, "mutation.yaml triages a mutant that no longer exists"
    assert all(why.strip() for why in equivalent().values())


def test_a_floor_off_by_one_is_killed_by_fuzz_and_by_prove_and_the_code_on_disk_is_untouched():
    [m] = [m for m in enumerate_mutants() if m.id.endswith("UtrnCounterCache.check::ReplaceComparisonOperator_LtE_Lt#0")]
    assert "upper < self.floor_hi" in diff(m)
    faithful = baseline()
    v = evaluate(m, faithful)
    assert v.fuzz and "floor" in v.fuzz
    assert v.prove and "diverges" in v.prove
    assert "upper <= self.floor_hi" in Path(ROOT / m.module).read_text()  # mutated in the child only
