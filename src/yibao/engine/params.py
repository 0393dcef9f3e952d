"""Per-row parameters of one benefit of one edition: coverage, adjustments, deductible, bands, caps.

Everything that depends only on the bill and the edition (not on earlier bills) is
resolved here, once per distinct combination of category, variant and level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from yibao.engine.columns import BillBatch, BoolArray, Cat, IntArray
from yibao.engine.combos import codes_in, unique_combos
from yibao.engine.scope import MODES, REGISTRATIONS, SCOPES, Whereabouts
from yibao.memo import ByIdentity
from yibao.money import BP_ONE
from yibao.policy.fields import _TableBase
from yibao.policy.models import Adjust, Benefit, Condition, Policy

NOT_SET = -1
DEDUCTIBLE_KINDS = ("none", "bill", "admission", "year")


@dataclass
class Keys:
    """The lookup keys of some rows: category, variant and level as categorical columns.

    Their distinct combinations are found once (on first use) and shared by every table
    looked up and by `take`, so each table costs one lookup per combination and one gather.
    """

    category: Cat
    variant: Cat
    level: Cat
    _combos: tuple[list[tuple[str, ...]], IntArray] | None = field(default=None, repr=False)

    def combos(self) -> tuple[list[tuple[str, ...]], IntArray]:
        """The distinct (category, variant, level) tuples and each row's index into them."""
        if self._combos is None:
            self._combos = unique_combos([self.category, self.variant, self.level])
        return self._combos

    def take(self, rows: IntArray) -> Keys:
        """The keys of some rows, keeping the combinations already found."""
        combos, inverse = self.combos()
        return Keys(
            self.category.take(rows),
            self.variant.take(rows),
            self.level.take(rows),
            (combos, inverse.take(rows)),
        )

    def table(self, table: _TableBase | None) -> IntArray:
        """Each row's number from a table (NOT_SET where the table has none)."""
        n = len(self.level.codes)
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


def condition_mask(when: Condition, batch: BillBatch, where: Whereabouts, rows: IntArray) -> BoolArray:
    """Rows where every field of a `when` condition matches."""
    mask = np.ones(len(rows), dtype=bool)
    if when.scope is not None:
        mask &= codes_in(where.scope.take(rows), [SCOPES.index(s) for s in when.scope], len(SCOPES))
    if when.registration is not None:
        mask &= codes_in(
            where.registration.take(rows),
            [REGISTRATIONS.index(r) for r in when.registration],
            len(REGISTRATIONS),
        )
    if when.settlement is not None:
        mask &= codes_in(where.mode.take(rows), [MODES.index(m) for m in when.settlement], len(MODES))
    if when.designated is not None:
        mask &= batch.designated.take(rows) == when.designated
    if when.networked is not None:
        mask &= batch.networked.take(rows) == when.networked
    if when.kinds is not None:
        mask &= _values_in(batch.kind, rows, when.kinds)
    if when.levels is not None:
        mask &= _values_in(batch.level, rows, when.levels)
    return mask


def _values_in(column: Cat, rows: IntArray, wanted: Sequence[str]) -> BoolArray:
    codes = [column.values.index(v) for v in wanted if v in column.values]
    return codes_in(column.codes.take(rows), codes, len(column.values))


def adjustments(
    policy: Policy, benefit_name: str, batch: BillBatch, where: Whereabouts, rows: IntArray
) -> Adjusted:
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
        mask = condition_mask(rule.when, batch, where, rows)
        if not mask.any():
            continue
        out.matched.append((rule, mask))
        if not rule.covered:
            out.covered &= ~mask
        if rule.ratio_points:
            out.points_bp += mask * rule.ratio_points
        if rule.ratio_factor is not None:
            out.factor_bp = np.where(mask, _mul_bp(out.factor_bp, rule.ratio_factor), out.factor_bp)
        if rule.deductible_factor is not None:
            out.deductible_factor_bp = np.where(
                mask, _mul_bp(out.deductible_factor_bp, rule.deductible_factor), out.deductible_factor_bp
            )
        if rule.first_self_pay is not None:
            out.first_self_pay_bp = np.minimum(
                out.first_self_pay_bp + np.where(mask, rule.first_self_pay, 0), BP_ONE
            )
    return out


def _mul_bp(a: IntArray, b_bp: int) -> IntArray:
    """Multiply basis points by a factor in basis points, half up."""
    return (a * b_bp + BP_ONE // 2) // BP_ONE


def exclusion_mask(benefit: Benefit, batch: BillBatch, rows: IntArray, pre_existing: BoolArray) -> BoolArray:
    """Rows the benefit never pays: excluded kinds, flags or pre-existing conditions."""
    ex = benefit.exclusions
    mask = np.zeros(len(rows), dtype=bool)
    if ex is None:
        return mask
    if ex.kinds:
        mask |= _values_in(batch.kind, rows, list(ex.kinds))
    for flag in ex.flags:
        if flag in batch.flags:
            mask |= batch.flags[flag][rows]
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
