"""The state of one engine run over a sorted batch: what is left to pay, payments, accumulators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from yibao.engine.columns import BillBatch, BoolArray, IntArray
from yibao.engine.periods import period_label, period_starts
from yibao.engine.running import group_ids, last_rows
from yibao.engine.scope import Whereabouts
from yibao.engine.trace import Trace

if TYPE_CHECKING:
    from yibao.engine.params import Keys


class StartValues(Protocol):
    """Where the engine finds each group's accumulator before the batch."""

    def lookup(self, key: str, person: IntArray, period_start: IntArray, year_starts: str) -> IntArray:
        """Each row's starting value of accumulator `key` (0 where none is known)."""
        ...


@dataclass
class StartState:
    """Accumulators before the batch: (person code, period label, key) -> value (fen or count)."""

    values: Mapping[tuple[int, str, str], int] = field(default_factory=dict)
    by_key: Mapping[str, int] = field(default_factory=dict)

    def lookup(self, key: str, person: IntArray, period_start: IntArray, year_starts: str) -> IntArray:
        """Each row's starting value of one accumulator (0 where none was given).

        `by_key` serves a single bill, whose year_to_date is already that bill's period.
        """
        out = np.zeros(len(person), dtype=np.int64)
        if self.by_key:
            out[:] = self.by_key.get(key, 0)
            return out
        if not self.values:
            return out
        for i, (who, start) in enumerate(zip(person.tolist(), period_start.tolist(), strict=True)):
            out[i] = self.values.get((who, period_label(start, year_starts), key), 0)
        return out


@dataclass
class Payment:
    """What one benefit of one policy paid on every bill (zero where it did not apply).

    The bills the policy covers (with the edition of each, an index into `refs`) and the bills
    the benefit applies to are kept as row positions; `ref_index` and `applied` spell them out
    per bill on first use. A book's results need neither, and as columns they cost two
    full-length arrays per benefit per chunk.
    """

    payer: str
    policy_id: str
    benefit: str
    name: str
    name_en: str | None
    amount: IntArray
    refs: list[str]
    covered_rows: IntArray
    covered_edition: IntArray
    applied_rows: IntArray

    @cached_property
    def ref_index(self) -> IntArray:
        """The edition (index into `refs`) that covers each bill, -1 where the policy does not."""
        return edition_column(len(self.amount), self.covered_rows, self.covered_edition)

    @cached_property
    def applied(self) -> BoolArray:
        """Whether the benefit applies to each bill (it may still pay nothing)."""
        mask = np.zeros(len(self.amount), bool)
        mask[self.applied_rows] = True
        return mask

    def moved(self, rows: IntArray, amount: IntArray) -> Payment:
        """The same payment for bills renumbered: position i becomes `rows[i]`, amounts as given."""
        return replace(
            self,
            amount=amount,
            covered_rows=rows.take(self.covered_rows),
            applied_rows=rows.take(self.applied_rows),
        )


@dataclass
class AccumulatorEnd:
    """The value of one accumulator after the batch, for each person-period it moved in."""

    key: str
    person: IntArray
    period_start: IntArray
    year_starts: str
    value: IntArray


@dataclass
class Book:
    """A sorted batch and everything the payers share while settling it."""

    batch: BillBatch
    where: Whereabouts
    remaining: dict[str, IntArray]
    start: StartValues
    trace: Trace | None
    keys: Keys
    """Every bill's category, variant and level, their combinations found once for all runs."""
    payments: list[Payment] = field(default_factory=list)
    ends: list[AccumulatorEnd] = field(default_factory=list)
    conditions: dict[tuple[object, ...], BoolArray | None] = field(default_factory=dict)
    """Each `when` condition asked, over every bill of the batch (None: it holds on none)."""
    _periods: dict[str, IntArray] = field(default_factory=dict)

    def period_start(self, year_starts: str, rows: IntArray) -> IntArray:
        """The first day of each row's period, for periods starting on `year_starts` (once per batch)."""
        if year_starts not in self._periods:
            self._periods[year_starts] = period_starts(self.batch.date, year_starts)
        picked: IntArray = self._periods[year_starts].take(rows)
        return picked

    def has_component(self, name: str) -> bool:
        """Whether the batch has the component at all (one no bill gives is zero on every bill)."""
        return name in self.remaining

    def component(self, name: str) -> IntArray:
        """What is left of one component on every bill (zeros for a list no bill uses)."""
        if name not in self.remaining:
            self.remaining[name] = np.zeros(len(self.batch), np.int64)
        return self.remaining[name]

    def sequence_firsts(self, groups: IntArray) -> BoolArray:
        """Where each group starts in a sequence of group ids."""
        first = np.ones(len(groups), dtype=bool)
        first[1:] = groups[1:] != groups[:-1]
        return first

    def record_end(
        self,
        key: str,
        first: BoolArray,
        used_after: IntArray,
        person: IntArray,
        period_start: IntArray,
        year_starts: str,
    ) -> None:
        """Keep the last value of each group of a sequence as that person-period's accumulator."""
        if len(first) == 0:
            return
        last = last_rows(first)
        self.ends.append(
            AccumulatorEnd(
                key, person.take(last), period_start.take(last), year_starts, used_after.take(last)
            )
        )


def group_of(person: IntArray, period_start: IntArray) -> IntArray:
    """Group ids for rows sorted by person then date: a new group per person or period."""
    first = np.ones(len(person), dtype=bool)
    first[1:] = (person[1:] != person[:-1]) | (period_start[1:] != period_start[:-1])
    return group_ids(first)


def edition_column(n: int, rows: IntArray, edition_index: IntArray) -> IntArray:
    """Each bill's edition index (-1 where the policy does not cover it)."""
    out = np.full(n, -1, np.int64)
    out[rows] = edition_index
    return out
