"""Chunks settled on a few threads, results handed back in chunk order.

NumPy and Arrow release the GIL inside their kernels, so threads over chunks of whole
persons use both cores without shipping results between processes (a process pool was
slower end to end). Each chunk is independent (whole persons), and results are yielded in
the order the chunks came, so the output is the same whatever the number of threads. At
most `threads + 1` chunks are in flight, so memory stays bounded by the chunk size.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def default_threads() -> int:
    """One thread per core."""
    return os.cpu_count() or 1


def ordered_map(work: Callable[[In], Out], items: Iterable[In], threads: int) -> Iterator[Out]:
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
