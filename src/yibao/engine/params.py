"""Per-row parameters of one benefit of one edition: coverage, adjustments, deductible, bands, caps.

Everything that depends only on the bill and the edition (not on earlier bills) is
resolved here, once per distinct combination of category, variant and level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.engine.book import Book
from yibao.engine.columns import BillBatch, BoolArray, Cat, IntArray
from yibao.engine.combos import codes_in, unique_combos
from yibao.engine.scope import MODES, REGISTRATIONS, SCOPES, Whereabouts
from yibao.memo import ByIdentity
from yibao.money import BP_ONE
from yibao.policy.fields import _TableBase
from yibao.policy.models import Adjust, Benefit, Condition, Policy

NOT_SET = -1
DEDUCTIBLE_KINDS = ("none", "bill", "admission", "year")


class Keys:
    """The lookup keys of some rows: category, variant and level as categorical columns.

    Their distinct combinations are found once (on first use) and shared by every table
    looked up and by `take`, so each table costs one lookup per combination and one gather.
    Keys taken from others keep their combinations and take the columns only if asked (the
    trace asks); a batch's keys are found once and taken by every run that looks up by them.
    """

    def __init__(
        self,
        category: Cat,
        variant: Cat,
        level: Cat,
        combos: tuple[list[tuple[str, ...]], IntArray] | None = None,
    ) -> None:
        self._columns: tuple[Cat, Cat, Cat] | None = (category, variant, level)
        self._combos = combos
        self._source: tuple[Keys, IntArray] | None = None
        self._rows = len(level.codes)

    @property
    def category(self) -> Cat:
        """The rows' categories."""
        return self._cats()[0]

    @property
    def variant(self) -> Cat:
        """The rows' variants ("" where none)."""
        return self._cats()[1]

    @property
    def level(self) -> Cat:
        """The rows' hospital levels."""
        return self._cats()[2]

    def _cats(self) -> tuple[Cat, Cat, Cat]:
        if self._columns is None:
            assert self._source is not None
            whole, rows = self._source
            category, variant, level = whole._cats()
            self._columns = (category.take(rows), variant.take(rows), level.take(rows))
        return self._columns

    def combos(self) -> tuple[list[tuple[str, ...]], IntArray]:
        """The distinct (category, variant, level) tuples and each row's index into them."""
        if self._combos is None:
            self._combos = unique_combos(list(self._cats()))
        return self._combos

    def take(self, rows: IntArray) -> Keys:
        """The keys of some rows, keeping the combinations already found (one gather)."""
        combos, inverse = self.combos()
        taken = Keys.__new__(Keys)
        taken._columns, taken._combos = None, (combos, inverse.take(rows))
        taken._source, taken._rows = (self, rows), len(rows)
        return taken

    def table(self, table: _TableBase | None) -> IntArray:
        """Each row's number from a table (NOT_SET where the table has none)."""
        n = self._rows
        if table is None or n == 0:
            return np.full(n, NOT_SET, dtype=np.int64)
        combos, inverse = self.combos()
        numbers = _NUMBERS.get((table,), tuple(combos), lambda: _numbers(table, combos))
        if len(numbers) == 1:
            return np.full(n, numbers[0], dtype=np.int64)
        found: IntArray = numbers.take(inverse)
        return found


_NUMBERS: ByIdentity[IntArray] = ByIdentity()


def _numbers(table: _TableBase, combos: list[tuple[str, ...]]) -> IntArray:
    """A table's number for each combination (NOT_SET for none), kept per table and combinations."""
    values = [table.lookup(*combo) for combo in combos]
    numbers = np.array([NOT_SET if v is None else v for v in values], dtype=np.int64)
    numbers.flags.writeable = False  # shared by every later lookup of these combinations
    return numbers


@dataclass
class Adjusted:
    """The combined effect of the adjustments that match each row."""

    covered: BoolArray
    points_bp: IntArray
    factor_bp: IntArray
    deductible_factor_bp: IntArray
    first_self_pay_bp: IntArray
    matched: list[tuple[Adjust, BoolArray]] = field(default_factory=list)


