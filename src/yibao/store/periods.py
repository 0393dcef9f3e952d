"""Accumulation periods as stored: a label ("2025" or "2024-07-01") and its dates [start, end).

Labels are the engine's (`engine.periods.period_label`); a coverage year is the year in
which the scheme's period starts, so with `year_starts = "07-01"` the bill of 2025-03-02
falls in coverage year 2024.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from yibao.engine.periods import period_label, period_label_of_day

YEAR_LABEL_LENGTH = 4
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Period:
    """One accumulation period: its label and its first day and the day after its last."""

    label: str
    start: date
    end: date


def period_of_label(label: str) -> Period:
    """The dates of a period from its label: a year, or the start date of a one-year period."""
    start = date(int(label), 1, 1) if len(label) == YEAR_LABEL_LENGTH else date.fromisoformat(label)
    return Period(label, start, start.replace(year=start.year + 1))


def period_of_day(day: date, year_starts: str) -> Period:
    """The period of a policy (by its `year_starts`) that contains a day."""
    return period_of_label(period_label_of_day((day - EPOCH).days, year_starts))


@lru_cache(maxsize=4096)
def period_of_start(start_day: int, year_starts: str) -> Period:
    """The period that starts on a day (days since 1970-01-01), as the engine's ends name it."""
    return period_of_label(period_label(start_day, year_starts))
