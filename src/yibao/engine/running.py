"""Group-wise running totals over rows sorted by person and date: the whole of accumulation.

Every annual rule (deductible used, cap used, admissions, cumulative banded base) is a
running total within a group (one person's period). These functions compute, for all
groups at once, exactly what a loop over the bills in order would compute.
"""

from __future__ import annotations

import numpy as np

from yibao.engine.columns import BoolArray, IntArray, positions


def group_ids(first: BoolArray) -> IntArray:
    """Group number of each row, given where each group starts."""
    ids = first.astype(np.int64)
    ids.cumsum(out=ids)  # int64 to int64: ten times faster than a cumsum that casts bools
    ids -= 1
    return ids


def running_before(values: IntArray, start: IntArray, first: BoolArray) -> IntArray:
    """Per row, `start` of its group plus the values of earlier rows of the group (`first[0]` is true)."""
    if len(values) == 0:
        return values.copy()
    before = _restarting_cumsum(values, positions(first))
    before -= values
    before += start
    return before


def running_take(
    values: IntArray, room: IntArray, start: IntArray, first: BoolArray
) -> tuple[IntArray, IntArray]:
    """Take from each value what still fits under `room`, in order within each group.

    The loop this equals: `used = start; taken_i = clamp(room_i - used, 0, values_i);
    used += taken_i`. It serves deductibles (room = the deductible) and caps (room = the
    cap). Returns (taken, used before each row). `room` may change within a group (an
    edition or category changes mid-year); each run of equal room is one vectorised step.
    """
    n = len(values)
    if n == 0:
        return values.copy(), values.copy()
    heads = positions(first)
    changes = room[1:] != room[:-1]
    changes[heads[1:] - 1] = False  # a new group may start with another room: not a change within one
    if not changes.any():  # one room per group (the usual case): no runs to chain
        after = _restarting_cumsum(values, heads)
        before = after - values
        if start.any():
            s = np.repeat(start.take(heads), np.diff(heads, append=n))
            used_before = _used_after(s, before, room)
            used_after = _used_after(s, after, room)
        else:  # nothing used before the batch (the usual case): no starts to spread
            used_before = np.minimum(before, room, out=before)
            np.maximum(used_before, 0, out=used_before)
            used_after = np.minimum(after, room, out=after)
            np.maximum(used_after, 0, out=used_after)
        np.subtract(used_after, used_before, out=used_after)
        return used_after, used_before
    run_first = first.copy()
    run_first[1:] |= room[1:] != room[:-1]
    group = group_ids(first)
    total = values.cumsum(dtype=np.int64)
    before = total - values
    run = group_ids(run_first)
    run_offset = before[run_first]
    within_before = before - run_offset.take(run)
    within_after = within_before + values
    run_room = room[run_first]
    run_group = group[run_first]
    n_runs = len(run_room)
    run_start = np.zeros(n_runs, dtype=np.int64)
    run_total = within_after.take(last_rows(run_first))
    first_run_of_group = np.ones(n_runs, dtype=bool)
    first_run_of_group[1:] = run_group[1:] != run_group[:-1]
    run_start[first_run_of_group] = start[run_first][first_run_of_group]
    rank = np.arange(n_runs) - np.maximum.accumulate(np.where(first_run_of_group, np.arange(n_runs), 0))
    for level in range(int(rank.max(initial=0)) + 1):
        at = positions(rank == level)
        if level > 0:
            prev = at - 1
            run_start[at] = _used_after(run_start.take(prev), run_total.take(prev), run_room.take(prev))
    s = run_start.take(run)
    used_before = _used_after(s, within_before, room)
    used_after = _used_after(s, within_after, room)
    return used_after - used_before, used_before


def _restarting_cumsum(values: IntArray, heads: IntArray) -> IntArray:
    """The running sum of `values` within each group (groups begin at `heads`, the first at 0).

    Each group's head is lowered by the sum of the group before it, so one cumsum restarts at
    every head: three passes, where ids per row and a gather of each group's offset took eight.
    """
    sums = np.add.reduceat(values, heads) if len(heads) > 1 else None
    shifted = values.copy()
    if sums is not None:
        shifted[heads[1:]] -= sums[:-1]
    return np.cumsum(shifted, out=shifted)


def _used_after(start: IntArray, added: IntArray, room: IntArray) -> IntArray:
    """What is used after adding `added` to `start` under `room` (never less than start)."""
    used: IntArray = np.maximum(np.minimum(start + added, room), start)
    return used


def last_rows(first: BoolArray) -> IntArray:
    """Index of the last row of each group."""
    starts = positions(first)
    return np.append(starts[1:] - 1, len(first) - 1).astype(np.int64)
