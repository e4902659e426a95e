"""Hypothesis runs that are a function of their seed alone, whatever the process imported before.

Hypothesis (6.131 and later) now and then draws a constant it found in the source of every *local*
module imported so far (a module outside site-packages and the standard library). So one seed
explores different examples depending on the process's history: ``nowan assess`` imports its
renderers after the fuzz stage, a second run in the same process then fuzzes with more constants,
an editable install sees our modules as local and a wheel does not, and pytest-xdist's share-out of
tests (which changes with machine load) decides what a worker imported before a determinism test.

:func:`pinned_constants` fixes that pool for one run: empty, or the constants of the modules named
(the fuzz campaigns name the device and GBCS code they attack, so the literals of the code under
test, a cache size or a window, stay within reach). It lives in the model because proofs
(conformance) and attacks (campaigns) both need it and each depends on the model only; Hypothesis
is imported only when a run asks for it.
"""
from __future__ import annotations

import importlib
import pkgutil
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator
from unittest.mock import patch

#: The packages whose source literals a fuzz campaign may draw: the code it attacks.
CODE_UNDER_TEST = ("nowan.model.devices", "nowan.model.gbcs")


def _modules(packages: tuple[str, ...]) -> list[Any]:
    """Every module of ``packages``, imported, in name order (so the pool never depends on order)."""
    out = []
    for name in packages:
        pkg = importlib.import_module(name)
        out.append(pkg)
        for info in sorted(pkgutil.iter_modules(pkg.__path__, name + "."), key=lambda i: i.name):
            out.append(importlib.import_module(info.name))
    return out


@lru_cache(maxsize=None)
def _pool(packages: tuple[str, ...]) -> Any:
    from hypothesis.internal.conjecture.providers import Constants
    from hypothesis.internal.constants_ast import constants_from_module

    pool = Constants()
    for module in _modules(packages):
        pool |= constants_from_module(module)
    return pool


@contextmanager
def pinned_constants(packages: tuple[str, ...] = ()) -> Iterator[None]:
    """For the duration: Hypothesis's pool of module constants is exactly those of ``packages``.

    The cache of constants Hypothesis derives from the pool is cleared on both sides, so nothing of
    an earlier run's pool leaks in or out. On a Hypothesis without module constants this does nothing.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - Hypothesis is a dependency
        yield
        return
    if not hasattr(providers, "_get_local_constants"):  # older Hypothesis: no module constants to pin
        yield
        return
    pool = _pool(tuple(packages))
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        with patch.object(providers, "_get_local_constants", lambda: pool):
            yield
    finally:
        providers.CONSTANTS_CACHE.cache.clear()
