"""A benefit's per-row state: its parameters for each bill (by edition), then each stage's output.

Everything here depends only on the bill and the edition, not on earlier bills; the stages
that accumulate over a person's year live in benefit.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from yibao.engine.columns import BoolArray, IntArray, positions
from yibao.engine.combos import codes_in
from yibao.engine.idle import Idle, can_idle, mark_idle, zero_rows
from yibao.engine.params import (
    DEDUCTIBLE_KINDS,
    NOT_SET,
    Keys,
    adjusted_rates,
    adjustments,
    exclusion_mask,
    matching,
)
from yibao.money import BP_ONE
from yibao.policy.models import Adjust, Benefit, Policy

if TYPE_CHECKING:
    from yibao.engine.benefit import PolicyRun

NO_LIMIT = np.int64(1) << 52
UNCOVERED_REASONS = ("covered", "contribution", "excluded", "adjust")


@dataclass
class BenefitState:
    """Columns of one benefit over its own rows (`at`: positions among the run's rows, in order)."""

    name: str
    at: IntArray
    edition: IntArray
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
    idle: Idle = field(default_factory=Idle)


def new_state(run: PolicyRun, name: str) -> BenefitState:
    """The benefit's per-row parameters over the run's rows it pays (kind and `when`), edition by edition.

    Later stages work on these rows only: a benefit paying 15 % of the bills costs 15 %.
    Rows with nothing to compute (idle.py) are set aside, with the rules they fall under.
    """
    idle = Idle()
    per_edition = []
    for e, ed in enumerate(run.editions):
        if name not in ed.benefits:
            continue
        benefit = ed.benefits[name]
        local, base = _applying(run, e, benefit), None
        if not run.traced and len(local) and can_idle(benefit):
            local, base = _set_idle_aside(run, ed, benefit, local, idle)
        per_edition.append((ed, benefit, local, base))
    parts = [local for _, _, local, _ in per_edition]
    at, places = _union(parts, len(run.rows))
    m = len(at)
    ratios = [b.ratio for _, b, _, _ in per_edition if b.ratio is not None]
    max_bands = max((len(r.band_list()) for r in ratios), default=1)
    # one edition fills every row (the usual case): it writes, or replaces, the blank columns whole
    blank = np.empty if sum(1 for part in parts if len(part)) == 1 else np.zeros
    st = BenefitState(
        name=name,
        at=at,
        edition=run.edition_index.take(at),
        active=np.ones(m, bool),
        covered=blank(m, bool),
        uncovered_reason=blank(m, np.int64),
        base=blank(m, np.int64),
        gross_base=np.empty(m, np.int64),  # the base before the stages, set by the first stage
        first_self_pay=blank(m, np.int64),
        deductible_kind=np.zeros(m, np.int64),
        deductible_table=np.zeros(m, np.int64),
        deductible_factor_bp=np.full(m, BP_ONE, np.int64),
        band_from=np.full((m, max_bands), NO_LIMIT, np.int64),
        band_rate=np.zeros((m, max_bands), np.int64),
        banded_year=np.zeros(m, bool),
        fixed=np.full(m, NOT_SET, np.int64),
        caps={},
        idle=idle,
    )
    for (ed, benefit, local, base), where in zip(per_edition, places, strict=True):
        if len(local) == 0:
            continue
        whole = len(local) == len(run.rows)  # then `at` is every row: fill through slices, no gathers
        _fill_params(run, st, local, slice(None) if whole else where, whole, ed, benefit, base)
    return st


def _set_idle_aside(
    run: PolicyRun, ed: Policy, benefit: Benefit, local: IntArray, idle: Idle
) -> tuple[IntArray, IntArray | None]:
    """The rows of `local` with a base to compute, and that base (None: not computed yet).

    A benefit whose components no bill of the batch gives (special drugs in a book without
    them) is idle on every row without a look at them; else rows of zero base are set aside
    when there are enough of them (idle.zero_rows).
    """
    whole = len(local) == len(run.rows)
    if not any(run.book.has_component(component) for component in benefit.base):
        mark_idle(idle, ed, benefit, local, lambda: run.keys if whole else run.keys.take(local))
        return local[:0], None
    base = _base(run, benefit, run.rows if whole else run.rows.take(local))
    zero = zero_rows(base)
    if zero is None:
        return local, base
    resting, working = local.take(positions(zero)), positions(~zero)
    mark_idle(idle, ed, benefit, resting, lambda: run.keys.take(resting))
    return local.take(working), base.take(working)


def _union(parts: list[IntArray], n: int) -> tuple[IntArray, list[IntArray | slice]]:
    """The sorted union of disjoint sorted positions below `n`, and where each part lies in it.

    Each bill has one edition, so the parts never overlap: flags and a running count find
    the union and the places in two passes, where sorting and searching cost n log n.
    """
    if len(parts) == 1:
        return parts[0], [slice(None)]
    chosen = np.zeros(n, dtype=bool)
    for part in parts:
        chosen[part] = True
    rank = chosen.cumsum(dtype=np.int64)
    rank -= 1
    return positions(chosen), [rank[part] for part in parts]


def _applying(run: PolicyRun, e: int, benefit: Benefit) -> IntArray:
    """Positions among the run's rows of the edition's bills the benefit pays (its kinds, its `when`)."""
    batch = run.book.batch
    one_edition = len(run.editions) == 1
    local = np.arange(len(run.rows)) if one_edition else positions(run.edition_index == e)
    kinds = [batch.kind.values.index(k) for k in benefit.kinds if k in batch.kind.values]
    kind_codes = run.kind_codes() if one_edition else run.kind_codes().take(local)
    applies = codes_in(kind_codes, kinds, len(batch.kind.values))
    if benefit.when is not None:
        rows = run.rows if one_edition else run.rows.take(local)
        holds = matching(run.book, benefit.when, rows)
        applies = applies & holds if holds is not None else np.zeros(len(applies), bool)
    if applies.all():
        return local
    picked = positions(applies)  # positions and a gather: a boolean subscript costs four times more
    return picked if one_edition else local.take(picked)


def _fill_params(
    run: PolicyRun,
    st: BenefitState,
    local: IntArray,
    at: IntArray | slice,
    whole: bool,
    ed: Policy,
    benefit: Benefit,
    base: IntArray | None,
) -> None:
    """One edition's parameters on its rows: `local` among the run's rows, `at` among the benefit's.

    `base`: the rows' base when already computed.
    """
    batch = run.book.batch
    keys = run.keys if whole else run.keys.take(local)
    rows = run.rows if whole else run.rows.take(local)
    every = isinstance(at, slice)  # this edition fills every row: keep the columns made, no copies

    def put(name: str, values: npt.NDArray[Any]) -> None:
        if every:
            setattr(st, name, values)
        else:
            getattr(st, name)[at] = values

    put("base", _base(run, benefit, rows) if base is None else base)
    adjusted = adjustments(ed, st.name, run.book, rows)
    if run.book.trace is not None:
        for rule, mask in adjusted.matched:
            full = np.zeros(len(st.at), bool)
            full[np.arange(len(st.at))[at][mask]] = True
            st.matched.append((rule, full))
    reason = np.zeros(len(rows), np.int64)
    reason[~adjusted.covered] = UNCOVERED_REASONS.index("adjust")
    pre_existing = run.pre_existing if whole else run.pre_existing.take(local)
    reason[exclusion_mask(benefit, batch, rows, pre_existing)] = UNCOVERED_REASONS.index("excluded")
    if ed.requires.contribution_paid:
        reason[~batch.contribution_paid.take(rows)] = UNCOVERED_REASONS.index("contribution")
    put("uncovered_reason", reason)
    put("covered", reason == 0)
    put("first_self_pay", adjusted.first_self_pay_bp)
    put("deductible_factor_bp", adjusted.deductible_factor_bp)
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
    _fill_caps(st, ed, benefit, keys, at)


def _base(run: PolicyRun, benefit: Benefit, rows: IntArray) -> IntArray:
    """What the benefit is computed on: the sum of its components on each row."""
    base = np.zeros(len(rows), np.int64)
    for component in benefit.base:
        np.add(base, run.book.component(component).take(rows), out=base)
    return base


def _fill_caps(st: BenefitState, ed: Policy, benefit: Benefit, keys: Keys, at: IntArray | slice) -> None:
    for cap_name in benefit.caps:
        if isinstance(at, slice):  # every row: the looked-up column as it is
            st.caps[cap_name] = keys.table(ed.caps[cap_name])
            continue
        amounts = st.caps.setdefault(cap_name, np.full(len(st.at), NOT_SET, np.int64))
        amounts[at] = keys.table(ed.caps[cap_name])


def expanded(st: BenefitState, m: int) -> BenefitState:
    """The state over all `m` rows of its run (inactive elsewhere), for the trace, which reads by run row."""

    def wide(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = np.zeros((m, *values.shape[1:]), values.dtype)
        out[st.at] = values
        return out

    def maybe(values: IntArray | None) -> IntArray | None:
        return None if values is None else wide(values)

    return replace(
        st,
        at=np.arange(m),
        edition=wide(st.edition),
        active=wide(st.active),
        covered=wide(st.covered),
        uncovered_reason=wide(st.uncovered_reason),
        base=wide(st.base),
        gross_base=wide(st.gross_base),
        first_self_pay=wide(st.first_self_pay),
        deductible_kind=wide(st.deductible_kind),
        deductible_table=wide(st.deductible_table),
        deductible_factor_bp=wide(st.deductible_factor_bp),
        band_from=wide(st.band_from),
        band_rate=wide(st.band_rate),
        banded_year=wide(st.banded_year),
        fixed=wide(st.fixed),
        caps={name: wide(v) for name, v in st.caps.items()},
        matched=[(rule, wide(mask)) for rule, mask in st.matched],
        ordinal=maybe(st.ordinal),
        deductible=maybe(st.deductible),
        deductible_taken=maybe(st.deductible_taken),
        deductible_used_before=maybe(st.deductible_used_before),
        banded_before=maybe(st.banded_before),
        paid_before_caps=maybe(st.paid_before_caps),
        cap_steps=[(c, wide(mask), wide(used), wide(paid)) for c, mask, used, paid in st.cap_steps],
        paid=maybe(st.paid),
    )


def _fixed_amounts(run: PolicyRun, benefit: Benefit, keys: Keys, rows: IntArray) -> IntArray:
    fixed = benefit.fixed
    assert fixed is not None
    amount = keys.table(fixed)
    if fixed.per_contribution_month is not None and fixed.full_after_months is not None:
        months = run.book.batch.contribution_months.take(rows)
        partial = (months >= 0) & (months < fixed.full_after_months)
        amount = np.where(partial, np.minimum(months * fixed.per_contribution_month, amount), amount)
    return amount
