"""Settle a person's recorded bills again one by one, in the order they were recorded, and compare.

The reference is the engine's single-bill path with the accumulators carried from each
bill to the next (the account's balance given as the total credited, its use carried in
`account/used`), exactly what a careful clerk would do with `yibao settle` in order.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from yibao.documents.accumulators import format_value
from yibao.documents.bill import Bill
from yibao.engine.book import StartState
from yibao.engine.chain import settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.tables import AccumulatorRow, IdempotencyRow, SettlementRow


def recorded_in_order(db: Database, person_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(Idempotency-Key, settlement document) of a person's settlements, in recording order."""
    with db.read() as session:
        rows = session.execute(
            select(IdempotencyRow.key, SettlementRow.document)
            .join(IdempotencyRow, IdempotencyRow.settlement_id == SettlementRow.id)
            .where(SettlementRow.person_id == person_id, SettlementRow.status == "recorded")
            .order_by(SettlementRow.seq)
        ).all()
    return [(key, json.loads(doc)) for key, doc in rows]


def stored_accumulators(db: Database, person_id: str) -> dict[str, str | int]:
    with db.read() as session:
        rows = session.execute(
            select(AccumulatorRow.key, AccumulatorRow.value).where(AccumulatorRow.person_id == person_id)
        ).all()
    return {key: format_value(key, value) for key, value in rows}


def assert_equals_one_by_one(
    db: Database,
    policies: PolicySet,
    person_id: str,
    person: dict[str, Any],
    bills: dict[str, dict[str, Any]],
) -> int:
    """Every recorded settlement equals the one-by-one result; returns how many were compared."""
    carried: dict[str, int] = {}
    recorded = recorded_in_order(db, person_id)
    for key, document in recorded:
        bill = Bill.model_validate({**bills[key], "person": person})
        result = settle_columns(batch_from_bills([bill]), policies, StartState(by_key=dict(carried)))
        assert not result.problems, result.problems
        expected = {(p.payer, p.benefit): format_yuan(p.amount[0]) for p in result.payments if p.applied[0]}
        got = {(line["payer"], line["benefit"]): line["amount"] for line in document["payments"]}
        assert got == expected, f"bill {key}: recorded {got}, one by one {expected}"
        for end in result.ends:
            carried[end.key] = int(end.value[0])
        assert document["out_of_pocket"] == format_yuan(result.out_of_pocket[0]), key
    expected_final = {k: format_value(k, v) for k, v in carried.items() if v}
    stored = {k: v for k, v in stored_accumulators(db, person_id).items() if v not in (0, "0.00")}
    assert stored == expected_final
    return len(recorded)
