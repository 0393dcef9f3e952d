"""个人账户: after every other payer, the personal account pays what its scheme lets it cover."""

from __future__ import annotations

import numpy as np

from yibao.engine.book import Book, Payment
from yibao.engine.columns import IntArray
from yibao.engine.combos import codes_in
from yibao.engine.running import running_take
from yibao.engine.trace import Step, cite
from yibao.money import format_yuan
from yibao.policy.models import Policy


def pay_from_accounts(book: Book, editions: list[Policy], rows: IntArray, edition_index: IntArray) -> None:
    """Pay from the balance given on each bill, never spending it twice within a period."""
    batch = book.batch
    with_account = [e for e, ed in enumerate(editions) if ed.personal_account is not None]
    keep = (batch.account_balance.take(rows) >= 0) & codes_in(edition_index, with_account, len(editions))
    rows, edition_index = rows[keep], edition_index[keep]
    if len(rows) == 0:
        return
    scheme = editions[0]
    base = np.zeros(len(rows), np.int64)
    for e in with_account:
        here = edition_index == e
        for comp in editions[e].personal_account.covers:  # type: ignore[union-attr]
            base[here] += book.component(comp)[rows[here]]
    person = batch.person.take(rows)
    period = book.period_start(scheme.year_starts, rows)
    first = book.sequence_firsts(person)
    first[1:] |= period[1:] != period[:-1]
    key = f"{scheme.id}/account/used"
    start = book.start.lookup(key, person, period, scheme.year_starts)
    taken, before = running_take(base, batch.account_balance.take(rows), start, first)
    book.record_end(key, first, before + taken, person, period, scheme.year_starts)
    for e in with_account:
        here = edition_index == e
        left = taken[here]
        for comp in editions[e].personal_account.covers:  # type: ignore[union-attr]
            column = book.component(comp)
            take = np.minimum(column[rows[here]], left)
            column[rows[here]] -= take
            left = left - take
        assert (left == 0).all(), "the personal account paid more than it covers"
    n = len(batch)
    amount = np.zeros(n, np.int64)
    amount[rows] = taken
    refs = [ed.ref for ed in editions]
    book.payments.append(
        Payment(
            "personal_account",
            scheme.id,
            "personal_account",
            "个人账户",
            "personal account",
            amount,
            refs,
            rows,
            edition_index,
            rows,
        )
    )
    if book.trace is not None:
        for j, row in enumerate(rows.tolist()):
            ed = editions[int(edition_index[j])]
            assert ed.personal_account is not None
            source, assumed = cite(ed, ed.personal_account)
            values = {
                "balance": format_yuan(batch.account_balance[row] - before[j]),
                "covered": format_yuan(base[j]),
                "paid": format_yuan(taken[j]),
                "components": ", ".join(ed.personal_account.covers),
            }
            book.trace.add(
                row,
                Step(
                    "personal_account",
                    values,
                    payer="personal_account",
                    policy=ed.ref,
                    benefit="personal_account",
                    rule=f"{ed.ref}:personal_account",
                    source=source,
                    assumed=assumed,
                ),
            )
