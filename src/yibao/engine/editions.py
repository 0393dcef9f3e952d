"""Which edition of a policy applies to each bill: a date lookup done once per span of dates."""

from __future__ import annotations

from datetime import date

import numpy as np

from yibao.engine.columns import DateArray, IntArray
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
    spans = policies.edition_spans(pid, as_known_on)
    used = list(spans.used)
    if not spans.cuts:
        return [], np.full(len(dates), -1, np.int64)
    bounds = np.array(spans.cuts, dtype="datetime64[D]")
    table = np.array([-1, *spans.segment], dtype=np.int64)
    if len(dates):  # dates within one span (the usual case): two reductions, not a search per row
        ends = np.array([dates.min(), dates.max()], dtype="datetime64[D]")
        first, last = np.searchsorted(bounds, ends, side="right")
        if first == last and not np.isnat(ends).any():
            return used, np.full(len(dates), table[first], np.int64)
    segment = np.searchsorted(bounds, dates, side="right") - 1
    return used, table[segment + 1]
