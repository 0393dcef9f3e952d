"""Forked workers: results in item order, tables and arrays intact, errors and dead workers reported."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Generator, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from yibao.batch.forked import WORKER_NICENESS, forked_map

BOOK = pa.table({"n": np.arange(50_000), "id": pa.array([f"person-{i % 977}" for i in range(50_000)])})
"""Built before the workers fork: they read it without its being sent."""


def part(cut: tuple[int, int]) -> dict[str, Any]:
    start, stop = cut
    rows = BOOK.slice(start, stop - start)
    return {
        "rows": rows,
        "codes": np.arange(start, stop, dtype=np.int64) * 3,
        "pid": os.getpid(),
        "n": stop - start,
    }


CUTS = [(i, min(i + 3_001, 50_000)) for i in range(0, 50_000, 3_001)]


@pytest.mark.parametrize(("processes", "slot_bytes"), [(1, 1 << 24), (2, 1 << 24), (3, 1 << 24), (2, 1_000)])
def test_results_come_back_whole_and_in_order_through_the_slots_or_the_pipe(processes, slot_bytes):
    """A 1,000-byte slot holds none of these results: they travel in the pipe, unchanged."""
    results = list(forked_map(part, CUTS, processes, slot_bytes=slot_bytes))
    assert [r["n"] for r in results] == [stop - start for start, stop in CUTS]
    for (start, stop), result in zip(CUTS, results, strict=True):
        assert result["rows"].equals(BOOK.slice(start, stop - start))
        assert result["codes"].tolist() == list(range(3 * start, 3 * stop, 3))
        assert result["pid"] != os.getpid()
    assert len({r["pid"] for r in results}) == processes


def test_what_the_map_yields_is_its_own_after_the_slot_is_reused():
    """Results kept by the caller pin their slot: later results do not overwrite them."""
    results = list(forked_map(part, CUTS, 1, depth=1))
    assert results[0]["rows"].equals(BOOK.slice(0, 3_001))
    assert results[0]["codes"][-1] == 3 * 3_000
    for (start, stop), result in zip(CUTS, results, strict=True):
        assert result["codes"].tolist() == list(range(3 * start, 3 * stop, 3))


def test_slots_are_lent_again_once_their_results_are_dropped_and_kept_ones_stay_intact():
    """Some kept (one slice of a table, one array), the rest dropped: every kept value is whole."""
    kept = []
    for n, result in enumerate(forked_map(part, CUTS * 4, 2, depth=2)):
        assert result["codes"][0] == 3 * CUTS[n % len(CUTS)][0]
        if n % 5 == 0:
            kept.append((n, result["rows"].slice(1, 10) if n % 2 else result["codes"]))
    for n, value in kept:
        start, stop = CUTS[n % len(CUTS)]
        if n % 2:
            assert value.equals(BOOK.slice(start + 1, 10))
        else:
            assert value.tolist() == list(range(3 * start, 3 * stop, 3))


def test_a_map_passes_results_as_views_of_its_slots_not_copies():
    """Large results are not copied in the parent: their memory is the shared slot's."""
    result = next(iter(forked_map(part, CUTS, 1)))
    assert result["codes"].base is not None and not result["codes"].flags.owndata


def test_at_most_depth_items_per_worker_are_taken_ahead():
    pulled = 0

    def items() -> Iterator[tuple[int, int]]:
        nonlocal pulled
        for cut in CUTS:
            pulled += 1
            yield cut

    for received, _ in enumerate(forked_map(part, items(), 2, depth=2), start=1):
        assert pulled - received < 2 * 2


def fails_on_the_third(cut: tuple[int, int]) -> int:
    if cut[0] == CUTS[2][0]:
        raise ValueError(f"bad cut {cut}")
    return cut[0]


def test_an_error_in_a_worker_is_raised_at_its_item_after_the_items_before_it():
    got = []
    with pytest.raises(ValueError, match=r"bad cut \(6002, 9003\)"):
        for value in forked_map(fails_on_the_third, CUTS, 2):
            got.append(value)
    assert got == [0, 3_001]


class Unpicklable(Exception):
    """Cannot be pickled even where tblib (imported with dask.distributed) pickles exceptions."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")
        self.lock = threading.Lock()


def raises_unpicklable(cut: tuple[int, int]) -> int:
    raise Unpicklable(*cut)


def test_an_error_that_cannot_be_pickled_arrives_as_its_text():
    with pytest.raises(RuntimeError, match=r"Unpicklable: 0/3001"):
        list(forked_map(raises_unpicklable, CUTS, 2))


def dies_on_the_second(cut: tuple[int, int]) -> int:
    if cut[0] == CUTS[1][0]:
        os.kill(os.getpid(), signal.SIGKILL)
    return cut[0]


def test_a_worker_that_dies_ends_the_map_with_an_error_naming_it():
    with pytest.raises(
        RuntimeError, match=r"batch worker process \d+ ended while settling item 1 \(killed by SIGKILL\)"
    ):
        list(forked_map(dies_on_the_second, CUTS, 2))


def test_a_map_left_midway_ends_and_reaps_its_workers():
    results = forked_map(part, CUTS, 2)
    assert isinstance(results, Generator)
    workers = [next(results)["pid"], next(results)["pid"]]
    results.close()
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # neither running nor left a zombie


def niceness(_: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_workers_run_at_a_lower_priority_than_the_parent_that_paces_them():
    """The parent writes results in order; workers take the CPU it leaves (Linux caps niceness at 19)."""
    parent = os.getpriority(os.PRIO_PROCESS, 0)
    assert list(forked_map(niceness, [0, 1], 2)) == [min(19, parent + WORKER_NICENESS)] * 2
    assert os.getpriority(os.PRIO_PROCESS, 0) == parent
