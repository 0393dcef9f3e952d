"""Accumulation periods: the year a deductible or cap runs over, starting on a policy's `year_starts`."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from yibao.engine.columns import DateArray, IntArray


def period_starts(dates: DateArray, year_starts: str) -> IntArray:
    """The first day (days since 1970-01-01) of the period containing each date.

    Worked out once per distinct day of the batch's span (calendar arithmetic on datetime64
    is slow per row), then spread with one gather.
    """
    if len(dates) == 0:
        return np.zeros(0, np.int64)
    days = dates.astype(np.int64, copy=False)
    first, last = int(days.min()), int(days.max())
    if last - first >= len(days):  # a span wider than the batch: no table to gain from
        return _period_starts(dates, year_starts)
    span = np.arange(first, last + 1).astype("datetime64[D]")
    table = _period_starts(span, year_starts)
    if table[0] == table[-1]:  # every date in one period (a book of one year): no gather
        return np.full(len(days), table[0], np.int64)
    picked: IntArray = table.take(days - first)
    return picked


def _period_starts(dates: DateArray, year_starts: str) -> IntArray:
    month, day = (int(x) for x in year_starts.split("-"))
    years = dates.astype("datetime64[Y]")
    if (month, day) == (1, 1):  # calendar years: no date falls before its year's start
        calendar: IntArray = years.astype("datetime64[D]").astype(np.int64)
        return calendar
    start = (years.astype("datetime64[M]") + (month - 1)).astype("datetime64[D]") + (day - 1)
    earlier = dates < start
    if earlier.any():
        prev = ((years - 1).astype("datetime64[M]") + (month - 1)).astype("datetime64[D]") + (day - 1)
        start = np.where(earlier, prev, start)
    return start.astype(np.int64)


@lru_cache(maxsize=4096)
def period_label_of_day(day: int, year_starts: str) -> str:
    """The label of the period holding one day (days since 1970-01-01); cached, one per day."""
    start = period_starts(np.array([day], dtype="datetime64[D]"), year_starts)
    return period_label(int(start[0]), year_starts)


def period_label(start_day: int, year_starts: str) -> str:
    """A period's name: the year when periods start on Jan 1, else the start date."""
    start = np.datetime64(int(start_day), "D")
    if year_starts == "01-01":
        return str(start.astype("datetime64[Y]"))
    return str(start)
