"""The sweeps' fast residual level is exactly the engine's, under any sampled inputs."""
from __future__ import annotations

from nowan.model.channels import channel_ids, score
from nowan.model.channels.catalogues import scales
from nowan.model.robustness.montecarlo import design
from nowan.model.robustness.space import space
from nowan.model.robustness.subject import Subject, rank_of


def test_fast_rank_equals_the_full_score_on_sampled_inputs():
    subject = Subject(tuple(channel_ids()))
    channels = subject.load()
    rows = design(list(space(channels.values()).values()), 25, seed=11)
    for row in rows:
        a = subject.assumptions(row)
        for ch in channels.values():
            assert rank_of(ch, a) == scales().rank(score(ch, a).residual.level), (ch.id, row)
