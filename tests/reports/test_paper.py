"""The committee paper (report.pdf): a short front part with a decision per modification, plain words
with a glossary, nothing wider than the page, byte-identical under SOURCE_DATE_EPOCH."""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import Markup
from PIL import Image

from nowan.model.channels.catalogues import scales
from nowan.model.modifications import load_modifications
from nowan.reports.cli import cli
from nowan.reports.decisions import decisions
from nowan.reports.paper import (PaperError, codes, defined, glossary, key_findings, plain_text,
                                 render_paper_html, render_pdf, terms_used)
from nowan.reports.pipeline import assess

MODELS = Path(__file__).parents[1] / "data" / "models"
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) not installed; .ci/run installs it")


def _no_graphs(b):
    return {c["id"]: Markup("") for c in b["channels"]}


@pytest.fixture(scope="module")
def bundle():
    b, graphs = assess(examples=0)
    return b, graphs


@pytest.fixture(scope="module")
def paper(bundle, tmp_path_factory):
    b, graphs = bundle
    p = render_pdf(render_paper_html(b, graphs))
    path = tmp_path_factory.mktemp("paper") / "report.pdf"
    path.write_bytes(p.pdf)
    return p, path


def _text(path: Path, first: int, last: int) -> str:
    """The pages' text in reading order, one line, with words that wrapped at a hyphen rejoined and
    the running footer ("Page 2 of 99") dropped, so that a paragraph a page break splits still reads whole."""
    raw = subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    raw = re.sub(r"\bPage \d+ of \d+\b", " ", raw)
    return re.sub(r"-\s+", "-", " ".join(raw.split()))


def _in_order(phrase: str, text: str) -> bool:
    """True if the words of ``phrase`` occur in ``text`` in that order (other words may come between)."""
    words = iter(text.replace("-", "").split())
    return all(any(w == t for t in words) for w in phrase.replace("-", "").split())


def test_the_in_order_check_can_fail():
    assert _in_order("SECMP0032 (restore WAN", "SECMP0032 (restore Outside the WAN")
    assert not _in_order("SECMP0032 (restore WAN", "WAN SECMP0032 (restore")


@needs_poppler
def test_front_part_is_at_most_four_pages_and_the_appendix_follows(paper):
    p, path = paper
    assert 1 <= p.front_pages <= 4 and p.pages > p.front_pages
    assert "Appendix: the full assessment" in _text(path, p.front_pages + 1, p.front_pages + 1)
    assert _text(path, p.front_pages + 1, p.front_pages + 1).startswith("Appendix: the full assessment")


@needs_poppler
def test_the_front_part_holds_every_decision(paper, bundle):
    p, path = paper
    front = _text(path, 1, p.front_pages)
    for d in bundle[0]["modifications"]:
        # pdftotext drops a hyphen where a cell wraps at it, and may interleave the lines of two cells
        # that wrap side by side: compare the words in order, without hyphens
        assert _in_order(d["title"], front), d["id"]
    for words in ("Support with conditions", "Cannot support", "Outside the security assessment"):
        assert _in_order(words, front), words
    assert {d["id"] for d in bundle[0]["modifications"]} == set(load_modifications())


