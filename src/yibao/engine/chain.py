"""The payer chain ("先医保后商保"): basic scheme → critical-illness plans → products → personal account.

`settle_columns` is the engine: bill columns, policies and starting accumulators in;
payments, out-of-pocket amounts, accumulators and (optionally) the trace out. Pure: no
I/O, no clock. Every bill balances: sum(payments) + out_of_pocket == total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.engine.benefit_trace import trace_where
from yibao.engine.book import AccumulatorEnd, Book, Payment, StartState, StartValues
from yibao.engine.columns import BillBatch, BoolArray, Cat, IntArray, positions
from yibao.engine.combos import codes_in
from yibao.engine.editions import date_span, edition_over, editions_by_date
from yibao.engine.params import Keys
from yibao.engine.payers import per_scheme, run_accounts, run_basic, run_critical, run_products
from yibao.engine.scope import Whereabouts, locate
from yibao.engine.split import split_components
from yibao.engine.trace import Trace
from yibao.engine.validate import RowProblems, validate
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy


@dataclass
class EngineResult:
    """Everything the engine decided, rows in the order of the batch given."""

    batch: BillBatch
    settled: BoolArray
    problems: RowProblems
    total: IntArray
    payments: list[Payment]
    out_of_pocket: IntArray
    where: Whereabouts
    scheme_refs: list[str]
    scheme_index: IntArray
    ends: list[AccumulatorEnd]
    trace: Trace | None

    def scheme_ref(self, row: int) -> str:
        """The basic scheme edition that settled a row."""
        return self.scheme_refs[int(self.scheme_index[row])]


def settle_columns(
    batch: BillBatch,
    policies: PolicySet,
    start: StartValues | None = None,
    as_known_on: date | None = None,
    with_trace: bool = False,
) -> EngineResult:
    """Settle a batch of bills. Rows with problems are reported and left unsettled."""
    problems = validate(batch, policies, as_known_on)
    good = np.ones(len(batch), dtype=bool)
    good[list(problems)] = False
    order = _person_date_order(batch, positions(good))
    in_place = len(order) == len(batch) and bool((order == np.arange(len(batch))).all())
    sb = batch if in_place else batch.take(order)
    scheme_eds, scheme_index = _scheme_editions(sb, policies, as_known_on)
    regions = sorted({e.region for e in scheme_eds})
    region_code = np.array([regions.index(e.region) for e in scheme_eds], np.int32)
    home = Cat(region_code[scheme_index], regions)
    waives = _waives_in_province(sb, home, policies, as_known_on)
    where = locate(sb, home, waives)
    trace = Trace.for_rows(len(sb)) if with_trace else None
    if trace is not None:
        trace_where(sb, where, trace)
    keys = Keys(sb.category, sb.variant, sb.level)
    remaining = split_components(sb, scheme_eds, scheme_index, trace, keys)
    book = Book(sb, where, remaining, start or StartState(), trace, keys)
    schemes = list(per_scheme(scheme_eds, scheme_index))  # found once for the basic payer and accounts
    run_basic(book, schemes)
    run_critical(book, policies, as_known_on)
    run_products(book, policies, as_known_on)
    run_accounts(book, schemes)
    total = sb.total_fen()
    out_of_pocket = total.copy()
    for p in book.payments:
        np.subtract(out_of_pocket, p.amount, out=out_of_pocket)
    assert np.array_equal(out_of_pocket, _added(book.remaining.values(), len(sb))), "a bill does not balance"
    assert all(p.amount.min(initial=0) >= 0 for p in book.payments), "a payment is negative"
    return _unsort(batch, order, good, problems, book, total, out_of_pocket, scheme_eds, scheme_index)


def _added(columns: Iterable[IntArray], n: int) -> IntArray:
    """The sum of some columns of `n` rows, in place (no temporary per column)."""
    total = np.zeros(n, np.int64)
    for column in columns:
        np.add(total, column, out=total)
    return total


def _person_date_order(batch: BillBatch, rows: IntArray) -> IntArray:
    """Rows by person, then date, then input order; no sort when the book already is in that order."""
    every = len(rows) == len(batch)  # then rows is 0..n-1: read the columns in place
    person, day = (batch.person, batch.date) if every else (batch.person.take(rows), batch.date.take(rows))
    if len(rows) <= 1:
        return rows
    same = person[1:] == person[:-1]
    in_order = bool(np.all(same | (person[1:] > person[:-1])) and np.all(~same | (day[1:] >= day[:-1])))
    if in_order:
        return rows
    return rows[np.lexsort((rows, day, person))]


def _scheme_editions(
    sb: BillBatch, policies: PolicySet, as_known_on: date | None
) -> tuple[list[Policy], IntArray]:
    """Every basic edition used and each row's index into that list.

    A scheme with one edition over all the batch's dates (the usual book) needs no look at
    its rows: its code says its edition.
    """
    used: list[Policy] = []
    by_code = np.full(len(sb.scheme.values), -1, np.int64)
    span = date_span(sb.date)
    varying = []
    for code, ref in enumerate(sb.scheme.values):
        edition = edition_over(policies, ref, span, as_known_on)
        if edition is None:
            varying.append((code, ref))
        else:
            by_code[code] = len(used)
            used.append(edition)
    index = by_code.take(sb.scheme.codes)
    for code, ref in varying:
        rows = positions(sb.scheme.codes == code)
        eds, idx = editions_by_date(policies, ref, sb.date.take(rows), as_known_on)
        index[rows] = np.where(idx >= 0, idx + len(used), -1)
        used.extend(eds)
    assert (index >= 0).all()
    return used, index


def _waives_in_province(sb: BillBatch, home: Cat, policies: PolicySet, as_known_on: date | None) -> Cat:
    """'1' where the home province needs no in-province registration (省内无异地) on the bill's date."""
    waived = np.zeros(len(sb), np.int32)
    for pid, eds in policies.editions.items():
        if eds[0].kind != "crossregion":
            continue
        in_province = [i for i, region in enumerate(home.values) if region[:2] == eds[0].province]
        here = positions(codes_in(home.codes, in_province, len(home.values)))
        used, idx = editions_by_date(policies, pid, sb.date[here], as_known_on)
        rules = np.array([not e.in_province_registration for e in used] + [False], dtype=bool)
        waived[here] |= rules[idx].astype(np.int32)
    return Cat(waived, ["0", "1"])


