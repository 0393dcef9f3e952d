"""One policy's benefits over every bill they apply to: the operator pipeline of the engine.

base → covered? → first self-pay (先自付) → deductible (起付线) → ratio/bands (报销比例/分段)
or fixed amount (定额) → caps (封顶线) → taken from the components it pays.
Annual rules run as group-wise running totals (running.py), so a book gives the same
amounts as settling its bills one by one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from yibao.engine.bands import banded_fen_bp
from yibao.engine.benefit_state import BenefitState, new_state
from yibao.engine.book import Book, Payment, group_of
from yibao.engine.columns import BoolArray, IntArray, positions
from yibao.engine.combos import codes_in
from yibao.engine.idle import EMPTY, RunGroups, end_with_idle
from yibao.engine.params import DEDUCTIBLE_KINDS, Keys
from yibao.engine.pooled import pooled
from yibao.engine.running import running_before, running_take
from yibao.money import BP_ONE, round_fen_bp
from yibao.policy.models import Policy

NO_ROWS = np.zeros(0, bool)
PER_BILL_KINDS = [DEDUCTIBLE_KINDS.index("bill"), DEDUCTIBLE_KINDS.index("admission")]


class PolicyRun:
    """Settle one policy id (all its editions) on the rows it applies to."""

    def __init__(
        self,
        book: Book,
        payer: str,
        editions: list[Policy],
        rows: IntArray,
        edition_index: IntArray,
        keys: Keys,
        pre_existing: BoolArray,
        listed: tuple[IntArray, IntArray] | None = None,
    ) -> None:
        """`listed`: the rows (and editions) the policy covers, when more than the `rows` it computes."""
        self.book, self.payer, self.editions = book, payer, editions
        self.listed = listed or (rows, edition_index)
        self.rows, self.edition_index, self.keys, self.pre_existing = rows, edition_index, keys, pre_existing
        self.pid = editions[0].id
        self.year_starts = editions[0].year_starts
        batch = book.batch
        self.person = batch.person.take(rows)
        self.period = book.period_start(self.year_starts, rows)
        self.group = group_of(self.person, self.period)
        self.groups = RunGroups(self.group, self.person, self.period)
        self.names = list(dict.fromkeys(n for ed in editions for n in ed.benefits))
        self.traced = book.trace is not None  # trace-only columns are kept only then
        self.states: list[BenefitState] = []
        self._kind_codes: npt.NDArray[np.int32] | None = None

    def kind_codes(self) -> npt.NDArray[np.int32]:
        """The bill kind code of each of the run's rows (gathered once, for all its benefits)."""
        if self._kind_codes is None:
            self._kind_codes = self.book.batch.kind.codes.take(self.rows)
        return self._kind_codes

    def run(self) -> list[BenefitState]:
        """Every stage for every benefit; records payments and accumulators in the book."""
        self.states = [new_state(self, name) for name in self.names]
        live = [st for st in self.states if len(st.at)]  # a benefit with no rows pays nothing
        for st in live:
            self._first_self_pay(st)
            self._per_bill_deductible(st)
        self._annual_deductibles()
        for st in self.states:
            if len(st.at):
                self._ratio_or_fixed(st)
            else:  # idle rows alone: their person-periods still appear in the accumulators
                self._end(f"{self.pid}/banded/{st.name}", EMPTY, NO_ROWS, EMPTY, st.idle.of("banded"))
        self._caps()
        for st in self.states:
            self._take_from_components(st)
        return self.states

    # -- stages -----------------------------------------------------------------------------
    def _first_self_pay(self, st: BenefitState) -> None:
        st.gross_base = st.base  # kept for the trace; the stages below make new arrays
        st.base = st.base * st.covered
        share = round_fen_bp(st.base * st.first_self_pay)
        st.first_self_pay = share
        st.base = st.base - share

    def _per_bill_deductible(self, st: BenefitState) -> None:
        per_bill = codes_in(st.deductible_kind, PER_BILL_KINDS, len(DEDUCTIBLE_KINDS))
        admission = st.covered & (st.deductible_kind == DEDUCTIBLE_KINDS.index("admission"))
        if admission.any():
            idx = positions(admission)
            person, period = self.person[st.at[idx]], self.period[st.at[idx]]
            first = self.book.sequence_firsts(self.group[st.at[idx]])
            key = f"{self.pid}/admissions/{st.name}"
            start = self.book.start.lookup(key, person, period, self.year_starts)
            ordinal = running_before(np.ones(len(idx), np.int64), start, first) + 1
            if self.traced:
                st.ordinal = np.zeros(len(st.at), np.int64)
                st.ordinal[idx] = ordinal
            self.book.record_end(key, first, ordinal, person, period, self.year_starts)
            repeat = self._repeat_factor_bp(st, idx, ordinal)
            st.deductible_factor_bp[idx] = round_fen_bp(st.deductible_factor_bp[idx] * repeat)
        amount = round_fen_bp(np.maximum(st.deductible_table, 0) * st.deductible_factor_bp)
        st.deductible = amount * per_bill  # zero where no per-bill deductible (multiplying beats masks)
        st.deductible_taken = np.minimum(st.base, amount) * per_bill

    def _repeat_factor_bp(self, st: BenefitState, idx: IntArray, ordinal: IntArray) -> IntArray:
        factor = np.full(len(idx), BP_ONE, np.int64)
        for e, ed in enumerate(self.editions):
            ded = ed.benefits[st.name].deductible if st.name in ed.benefits else None
            if ded is None or not ded.repeat:
                continue
            table = np.array(ded.repeat, np.int64)
            here = st.edition[idx] == e
            factor[here] = table[np.minimum(ordinal[here], len(table)) - 1]
        return factor

    def _annual_deductibles(self) -> None:
        year = DEDUCTIBLE_KINDS.index("year")
        pools: dict[str, list[int]] = {}
        for i, st in enumerate(self.states):
            if (st.deductible_kind == year).any() or "deductible" in st.idle.under:
                pools.setdefault(self._pool_name(st), []).append(i)
        for pool, members in pools.items():
            key = f"{self.pid}/deductible/{pool}"
            idle = self._idle_of(members, "deductible")
            seq = pooled(self.states, members, lambda st: st.deductible_kind == year)
            if seq is None:
                self._end(key, EMPTY, NO_ROWS, EMPTY, idle)
                continue
            values = seq.gather(lambda st: st.base)
            table = np.maximum(seq.gather(lambda st: st.deductible_table), 0)
            room = round_fen_bp(table * seq.gather(lambda st: st.deductible_factor_bp))
            taken, before = self._pooled_take(key, seq.rows, values, room, idle)
            for st, at, (room_at, taken_at, before_at) in seq.scatter(room, taken, before):
                assert st.deductible is not None and st.deductible_taken is not None
                st.deductible[at] = room_at
                st.deductible_taken[at] = taken_at
                if not self.traced:
                    continue
                if st.deductible_used_before is None:
                    st.deductible_used_before = np.zeros(len(st.at), np.int64)
                st.deductible_used_before[at] = before_at

    def _pooled_take(
        self, key: str, rows: IntArray, values: IntArray, room: IntArray, idle: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Take under an annual room shared along a sequence, from and back to the accumulator `key`."""
        person, period = self.person.take(rows), self.period.take(rows)
        first = self.book.sequence_firsts(self.group.take(rows))
        start = self.book.start.lookup(key, person, period, self.year_starts)
        taken, before = running_take(values, room, start, first)
        self._end(key, rows, first, before + taken, idle, person, period)
        return taken, before

    def _end(
        self,
        key: str,
        rows: IntArray,
        first: BoolArray,
        after: IntArray,
        idle: IntArray,
        person: IntArray | None = None,
        period: IntArray | None = None,
    ) -> None:
        """Record accumulator `key` after a sequence of the run's `rows` and the idle rows under it."""
        if len(rows) == 0 and len(idle) == 0:
            return
        person = self.person.take(rows) if person is None else person
        period = self.period.take(rows) if period is None else period
        end_with_idle(self.book, key, self.year_starts, self.groups, rows, first, after, person, period, idle)

    def _idle_of(self, members: list[int], rule: str) -> IntArray:
        """The idle rows of some benefits under one accumulator rule."""
        parts = [self.states[i].idle.of(rule) for i in members]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _pool_name(self, st: BenefitState) -> str:
        for ed in self.editions:
            ded = ed.benefits[st.name].deductible if st.name in ed.benefits else None
            if ded is not None and ded.per == "year":
                return ded.pool or st.name
        return st.name

    def _ratio_or_fixed(self, st: BenefitState) -> None:
        assert st.deductible_taken is not None
        net = st.base - st.deductible_taken
        pay = np.zeros(len(st.at), np.int64)
        fixed = st.fixed >= 0
        if fixed.any():
            pay[fixed] = np.minimum(st.fixed[fixed], st.base[fixed])
        ratio = ~fixed
        yearly = ratio & st.banded_year
        per_bill = ratio & ~st.banded_year
        if per_bill.any():  # banded on every row, kept where per bill: cheaper than gathering through a mask
            banded = round_fen_bp(banded_fen_bp(net, st.band_from, st.band_rate))
            pay = banded if per_bill.all() else pay + banded * per_bill
        key = f"{self.pid}/banded/{st.name}"
        if not yearly.any():
            self._end(key, EMPTY, NO_ROWS, EMPTY, st.idle.of("banded"))
        else:
            idx = positions(yearly)
            person, period = self.person[st.at[idx]], self.period[st.at[idx]]
            first = self.book.sequence_firsts(self.group[st.at[idx]])
            start = self.book.start.lookup(key, person, period, self.year_starts)
            before = running_before(net[idx], start, first)
            after = before + net[idx]
            f, r = st.band_from[idx], st.band_rate[idx]
            pay[idx] = round_fen_bp(banded_fen_bp(after, f, r)) - round_fen_bp(banded_fen_bp(before, f, r))
            if self.traced:
                st.banded_before = np.zeros(len(st.at), np.int64)
                st.banded_before[idx] = before
            self._end(key, st.at.take(idx), first, after, st.idle.of("banded"), person, period)
        st.paid = pay
        st.paid_before_caps = pay.copy() if self.traced else None  # caps change `paid` in place

    def _caps(self) -> None:
        """Per-bill caps first, then annual caps from the smallest pool to the largest (caps nest)."""
        cap_defs = {name: ed.caps[name] for ed in self.editions for name in ed.caps}
        members: dict[str, list[int]] = {}
        for i, st in enumerate(self.states):
            for cap in dict.fromkeys([*st.caps, *st.idle.caps()]):
                members.setdefault(cap, []).append(i)
        order = sorted(members, key=lambda c: (cap_defs[c].per != "bill", len(members[c]), c))
        for cap in order:
            if cap_defs[cap].per == "bill":
                for i in members[cap]:
                    self._bill_cap(self.states[i], cap)
            else:
                self._annual_cap(cap, members[cap])

    def _bill_cap(self, st: BenefitState, cap: str) -> None:
        assert st.paid is not None
        at = st.caps[cap] >= 0
        if self.traced:
            st.cap_steps.append((cap, at, np.zeros(len(st.at), np.int64), st.paid.copy()))
        st.paid[at] = np.minimum(st.paid[at], st.caps[cap][at])

    def _annual_cap(self, cap: str, members: list[int]) -> None:
        key = f"{self.pid}/cap/{cap}"
        idle = self._idle_of(members, f"cap:{cap}")
        seq = pooled(self.states, members, lambda st: st.caps[cap] >= 0 if cap in st.caps else NO_ROWS)
        if seq is None:
            self._end(key, EMPTY, NO_ROWS, EMPTY, idle)
            return
        values = seq.gather(lambda st: _set(st.paid))
        room = seq.gather(lambda st: st.caps[cap])
        taken, before = self._pooled_take(key, seq.rows, values, room, idle)
        for st, at, (taken_at, before_at) in seq.scatter(taken, before):
            assert st.paid is not None
            if self.traced:
                mask = np.zeros(len(st.at), bool)
                mask[at] = True
                used = np.zeros(len(st.at), np.int64)
                used[at] = before_at
                st.cap_steps.append((cap, mask, used, st.paid.copy()))
            st.paid[at] = taken_at

    def _take_from_components(self, st: BenefitState) -> None:
        rows = self.rows.take(st.at)
        amount = np.zeros(len(self.book.batch), np.int64)
        if st.paid is None:  # no rows: nothing to take
            st.paid = np.zeros(0, np.int64)
        paying = positions(st.paid)  # most bills a benefit covers it pays nothing: leave those be
        paid_rows = rows.take(paying)
        amount[paid_rows] = st.paid.take(paying)
        left = st.paid.take(paying)
        for e, ed in enumerate(self.editions if len(paid_rows) else []):
            if st.name not in ed.benefits:
                continue
            here = None if len(self.editions) == 1 else st.edition.take(paying) == e
            for comp in ed.benefits[st.name].base:
                rem = self.book.component(comp)
                before = rem.take(paid_rows)
                take = np.minimum(before, left)
                if here is not None:
                    take[~here] = 0
                rem[paid_rows] = before - take
                left -= take
        assert (left == 0).all(), f"{self.pid}:{st.name} paid more than its base"
        ed0 = next(ed for ed in self.editions if st.name in ed.benefits)
        benefit = ed0.benefits[st.name]
        idle = st.idle.all_rows()
        applied = np.concatenate([rows, self.rows.take(idle)]) if len(idle) else rows
        self.book.payments.append(
            Payment(
                self.payer,
                self.pid,
                st.name,
                benefit.name,
                benefit.name_en,
                amount,
                [ed.ref for ed in self.editions],
                *self.listed,
                applied,
            )
        )


def _set(value: IntArray | None) -> IntArray:
    assert value is not None
    return value