@needs_poppler
def test_every_code_in_the_front_part_is_defined_in_its_glossary(paper, bundle):
    p, path = paper
    front = _text(path, 1, p.front_pages)
    glossary_part = front[front.index("Glossary", front.index("Key findings")):]
    terms = glossary()
    # pdftotext drops the hyphen of a word wrapped at it ("Wi-" / "Fi" reads "WiFi", "SECMP0031style")
    unhyphenated = lambda ts: {**ts, **{t.replace("-", ""): d for t, d in ts.items()}}  # noqa: E731
    rehyphen = lambda c: re.sub(r"(?<=[A-Z0-9])([a-z]+)$", r"-\1", c)  # noqa: E731
    undefined = sorted(c for c in codes(front) if not defined(c, unhyphenated(terms))
                       and not defined(rehyphen(c), terms))
    assert undefined == []
    for c in codes(front[:front.index("Glossary", front.index("Key findings"))]):
        assert c.rstrip("s") in glossary_part or c in glossary_part, c
    assert "L5xI5" not in front and "A-60MIN" not in front
    # the glossary's own definitions use only terms it lists ("SEC" in "SEC Modification Proposal")
    listed = dict(terms_used(plain_text(render_paper_html(bundle[0], _no_graphs(bundle[0])).split('id="appendix"')[0])))
    assert sorted(c for c in codes(glossary_part) if not defined(c, unhyphenated(listed))
                  and not defined(rehyphen(c), listed)) == []
    # a term used only inside definitions is listed too: "SEC" (in "SEC Modification Proposal"), and
    # "PAN" wherever the front part speaks of the "inter-PAN" window
    assert "SECMP0037" in listed and "SEC" in listed
    assert ("PAN" in listed) == ("inter-PAN" in front.replace("inter-\n", "inter-"))
    # levels read as words, not as the scale's ids
    assert "very-high" not in front and "very-low" not in front


def _right_margin_blank(path: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(path), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert pages
    for page in pages:
        im = Image.open(page).convert("L")
        w, h = im.size
        margin = int(w * 10 / 210)  # the page's right margin is 14 mm of 210 mm: keep 10 mm blank
        strip = im.crop((w - margin, 0, w, h))
        assert strip.getextrema()[0] >= 250, f"{page.name}: ink in the right margin (something is wider than the page)"


@needs_poppler
def test_nothing_overflows_the_page_width(paper, tmp_path):
    _, path = paper
    _right_margin_blank(path, tmp_path)
    drawn = "Drawn by Graphviz dot" if shutil.which("dot") else "Drawn by nowan's built-in layout"
    assert drawn in _text(path, 1, 10_000)


@needs_poppler
def test_built_in_graphs_fit_the_page_width_too(bundle, tmp_path):
    """With Graphviz installed the fixture's graphs are dot's; the built-in drawings must fit as well."""
    b, _ = bundle
    from nowan.model.channels import compile_graph, load_channels
    from nowan.reports.graphviz import Layout, draw

    graphs = {cid: Markup(draw(compile_graph(ch), Layout("built-in"), f"{cid}--"))
              for cid, ch in load_channels().items()}
    builtin = copy.deepcopy(b)
    builtin["graph_layout"] = Layout("built-in").to_dict()
    path = tmp_path / "builtin.pdf"
    path.write_bytes(render_pdf(render_paper_html(builtin, graphs)).pdf)
    _right_margin_blank(path, tmp_path)
    assert "Drawn by nowan's built-in layout" in _text(path, 1, 10_000)


def test_the_overflow_check_can_fail(tmp_path):
    """A table wider than the page does show ink in the right margin (the check is not vacuous)."""
    if not POPPLER:
        pytest.skip("poppler-utils not installed")
    wide = render_pdf("<html><body><table style='width:400mm'><tr><td style='background:#000'>x</td></tr>"
                      "</table></body></html>")
    (tmp_path / "w.pdf").write_bytes(wide.pdf)
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(tmp_path / "w.pdf"), str(tmp_path / "w")], check=True)
    im = Image.open(next(tmp_path.glob("w-*.png"))).convert("L")
    w, h = im.size
    assert im.crop((w - int(w * 10 / 210), 0, w, h)).getextrema()[0] < 250


