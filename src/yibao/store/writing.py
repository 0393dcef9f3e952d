"""Write one settled bill: the settlement, its ledger entries, account payments, the idempotency record."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from yibao.engine.chain import EngineResult
from yibao.engine.periods import period_label
from yibao.policy.lookup import PolicySet
from yibao.settle import chain_editions, settlement_document
from yibao.store import ledger
from yibao.store.accounts import AccountState, pay
from yibao.store.documents import AccountPayment
from yibao.store.periods import period_of_label
from yibao.store.persons import new_id, now
from yibao.store.requests import Recorded, SettleRequest
from yibao.store.tables import IdempotencyRow, SettlementRow

CREATED = 201


def write_settlement(
    session: Session,
    policies: PolicySet,
    request: SettleRequest,
    result: EngineResult,
    row: int,
    start: dict[tuple[str, str], int],
    accounts: AccountState,
) -> Recorded:
    """Record row `row` of an engine run for a request."""
    by_key = {key: value for (_, key), value in start.items()}
    chain = chain_editions(result, row, policies)
    document = settlement_document(result, row, by_key, chain, request.as_known_on, request.lang)
    settlement_id = new_id("stl")
    recorded_at = now()
    session.execute(
        insert(SettlementRow).values(
            id=settlement_id,
            person_id=request.person_id,
            bill_date=request.bill.date,
            total_fen=int(result.total[row]),
            out_of_pocket_fen=int(result.out_of_pocket[row]),
            document=(document_json := document.model_dump_json()),
            status="recorded",
            recorded_at=recorded_at,
        )
    )
    ledger.append(session, request.person_id, settlement_id, "settlement", _changes(result, row, start))
    paid = sum(
        int(p.amount[row]) for p in result.payments if p.payer == "personal_account" and p.applied[row]
    )
    payments = pay(session, request.person_id, accounts, paid, settlement_id) if paid else []
    body = resource_json(
        settlement_id, request.person_id, "recorded", recorded_at, None, payments, document_json
    )
    session.execute(
        insert(IdempotencyRow).values(
            key=request.idempotency_key,
            request_sha256=request.request_sha256,
            settlement_id=settlement_id,
            status_code=CREATED,
            response=body,
            created_at=recorded_at,
        )
    )
    return Recorded(CREATED, body, settlement_id)


def _changes(result: EngineResult, row: int, start: dict[tuple[str, str], int]) -> list[ledger.Change]:
    """How the bill moved each accumulator: its value after the bill minus its value before."""
    person = result.batch.person[row]
    changes = []
    for end in result.ends:
        for k in (end.person == person).nonzero()[0].tolist():
            label = period_label(int(end.period_start[k]), end.year_starts)
            delta = int(end.value[k]) - start.get((label, end.key), 0)
            assert delta >= 0, f"{end.key} went down by a settlement"
            changes.append(ledger.Change(period_of_label(label), end.key, delta))
    return changes


def resource_json(
    settlement_id: str,
    person_id: str,
    status: str,
    recorded_at: datetime,
    reversed_at: datetime | None,
    payments: list[AccountPayment],
    document_json: str,
) -> str:
    """The recorded settlement as JSON, the stored document spliced in as written."""
    head = {
        "id": settlement_id,
        "person_id": person_id,
        "status": status,
        "recorded_at": _iso(recorded_at),
        "reversed_at": _iso(reversed_at) if reversed_at else None,
        "account_payments": [p.model_dump() for p in payments],
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return f'{text[:-1]},"settlement":{document_json}}}'


def _iso(moment: datetime) -> str:
    """A UTC time as the API writes every time (RFC 3339, 'Z')."""
    return moment.isoformat().replace("+00:00", "Z")