def condition_mask(when: Condition, batch: BillBatch, where: Whereabouts, rows: IntArray | None) -> BoolArray:
    """Rows where every field of a `when` condition matches (`rows` None: every row of the batch)."""

    def at(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if rows is None else values.take(rows)

    mask = np.ones(len(batch) if rows is None else len(rows), dtype=bool)
    if when.scope is not None:
        mask &= codes_in(at(where.scope), [SCOPES.index(s) for s in when.scope], len(SCOPES))
    if when.registration is not None:
        mask &= codes_in(
            at(where.registration), [REGISTRATIONS.index(r) for r in when.registration], len(REGISTRATIONS)
        )
    if when.settlement is not None:
        mask &= codes_in(at(where.mode), [MODES.index(m) for m in when.settlement], len(MODES))
    if when.designated is not None:
        mask &= at(batch.designated) == when.designated
    if when.networked is not None:
        mask &= at(batch.networked) == when.networked
    if when.kinds is not None:
        mask &= _values_in(batch.kind, at(batch.kind.codes), when.kinds)
    if when.levels is not None:
        mask &= _values_in(batch.level, at(batch.level.codes), when.levels)
    return mask


def _values_in(column: Cat, codes: npt.NDArray[np.int32], wanted: Sequence[str]) -> BoolArray:
    return codes_in(codes, [column.values.index(v) for v in wanted if v in column.values], len(column.values))


def matching(book: Book, when: Condition, rows: IntArray) -> BoolArray | None:
    """Which of some rows a `when` condition holds on; None when it holds on no bill of the batch.

    The condition is worked out once per batch over all its bills, so each benefit that asks
    gathers one flag per row instead of each field's codes.
    """
    key = (
        *(tuple(v) if isinstance(v, list) else v for v in (when.scope, when.registration, when.settlement)),
        when.designated,
        when.networked,
        *(tuple(v) if v is not None else None for v in (when.kinds, when.levels)),
    )
    if key not in book.conditions:  # None is kept too: a condition holding nowhere is not asked again
        mask = condition_mask(when, book.batch, book.where, None)
        book.conditions[key] = mask if mask.any() else None
    found = book.conditions[key]
    return None if found is None else found.take(rows)


def adjustments(policy: Policy, benefit_name: str, book: Book, rows: IntArray) -> Adjusted:
    """Combine every matching adjust rule: points add, factors multiply, any 'not covered' wins."""
    n = len(rows)
    out = Adjusted(
        covered=np.ones(n, dtype=bool),
        points_bp=np.zeros(n, dtype=np.int64),
        factor_bp=np.full(n, BP_ONE, dtype=np.int64),
        deductible_factor_bp=np.full(n, BP_ONE, dtype=np.int64),
        first_self_pay_bp=np.zeros(n, dtype=np.int64),
    )
    for rule in policy.adjust:
        if rule.benefits is not None and benefit_name not in rule.benefits:
            continue
        mask = matching(book, rule.when, rows)
        if mask is None or not mask.any():
            continue
        out.matched.append((rule, mask))
        if not rule.covered:
            out.covered &= ~mask
        if rule.ratio_points:
            out.points_bp += mask * rule.ratio_points
        # a factor of 100 % leaves any amount as it was (half-up rounding of a whole number):
        # multiplying every row beats choosing rows (np.where over a mixed mask is slow)
        if rule.ratio_factor is not None:
            out.factor_bp = _mul_rows(out.factor_bp, _where_factor(mask, rule.ratio_factor))
        if rule.deductible_factor is not None:
            out.deductible_factor_bp = _mul_rows(
                out.deductible_factor_bp, _where_factor(mask, rule.deductible_factor)
            )
        if rule.first_self_pay is not None:
            out.first_self_pay_bp = np.minimum(out.first_self_pay_bp + mask * rule.first_self_pay, BP_ONE)
    return out


def _where_factor(mask: BoolArray, factor_bp: int) -> IntArray:
    """`factor_bp` where the mask holds, 100 % elsewhere."""
    return mask * (factor_bp - BP_ONE) + BP_ONE


def exclusion_mask(benefit: Benefit, batch: BillBatch, rows: IntArray, pre_existing: BoolArray) -> BoolArray:
    """Rows the benefit never pays: excluded kinds, flags or pre-existing conditions."""
    ex = benefit.exclusions
    mask = np.zeros(len(rows), dtype=bool)
    if ex is None:
        return mask
    if ex.kinds:
        mask |= _values_in(batch.kind, batch.kind.codes.take(rows), list(ex.kinds))
    for flag in ex.flags:
        if flag in batch.flags:
            mask |= batch.flags[flag].take(rows)
    if ex.pre_existing:
        mask |= pre_existing
    return mask


def adjusted_rates(rate_bp: IntArray, adjusted: Adjusted) -> IntArray:
    """A band's ratio after points and factors, kept between 0 and 100 %."""
    if not adjusted.matched:  # no points, factors all 100 %: the ratio as it is
        return _bounded(rate_bp)
    shifted = _bounded(rate_bp + adjusted.points_bp)
    return _bounded(_mul_rows(shifted, adjusted.factor_bp))


def _bounded(rate_bp: IntArray) -> IntArray:
    """Kept between 0 and 100 % (two ufuncs: np.clip's checks cost more than the work on a few rows)."""
    out: IntArray = np.maximum(rate_bp, 0)
    np.minimum(out, BP_ONE, out=out)
    return out


def _mul_rows(a: IntArray, b: IntArray) -> IntArray:
    return (a * b + BP_ONE // 2) // BP_ONE
