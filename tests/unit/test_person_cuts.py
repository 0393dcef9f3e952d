"""Chunk cuts found from the ids around each cut equal those from comparing every id."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.batch.book_columns import run_starts
from yibao.batch.chunks import _grouped, _person_ids, last_person_start, person_cuts


def person_starts(table):
    """The reference: where a new person begins, every neighbour compared (a missing id is "")."""
    return run_starts(_person_ids(table))


def cuts(starts, chunk_rows):
    """The reference: from every person start, each chunk ends at the first start past `chunk_rows`."""
    n = len(starts)
    ends = np.append(np.flatnonzero(starts)[1:], n)
    begin = 0
    while begin < n:
        stop = int(ends[np.searchsorted(ends, begin + chunk_rows)]) if begin + chunk_rows < n else n
        yield begin, stop
        begin = stop


RUNS = st.lists(
    st.tuples(st.sampled_from(["p1", "p2", "p3", "", None]), st.integers(1, 900)), min_size=0, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(runs=RUNS, chunk_rows=st.integers(1, 2_000), pieces=st.integers(1, 3))
def test_person_cuts_equal_cuts_of_every_person_start(runs, chunk_rows, pieces):
    """Runs of ids (a missing id is the same person as ""), in a column of one or more chunks."""
    ids = [person for person, length in runs for _ in range(length)]
    step = -(-len(ids) // pieces) if ids else 1
    column = pa.chunked_array(
        [pa.array(ids[i : i + step], pa.string()) for i in range(0, len(ids), step)]
        or [pa.array([], pa.string())]
    )
    table = pa.table({"person_id": column})
    expected = list(cuts(person_starts(table), chunk_rows))
    assert list(person_cuts(table, chunk_rows)) == expected
    assert sum(stop - start for start, stop in expected) == len(ids)


@settings(max_examples=60, deadline=None)
@given(runs=RUNS.filter(bool), pieces=st.integers(1, 3))
def test_the_last_person_start_is_the_last_of_every_person_start(runs, pieces):
    """Read from the ids near the end only, whatever the runs' lengths against its windows."""
    ids = [person for person, length in runs for _ in range(length)]
    step = -(-len(ids) // pieces)
    column = pa.chunked_array([pa.array(ids[i : i + step], pa.string()) for i in range(0, len(ids), step)])
    table = pa.table({"person_id": column})
    assert last_person_start(table) == int(np.flatnonzero(person_starts(table))[-1])


def test_the_last_person_start_looks_past_a_window_that_begins_on_a_start():
    assert last_person_start(pa.table({"person_id": ["a"] * 3 + ["b"] * 512})) == 3
    assert last_person_start(pa.table({"person_id": ["b"] * 5_000})) == 0


def test_a_person_longer_than_the_windows_is_never_split():
    table = pa.table({"person_id": ["a"] * 10 + ["b"] * 50_000 + ["c"] * 3})
    assert list(person_cuts(table, 5)) == [(0, 10), (10, 50_010), (50_010, 50_013)]


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.sampled_from(["p1", "p2", "p3", "", None]), max_size=40))
def test_a_book_is_grouped_when_no_person_comes_back_after_another(ids):
    """A missing id and "" are the same person, as everywhere in a book."""
    people = ["" if p is None else p for p in ids]
    runs = [p for i, p in enumerate(people) if i == 0 or p != people[i - 1]]
    assert _grouped(pa.table({"person_id": pa.array(ids, pa.string())})) == (len(set(runs)) == len(runs))
