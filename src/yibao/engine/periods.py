"""Accumulation periods: the year a deductible or cap runs over, starting on a policy's `year_starts`."""

from __future__ import annotations

import numpy as np

from yibao.engine.columns import DateArray, IntArray


def period_starts(dates: DateArray, year_starts: str) -> IntArray:
    """The first day (days since 1970-01-01) of the period containing each date."""
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


def period_label(start_day: int, year_starts: str) -> str:
    """A period's name: the year when periods start on Jan 1, else the start date."""
    start = np.datetime64(int(start_day), "D")
    if year_starts == "01-01":
        return str(start.astype("datetime64[Y]"))
    return str(start)
