"""A benefit's per-row state: its parameters for each bill (by edition), then each stage's output.

Everything here depends only on the bill and the edition, not on earlier bills; the stages
that accumulate over a person's year live in benefit.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from yibao.engine.columns import BoolArray, IntArray
from yibao.engine.combos import codes_in
from yibao.engine.params import (
    DEDUCTIBLE_KINDS,
    NOT_SET,
    Keys,
    adjusted_rates,
    adjustments,
    condition_mask,
    exclusion_mask,
)
from yibao.money import BP_ONE
from yibao.policy.models import Adjust, Benefit, Policy

if TYPE_CHECKING:
    from yibao.engine.benefit import PolicyRun

NO_LIMIT = np.int64(1) << 52
UNCOVERED_REASONS = ("covered", "contribution", "excluded", "adjust")


@dataclass
class BenefitState:
    """Columns of one benefit over the policy's rows (length m), filled stage by stage."""

    name: str
    active: BoolArray
    covered: BoolArray
    uncovered_reason: IntArray
    base: IntArray
    gross_base: IntArray
    first_self_pay: IntArray
    deductible_kind: IntArray
    deductible_table: IntArray
    deductible_factor_bp: IntArray
    band_from: IntArray
    band_rate: IntArray
    banded_year: BoolArray
    fixed: IntArray
    caps: dict[str, IntArray]
    matched: list[tuple[Adjust, BoolArray]] = field(default_factory=list)
    ordinal: IntArray | None = None
    deductible: IntArray | None = None
    deductible_taken: IntArray | None = None
    deductible_used_before: IntArray | None = None
    banded_before: IntArray | None = None
    paid_before_caps: IntArray | None = None
    cap_steps: list[tuple[str, BoolArray, IntArray, IntArray]] = field(default_factory=list)
    paid: IntArray | None = None


def new_state(run: PolicyRun, name: str) -> BenefitState:
    """The benefit's per-row parameters over the run's rows, edition by edition."""
    m = len(run.rows)
    ratios = [ed.benefits[name].ratio for ed in run.editions if name in ed.benefits]
    max_bands = max((len(r.band_list()) for r in ratios if r is not None), default=1)
    st = BenefitState(
        name=name,
        active=np.zeros(m, bool),
        covered=np.zeros(m, bool),
        uncovered_reason=np.zeros(m, np.int64),
        base=np.zeros(m, np.int64),
        gross_base=np.zeros(m, np.int64),
        first_self_pay=np.zeros(m, np.int64),
        deductible_kind=np.zeros(m, np.int64),
        deductible_table=np.zeros(m, np.int64),
        deductible_factor_bp=np.full(m, BP_ONE, np.int64),
        band_from=np.full((m, max_bands), NO_LIMIT, np.int64),
        band_rate=np.zeros((m, max_bands), np.int64),
        banded_year=np.zeros(m, bool),
        fixed=np.full(m, NOT_SET, np.int64),
        caps={},
    )
    for e, ed in enumerate(run.editions):
        if name in ed.benefits:
            _edition_params(run, st, e, ed, ed.benefits[name])
    return st


def _edition_params(run: PolicyRun, st: BenefitState, e: int, ed: Policy, benefit: Benefit) -> None:
    batch = run.book.batch
    one_edition = len(run.editions) == 1
    local = np.arange(len(run.rows)) if one_edition else np.flatnonzero(run.edition_index == e)
    rows = run.rows if one_edition else run.rows[local]
    kinds = [batch.kind.values.index(k) for k in benefit.kinds if k in batch.kind.values]
    applies = codes_in(batch.kind.codes[rows], kinds, len(batch.kind.values))
    if benefit.when is not None:
        applies &= condition_mask(benefit.when, batch, run.book.where, rows)
    if applies.all():
        local_rows: IntArray | slice = local if len(local) < len(run.rows) else slice(None)
    else:
        local, rows = local[applies], rows[applies]
        local_rows = local
    if len(rows) == 0:
        return
    _fill_params(run, st, local, local_rows, rows, ed, benefit)


def _fill_params(
    run: PolicyRun,
    st: BenefitState,
    local: IntArray,
    at: IntArray | slice,
    rows: IntArray,
    ed: Policy,
    benefit: Benefit,
) -> None:
    """One edition's parameters on its rows: `at` picks them in the run (a slice when it is all of them)."""
    batch = run.book.batch
    keys = run.keys if isinstance(at, slice) else run.keys.take(local)
    st.active[at] = True
    st.base[at] = sum((run.book.component(c)[rows] for c in benefit.base), np.zeros(len(rows), np.int64))
    adjusted = adjustments(ed, st.name, batch, run.book.where, rows)
    if run.book.trace is not None:
        for rule, mask in adjusted.matched:
            full = np.zeros(len(run.rows), bool)
            full[local[mask]] = True
            st.matched.append((rule, full))
    reason = np.zeros(len(rows), np.int64)
    reason[~adjusted.covered] = UNCOVERED_REASONS.index("adjust")
    reason[exclusion_mask(benefit, batch, rows, run.pre_existing[at])] = UNCOVERED_REASONS.index("excluded")
    if ed.requires.contribution_paid:
        reason[~batch.contribution_paid[rows]] = UNCOVERED_REASONS.index("contribution")
    st.uncovered_reason[at] = reason
    st.covered[at] = reason == 0
    st.first_self_pay[at] = adjusted.first_self_pay_bp
    st.deductible_factor_bp[at] = adjusted.deductible_factor_bp
    if benefit.deductible is not None:
        st.deductible_kind[at] = DEDUCTIBLE_KINDS.index(benefit.deductible.per)
        st.deductible_table[at] = keys.table(benefit.deductible)
    if benefit.fixed is not None:
        st.fixed[at] = _fixed_amounts(run, benefit, keys, rows)
    if benefit.ratio is not None:
        st.banded_year[at] = benefit.ratio.banded_on == "year"
        for b, band in enumerate(benefit.ratio.band_list()):
            st.band_from[at, b] = band.from_
            st.band_rate[at, b] = adjusted_rates(keys.table(band), adjusted)
    for cap_name in benefit.caps:
        amounts = st.caps.setdefault(cap_name, np.full(len(run.rows), NOT_SET, np.int64))
        amounts[at] = keys.table(ed.caps[cap_name])


def _fixed_amounts(run: PolicyRun, benefit: Benefit, keys: Keys, rows: IntArray) -> IntArray:
    fixed = benefit.fixed
    assert fixed is not None
    amount = keys.table(fixed)
    if fixed.per_contribution_month is not None and fixed.full_after_months is not None:
        months = run.book.batch.contribution_months[rows]
        partial = (months >= 0) & (months < fixed.full_after_months)
        amount = np.where(partial, np.minimum(months * fixed.per_contribution_month, amount), amount)
    return amount
