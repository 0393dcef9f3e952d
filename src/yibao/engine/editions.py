"""Which edition of a policy applies to each bill: a date lookup done once per span of dates."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

import numpy as np

from yibao.engine.columns import DateArray, IntArray
from yibao.errors import YibaoError
from yibao.memo import ByIdentity
from yibao.policy.lookup import EditionSpans, PolicySet
from yibao.policy.models import Policy

_DAY = np.dtype("datetime64[D]")
_NAT = np.datetime64("NaT", "D").view(np.int64)


@dataclass(frozen=True)
class _Table:
    """A policy's spans as the lookup reads them: cut days (as integers and as dates), edition per segment."""

    cut_days: tuple[int, ...]
    bounds: DateArray
    segment: tuple[int, ...]  # -1 before the first cut, then one per cut
    table: IntArray


_TABLES: ByIdentity[_Table] = ByIdentity()


def _table(spans: EditionSpans) -> _Table:
    bounds = np.array(spans.cuts, dtype=_DAY)
    segment = (-1, *spans.segment)
    return _Table(tuple(bounds.view(np.int64).tolist()), bounds, segment, np.array(segment, dtype=np.int64))


def editions_by_date(
    policies: PolicySet, ref: str, dates: DateArray, as_known_on: date | None
) -> tuple[list[Policy], IntArray]:
    """The editions in force on some of the dates and, per row, its index among them (-1 where none is).

    Only editions some row uses are listed (when none is, all are, for the checks that name
    the policy's kind), so a run over one year's bills sees one edition and takes the
    engine's one-edition paths.
    """
    pid, _, pinned = ref.partition("@")
    if pinned:
        policy = policies.get(ref)
        inside = (dates >= np.datetime64(policy.valid_from)) & (dates <= np.datetime64(policy.valid_to))
        return [policy], np.where(inside, 0, -1).astype(np.int64)
    spans = policies.edition_spans(pid, as_known_on)
    used = list(spans.used)
    if not spans.cuts:
        return [], np.full(len(dates), -1, np.int64)
    found = _TABLES.get((spans,), None, lambda: _table(spans))
    if len(dates) and dates.dtype == _DAY:  # dates within one span (the usual case): no search per row
        days = dates.view(np.int64)
        first, last = days.min(), days.max()
        if first != _NAT:  # NaT is the smallest int64: the minimum finds any
            lo, hi = bisect_right(found.cut_days, int(first)), bisect_right(found.cut_days, int(last))
            if lo == hi:
                segment = found.segment[lo]
                if segment < 0:
                    return used, np.full(len(dates), -1, np.int64)
                return [used[segment]], np.zeros(len(dates), np.int64)
    index = found.table[np.searchsorted(found.bounds, dates, side="right")]
    return _in_use(used, index)


def date_span(dates: DateArray) -> DateArray:
    """The first and last of some dates (none when there are none), to ask `edition_over`."""
    if len(dates) == 0:
        return np.zeros(0, _DAY)
    days = dates.view(np.int64)
    return np.array([days.min(), days.max()], np.int64).view(_DAY)


def edition_over(policies: PolicySet, ref: str, span: DateArray, as_known_on: date | None) -> Policy | None:
    """The one edition of `ref` in force on every day of a `date_span`, if one is (else None).

    None also for an empty span or a policy unknown here: callers then look row by row,
    where each problem is found and named.
    """
    if len(span) == 0:
        return None
    try:
        editions, index = editions_by_date(policies, ref, span, as_known_on)
    except YibaoError:
        return None
    return editions[0] if len(editions) == 1 and not index.any() else None


def _in_use(editions: list[Policy], index: IntArray) -> tuple[list[Policy], IntArray]:
    """The editions some row's index names, and the indexes renumbered among them."""
    count = np.bincount(index + 1, minlength=len(editions) + 1)[1:]
    kept = [e for e, n in enumerate(count.tolist()) if n]
    if not kept or len(kept) == len(editions):
        return editions, index
    renumber = np.full(len(editions) + 1, -1, np.int64)  # the last entry: -1 stays -1
    renumber[kept] = np.arange(len(kept))
    return [editions[e] for e in kept], renumber[index]
