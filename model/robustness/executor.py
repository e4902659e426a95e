"""One executor interface for independent tasks: local worker processes, or a Dask cluster.

Robustness samples are independent, so they are mapped over an executor in chunks and gathered in
order: results never depend on how many workers ran them or where (the same seed gives the same
bytes). :class:`Local` uses worker processes on this machine (``--workers N``); :class:`Dask`
sends the same tasks to a Dask distributed scheduler (``--scheduler ADDRESS``, the optional extra
``nowan[dask]``), for sweeps that re-run proofs per sample and outgrow one machine.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor as _PoolExecutor
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Protocol, Sequence, TypeVar

from nowan.model.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Maps a module-level function over tasks; the results come back in task order."""

    workers: int

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]: ...

    def close(self) -> None: ...


class Local:
    """Worker processes on this machine; one worker runs the tasks in this process."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise InputError(f"expected at least 1 worker, got {workers}", where="--workers")
        self.workers = workers
        self._pool: _PoolExecutor | None = None

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
        if self.workers == 1 or len(tasks) <= 1:
            return [fn(t) for t in tasks]
        if self._pool is None:
            # fork: workers start with the models already parsed; nothing here holds threads.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method))
        return list(self._pool.map(fn, tasks))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> "Local":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Dask:
    """The same tasks on a Dask distributed cluster (its workers need nowan installed)."""

    def __init__(self, address: str, timeout_s: float = 10.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("needs the optional Dask extra; install it with pip install 'nowan[dask]'",
                             where="--scheduler") from None
        try:
            self.client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach a Dask scheduler at {address!r} ({exc})", where="--scheduler") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
        futures = self.client.map(fn, list(tasks), pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Dask":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def make(workers: int = 1, scheduler: str | None = None) -> Local | Dask:
    """The executor the command line asks for: a Dask scheduler if given, else local workers."""
    return Dask(scheduler) if scheduler else Local(workers)


def chunks(items: Sequence[T], parts: int, at_most: int = 250) -> list[Sequence[T]]:
    """Split into contiguous chunks: enough for every worker to stay busy, each small enough to
    balance, large enough that sending a task costs little next to scoring it."""
    if not items:
        return []
    size = max(1, min(at_most, -(-len(items) // max(1, parts * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]
