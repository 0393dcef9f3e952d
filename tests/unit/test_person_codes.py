"""Each row's person code: equal ids share a code, numbered in order of first appearance."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

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