def test_confidence_reads_not_computed_without_robustness_and_robust_with_it(bundle):
    b, _ = bundle
    front = plain_text(render_paper_html(b, _no_graphs(b)).split('id="appendix"')[0])
    assert "not computed" in front
    rob = copy.deepcopy(b)
    for c in rob["channels"]:
        c["robustness"] = {"id": c["id"], "verdict": c["verdict"], "level": c["residual"]["level"], "robust": True,
                           "p_above": 0.01, "ci": [0.0, 0.03], "flips": [], "drivers": [], "tornado": [],
                           "confidence": "robust"}
        if "robustness_treated" in c:   # a support with conditions reads the route with them in force
            c["robustness_treated"] = c["robustness"]
    rob["robustness"] = {"samples": 200, "trajectories": 4, "confidence_level": 0.95}
    added = {d["id"]: d["added"] for d in b["modifications"] if d["added"]}
    rob["modifications"] = decisions(rob["channels"], load_modifications(), rob["appetite"], added)
    front = plain_text(render_paper_html(rob, _no_graphs(rob)).split('id="appendix"')[0])
    assert "Confidence was computed for" in front
    assert all(d["confidence"]["status"] == "robust" for d in rob["modifications"] if d["assessed"] and not d["baseline"])
    # a decision on added risk takes its confidence from the robustness of that added risk
    for d in rob["modifications"]:
        if d["assessed"] and d["baseline"]:
            assert d["confidence"]["status"] in ("robust", "fragile"), d["id"]
            assert d["confidence"]["robust"] == all(r["robustness"]["robust"] for r in d["added"]["routes"].values())


def test_key_findings_are_computed_from_the_bundle(bundle):
    b, _ = bundle
    findings = key_findings(b)
    cannot = [d for d in b["modifications"] if d["recommendation"] == "cannot-support"]
    assert any(f.startswith(f"Of the {len(b['modifications'])} modifications") for f in findings)
    for d in cannot:   # those rejected for the same reason share one finding (SECMP0038 over Wi-Fi and USB)
        assert any(d["title"].split(" (")[0] in f.split(": ", 1)[0] and d["reason_shared"] in f for f in findings), d["id"]
    fewer = copy.deepcopy(b)
    for c in fewer["channels"]:
        c["proofs"] = [p for p in c["proofs"] if not p["id"].startswith("pairing-window")]
    assert len(key_findings(fewer)) == len(findings) - 1


def test_key_findings_count_channels_and_quote_the_positions_they_differ_from(bundle):
    b, _ = bundle
    findings = key_findings(b)
    n_channels = len(b["channels"])
    for f in findings:
        for n in re.findall(r"on (\d+) channel models?", f):
            assert int(n) <= n_channels, f  # channels, not refuted properties
    differs = [(d, q) for d in b["modifications"] for q in d["positions"] if q.get("comparison") == "differs"]
    assert differs, "the packaged models differ from at least one recorded position"
    text = " ".join(findings)
    for d, q in differs:
        assert " ".join(q["quote"].split()) in text, (d["id"], q["who"])
    assert "the A " not in text and "The A " not in text
    # two properties with the same meaning refuted on one channel: one channel model, not two
    one = {"modifications": [], "channels": [{"id": "a", "proofs": [
        {"id": "utrn-availability.above-min@a", "status": "refuted"},
        {"id": "utrn-availability.nearest-max@a", "status": "refuted"}]}]}
    assert [f for f in key_findings(one) if "channel model" in f][0].endswith("on 1 channel model, appendix A.5.)")


@needs_poppler
def test_the_front_part_states_where_the_sources_disagree(paper, bundle):
    """MP094: seed 000's table and its prose disagree on which option is which; the paper says so."""
    p, path = paper
    front = _text(path, 1, p.front_pages).replace("-", "")
    noted = [d for d in bundle[0]["modifications"] if d.get("note")]
    assert {d["id"] for d in noted} >= {"mp094-option-1", "mp094-option-2"}
    for d in noted:
        assert " ".join(d["note"].split()).replace("-", "") in front, d["id"]


@needs_poppler
def test_each_proposal_in_the_front_table_gives_the_page_of_its_decision_page(paper, bundle):
    p, path = paper
    front = _text(path, 1, p.front_pages)
    for d in bundle[0]["modifications"]:
        short = d["title"].split(" (")[0]
        flat = front.replace("-", "")
        m = re.search(r"\(p\. (\d+)\)", flat[flat.find(short.replace("-", "")):])
        assert m, d["id"]
        page = int(m.group(1))
        assert p.front_pages < page <= p.pages
        assert short.replace("-", "") in _text(path, page, page).replace("-", ""), (d["id"], page)


