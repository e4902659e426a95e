"""A decision's confidence in words: the single-input changes that would flip a verdict it rests on.

Why one module: the committee reads the same flip on the front page, on the decision page, in the
HTML report and in the Markdown, and an id on one page with a rounded figure on another
(``attacker.organised-fraud.count >= 348`` against ``calibration.attacker.organised-fraud.count
reaches 348.0``) reads as two findings. Every page writes a flip with :func:`flip_words`, from the
fields the robustness analysis carries (``model/robustness/oat.py``: the input's catalogue title and
unit, its value now, its declared range and whether that range is a calibration or sourced).

Which flip the front table names (:func:`ordered`): first a flip toward the verdict that would
change the recommendation; then a flip of a sourced input (seed-backed or another public source)
before a calibration, since a committee can check a sourced figure and cannot check a model
author's; then the *nearest*, the smallest move from the value used now as a share of the input's
declared range (on a log scale for a range spanning a factor of 100 or more, by position for a
list of values), as ``model.robustness.oat`` measures it; ties by input id.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

#: The definition of "nearest" and the order of the flips, as the paper states it.
ORDER_WORDS = ("the one named moves toward the other recommendation, a sourced input comes before a "
               "calibration, then the nearest: the smallest move from today's value as a share of the declared "
               "range, on a log scale where it spans a factor of 100 or more")


def number(v: Any, unit: str = "") -> str:
    """A value as every page writes it: a share in percent (0.0267 -> "2.67%"), whole numbers with
    thousands separators, other numbers to three significant figures, then the unit."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, str):
        if v == "inf":
            return "no limit"
        return v
    if not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float) and math.isinf(v):
        return "no limit"
    if unit == "share":
        return f"{v * 100:.3g}%"
    if unit == "GBP":
        return f"GBP {v:,.0f}" if v >= 100 else f"GBP {v:.3g}"
    if isinstance(v, int) or float(v).is_integer():
        text = f"{int(v):,}"
    elif abs(v) >= 1000:
        text = f"{v:,.0f}"
    else:
        text = f"{v:.3g}"
    if text == "1":
        unit = SINGULAR.get(unit, unit)
    return f"{text} {unit}" if unit else text


#: Units that read differently after "1".
SINGULAR = {"points of difficulty": "point of difficulty", "failures": "failure", "entries": "entry",
            "seconds": "second", "hours": "hour", "meters": "meter", "days a year": "day a year"}


def _title(f: Mapping[str, Any]) -> str:
    """The input's title inside a sentence: "the share of smart prepayment meters without a WAN"."""
    t = " ".join(str(f.get("title") or f["input"]).split()).rstrip(".")
    # a title's asides ("; inf = removed", "(read only while ...)") belong to the catalogue, not the sentence
    t = t.split(" (read only")[0].split("; ")[0]
    first = t.split(" ", 1)[0]
    if first[1:] == first[1:].lower() and not any(ch.isdigit() for ch in first):
        t = t[:1].lower() + t[1:]   # "Share of ..." reads "the share of ...", "Max Credit Threshold" stays
    return t


def _the(title: str) -> str:
    return title if title.lower().startswith(("the ", "a ", "an ")) else f"the {title}"


def condition(f: Mapping[str, Any]) -> str:
    """The flip as a condition: "the share of smart prepayment meters without a WAN is 2.67% or more"."""
    at, unit, op = f["at"], f.get("unit") or "", f.get("op")
    what = _the(_title(f)) if f.get("title") else str(f["input"])
    if isinstance(at, str) and at in ("premises", "fleet", "national"):
        verb = {"<=": f"narrows to {at}", ">=": f"widens to {at}"}.get(op, f"is {at}")
        return f"{what} {verb}"
    v = number(at, unit)
    return f"{what} is {v}" + {">=": " or more", "<=": " or less"}.get(op, "")


def kind(f: Mapping[str, Any]) -> str:
    """Where the input's range comes from: "seed-backed", "sourced" or "calibration"."""
    if f.get("calibration"):
        return "calibration"
    return "seed-backed" if "seed " in str(f.get("source") or "") else "sourced"


def span(f: Mapping[str, Any]) -> str:
    """The declared range in the same format as the values: "0.07% to 36%", "premises or fleet"."""
    vals = list(f.get("span") or ())
    unit = f.get("unit") or ""
    if not vals:
        return str(f.get("range") or "")
    if all(isinstance(v, str) and v != "inf" for v in vals) or len(vals) > 2 or isinstance(vals[0], bool):
        return " or ".join(number(v) for v in vals)
    lo = number(vals[0], unit if unit in ("share", "GBP") else "")
    return f"{lo} to {number(vals[1], unit)}"


def status(f: Mapping[str, Any], with_source: bool = True) -> str:
    """Whether the range is seed-backed, sourced or a calibration, with the range and its source (a
    table cell, ``with_source=False``, says only which of the three)."""
    k = kind(f)
    if not with_source:
        return {"calibration": "a calibration", "seed-backed": "seed-backed range"}.get(k, k) if (f.get("span") or f.get("source") or
                                                              f.get("calibration")) else ""
    src = str(f.get("source") or "").split(":")[0].strip()
    rng = f", range {span(f)}" if span(f) else ""
    if k == "calibration":
        return f"a calibration with no public source{rng}"
    if not rng and not src:
        return ""   # a flip that carries no range (an older bundle): nothing to say
    return f"{k}{rng}" + (f", {src}" if with_source and src else "")


def flip_clause(f: Mapping[str, Any], with_source: bool = True) -> str:
    """One flip in words, the same on every page: "the share of smart prepayment meters without a
    WAN is 2.67% or more (now 0.7%; seed-backed, range 0.07% to 36% (seed 002 ...))"."""
    now = f.get("now")
    parts = [p for p in (f"now {number(now, f.get('unit') or '')}" if now is not None else "",
                         status(f, with_source)) if p]
    return f"{condition(f)} ({'; '.join(parts)})" if parts else condition(f)


def flip_words(f: Mapping[str, Any], with_source: bool = True) -> str:
    """:func:`flip_clause` as a condition: "if the share ... is 2.67% or more (now 0.7%; ...)"."""
    return f"if {flip_clause(f, with_source)}"


def verdict_words(rb: Mapping[str, Any]) -> str:
    """A channel's robustness in the summary column: "robust", or "fragile: <side> if <the first flip>"
    (the analysis lists flips nearest first), without the range's source."""
    flips = rb.get("flips") or []
    if rb.get("robust") or not flips:
        return "robust"
    return fragile(flips[0])


def fragile(f: Mapping[str, Any]) -> str:
    """A table cell naming one flip: "fragile: above appetite if the share ... (now 0.7%; ...)"."""
    return f"fragile: {side(f['verdict'])} {flip_words(f, with_source=False)}"


def side(verdict: str) -> str:
    return "above appetite" if verdict == "above-appetite" else "within appetite"


def ordered(flips: Sequence[Mapping[str, Any]], toward: str | None) -> list[Mapping[str, Any]]:
    """The flips in the order the paper names them (see the module note)."""
    return sorted(flips, key=lambda f: (toward is not None and f.get("verdict") != toward,
                                        kind(f) == "calibration", float(f.get("distance") or 0.0),
                                        str(f.get("input"))))
