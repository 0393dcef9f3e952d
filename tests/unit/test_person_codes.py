"""Each row's person code: equal ids share a code, numbered in order of first appearance."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from yibao.batch.book_columns import all_distinct
from yibao.batch.decode import _person_codes


@given(ids=st.lists(st.sampled_from(["p1", "p2", "p3", "p10", ""]), max_size=40), ascending=st.booleans())
def test_codes_follow_first_appearance_grouped_or_not(ids, ascending):
    """Sorted, grouped in any order, or interleaved (a person coming back), the codes are the same."""
    if ascending:
        ids = sorted(ids)
    codes, distinct = _person_codes(pa.array(ids, pa.string()))
    order = list(dict.fromkeys(ids))
    assert codes.tolist() == [order.index(i) for i in ids]
    assert distinct.to_pylist() == order


def test_a_repeat_among_many_ids_is_found_whether_hashed_or_sorted():
    """A 10M-bill book's check looks at ~1.25M run heads: they are sorted rather than hashed."""
    rng = random.Random(5)
    for count in (1_000, 300_000):
        ids = [f"p{i}" for i in range(count)]
        rng.shuffle(ids)
        assert all_distinct(pa.array(ids))
        ids[rng.randrange(count)] = ids[rng.randrange(count)]
        assert len(set(ids)) == count or not all_distinct(pa.array(ids))
        ids[-1] = ids[0]
        assert not all_distinct(pa.array(ids))