def _unsort(
    batch: BillBatch,
    order: IntArray,
    good: BoolArray,
    problems: RowProblems,
    book: Book,
    total: IntArray,
    out_of_pocket: IntArray,
    scheme_eds: list[Policy],
    scheme_index: IntArray,
) -> EngineResult:
    n = len(batch)
    identity = len(order) == n and bool(np.all(order == np.arange(n)))

    def back(values: npt.NDArray[Any], fill: int = 0) -> npt.NDArray[Any]:
        if identity:
            return values
        out = np.full(n, fill, dtype=values.dtype)
        out[order] = values
        return out

    payments = book.payments if identity else [p.moved(order, back(p.amount)) for p in book.payments]
    w = book.where
    where = Whereabouts(back(w.scope), back(w.registration), back(w.mode), back(w.mode_reason))
    refs = [e.ref for e in scheme_eds]
    trace = None
    if book.trace is not None:
        steps: list[list[object]] = [[] for _ in range(n)]
        for pos, row in enumerate(order.tolist()):
            steps[row] = book.trace.steps[pos]  # type: ignore[assignment]
        trace = Trace(steps)  # type: ignore[arg-type]
    ends = [AccumulatorEnd(e.key, e.person, e.period_start, e.year_starts, e.value) for e in book.ends]
    return EngineResult(
        batch,
        good,
        problems,
        back(total),
        payments,
        back(out_of_pocket),
        where,
        refs,
        back(scheme_index, -1),
        ends,
        trace,
    )
