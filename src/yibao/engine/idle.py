"""Idle rows: bills a benefit applies to whose base is zero, so that it has nothing to compute.

Such a bill pays nothing and takes nothing from any deductible, band or cap of the
benefit (a zero amount leaves every running total as it was); its one effect is that its
person-period is among the accumulators recorded for the rules it falls under, at the
value reached so far. Special-drug benefits are the common case: they apply to every bill
of a product holder, and few bills carry special drugs (none, where a book has no such
column). An untraced run leaves idle rows out of every stage and adds their
person-periods back when recording accumulators (`end_with_idle`); a traced run keeps
every row, since its trace shows each step of each bill. Rows counted as admissions
(a per-admission deductible) and fixed amounts (定额) are never idle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from yibao.engine.book import AccumulatorEnd, Book
from yibao.engine.columns import BoolArray, IntArray, positions
from yibao.engine.params import Keys
from yibao.engine.running import last_rows
from yibao.policy.models import Benefit, Policy

IDLE_SHARE = 8
"""Rows are split off when at least one in this many of an edition's rows is idle: splitting
costs a few gathers over all the rows, each idle row saves every stage."""
EMPTY = np.zeros(0, np.int64)


@dataclass
class Idle:
    """A benefit's idle rows (positions among its run's rows) and the accumulator rules each falls under."""

    rows: list[IntArray] = field(default_factory=list)
    under: dict[str, list[IntArray]] = field(default_factory=dict)
    """'deductible', 'banded' or 'cap:NAME' -> idle rows that rule's running total would have seen."""

    def add(self, name: str, rows: IntArray) -> None:
        """Idle rows of one accumulator rule."""
        if len(rows):
            self.under.setdefault(name, []).append(rows)

    def of(self, name: str) -> IntArray:
        """The idle rows under one rule (any order)."""
        parts = self.under.get(name, [])
        return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else EMPTY

    def caps(self) -> list[str]:
        """The annual caps some idle row falls under."""
        return [name.removeprefix("cap:") for name in self.under if name.startswith("cap:")]

    def all_rows(self) -> IntArray:
        """Every idle row of the benefit."""
        return self.rows[0] if len(self.rows) == 1 else np.concatenate(self.rows) if self.rows else EMPTY


def can_idle(benefit: Benefit) -> bool:
    """Whether the benefit's zero-base rows change nothing but the accumulators' person-periods."""
    counts_admissions = benefit.deductible is not None and benefit.deductible.per == "admission"
    return not counts_admissions and benefit.fixed is None


def zero_rows(base: IntArray) -> BoolArray | None:
    """Where the base is zero, when enough rows are to be worth splitting off (else None)."""
    zero: BoolArray = base == 0
    count = int(np.count_nonzero(zero))
    return zero if count and count * IDLE_SHARE >= len(base) else None


def mark_idle(
    idle: Idle, edition: Policy, benefit: Benefit, rows: IntArray, keys: Callable[[], Keys]
) -> None:
    """Record one edition's idle rows and the accumulator rules of that edition they fall under.

    `keys` gives the rows' lookup keys, asked for only when a cap's amount depends on them.
    """
    if len(rows) == 0:
        return
    idle.rows.append(rows)
    if benefit.deductible is not None and benefit.deductible.per == "year":
        idle.add("deductible", rows)
    if benefit.ratio is not None and benefit.ratio.banded_on == "year":
        idle.add("banded", rows)
    for cap_name in benefit.caps:
        cap = edition.caps[cap_name]
        if cap.per == "bill":
            continue
        if cap.value is not None and not (cap.by_level or cap.by_variant or cap.by_category):
            idle.add(f"cap:{cap_name}", rows)  # one amount for every row
        else:
            idle.add(f"cap:{cap_name}", rows.take(positions(keys().table(cap) >= 0)))


@dataclass
class RunGroups:
    """A run's person-period groups: each row's group and, per group, its first row, person and period."""

    group: IntArray
    person: IntArray
    period: IntArray
    _first_row: IntArray | None = None

    def count(self) -> int:
        """How many groups there are."""
        return int(self.group[-1]) + 1 if len(self.group) else 0

    def first_rows(self) -> IntArray:
        """The first row of each group (groups are runs of rows)."""
        if self._first_row is None:
            starts = np.ones(len(self.group), bool)
            starts[1:] = self.group[1:] != self.group[:-1]
            self._first_row = positions(starts)
        return self._first_row


def end_with_idle(
    book: Book,
    key: str,
    year_starts: str,
    groups: RunGroups,
    rows: IntArray,
    first: BoolArray,
    after: IntArray,
    person: IntArray,
    period: IntArray,
    idle: IntArray,
) -> None:
    """Record a running total's last value per person-period.

    The sequence gives its own (`rows` among the run's rows, with `first`, `after` and the
    rows' `person` and `period`); a person-period only idle rows saw keeps its value from
    before the batch. They come in the order of the run's rows, as the sequence alone would
    give them.
    """
    if len(idle) == 0:
        book.record_end(key, first, after, person, period, year_starts)
        return
    last = last_rows(first) if len(first) else EMPTY
    seen = groups.group.take(rows.take(last))
    present = np.zeros(groups.count(), bool)  # flags, not np.unique: no sort of the idle rows
    present[groups.group.take(idle)] = True
    present[seen] = False
    others = positions(present)
    at = groups.first_rows().take(others)
    other_person, other_period = groups.person.take(at), groups.period.take(at)
    other_value = book.start.lookup(key, other_person, other_period, year_starts)
    order = np.argsort(np.concatenate([seen, others]), kind="stable")
    book.ends.append(
        AccumulatorEnd(
            key,
            np.concatenate([person.take(last), other_person]).take(order),
            np.concatenate([period.take(last), other_period]).take(order),
            year_starts,
            np.concatenate([after.take(last), other_value]).take(order),
        )
    )
