"""Chunks settled in forked workers or on a few threads, results handed back in chunk order.

Forked workers (forked.py) use every core; where a platform cannot fork, threads do what
they can: NumPy and Arrow release the GIL inside their kernels, the engine's Python between
them does not (two threads reach about 1.5× one). Each chunk is independent (whole
persons), and results are yielded in the order the chunks came, so the output is the same
whatever the number of workers. At most `threads + 1` chunks are in flight on threads, so
memory stays bounded by the chunk size.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from yibao.batch.forked import can_fork, forked_map

In = TypeVar("In")
Out = TypeVar("Out")


def default_threads() -> int:
    """One thread per core."""
    return os.cpu_count() or 1


def default_processes() -> int:
    """One forked worker per core on Linux with several cores; else none (threads instead)."""
    cores = default_threads()
    return cores if cores > 1 and can_fork() and sys.platform.startswith("linux") else 0


def parallel_map(
    work: Callable[[In], Out], items: Iterable[In], processes: int, threads: int
) -> Generator[Out, None, None]:
    """`map(work, items)` in order: in `processes` forked workers, or (0) on `threads` threads here.

    Close it (or exhaust it) to end the workers: `contextlib.closing` where a loop may stop early.
    """
    if processes > 0 and can_fork():
        return forked_map(work, items, processes)
    return ordered_map(work, items, threads)


def ordered_map(work: Callable[[In], Out], items: Iterable[In], threads: int) -> Generator[Out, None, None]:
    """`map(work, items)` on `threads` threads, in order, with a bounded number of items in flight."""
    if threads <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="yibao-chunk") as pool:
        pending: deque[Future[Out]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) > threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
