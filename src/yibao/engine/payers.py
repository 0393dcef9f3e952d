"""Each payer of the chain over the bills it covers, in chain.py's order.

The basic scheme, critical-illness plans, products held, personal accounts. A payer's
policy runs on the rows of a kind one of its benefits pays (benefit.PolicyRun), with its
editions and the bills' own lookup keys or another category, and still lists every bill
it covers (for each bill's document).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial

import numpy as np

from yibao.engine.account import pay_from_accounts
from yibao.engine.benefit import PolicyRun
from yibao.engine.benefit_trace import trace_policy_run
from yibao.engine.book import Book
from yibao.engine.columns import BoolArray, Cat, IntArray, positions
from yibao.engine.combos import codes_in, resolve
from yibao.engine.editions import date_span, edition_over, editions_by_date
from yibao.engine.params import Keys
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy


def _keys(book: Book, rows: IntArray, category: Cat | None = None) -> Keys:
    """The lookup keys of a run's rows: the batch's own (one gather), or with another category."""
    if category is None:
        return book.keys.take(rows)
    return Keys(category, book.batch.variant.take(rows), book.batch.level.take(rows))


def _run(
    book: Book,
    payer: str,
    eds: list[Policy],
    rows: IntArray,
    idx: IntArray,
    pre_existing: BoolArray,
    category: Cat | None = None,
) -> None:
    """Run one policy on the rows of a kind one of its benefits pays; it still lists all `rows`.

    `category` (over `rows`) is the lookup category when not the bill's own.
    """
    kinds = {k for ed in eds for benefit in ed.benefits.values() for k in benefit.kinds}
    column = book.batch.kind
    paid = codes_in(
        column.codes.take(rows),
        [column.values.index(k) for k in kinds if k in column.values],
        len(column.values),
    )
    listed = (rows, idx)
    if not paid.all():  # e.g. a critical-illness plan on outpatient bills: nothing to compute there
        at = positions(paid)
        rows, idx, pre_existing = rows.take(at), idx.take(at), pre_existing.take(at)
        category = None if category is None else category.take(at)
    keys = _keys(book, rows, category)  # on the rows run only: no gathers for rows left out
    run = PolicyRun(book, payer, eds, rows, idx, keys, pre_existing, listed)
    states = run.run()
    if book.trace is not None:
        trace_policy_run(book, run, states)


def per_scheme(
    scheme_eds: list[Policy], scheme_index: IntArray
) -> Iterator[tuple[list[Policy], IntArray, IntArray]]:
    """For each basic scheme id: its editions, its rows, and each row's index into those editions."""
    for pid in dict.fromkeys(e.id for e in scheme_eds):
        local = [i for i, e in enumerate(scheme_eds) if e.id == pid]
        rows = positions(codes_in(scheme_index, local, len(scheme_eds)))
        yield [scheme_eds[i] for i in local], rows, np.searchsorted(np.array(local), scheme_index.take(rows))


def run_basic(book: Book, schemes: list[tuple[list[Policy], IntArray, IntArray]]) -> None:
    """基本医保: each scheme on its own bills."""
    for eds, rows, idx in schemes:
        _run(book, "basic", eds, rows, idx, np.zeros(len(rows), bool))


def run_critical(book: Book, policies: PolicySet, as_known_on: date | None) -> None:
    """大病保险: each plan on the bills of the schemes it covers, by its edition on their dates."""
    sb = book.batch
    span = date_span(sb.date)
    for pid, all_eds in sorted(policies.editions.items()):
        if all_eds[0].kind != "critical":
            continue
        edition = edition_over(policies, pid, span, as_known_on)
        if edition is not None:  # one edition over the batch: the bill's scheme alone says if it covers
            schemes = np.array([_covers([edition], ("0", ref)) for ref in sb.scheme.values], bool)
            eds, rows = [edition], positions(schemes.take(sb.scheme.codes))
            idx = np.zeros(len(rows), np.int64)
        else:
            eds, idx = editions_by_date(policies, pid, sb.date, as_known_on)
            if not eds:
                continue
            ed_cat = Cat(np.maximum(idx, 0).astype(np.int32), [str(i) for i in range(len(eds))])
            covered = resolve([ed_cat, sb.scheme], partial(_covers, eds))
            rows = positions((idx >= 0) & (covered == 1))
            idx = idx.take(rows)
        if len(rows) == 0:
            continue
        categories = set().union(*(e.categories for e in eds))
        category = None if categories else Cat(np.zeros(len(rows), np.int32), [""])
        _run(book, "critical", eds, rows, idx, np.zeros(len(rows), bool), category)


def _covers(editions: list[Policy], combo: tuple[str, ...]) -> int:
    """1 when the edition (combo[0]) covers the scheme (combo[1])."""
    edition, scheme = combo
    return int(scheme.partition("@")[0] in editions[int(edition)].covers)


def run_products(book: Book, policies: PolicySet, as_known_on: date | None) -> None:
    """惠民保 and other products: each on the bills of those holding it (pre-existing or not)."""
    sb = book.batch
    for pid in sorted(sb.products):
        holding = sb.products[pid]
        rows = positions(holding.held)
        if len(rows) == 0:
            continue  # every bill holding it was refused by validation
        eds, idx = editions_by_date(policies, pid, sb.date.take(rows), as_known_on)
        rows, idx = rows[idx >= 0], idx[idx >= 0]
        if len(rows) == 0:
            continue
        pre = holding.pre_existing.take(rows)
        category = Cat(pre.astype(np.int32), ["standard", "pre_existing"])
        _run(book, "supplementary", eds, rows, idx, pre, category)


def run_accounts(book: Book, schemes: list[tuple[list[Policy], IntArray, IntArray]]) -> None:
    """个人账户: after every other payer, each scheme's accounts on its bills."""
    for eds, rows, idx in schemes:
        pay_from_accounts(book, eds, rows, idx)
