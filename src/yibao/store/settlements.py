"""Read and reverse recorded settlements.

A reversal appends the opposite of every ledger entry the settlement made, moves the
accumulators back by them and refunds the accounts it took money from; the settlement
is marked reversed. A settlement is reversed once (a second reversal is a 409). Later
settlements of the same period are not re-settled: they stand as recorded.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.errors import ConflictError, NotFoundError, Problem
from yibao.store import ledger
from yibao.store.accounts import debited_accounts, payments_of, refund
from yibao.store.database import Database
from yibao.store.persons import aware, lock_persons, now
from yibao.store.tables import SettlementRow
from yibao.store.writing import resource_json


def settlement_row(session: Session, settlement_id: str) -> SettlementRow:
    """A recorded settlement by id; 404 when unknown."""
    row = session.scalar(select(SettlementRow).where(SettlementRow.id == settlement_id))
    if row is None:
        raise NotFoundError(
            Problem(
                "settlement_id",
                "no settlement with this id is recorded; check the id POST returned",
                settlement_id,
            )
        )
    return row


def settlement_json(session: Session, row: SettlementRow) -> str:
    """The recorded settlement as the API returns it (current status)."""
    return resource_json(
        row.id,
        row.person_id,
        row.status,
        aware(row.recorded_at),
        aware(row.reversed_at) if row.reversed_at else None,
        payments_of(session, row.id, row.person_id),
        row.document,
    )


def reverse(db: Database, settlement_id: str) -> str:
    """Reverse a settlement with compensating entries; returns the settlement, now reversed."""
    with db.write() as session:
        row = settlement_row(session, settlement_id)
        lock_persons(session, [row.person_id, *debited_accounts(session, settlement_id)])
        session.refresh(row)
        if row.status == "reversed":
            raise ConflictError(
                Problem(
                    "settlement_id",
                    f"already reversed at {aware(row.reversed_at).isoformat() if row.reversed_at else '?'}; "
                    "a settlement is reversed once",
                    settlement_id,
                )
            )
        changes = [
            ledger.Change(c.period, c.key, -c.delta) for c in ledger.entries_of(session, settlement_id)
        ]
        ledger.append(session, [ledger.Posting(row.person_id, settlement_id, "reversal", changes)])
        refund(session, settlement_id)
        row.status = "reversed"
        row.reversed_at = now()
        session.flush()
        return settlement_json(session, row)