def test_pdf_is_byte_identical_under_source_date_epoch_and_carries_that_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    runner = CliRunner()
    outs = []
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        r = runner.invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert "report.pdf:" in r.output
        outs.append((out / "report.pdf").read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].startswith(b"%PDF")
    if POPPLER:  # the document's dates are SOURCE_DATE_EPOCH's (1700000000 = 2023-11-14T22:13:20Z)
        (tmp_path / "r.pdf").write_bytes(outs[0])
        info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True).stdout
        assert "Nov 14 22:13:20 2023" in info.split("CreationDate:")[1].splitlines()[0]


def test_without_pango_the_run_stops_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as it does without the libraries
    with pytest.raises(PaperError, match="Pango"):
        render_pdf("<html></html>")
    r = CliRunner().invoke(cli, ["assess", "--models", str(MODELS), "--examples", "0", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "Pango" in r.output
    assert not (tmp_path / "o" / "index.html").exists()  # nothing half-written


@needs_poppler
def test_the_front_part_says_where_its_citations_resolve(paper):
    """The front part cites seeds and domain.md sections (from the modification catalogue); a
    committee member reading only the paper is told where those resolve."""
    p, path = paper
    front = " ".join(_text(path, 1, p.front_pages).split())
    assert re.search(r"\bseeds? 0\d\d\b", front) or "domain.md" in front
    assert "resolve in appendix A.6, Sources" in front
    whole = " ".join(_text(path, 1, p.pages).split())
    annex = whole.split("Every citation this report makes, and what it names.", 1)[1]
    for cite in sorted(set(re.findall(r"\bseed 00\d\b", front))):
        assert cite in annex, cite


def test_the_fewer_command_types_finding_is_computed_from_the_added_risk(bundle):
    b, _ = bundle
    line = next(f for f in key_findings(b) if f.startswith("Fewer command types"))
    wifi = next(d for d in b["modifications"] if d["id"] == "secmp0038-wifi")
    levels = [max((a["level"] for a in wifi["added"]["routes"].values()), key=scales().rank)] + \
        [f["worst"]["level"] for f in wifi["added"]["fewer_commands"]]
    assert "SECMP0038 over Wi-Fi " + ", ".join(lv.replace("-", " ") for lv in levels) in line
    assert line.count("top-up only") == 1    # each smaller set named once
    changed = copy.deepcopy(b)
    d = next(d for d in changed["modifications"] if d["id"] == "secmp0038-wifi")
    d["added"]["fewer_commands"][0]["worst"]["level"] = "very-low"
    assert "SECMP0038 over Wi-Fi " + ", ".join(["very high" if levels[0] == "very-high" else levels[0], "very low"]) in \
        next(f for f in key_findings(changed) if f.startswith("Fewer command types"))
    for d in changed["modifications"]:
        d["added"] = None
    assert not any(f.startswith("Fewer command types") for f in key_findings(changed))


def test_the_brute_force_finding_states_the_forged_codes_and_their_value(bundle):
    """The refuted bound reads with what the risk score makes of the same guesses (each proof's
    ``scored`` evidence): forged codes a year across the premises reached, their GBP value, the level."""
    b, _ = bundle
    line = next(f for f in key_findings(b) if "slowly enough" in f)
    scored = [p["trace"]["evidence"]["scored"] for c in b["channels"] for p in c["proofs"]
              if p["id"].startswith("bruteforce-bound@") and p["status"] == "refuted"]
    assert scored and all(s["forged_a_year"] is not None for s in scored)
    lo, hi = min(s["forged_a_year"] for s in scored), max(s["forged_a_year"] for s in scored)
    assert f"{lo:.2g}" in line and f"{hi:.2g} forged codes a year" in line
    assert "GBP" in line and line.endswith("very low risk.")
    bigger = copy.deepcopy(b)
    for c in bigger["channels"]:
        for p in c["proofs"]:
            if p["id"].startswith("bruteforce-bound@") and p["status"] == "refuted":
                p["trace"]["evidence"]["scored"].update(forged_a_year=2.5, gbp_a_year=625.0, level="low")
    assert "about 2.5 forged codes a year (GBP 625)" in next(f for f in key_findings(bigger) if "slowly enough" in f)


def _finding(b, start):
    return next((f for f in key_findings(b) if f.startswith(start)), "")


def test_rejections_for_the_same_reason_share_one_finding(bundle):
    """Reviewer: the SECMP0038 paragraphs repeated the same hub finding; the front part is at its limit."""
    b, _ = bundle
    wifi = next(d for d in b["modifications"] if d["id"] == "secmp0038-wifi")
    same = [d for d in b["modifications"] if d["recommendation"] == "cannot-support"
            and d["reason_shared"] == wifi["reason_shared"]]
    assert len(same) >= 2 and {"secmp0038-wifi", "secmp0038-usb"} <= {d["id"] for d in same}
    shorts = [d["title"].split(" (")[0] for d in same]
    line = _finding(b, ", ".join(shorts[:-1]) + " and " + shorts[-1] + ": ")
    assert line and line.count("Hubs taken over through their forwarding code") == 1
    for d, short in zip(same, shorts):
        other = d["others"][0]
        assert f"{other['level'].replace('-', ' ')} on {short}" in line
        assert not _finding(b, short + ": ")


def test_the_tally_counts_security_positions_only_and_names_conditions_not_met(bundle):
    """Reviewer findings 1 and 2: the SSC's MP094 condition (price and supply commands end to end) is
    compared, not only its stance; a Large Supplier's and MP169's business positions are context."""
    b, _ = bundle
    line = next(f for f in key_findings(b) if "recorded security positions" in f)
    compared = [q for d in [*b["modifications"], *b["today"]] for q in d["positions"] if q["agrees"] is not None]
    assert all(q["kind"] == "security" for q in compared)
    assert line.startswith(f"Of the {len(compared)} recorded security positions")
    head, context = line.split("Shown for context only")
    assert "a Large Supplier" in context and "the MP169 business requirements" in context
    assert "Large Supplier" not in head
    assert re.search(r"differs from \d+: the SSC on MP094 Option 1, MP094 Option 2 and SECMP0031[^(]*\(its condition, "
                     r"price-changing and supply-affecting commands protected end to end, is not met", head)
    assert "agrees on the outcome but not on the reason with the SSC on SECMP0038 over Wi-Fi" in head
    mp094 = next(d for d in b["modifications"] if d["id"] == "mp094-option-1")
    ssc = next(q for q in mp094["positions"] if q["who"] == "SSC")
    assert ssc["comparison"] == "differs-on-condition" and "change price" in ssc["conditions_tested"][0]["detail"]
    # the same decision over a route with end-to-end protection in force agrees outright
    changed = copy.deepcopy(b)
    for c in changed["channels"]:
        if c["id"] == "utrn-extended":
            c["controls"].append({"id": "e2e", "title": "End-to-end GBCS protection", "mechanism": "gbcs-end-to-end",
                                  "enabled": True})
    pages = decisions(changed["channels"], load_modifications(), changed["appetite"])
    assert next(q for d in pages if d["id"] == "sec0009" for q in d["positions"])["comparison"] == "agrees"


def test_the_no_wan_share_finding_is_computed_from_the_flips_and_names_the_seed_figures(bundle):
    """Reviewer finding 3: results within appetite only below a no-WAN share most seed figures exceed."""
    b, _ = bundle
    line = _finding(b, "Within appetite only while the share of smart prepayment meters without a WAN")
    keypad = next(c for c in b["channels"] if c["id"] == "utrn-keypad")
    flip = next(f for f in keypad["robustness"]["flips"] if f["input"] == "nowan.share")
    point = f"{flip['at'] * 100:.3g}%"
    assert f"SMETS2 20-digit UTRN typed on the meter keypad\u2019 (the baseline of 4 decisions) below {point}" in line
    assert "The Working Group's alternative" in line
    assert "Seed 002 reports 0.07%, 0.75%, 2-3%, 3%, 8%, 9%, 12% and 36%" in line
    above = sum(1 for x in (0.07, 0.75, 2, 3, 8, 9, 12, 36) if x / 100 >= flip["at"])
    assert f"{above} are above {point}" in line
    changed = copy.deepcopy(b)
    for c in changed["channels"]:
        for f in c["robustness"]["flips"]:
            if f["input"] == "nowan.share":
                f["at"] = 0.1
    for d in changed["modifications"]:   # the decisions' own sweeps (added risk, own duration) out of it
        d["flips"] = [f for f in d["flips"] if f["input"] != "nowan.share"]
    assert "below 10%" in _finding(changed, "Within appetite only") and "2 are above 10%" in _finding(changed, "Within")
    for c in changed["channels"]:
        c["robustness"]["flips"] = [f for f in c["robustness"]["flips"] if f["input"] != "nowan.share"]
    assert not _finding(changed, "Within appetite only")


def test_secmp0037_says_which_calibrations_decide_it_where_it_flips_and_that_undoing_it_scores_the_same(bundle):
    """Reviewer finding 4: the recommendation differs from the SSC on inputs with no public source."""
    b, _ = bundle
    d = next(d for d in b["modifications"] if d["id"] == "secmp0037")
    ssc = d["positions"][0]
    line = next(f for f in key_findings(b) if "recorded security positions" in f)
    for text in (ssc["why"], line):
        assert ("the number of 'organised-fraud' attackers repeating an attack needing presence across GB is 834 "
                "or more (now 100; a calibration with no public source") in text, text
        assert "cannot tell the proposal from today's arrangement" in text
    changed = copy.deepcopy(b)
    for c in changed["channels"]:
        for f in c["robustness"]["flips"]:
            f["calibration"] = False
    pages = decisions(changed["channels"], load_modifications(), changed["appetite"])
    assert "no public source" not in next(d for d in pages if d["id"] == "secmp0037")["positions"][0]["why"]


def test_the_mp094_pages_say_why_the_withheld_harm_counts_there_and_not_on_the_secmp0038_pages(bundle):
    """SSC review finding 7: USB and the Wi-Fi relay are very high on the MP094 pages from a harm the
    SECMP0038 pages leave out; the MP094 pages say why, from each proposal's scope."""
    b, graphs = bundle
    pages = {d["id"]: d for d in b["modifications"]}
    one = pages["mp094-option-1"]["basis_note"]
    usb = pages["secmp0038-usb"]["added"]["routes"]["usb"]["not_delivered_today"][0]["title"]
    for text in ("\u2018Fully formed GBCS commands carried on USB", "PPMID relays fully formed GBCS commands",
                 f"score very high here from \u2018{usb}\u2019", "SECMP0038 over Wi-Fi", "SECMP0038 over USB",
                 "judged on its own residual risk, as MP094 is to deliver these commands",
                 "[seed 000 section 2.1", "which receives no such commands today", "[seed 004 lines 21-24"):
        assert text in one, text
    two = pages["mp094-option-2"]["basis_note"]
    assert "business requirement 3" in two and "PPMID relays fully formed" not in two   # no relay route there
    # the same harm on MP094's own NFC route, left out on the SECMP0038 NFC page (its relay route)
    assert all("MP094 commands as extended UTRNs tapped" in t and "SECMP0038 over NFC" in t for t in (one, two))
    assert not any(pages[m]["basis_note"] for m in ("sec0009", "secmp0038-usb", "secmp0038-wifi"))
    assert one in unescape(render_paper_html(b, graphs))
    changed = copy.deepcopy(b)   # counted on both pages: nothing to explain
    for d in changed["modifications"]:
        for a in ((d.get("added") or {}).get("routes") or {}).values():
            a["not_delivered_today"] = []
    pages = decisions(changed["channels"], load_modifications(), changed["appetite"],
                      {d["id"]: d["added"] for d in changed["modifications"] if d["added"]})
    assert not any(d["basis_note"] for d in pages)


def test_the_working_group_alternative_page_shows_the_battery_drain_it_names(bundle):
    """SSC review finding 9: the Working Group's own stated drawback, gas meter battery wastage (seed 004),
    is shown with the model's result on its page."""
    b, graphs = bundle
    wg = next(d for d in b["modifications"] if d["id"] == "wg-alternative")["positions"][0]
    utrn = next(c for c in b["channels"] if c["id"] == "wifi-ppmid-utrn")
    goal = next(g for g in utrn["goals"] if g["id"] == "gas-battery-drained")
    r = goal["residual"]
    assert (f"likelihood {r['likelihood']} and impact {r['impact']}" in wg["harms_words"]
            and f"{r['level'].replace('-', ' ')}, within the medium appetite" in wg["harms_words"])
    assert "Gas meter batteries drained" in wg["harms_words"]
    assert wg["harms_words"] in unescape(render_paper_html(b, graphs))


def test_the_routes_in_use_today_are_tallied_and_the_paper_says_where_the_model_reproduces_them(bundle):
    """Issue 10, SSC review finding 5: today's keypad and WAN routes are in the comparison of recorded
    positions; the paper says no seed rates them (each position is inferred), whether the model agrees
    and for the position's reason, what drives each verdict and the input that would reverse it."""
    from nowan.model.modifications import load_today
    from nowan.reports.confidence import flip_words
    from nowan.reports.decisions import today_pages

    b, graphs = bundle
    today = {t["channel"]: t for t in b["today"]}
    wan, keypad = today["wan"]["positions"][0], today["utrn-keypad"]["positions"][0]
    assert wan["reason_holds"] is True and wan["comparison"] == keypad["comparison"] == "agrees"
    line = next(f for f in key_findings(b) if "recorded security positions" in f)
    compared = [q for d in [*b["modifications"], *b["today"]] for q in d["positions"] if q["agrees"] is not None]
    assert line.startswith(f"Of the {len(compared)} recorded security positions") and "(2 on routes in use today, below)" in line
    finding = _finding(b, "Routes in use today (no seed rates them against the appetite)")
    flip = next(f for f in keypad["flips"] if f["input"] == "nowan.share")
    assert "The SMETS1 prepayment forum on today's keypad route (inferred from seed 003 line 315) agrees (medium), from" in finding
    # the flip in the words every page uses (reports/confidence.py), not as a raw id
    assert (f"whose likelihood counts the premises exposed (nowan.share); above appetite {flip_words(flip, with_source=False)} "
            f"or any of {len(keypad['flips']) - 1} more single inputs") in finding
    assert "is 2.67% or more (now 0.7%; seed-backed range)" in finding and "nowan.share \u2265" not in finding
    assert "by a state actor through theft of a Supplier or DCC private key, whose likelihood" in finding
    assert "The SSC on today's WAN route (inferred from seed 002 line 333) agrees (medium), for its reason " \
           "(without gbcs-e2e it scores high, above appetite);" in finding
    assert f"above appetite if any of {len(wan['flips'])} single inputs moves, all model calibrations" in finding
    html = unescape(render_paper_html(b, graphs))
    assert all(t["unrecorded"] in html and t["driver"] in html for t in b["today"])
    # the keypad's no-WAN exposure past its flip puts it above appetite: the paper reports a difference
    changed = copy.deepcopy(b)
    for c in changed["channels"]:
        if c["id"] == "utrn-keypad":
            c["verdict"], c["residual"]["level"] = "above-appetite", "high"
    changed["today"] = today_pages(load_today(), changed["channels"], changed["appetite"])
    line = next(f for f in key_findings(changed) if "recorded security positions" in f)
    assert "(1 on routes in use today, below)" in line
    assert "the SMETS1 prepayment forum on today's keypad route (within appetite there: \u201cSecurity implications" in line
    assert "today's keypad route (inferred from seed 003 line 315) differs (high)" in _finding(changed, "Routes in use today")
