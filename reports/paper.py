"""The committee paper: ``report.pdf``, a short front part the SSC decides from, then the full
assessment as an appendix.

Why a separate renderer: committee papers circulate as PDFs, and the committee decides on
modifications in plain words. The front part (summary, decision table, key findings, glossary)
uses only terms its glossary defines; the appendix is the same assessment the HTML report shows.
Everything comes from the evidence bundle (``report.json``): the key findings are sentences built
from its counts, decisions and refuted proofs (``reports/findings.yaml``), never typed in.

The PDF is laid out by WeasyPrint from HTML and print CSS. It is deterministic: no clock is read,
the document dates are SOURCE_DATE_EPOCH's (none without it), and WeasyPrint writes the same bytes
for the same HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from importlib import resources
from typing import Any, Mapping, Sequence

import yaml
from markupsafe import Markup

from nowan.model.errors import NowanError
from nowan.reports.confidence import ORDER_WORDS, flip_words
from nowan.reports.decisions import CANNOT, CONDITIONS, NOT_ASSESSED, OUTSIDE, SUPPORT, WORDS, not_delivered_words
from nowan.reports.decisions import series, short_title

#: A code: a token starting with a capital that holds at least one more capital or digit
#: ("SSC", "MP094", "Wi-Fi", "L5xI5", "A-60MIN"). The front part may use one only if its glossary
#: defines it.
CODE = re.compile(r"(?<![\w])[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w-])")


class PaperError(NowanError):
    """The PDF cannot be produced on this machine (a missing system library)."""


@dataclass(frozen=True)
class Paper:
    """The rendered PDF and where its front part ends."""

    pdf: bytes
    pages: int
    front_pages: int


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """Term -> definition, from ``reports/glossary.yaml``."""
    raw = yaml.safe_load(resources.files("nowan.reports").joinpath("glossary.yaml").read_text(encoding="utf-8"))
    return {str(k): " ".join(str(v).split()) for k, v in raw.items()}


@lru_cache(maxsize=1)
def finding_texts() -> dict[str, str]:
    """Property family -> what its refutation means, from ``reports/findings.yaml``."""
    raw = yaml.safe_load(resources.files("nowan.reports").joinpath("findings.yaml").read_text(encoding="utf-8"))
    return {str(k): " ".join(str(v).split()) for k, v in raw.items()}


def codes(text: str) -> set[str]:
    """The code-like tokens of ``text`` (plural 's' kept: ``defined`` strips it)."""
    return set(CODE.findall(text))


def defined(code: str, terms: Mapping[str, str]) -> bool:
    """True if the glossary defines ``code``, its singular ('UTRNs') or its stem before a
    lower-case suffix ('SECMP0031-style')."""
    stem = re.sub(r"(-[a-z]+)+$", "", code)
    return any(c in terms or (c.endswith("s") and c[:-1] in terms) for c in (code, stem))


def terms_used(text: str, terms: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The glossary entries ``text`` uses, and the entries their definitions use in turn (so the
    glossary itself uses no code it does not define), alphabetically (case-insensitive)."""
    terms = glossary() if terms is None else terms
    found: dict[str, str] = {}
    todo = text
    while todo:
        new = {t: d for t, d in terms.items()
               if t not in found and re.search(rf"(?<![\w]){re.escape(t)}s?(?![\w])", todo)}
        found.update(new)
        todo = " ".join(new.values())
    return sorted(found.items(), key=lambda td: td[0].lower())


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment (for the glossary scan)."""
    html = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _short(page: Mapping[str, Any]) -> str:
    """A modification's name without its explanation in brackets ("SECMP0037"), the table has both."""
    return short_title(page["title"])


def _names(pages: Sequence[Mapping[str, Any]]) -> str:
    return _and([_short(p) for p in pages])


_and = series


def _the(who: str) -> str:
    """ "the SSC", but "a Large Supplier" (a name that carries its own article)."""
    first = who.split(" ", 1)[0]
    return who[0].lower() + who[1:] if first in ("A", "An", "The") else f"the {who}"


