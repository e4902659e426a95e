"""Rendering the evidence bundle: HTML (autoescaped), Markdown, JSON, SARIF and JUnit.

Templates only lay out the bundle; they compute nothing. HTML autoescaping is on, so a model string
holding markup or script is shown as text; the Markdown environment escapes table-breaking
characters instead. Output is deterministic for a given bundle.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from nowan.model.errors import printable
from nowan.model.values import finite_json, json_safe_text
from nowan.reports.heatmap import heatmap_svg, place
from nowan.reports.sources import KINDS
from nowan.reports.tornado import tornado_svg


def _num(v: Any) -> str:
    if v is None or v == "inf":
        return "unreachable"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _money(v: Any) -> str:
    try:
        return f"{float(v):,.0f}"
    except (TypeError, ValueError):
        return str(v)


def _compact(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, separators=(",", ":"))
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _anchor(v: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(v)).strip("-")


class _MdText(str):
    """Text already escaped for Markdown by the ``md`` filter (the finaliser leaves it alone)."""


def _md(v: Any) -> str:
    """Escape Markdown table and emphasis characters so model text cannot break the layout."""
    text = " ".join(printable(v).split())
    # ``<`` as an entity, not ``\<``: no renderer, CommonMark or not, can open a tag from it
    return _MdText(re.sub(r"([|\\`*_>\[\]])", r"\\\1", text).replace("<", "&lt;"))


def _md_finalize(v: Any) -> Any:
    """Every value that reaches the Markdown report, whatever its origin (model text, a path, an
    id, an option value), on one line, with no raw HTML (``<`` as ``&lt;``, so no tag can open), no
    table-breaking ``|`` and no code-span-closing backtick. Renderers of Markdown pass raw HTML
    through, so this is what keeps a script in a model file from running in a reader's browser."""
    if isinstance(v, _MdText) or v is None:
        return v
    text = " ".join(printable(v).split())
    return text.replace("<", "&lt;").replace("|", "\\|").replace("`", "'")


def _html_finalize(v: Any) -> Any:
    """Control characters (NUL, ESC, bidi overrides) shown as escapes; markup is escaped later by
    autoescaping. Our own SVG (``Markup``) passes through: it escapes what it quotes."""
    if isinstance(v, Markup) or v is None or isinstance(v, (int, float)):
        return v
    return printable(v, keep_lines=True)


from nowan.reports import confidence as conf_words  # noqa: E402  (one formatter for every page)


def environment(autoescape: bool) -> Environment:
    # Autoescape is on for every template of the HTML environment, whatever its file name
    # (select_autoescape would leave ``_macros.j2`` unescaped).
    env = Environment(loader=PackageLoader("nowan.reports", "templates"), undefined=StrictUndefined,
                      autoescape=autoescape, finalize=_html_finalize if autoescape else _md_finalize,
                      trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters.update(held=lambda i: f"{i} held", finding=lambda f: f"finding {f}", num=_num, money=_money, compact=_compact, anchor=_anchor, md=_md,
                       pretty=lambda v: json.dumps(v, indent=2, sort_keys=True),
                       flip_words=conf_words.flip_words, verdict_words=conf_words.verdict_words)
    env.globals["source_kinds"] = KINDS
    return env


def heatmap(bundle: Mapping[str, Any]) -> Markup:
    """The residual-risk heat map of the bundle's channels, as inline SVG."""
    sc = bundle["scales"]
    matrix = {int(k): v for k, v in sc["matrix"].items()}
    return heatmap_svg(matrix, {int(k): v for k, v in sc["likelihood"].items()},
                       {int(k): v for k, v in sc["impact"].items()}, place(bundle["channels"]),
                       bundle["appetite"], sc["levels"])


def tornados(bundle: Mapping[str, Any]) -> dict[str, Markup]:
    """Each channel's tornado chart (robustness), as inline SVG, by channel id."""
    sc = bundle["scales"]
    return {c["id"]: tornado_svg(c["id"], c["robustness"]["tornado"], c["residual"]["level"], sc["levels"],
                                 bundle["appetite"]) for c in bundle["channels"] if c.get("robustness")}


def render_html(bundle: Mapping[str, Any], graphs: Mapping[str, Markup]) -> str:
    """The self-contained committee page: inline CSS and SVG, no scripts, no network."""
    return environment(True).get_template("index.html.j2").render(r=bundle, heatmap=heatmap(bundle), graphs=graphs,
                                                                   tornados=tornados(bundle))


def render_markdown(bundle: Mapping[str, Any]) -> str:
    """The same content in the shape of a SEC modification report section."""
    return environment(False).get_template("report.md.j2").render(r=bundle)


def render_json(bundle: Mapping[str, Any]) -> str:
    """Strict JSON: infinity as ``"inf"``, never a bare ``NaN`` or ``Infinity`` (not JSON)."""
    return json_safe_text(json.dumps(finite_json(bundle), indent=2, ensure_ascii=False, allow_nan=False)) + "\n"
