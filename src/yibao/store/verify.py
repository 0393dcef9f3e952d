"""`yibao ledger verify`: recompute every materialised sum from the append-only entries.

Checks that each accumulator equals the sum of its ledger entries, each account balance
the sum of its entries, every recorded settlement has its idempotency record, and a
reversed settlement's entries cancel out while a recorded one has no reversal entries.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from yibao.store.database import Database
from yibao.store.tables import (
    AccountEntryRow,
    AccountRow,
    AccumulatorRow,
    IdempotencyRow,
    LedgerEntryRow,
    SettlementRow,
)


def verify_ledger(db: Database) -> tuple[list[str], dict[str, int]]:
    """(differences as sentences, counts of what was checked)."""
    with db.read() as session:
        sums = {
            (p, period, key): int(total)
            for p, period, key, total in session.execute(
                select(
                    LedgerEntryRow.person_id,
                    LedgerEntryRow.period,
                    LedgerEntryRow.key,
                    func.sum(LedgerEntryRow.delta),
                ).group_by(LedgerEntryRow.person_id, LedgerEntryRow.period, LedgerEntryRow.key)
            )
        }
        stored = {
            (p, period, key): int(value)
            for p, period, key, value in session.execute(
                select(
                    AccumulatorRow.person_id, AccumulatorRow.period, AccumulatorRow.key, AccumulatorRow.value
                )
            )
        }
        entry_sums = dict(
            session.execute(
                select(AccountEntryRow.person_id, func.sum(AccountEntryRow.amount_fen)).group_by(
                    AccountEntryRow.person_id
                )
            ).all()
        )
        balances = dict(session.execute(select(AccountRow.person_id, AccountRow.balance_fen)).all())
        settlements = dict(session.execute(select(SettlementRow.id, SettlementRow.status)).all())
        keyed = set(session.scalars(select(IdempotencyRow.settlement_id)))
        per_settlement: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for sid, kind, key, delta in session.execute(
            select(
                LedgerEntryRow.settlement_id, LedgerEntryRow.kind, LedgerEntryRow.key, LedgerEntryRow.delta
            )
        ):
            per_settlement[sid][f"{kind}:{key}"] += int(delta)
    found = []
    for where in sorted(set(sums) | set(stored)):
        if sums.get(where, 0) != stored.get(where, 0):
            person, period, key = where
            found.append(
                f"accumulator {key} of {person} for {period}: stored {stored.get(where, 0)}, "
                f"ledger sums to {sums.get(where, 0)}"
            )
    for person in sorted(set(entry_sums) | set(balances)):
        if int(entry_sums.get(person) or 0) != int(balances.get(person) or 0):
            found.append(
                f"account of {person}: balance {balances.get(person)} fen, "
                f"entries sum to {entry_sums.get(person)} fen"
            )
    for sid, status in sorted(settlements.items()):
        if sid not in keyed:
            found.append(f"settlement {sid} has no idempotency record")
        found.extend(_settlement_entries(sid, status, per_settlement.get(sid, {})))
    counts = {"accumulators": len(stored), "accounts": len(balances), "settlements": len(settlements)}
    return found, counts


def _settlement_entries(sid: str, status: str, totals: dict[str, int]) -> list[str]:
    settled = {k.partition(":")[2]: v for k, v in totals.items() if k.startswith("settlement:")}
    reversed_ = {k.partition(":")[2]: v for k, v in totals.items() if k.startswith("reversal:")}
    if status == "recorded" and reversed_:
        return [f"settlement {sid} is recorded but has reversal entries"]
    if status == "reversed" and any(settled.get(k, 0) + reversed_.get(k, 0) for k in settled | reversed_):
        return [f"settlement {sid} is reversed but its reversal entries do not cancel its entries"]
    return []
