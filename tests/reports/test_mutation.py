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


def test_targets_name_attacker_worlds_and_their_channels_come_from_the_models():
    from nowan.attacks.worlds import worlds
    from nowan.model.channels import load_channels

    models = load_channels()
    for target in load_config()["targets"]:
        assert "channels" not in target and set(target["worlds"]) <= set(worlds()), target["module"]
    for m in enumerate_mutants():
        wanted = next(t["worlds"] for t in load_config()["targets"] if t["module"] == m.module)
        assert m.channels and all(models[c].fuzz.world in wanted for c in m.channels), m.id


def test_a_seeded_flaw_is_hunted_like_a_mutant_and_killed_by_fuzz_and_by_prove():
    from nowan.reports.mutation import evaluate_flaw

    v = evaluate_flaw("COUNTER_EQUAL_ACCEPTED")
    assert v.fuzz and v.fuzz.startswith("wan: ")
    assert v.prove and "command-cell diverges" in v.prove
