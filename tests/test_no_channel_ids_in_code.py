"""The channel registry is the model directory: no packaged channel id is written into the code of
``proofs/``, ``attacks/`` or ``reports/`` (strings in code and templates; docstrings and comments may
name a channel as an example). What a channel gets (proofs, fuzz world, report sections) is read off
its file, so a new or renamed channel file needs no code edit. The workflows have their own test
(tests/test_workflows.py).

A few ids are also the names of other things: attacker worlds (a channel's ``fuzz.world`` names one)
and the UTRN/command paths and bearers of the proofs (``keypad``, ``han``, ``wan``). Those words may
appear; a channel id that is neither may not.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from nowan.attacks.worlds import worlds
from nowan.model.channels import channel_ids

ROOT = Path(__file__).parents[1]
FOLDERS = ("proofs", "attacks", "reports")
#: Paths a UTRN or a command takes, as the proofs and counterexample worlds name them.
PATH_LABELS = frozenset({"keypad", "han", "wan"})
_TOKEN = re.compile(r"[^\w-]+|@")


def _code_strings(source: str) -> list[tuple[int, str]]:
    """String constants of a module with their lines, docstrings left out."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)


def _named(text: str, ids: set[str]) -> list[str]:
    """The ids ``text`` names, whole or as a prefix ending in a hyphen (``smets1-`` picks a family)."""
    return sorted(t for t in set(_TOKEN.split(text))
                  if t in ids or (t.endswith("-") and any(i.startswith(t) for i in ids)))


def channel_ids_written_in(root: Path, ids: set[str]) -> list[str]:
    """``file:line: id`` for every channel id in a code string or a template line below ``root``."""
    hits = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            for line, text in _code_strings(path.read_text(encoding="utf-8")):
                hits += [f"{path.relative_to(root)}:{line}: {t}" for t in _named(text, ids)]
        for path in sorted((root / folder).rglob("*.j2")):
            for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                hits += [f"{path.relative_to(root)}:{line}: {t}" for t in _named(text, ids)]
    return hits


def test_no_packaged_channel_id_is_written_into_proofs_attacks_or_reports() -> None:
    other_names = set(worlds()) | PATH_LABELS
    ids = set(channel_ids()) - other_names
    assert len(ids) >= 10  # the check has something to look for
    assert channel_ids_written_in(ROOT, ids) == []


def test_the_check_finds_an_id_in_code_and_in_a_template(tmp_path: Path) -> None:
    (tmp_path / "reports" / "templates").mkdir(parents=True)
    (tmp_path / "proofs").mkdir()
    (tmp_path / "attacks").mkdir()
    (tmp_path / "reports" / "pick.py").write_text(
        '"""Docstrings may say utrn-keypad."""\nROWS = [c for c in CHANNELS if c.id.startswith("smets1-")]\n'
        'FIXED = "residual@utrn-keypad"\n')
    (tmp_path / "reports" / "templates" / "x.html.j2").write_text("<p>The mp169-flag channel</p>\n")
    assert channel_ids_written_in(tmp_path, {"utrn-keypad", "mp169-flag", "smets1-utrn-gen-1"}) == [
        "reports/pick.py:2: smets1-", "reports/pick.py:3: utrn-keypad", "reports/templates/x.html.j2:1: mp169-flag"]