def _differences(differs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> str:
    """The recorded positions this assessment differs from, grouped by who said what, with the quote."""
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for p, q in differs:
        key = (q["who"], q["stance"], " ".join(q["quote"].split()), p["recommendation_words"].lower(), q.get("why_short") or "")
        groups.setdefault(key, []).append(_short(p))
    return "; ".join(f"{_the(who)} on {_names([{'title': t} for t in titles])} ({stance.replace('-', ' ')} there: "
                     f"\u201c{quote}\u201d; {rec} here{': ' + why if why else ''})"
                     for (who, stance, quote, rec, why), titles in groups.items())


def _rejections(pages: Sequence[Mapping[str, Any]]) -> list[str]:
    """One finding per reason for rejecting: modifications rejected for the same reason (SECMP0038 over
    Wi-Fi and over USB rest on the same hub change) share a sentence, then what each one's other route
    adds on its own."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for p in pages:
        groups.setdefault(p.get("reason_shared") or p["reason"], []).append(p)
    out = []
    for shared, ps in groups.items():
        if len(ps) == 1:
            out.append(f"{_short(ps[0])}: {ps[0]['reason']}")
            continue
        s = f"{_names(ps)}: {shared}"
        alone = [(p, o) for p in ps for o in p.get("others") or ()]
        if alone:
            s += " On its own, the other route adds " + "; ".join(
                f"{o['level'].replace('-', ' ')} on {_short(p)} ({'within' if o['verdict'] == 'within-appetite' else 'above'}"
                " appetite)" for p, o in alone)
            gone = list(dict.fromkeys(t for _, o in alone for t in o["not_delivered_today"]))
            s += f", {not_delivered_words(gone)}." if gone else "."
        out.append(s)
    return out


def _pct(share: float) -> str:
    return f"{share * 100:.3g}%"


def _hangs_on_reported(bundle: Mapping[str, Any], pages: Sequence[Mapping[str, Any]]) -> list[str]:
    """One finding per input the sources give figures for (the no-WAN share, seed 002): the results
    within appetite that its robustness flips put above appetite inside its range, where, and which
    reported figures lie beyond that point. Computed from the robustness results: a recommendation
    resting on its governing routes (``flips``: the sweeps of the verdicts it uses, on the added risk
    or under its own no-WAN duration where it has one), a channel within appetite that no such
    recommendation already names (today's keypad premises)."""
    channels = {c["id"]: c for c in bundle.get("channels") or []}
    out = []
    for row in bundle.get("assumptions") or []:
        if not row.get("reported"):
            continue
        key = row["key"]

        def at(flips: Sequence[Mapping[str, Any]]) -> float | None:
            fs = [f["at"] for f in flips if f["input"] == key and f["verdict"] == "above-appetite" and f.get("op") == ">="]
            return min(fs) if fs else None

        hangs: list[tuple[str, float]] = []
        named: set[str] = set()
        for p in pages:
            if p["recommendation"] not in (SUPPORT, CONDITIONS) or p["confidence"]["status"] == "not-computed":
                continue
            x = at(p.get("flips") or [])
            if x is not None:
                hangs.append((_short(p), x))
                named.update(p["governing"])
        for cid, c in channels.items():
            x = at((c.get("robustness") or {}).get("flips") or [])
            if c["verdict"] == "within-appetite" and x is not None and cid not in named:
                base = [p for p in pages if cid in ((p.get("baseline") or {}).get("channels") or ())]
                role = f" (the baseline of {len(base)} decisions)" if base else ""
                hangs.append((f"the route \u2018{c['title']}\u2019{role}", x))
        if not hangs:
            continue
        by_point: dict[float, list[str]] = {}
        for who, x in sorted(hangs, key=lambda h: h[1]):
            by_point.setdefault(x, []).append(who)
        rep = sorted(row["reported"], key=lambda r: r["percent"])
        seeds = ", ".join(sorted({r["source"].split(" line")[0] for r in rep}))
        value = f"{_pct(row['value'])} assumed" if isinstance(row["value"], (int, float)) else f"{row['value']} assumed"
        desc = row["description"].rstrip(".")
        s = (f"Within appetite only while the {desc[:1].lower()}{desc[1:]} ({key}, {value}) stays low: "
             + "; ".join(f"{_and(whos)} below {_pct(x)}" for x, whos in by_point.items())
             + f". {seeds[:1].upper()}{seeds[1:]} reports {_and([r['text'] for r in rep])}: ")
        counts = []
        for x in by_point:
            above = sum(1 for r in rep if r["percent"][0] / 100 >= x)
            span = sum(1 for r in rep if r["percent"][0] / 100 < x <= r["percent"][1] / 100)
            counts.append(f"{above} are above {_pct(x)}" + (f" ({span} more spans it)" if span else ""))
        s += f"of these {len(rep)} figures " + ", ".join(counts) + "."
        out.append(s)
    return out


def _tally(pages: Sequence[Mapping[str, Any]], today: Sequence[Mapping[str, Any]] = ()) -> str:
    """How the assessment compares with the recorded security positions, on the proposals and on the
    routes in use today: agrees, agrees on the stance but not on a condition (which, and where),
    differs (with the quote); then the positions that are not security judgements, named as shown for
    context and not counted."""
    today = [{**t, "title": t["title"][:1].lower() + t["title"][1:]} for t in today]   # read inside a sentence
    positions = [(p, q) for p in [*pages, *today] for q in p["positions"] if q["agrees"] is not None]
    if not positions:
        return ""
    by = {k: [(p, q) for p, q in positions if q.get("comparison", "agrees" if q["agrees"] else "differs") == k]
          for k in ("agrees", "agrees-on-outcome", "differs-on-condition", "differs")}
    on_today = sum(1 for p, _ in by["agrees"] if p in today)
    s = (f"Of the {len(positions)} recorded security positions the assessment can be compared with, it agrees "
         f"with {len(by['agrees'])}" + (f" ({on_today} on routes in use today, below)" if on_today else ""))
    if by["agrees-on-outcome"]:
        s += ", agrees on the outcome but not on the reason with " + "; ".join(
            f"{_the(q['who'])} on {_short(p)} ({q['reason_differs']})" for p, q in by["agrees-on-outcome"])
    differ = len(by["differs-on-condition"]) + len(by["differs"])
    if differ:
        s += f", and differs from {differ}"
    if by["differs-on-condition"]:
        groups: dict[tuple[str, str], list[str]] = {}
        for p, q in by["differs-on-condition"]:
            unmet = "; ".join(t["plain"] for t in q.get("conditions_tested") or () if not t["met"])
            groups.setdefault((q["who"], unmet), []).append(_short(p))
        s += ": " + "; ".join(f"{_the(who)} on {_names([{'title': t} for t in titles])} (its condition, {unmet}, is "
                              "not met by the recommended route)" for (who, unmet), titles in groups.items())
    if by["differs"]:
        s += ("; " if by["differs-on-condition"] else ": ") + _differences(by["differs"])
    context: dict[str, tuple[list[str], list[str]]] = {}
    for p in pages:
        for q in p["positions"]:
            if q.get("comparison") == "context":
                titles, kinds = context.setdefault(q["who"], ([], []))
                titles.append(_short(p))
                kinds.extend([q["kind"]] if q["kind"] not in kinds else [])
    if context:
        s += (". Shown for context only and not counted, as they are not security judgements: " + "; ".join(
            f"{_the(who)} on {_names([{'title': t} for t in titles])} ({', '.join(kinds)})"
            for who, (titles, kinds) in context.items()))
    return s + "."


def _today(today: Sequence[Mapping[str, Any]]) -> str:
    """The positions on the routes in use today in one finding: that no seed rates those routes (each
    position is read from what a seed says, with its source), whether the model agrees, and why: for
    the position's own reason where it names one the model can test, else what drives the route's
    verdict; then the single inputs that would reverse it."""
    parts = []
    for t in today:
        for q in t["positions"]:
            if q["agrees"] is None:
                continue
            route = t["title"].split(" (")[0]
            s = (f"{_the(q['who'])} on {route[:1].lower()}{route[1:]} ({'inferred from ' if q.get('inferred') else ''}"
                 f"{q['source']}) {q['comparison_words']} ({(t.get('route') or {}).get('level', '').replace('-', ' ')})")
            if q.get("reason_holds") is not None:
                s += f", {'for' if q['reason_holds'] else 'not for'} its reason ({q['reason_without']})"
            elif t.get("driver_short"):
                s += f", from {t['driver_short']}"
            flips = q.get("flips") or []
            if flips:
                side = "above" if flips[0]["verdict"] == "above-appetite" else "within"
                f = flips[0]
                if f["input"] in (t.get("exposure_inputs") or ()):
                    s += f", whose likelihood counts the premises exposed ({f['input']})"
                if all(x.get("calibration") for x in flips):   # none sourced: how many, not which
                    s += f"; {side} appetite if any of {len(flips)} single inputs moves, all model calibrations"
                else:
                    s += (f"; {side} appetite {flip_words(f, with_source=False)}"
                          + (f" or any of {len(flips) - 1} more single inputs" if len(flips) > 1 else ""))
            parts.append(s[:1].upper() + s[1:] + ".")
    if not parts:
        return ""
    return "Routes in use today (no seed rates them against the appetite): " + " ".join(parts)


def _fewer_commands(pages: Sequence[Mapping[str, Any]]) -> str:
    """The added risk of each modification judged over a baseline, as proposed and with each smaller
    command set it lists (seed 004 asks whether fewer command types lower the risk), grouped by
    those sets so that each is named once."""
    from nowan.model.channels.catalogues import scales

    rank = scales().rank
    groups: dict[tuple[str, ...], list[str]] = {}
    any_command: list[str] = []   # routes that forward whatever command arrives (e.g. the hub change)
    for p in pages:
        added = p.get("added") or {}
        if not added.get("routes") or not added.get("fewer_commands"):
            continue
        proposed = max((a["level"] for a in added["routes"].values()), key=rank)
        levels = [proposed] + [f["worst"]["level"] for f in added["fewer_commands"]]
        names = tuple(f["name"] for f in added["fewer_commands"])
        groups.setdefault(names, []).append(f"{_short(p)} " + ", ".join(lv.replace("-", " ") for lv in levels))
        worst = [a for a in added["routes"].values() if a["level"] == proposed]
        if worst and all(not a.get("carried") for a in worst):
            titles = {x["id"]: x["title"] for x in p.get("assessed") or []}
            any_command.extend(titles.get(a["route"], a["route"]) for a in worst)
    out = " ".join(f"Fewer command types, computed from the models (the added risk as proposed, then with "
                   f"{'; with '.join(names)}): " + "; ".join(rows) + "." for names, rows in groups.items())
    if out and any_command:
        route = series([f"\u2018{t}\u2019" for t in sorted(set(any_command))])
        out += (f" The highest added risk comes from {route}, which forwards whatever command "
                "arrives, so fewer command types cannot lower it: that follows from how the route is modelled, "
                "not from the computation.")
    return out


def _guessing_scored(bundle: Mapping[str, Any], family: str) -> str:
    """For the brute-force bound: what the risk score makes of the same guesses, the expected forged
    codes a year across the premises one attack reaches and their value (each refuted bound's
    ``scored`` evidence), so the finding reads with the risk it amounts to."""
    if family != "bruteforce-bound":
        return ""
    scored = [pr["trace"]["evidence"]["scored"] for c in bundle.get("channels", []) for pr in c.get("proofs") or []
              if pr["id"].split("@")[0] == family and pr["status"] == "refuted" and pr.get("trace")
              and (pr["trace"].get("evidence") or {}).get("scored")]
    scored = [x for x in scored if x.get("forged_a_year") is not None]
    if not scored:
        return ""
    lo, hi = min(scored, key=lambda x: x["forged_a_year"]), max(scored, key=lambda x: x["forged_a_year"])
    rng = (f"about {lo['forged_a_year']:.2g} forged codes a year (GBP {lo['gbp_a_year']:,.0f})"
           if f"{lo['forged_a_year']:.2g}" == f"{hi['forged_a_year']:.2g}" else
           f"from about {lo['forged_a_year']:.2g} to {hi['forged_a_year']:.2g} forged codes a year "
           f"(GBP {lo['gbp_a_year']:,.0f} to {hi['gbp_a_year']:,.0f})")
    from nowan.model.channels.catalogues import scales

    levels = sorted({x["level"] for x in scored}, key=scales().rank)
    span = levels[0] if len(levels) == 1 else f"{levels[0]} to {levels[-1]}"
    return (f" Scored from the same guesses a year, that is {rng} across the premises one attack reaches: "
            f"{span.replace('-', ' ')} risk.")


def key_findings(bundle: Mapping[str, Any]) -> list[str]:
    """The key findings in plain prose, each sentence computed from the bundle."""
    pages = bundle.get("modifications") or []
    out: list[str] = []
    by = {k: [p for p in pages if p["recommendation"] == k] for k in WORDS}
    parts = [f"{len(by[k])} {WORDS[k].lower()} ({_names(by[k])})" for k in (SUPPORT, CONDITIONS, CANNOT) if by[k]]
    if parts:
        out.append(f"Of the {len(pages)} modifications, " + "; ".join(parts) + ".")
    out.extend(_rejections(by[CANNOT]))
    for p in by[OUTSIDE] + by[NOT_ASSESSED]:
        out.append(f"{_short(p)}: {p['recommendation_words'].lower()}. {p['reason']}")
    tally = _tally(pages, bundle.get("today") or [])
    if tally:
        out.append(tally)
    today = _today(bundle.get("today") or [])
    if today:
        out.append(today)
    out.extend(_hangs_on_reported(bundle, pages))
    fewer = _fewer_commands(pages)
    if fewer:
        out.append(fewer)
    texts = finding_texts()
    refuted: dict[str, set[str]] = {}  # property family -> the channels on which it is refuted
    for c in bundle.get("channels", []):
        for pr in c.get("proofs") or []:
            if pr["status"] == "refuted":
                refuted.setdefault(pr["id"].split("@")[0], set()).add(c["id"])
    described = sorted(f for f in refuted if f in texts)
    seen: set[str] = set()
    for fam in described:
        if texts[fam] in seen:
            continue
        seen.add(texts[fam])
        n = len(set().union(*(refuted[f] for f in described if texts[f] == texts[fam])))
        out.append(f"{texts[fam]} (Shown by the solver with a concrete example on {n} channel "
                   f"model{'s' if n != 1 else ''}, appendix A.5.){_guessing_scored(bundle, fam)}")
    ft = bundle.get("fuzz_total") or {}
    if ft.get("examples"):
        out.append(f"Randomised attack testing ran {ft['examples']:,} examples against the reference implementation: "
                   f"{ft.get('implementation_findings', 0)} defects in the implementation and "
                   f"{ft.get('weakness_findings', 0)} demonstrated weaknesses of the proposals themselves "
                   "(appendix, each channel's 'Fuzz campaign').")
    ch = bundle.get("changes")
    if ch is not None:
        moved = [c for c in ch["changes"] if c["kind"] == "decision"]
        s = f"Since the previous assessment, {len(ch['changes'])} results changed"
        if moved:
            s += "; the recommendation moved on " + "; ".join(
                f"{c['id'].split('@', 1)[1]} ({c['old'].replace('-', ' ')} to {c['new'].replace('-', ' ')})" for c in moved)
        out.append(s + " (appendix, 'Changes since the baseline').")
    tr = bundle.get("tracking")
    if tr is not None:
        out.append(f"The committee's decision record: {len(tr['undecided'])} risks above appetite have no recorded "
                   f"decision, and {len(tr['stale'])} recorded decisions concern risks that no longer exist "
                   "(appendix, 'Decision tracking').")
    confs = [p["confidence"]["status"] for p in pages if p["confidence"]["status"] != "not-computed"]
    if not confs:
        out.append("The confidence of each decision was not computed in this run (no robustness analysis).")
    else:
        low = sum(1 for c in confs if c == "fragile")
        out.append(f"Confidence was computed for {len(confs)} decisions: {len(confs) - low} robust, {low} fragile "
                   "(a single input moved within its declared range changes a fragile one; the decision table "
                   f"names one such change, the decision page all; {ORDER_WORDS}). A support with conditions is "
                   "judged with its conditions in force. P(above) measures how widely the declared ranges "
                   "spread, not a probability of harm.")
    return out


def render_paper_html(bundle: Mapping[str, Any], graphs: Mapping[str, Markup]) -> str:
    """The paper as one HTML document with print CSS (what WeasyPrint lays out)."""
    from nowan.reports.render import environment, heatmap, tornados

    env = environment(True)
    findings = key_findings(bundle)
    common = {"r": bundle, "findings": findings, "dec_words": WORDS}
    front = env.get_template("paper_front.html.j2").render(glossary=[], **common)
    used = terms_used(plain_text(front))
    return env.get_template("paper.html.j2").render(glossary=used, graphs=graphs, heatmap=heatmap(bundle),
                                                     tornados=tornados(bundle), **common)


def render_pdf(html: str) -> Paper:
    """Lay out ``html`` with WeasyPrint; the front part ends where the appendix anchor starts."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango/GObject shared libraries not found
        raise PaperError("cannot write report.pdf: WeasyPrint needs the Pango libraries "
                         f"(apt-get install libpango-1.0-0 libpangoft2-1.0-0; {type(exc).__name__})") from None
    document = HTML(string=html).render()
    front = next((i for i, page in enumerate(document.pages) if "appendix" in page.anchors), len(document.pages))
    return Paper(pdf=document.write_pdf(), pages=len(document.pages), front_pages=front)
