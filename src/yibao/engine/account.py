"""个人账户: after every other payer, the personal account pays what its scheme lets it cover."""

from __future__ import annotations

import numpy as np

from yibao.engine.book import Book, Payment
from yibao.engine.columns import IntArray
from yibao.engine.periods import period_starts
from yibao.engine.running import running_take
from yibao.engine.trace import Step, cite
from yibao.money import format_yuan
from yibao.policy.models import Policy


def pay_from_accounts(book: Book, editions: list[Policy], rows: IntArray, edition_index: IntArray) -> None:
    """Pay from the balance given on each bill, never spending it twice within a period."""
    batch = book.batch
    n = len(batch)
    amount = np.zeros(n, np.int64)
    has = (batch.account_balance[rows] >= 0) & np.array(
        [editions[e].personal_account is not None for e in edition_index.tolist()], dtype=bool
    ).reshape(-1)
    rows, edition_index = rows[has], edition_index[has]
    if len(rows) == 0:
        return
    scheme = editions[0]
    base = np.zeros(len(rows), np.int64)
    covers_by_row = [editions[e].personal_account.covers for e in edition_index.tolist()]  # type: ignore[union-attr]
    for comp in dict.fromkeys(c for covers in covers_by_row for c in covers):
        mask = np.array([comp in covers for covers in covers_by_row], dtype=bool)
        base += np.where(mask, book.component(comp)[rows], 0)
    person = batch.person[rows]
    period = period_starts(batch.date[rows], scheme.year_starts)
    first = np.ones(len(rows), bool)
    first[1:] = person[1:] != person[:-1]
    key = f"{scheme.id}/account/used"
    start = book.start.lookup(key, person, period, scheme.year_starts)
    taken, before = running_take(base, batch.account_balance[rows], start, first)
    book.record_end(key, first, before + taken, person, period, scheme.year_starts)
    left = taken.copy()
    for comp in dict.fromkeys(c for covers in covers_by_row for c in covers):
        mask = np.array([comp in covers for covers in covers_by_row], dtype=bool)
        take = np.where(mask, np.minimum(book.component(comp)[rows], left), 0)
        book.component(comp)[rows] -= take
        left -= take
    assert (left == 0).all()
    amount[rows] = taken
    index = np.full(n, -1, np.int64)
    index[rows] = edition_index
    applied = np.zeros(n, bool)
    applied[rows] = True
    book.payments.append(Payment("personal_account", scheme.id, "personal_account", "个人账户",
                                 "personal account", amount, [e.ref for e in editions], index, applied))
    if book.trace is not None:
        for j, row in enumerate(rows.tolist()):
            ed = editions[int(edition_index[j])]
            source, assumed = cite(ed, ed.personal_account)
            book.trace.add(row, Step(
                "personal_account",
                {"balance": format_yuan(batch.account_balance[row] - before[j]), "covered": format_yuan(base[j]),
                 "paid": format_yuan(taken[j]), "components": ", ".join(covers_by_row[j])},
                payer="personal_account", policy=ed.ref, benefit="personal_account",
                rule=f"{ed.ref}:personal_account", source=source, assumed=assumed,
            ))
