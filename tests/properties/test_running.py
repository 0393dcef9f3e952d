"""running_take equals the loop it stands for, whether the room is one per group or changes within one."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from yibao.engine.running import running_before, running_take

rows = st.lists(
    st.tuples(st.booleans(), st.integers(0, 500), st.integers(0, 900), st.integers(0, 600)),
    min_size=1,
    max_size=40,
)


@given(rows, st.booleans(), st.booleans())
def test_running_take_equals_the_loop_over_bills_in_order(given_rows, one_room_per_group, fresh):
    first = np.array([i == 0 or f for i, (f, _, _, _) in enumerate(given_rows)])
    values = np.array([v for _, v, _, _ in given_rows], np.int64)
    room = np.array([r for _, _, r, _ in given_rows], np.int64)
    start = np.array([s for _, _, _, s in given_rows], np.int64)
    if fresh:  # nothing used before the batch: the shortcut that spreads no starts
        start[:] = 0
    if one_room_per_group:
        room = room[np.flatnonzero(first)][np.cumsum(first) - 1]
    taken, before = running_take(values, room, start, first)
    used = 0
    for i in range(len(values)):
        used = int(start[i]) if first[i] else used
        take = max(0, min(int(room[i]) - used, int(values[i])))
        assert (int(before[i]), int(taken[i])) == (used, take)
        used += take


@given(rows)
def test_running_before_equals_the_running_total_of_earlier_bills_of_the_group(given_rows):
    first = np.array([i == 0 or f for i, (f, _, _, _) in enumerate(given_rows)])
    values = np.array([v for _, v, _, _ in given_rows], np.int64)
    starts = np.array([s for _, _, _, s in given_rows], np.int64)
    start = starts[np.flatnonzero(first)][np.cumsum(first) - 1]  # one start per group, as looked up
    before = running_before(values, start, first)
    total = 0
    for i in range(len(values)):
        total = int(start[i]) if first[i] else total
        assert int(before[i]) == total
        total += int(values[i])
