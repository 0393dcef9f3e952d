"""Personal accounts (个人账户): balances, payments in family-sharing order, refunds.

A bill's account payment is what the engine's personal-account step paid (it covers
what the scheme's `[personal_account].covers` lets it, up to the balance it is given).
The store gives it the person's own balance plus the balances of the accounts linked
to them (家庭共济), and takes the payment from the own account first, then from the
linked accounts in their order (seed 002: 优先从本人账户扣除, 不足时按设定顺序从共济账户扣款).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yibao.money import format_yuan
from yibao.store import driver_sql
from yibao.store.documents import AccountPayment
from yibao.store.persons import now
from yibao.store.tables import AccountEntryRow, AccountRow


@dataclass
class AccountState:
    """What may pay a person's bill: their own account (if any), then linked ones in order."""

    own: int | None
    linked: list[tuple[str, int]] = field(default_factory=list)

    @property
    def available_fen(self) -> int | None:
        """The total the accounts can pay, or None when the person has no account at all."""
        if self.own is None and not self.linked:
            return None
        return (self.own or 0) + sum(balance for _, balance in self.linked)


LINKED_OWNERS = (
    "SELECT relative_id, owner_id FROM account_links WHERE relative_id IN ({}) ORDER BY relative_id, position"
)
"""For each of some persons, the owners of accounts linked to them, in order (rows for `owners_of`)."""


def owners_of(rows: driver_sql.Rows) -> dict[str, list[str]]:
    """For each person, the owners of accounts linked to them, in order."""
    found: dict[str, list[str]] = defaultdict(list)
    for relative, owner in rows:
        found[relative].append(owner)
    return dict(found)


@dataclass(frozen=True)
class Debit:
    """Money a settlement takes from one account (written by `debit_statements`)."""

    owner_id: str
    amount_fen: int
    settlement_id: str
    for_person_id: str


def plan_payment(
    person_id: str, state: AccountState, amount_fen: int, settlement_id: str
) -> tuple[list[AccountPayment], list[Debit]]:
    """A settlement's account payment: own account first, then linked accounts in order."""
    payments: list[AccountPayment] = []
    debits: list[Debit] = []
    left = amount_fen
    sources = ([(person_id, state.own)] if state.own is not None else []) + state.linked
    for owner, balance in sources:
        take = min(left, balance)
        if take <= 0:
            continue
        left -= take
        payments.append(AccountPayment(account=owner, own=owner == person_id, amount=format_yuan(take)))
        debits.append(Debit(owner, take, settlement_id, person_id))
    assert left == 0, f"the accounts paid {amount_fen - left} of {amount_fen} fen: the engine overspent them"
    return payments, debits


ENTRY_COLUMNS = ("person_id", "kind", "amount_fen", "settlement_id", "for_person_id", "recorded_at")


def debit_statements(debits: Sequence[Debit], at: object) -> list[driver_sql.Statement]:
    """Lower the balances (their check refuses a negative one) and append the payment entries.

    The batch's accounts are disjoint (recording settles a shared account once per batch).
    """
    if not debits:
        return []
    lower = driver_sql.each(
        "UPDATE accounts SET balance_fen = balance_fen - %s WHERE person_id = %s",
        [(d.amount_fen, d.owner_id) for d in debits],
    )
    rows = [(d.owner_id, "payment", -d.amount_fen, d.settlement_id, d.for_person_id, at) for d in debits]
    return [lower, *driver_sql.insert("account_entries", ENTRY_COLUMNS, rows)]


def debited_accounts(session: Session, settlement_id: str) -> list[str]:
    """The accounts a settlement took money from."""
    rows = session.scalars(
        select(AccountEntryRow.person_id).where(
            AccountEntryRow.settlement_id == settlement_id, AccountEntryRow.kind == "payment"
        )
    ).all()
    return sorted(set(rows))


def refund(session: Session, settlement_id: str) -> None:
    """Give back what a settlement took from each account (compensating entries)."""
    taken = session.execute(
        select(AccountEntryRow.person_id, AccountEntryRow.amount_fen, AccountEntryRow.for_person_id).where(
            AccountEntryRow.settlement_id == settlement_id, AccountEntryRow.kind == "payment"
        )
    ).all()
    for owner, amount_fen, for_person in taken:
        session.add(
            AccountEntryRow(
                person_id=owner,
                kind="refund",
                amount_fen=-amount_fen,
                settlement_id=settlement_id,
                for_person_id=for_person,
                recorded_at=now(),
            )
        )
        session.execute(
            update(AccountRow)
            .where(AccountRow.person_id == owner)
            .values(balance_fen=AccountRow.balance_fen - amount_fen)
        )


def payments_of(session: Session, settlement_id: str, person_id: str) -> list[AccountPayment]:
    """The account payments of a recorded settlement, in the order they were taken."""
    rows = session.execute(
        select(AccountEntryRow.person_id, AccountEntryRow.amount_fen)
        .where(AccountEntryRow.settlement_id == settlement_id, AccountEntryRow.kind == "payment")
        .order_by(AccountEntryRow.id)
    ).all()
    return [AccountPayment(account=o, own=o == person_id, amount=format_yuan(-a)) for o, a in rows]
