"""The nightly fuzz workflow derives its shards from the model directory: every packaged channel is
in exactly one CI fuzz shard, and no channel id is written into the workflow."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from nowan.attacks.registry import ENVELOPE
from nowan.model.channels import channel_ids
from nowan.reports.cli.fuzz import targets

WORKFLOW = Path(__file__).parents[1] / ".github" / "workflows" / "fuzz.yml"


def _shards() -> list[tuple[int, int]]:
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["fuzz"]
    matrix = job["strategy"]["matrix"]["shard"]
    [run] = [s["run"] for s in job["steps"] if "nowan fuzz" in s.get("run", "")]
    [n] = {int(m) for m in re.findall(r'--shard "\$\{\{ matrix\.shard \}\}/(\d+)"', run)}
    assert "--channels" not in run
    return [(int(k), n) for k in matrix]


def test_every_packaged_channel_is_in_exactly_one_ci_fuzz_shard() -> None:
    shards = _shards()
    assert sorted(k for k, _ in shards) == list(range(1, shards[0][1] + 1))  # all N shares run
    seen: list[str] = []
    for shard in shards:
        fuzzed, not_fuzzed = targets(None, None, shard)
        seen += fuzzed + not_fuzzed
    assert sorted(seen) == sorted([*channel_ids(), ENVELOPE])


def test_a_new_channel_file_lands_in_a_shard_with_no_workflow_edit(tmp_path: Path) -> None:
    from nowan.model.channels.loader import CHANNEL_DIR

    keypad = (CHANNEL_DIR / "utrn-keypad.yaml").read_text()
    for cid in ("alpha", "beta"):  # two new channels, each naming the keypad world
        (tmp_path / f"{cid}.yaml").write_text(keypad.replace("id: utrn-keypad", f"id: {cid}", 1))
    seen = [i for shard in _shards() for part in targets(None, tmp_path, shard) for i in part]
    assert sorted(seen) == ["alpha", "beta", ENVELOPE]


def test_no_channel_id_is_written_into_the_workflows() -> None:
    for wf in WORKFLOW.parent.glob("*.yml"):
        text = wf.read_text()
        assert not [cid for cid in channel_ids() if re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text)], wf
