"""A decision's confidence in words (SSC review finding 6): each flip names the input's title, its
value now and the flipping value in one format on every page, says whether the input is seed-backed
or a calibration, and follows the model files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from nowan.model.channels.loader import CHANNEL_DIR
from nowan.model.modifications import load_modifications
from nowan.model.robustness import Subject
from nowan.model.robustness.analysis import one_at_a_time
from nowan.reports import confidence as words
from nowan.reports.decisions import CONDITIONS, confidence, decisions
from nowan.reports.paper import plain_text, render_paper_html
from nowan.reports.pipeline import assess
from nowan.reports.render import render_html, render_markdown


@pytest.fixture(scope="module")
def bundle():
    b, _ = assess(examples=0)
    return b


def _no_graphs(b):
    return {c["id"]: Markup("") for c in b["channels"]}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_flip_reads_the_same_on_the_front_table_the_decision_pages_the_html_and_the_markdown(bundle):
    doc = render_paper_html(bundle, _no_graphs(bundle))
    paper, front = plain_text(doc), plain_text(doc.split('id="appendix"')[0])
    html = plain_text(render_html(bundle, _no_graphs(bundle)))
    md = _one_line(render_markdown(bundle)).replace("\\", "")
    fragile = [d for d in bundle["modifications"] if d["confidence"]["status"] == "fragile"]
    assert fragile
    for d in fragile:
        c = d["confidence"]
        lead = c["flips"][0]
        # the title, the value now and the flipping value, in the formatter's words
        assert lead["title"] and words.number(lead["now"], lead["unit"]) in lead["words"]
        assert words.condition(lead) in lead["words"]
        assert lead["short_words"] in front, (d["id"], lead["short_words"])
        assert f"P(above) {c['p_above']:.2f} ({c['ci'][0]:.2f} to {c['ci'][1]:.2f})" in front
        for f in c["flips"]:   # every flip, with what the recommendation becomes, on each decision page
            for text in (paper, html, md):
                assert f"{f['words']}: {f['becomes']}" in text, (d["id"], f["words"])
        if c["more"]:
            assert f"and {c['more']} more" in front
    # no page writes a flip as a raw id with a number any more (the reviewer's 'reaches 348.0')
    assert not re.search(r"calibration\.[\w.-]+ reaches", paper + html + md)


def test_a_seed_backed_flip_is_labelled_so_and_named_before_a_calibration(bundle):
    share = [f for d in bundle["modifications"] for f in (d["confidence"].get("flips") or [])
             if f["input"] == "nowan.share"]
    assert share and all(f["kind"] == "seed-backed" and "seed-backed, range 0.07% to 36%" in f["words"] for f in share)
    cal = [f for d in bundle["modifications"] for f in (d["confidence"].get("flips") or []) if f["calibration"]]
    assert cal and all(f["kind"] == "calibration" and "a calibration with no public source" in f["words"] for f in cal)
    # a decision with both names the seed-backed one first, wherever it lies
    both = [d for d in bundle["modifications"] if {f["kind"] for f in d["confidence"].get("flips") or []} >=
            {"seed-backed", "calibration"}]
    assert both
    for d in both:
        flips = d["confidence"]["flips"]
        toward = [f for f in flips if f["verdict"] == flips[0]["verdict"]]
        kinds = [f["kind"] == "calibration" for f in toward]
        assert kinds == sorted(kinds), d["id"]


def test_a_support_with_conditions_takes_its_confidence_from_the_treated_route(bundle):
    cond = [d for d in bundle["modifications"] if d["recommendation"] == CONDITIONS
            and any(a["treatment"]["kind"] == "controls" for a in d["assessed"])]
    assert cond
    for d in cond:
        assert d["confidence"]["about"] == "the route with the conditions in force"
        # the flips that matter are those putting the treated route above appetite
        assert all(f["verdict"] == "above-appetite" for f in d["confidence"]["flips"])
    sec = next(d for d in bundle["modifications"] if d["id"] == "sec0009")
    entry = next(c for c in bundle["channels"] if c["id"] == "utrn-extended")
    assert entry["robustness_treated"]["controls"] == [c["id"] for c in sec["assessed"][0]["treatment"]["controls"]]
    assert sec["confidence"]["p_above"] == entry["robustness_treated"]["p_above"]
    # without the treated sweeps it says it is about the untreated route, not silently
    plain = [{k: v for k, v in c.items() if k != "robustness_treated"} for c in bundle["channels"]]
    page = next(p for p in decisions(plain, load_modifications(), bundle["appetite"]) if p["id"] == "sec0009")
    assert page["confidence"]["about"].startswith("the route as proposed, without the conditions")


def _flips_of(models: Path, cid: str) -> dict:
    out = one_at_a_time((Subject((cid,), str(models)), cid))
    return confidence([{"id": cid, "title": cid, "robustness": {"robust": not out["flips"], "p_above": 0.5,
                                                                "ci": [0.4, 0.6], "flips": out["flips"]}}])


def test_a_calibration_changed_in_a_model_directory_changes_the_sentence(tmp_path: Path):
    cid = "smets1-utrn-gen-1"
    text = (CHANNEL_DIR / f"{cid}.yaml").read_text()
    old = ('title: "Steal the central generation credentials", entry: [internet], difficulty: 4, scale: national}')
    assert old in text
    models = tmp_path / "models"
    models.mkdir()
    (models / f"{cid}.yaml").write_text(text)
    before = _flips_of(models, cid)
    (models / f"{cid}.yaml").write_text(text.replace(old, old[:-1] + ", ranges: {difficulty: [2, 5], source: "
                                                     "\"a reviewer's wider range\"}}").replace("difficulty: 4, scale",
                                                                                             "difficulty: 5, scale"))
    after = _flips_of(models, cid)
    title = "the difficulty of step 'steal-credentials'"
    was = next(f["words"] for f in before["flips"] if f["input"].endswith("steal-credentials.difficulty"))
    now = next(f["words"] for f in after["flips"] if f["input"].endswith("steal-credentials.difficulty"))
    assert title in was and "(now 4 on the 1-5 scale;" in was and "range 3 to 5 on the 1-5 scale" in was
    assert title in now and "(now 5 on the 1-5 scale;" in now and "range 2 to 5 on the 1-5 scale" in now


@pytest.mark.parametrize("value,unit,text", [
    (0.0267, "share", "2.67%"), (0.007, "share", "0.7%"), (348.0, "", "348"), (100000, "", "100,000"),
    (1, "points of difficulty", "1 point of difficulty"), (3, "on the 1-5 scale", "3 on the 1-5 scale"),
    ("inf", "seconds", "no limit"), ("fleet", "", "fleet"), (41.66, "", "41.7"),
])
def test_one_number_format_for_every_page(value, unit, text):
    assert words.number(value, unit) == text


def test_hostile_titles_stay_escaped_in_html_and_markdown(bundle):
    import copy

    b = copy.deepcopy(bundle)
    evil = "<script>alert(1)</script> | `x` *y*"
    for d in b["modifications"]:
        for f in d["confidence"].get("flips") or []:
            f["words"] = f"if {evil} is 3"
            f["short_words"] = f["words"]
    html = render_html(b, _no_graphs(b)) + render_paper_html(b, _no_graphs(b))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    md = render_markdown(b)
    assert "<script>" not in md and "| `x`" not in md
