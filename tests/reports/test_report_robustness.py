"""The report tells the committee, per verdict, how sure it is and what would change it."""
from __future__ import annotations

from html import unescape
from pathlib import Path

from nowan.model.assumptions import Assumptions
from nowan.reports.confidence import flip_words, verdict_words
from nowan.reports.pipeline import assess
from nowan.reports.render import render_html, render_markdown

MODELS = Path(__file__).parents[1] / "data" / "models"


def test_each_channel_gains_robustness_and_the_report_shows_it():
    bundle, graphs = assess(directory=MODELS, examples=0, run_proofs=False,
                            assumptions=Assumptions({"nowan.share": "0.01"}))
    entry = bundle["channels"][0]
    rb = entry["robustness"]
    assert rb["id"] == entry["id"] and rb["verdict"] == entry["verdict"]
    assert {"robust", "p_above", "ci", "flips", "drivers", "tornado", "confidence"} <= set(rb)
    assert bundle["robustness"]["pinned"] == ["nowan.share"]
    html, md = render_html(bundle, graphs), render_markdown(bundle)
    assert f'id="robustness-{entry["id"]}"' in html and 'class="tornado"' in html
    text = unescape(html)
    assert "<th>Confidence</th>" in html and verdict_words(rb) in text
    assert "| Confidence |" in md and "How robust is this verdict" in md
    for f in rb["flips"]:   # in the words every page uses, the input's id kept for --assume
        assert flip_words(f).replace("_", "\\_") in md and flip_words(f) in text and f"<code>{f['input']}</code>" in html
