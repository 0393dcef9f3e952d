"""Which edition of a policy applies to each bill: a date lookup done once per span of dates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from yibao.engine.columns import DateArray, IntArray
from yibao.errors import YibaoError
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy


def editions_by_date(
    policies: PolicySet, ref: str, dates: DateArray, as_known_on: date | None
) -> tuple[list[Policy], IntArray]:
    """The editions used and, per row, the index of the edition in force (-1 where none is)."""
    pid, _, pinned = ref.partition("@")
    if pinned:
        policy = policies.get(ref)
        inside = (dates >= np.datetime64(policy.valid_from)) & (dates <= np.datetime64(policy.valid_to))
        return [policy], np.where(inside, 0, -1).astype(np.int64)
    editions = policies.editions.get(pid, [])
    cuts = sorted({e.valid_from for e in editions} | {e.valid_to + timedelta(days=1) for e in editions})
    used: list[Policy] = []
    segment_edition = []
    for start in cuts:
        try:
            policy = policies.in_force(pid, start, as_known_on)
        except YibaoError:
            segment_edition.append(-1)
            continue
        if policy not in used:
            used.append(policy)
        segment_edition.append(used.index(policy))
    if not cuts:
        return [], np.full(len(dates), -1, np.int64)
    bounds = np.array(cuts, dtype="datetime64[D]")
    table = np.array([-1, *segment_edition], dtype=np.int64)
    if len(dates):  # dates within one span (the usual case): two reductions, not a search per row
        ends = np.array([dates.min(), dates.max()], dtype="datetime64[D]")
        first, last = np.searchsorted(bounds, ends, side="right")
        if first == last and not np.isnat(ends).any():
            return used, np.full(len(dates), table[first], np.int64)
    segment = np.searchsorted(bounds, dates, side="right") - 1
    return used, table[segment + 1]
