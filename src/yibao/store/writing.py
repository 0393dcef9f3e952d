"""Write settled bills: settlements, ledger entries, account payments, idempotency records.

`Writes` gathers the rows of a whole batch while each bill is turned into its document;
`flush` then writes them with one multi-row statement per table (settlements, the ledger
and accumulators, the account payments, the idempotency records: foreign-key order), all
sent in one round trip.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yibao.engine.chain import EngineResult
from yibao.policy.lookup import PolicySet
from yibao.settle import PersonEnds, chain_editions, settlement_document
from yibao.store import driver_sql, ledger
from yibao.store.accounts import AccountState, Debit, debit_statements, plan_payment
from yibao.store.documents import AccountPayment
from yibao.store.periods import period_of_start
from yibao.store.persons import new_id, now
from yibao.store.requests import Recorded, SettleRequest

CREATED = 201


@dataclass
class Writes:
    """Rows of a batch waiting to be inserted."""

    settlements: list[dict[str, Any]] = field(default_factory=list)
    postings: list[ledger.Posting] = field(default_factory=list)
    debits: list[Debit] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)


def settle_row(
    policies: PolicySet,
    request: SettleRequest,
    result: EngineResult,
    row: int,
    start: dict[tuple[str, str], int],
    accounts: AccountState,
    writes: Writes,
    ends: PersonEnds,
) -> Recorded:
    """The document of row `row` of an engine run, its rows gathered in `writes`, its account paid.

    `ends` is the run's `ends_by_person` (found once for the whole batch).
    """
    by_key = {key: value for (_, key), value in start.items()}
    chain = chain_editions(result, row, policies)
    document = settlement_document(result, row, by_key, chain, request.as_known_on, request.lang, ends)
    settlement_id = new_id("stl")
    recorded_at = now()
    document_json = document.model_dump_json()
    writes.settlements.append(
        {
            "id": settlement_id,
            "person_id": request.person_id,
            "bill_date": request.bill.date,
            "total_fen": int(result.total[row]),
            "out_of_pocket_fen": int(result.out_of_pocket[row]),
            "document": document_json,
            "status": "recorded",
            "recorded_at": recorded_at,
        }
    )
    writes.postings.append(
        ledger.Posting(request.person_id, settlement_id, "settlement", _changes(result, row, start, ends))
    )
    paid = sum(
        int(p.amount[row]) for p in result.payments if p.payer == "personal_account" and p.applied[row]
    )
    payments, debits = plan_payment(request.person_id, accounts, paid, settlement_id) if paid else ([], [])
    writes.debits.extend(debits)
    head = head_json(settlement_id, request.person_id, "recorded", recorded_at, None, payments)
    writes.keys.append(
        {
            "key": request.idempotency_key,
            "request_sha256": request.request_sha256,
            "settlement_id": settlement_id,
            "status_code": CREATED,
            "response": head,
            "created_at": recorded_at,
        }
    )
    return Recorded(CREATED, splice(head, document_json), settlement_id)


SETTLEMENT_COLUMNS = (
    "id",
    "person_id",
    "bill_date",
    "total_fen",
    "out_of_pocket_fen",
    "document",
    "status",
    "recorded_at",
)
KEY_COLUMNS = ("key", "request_sha256", "settlement_id", "status_code", "response", "created_at")


def flush(session: Session, writes: Writes) -> None:
    """Insert everything gathered, in foreign-key order: one statement per table."""
    if not writes.settlements:
        return
    values = driver_sql.Values(session)
    bound = {"bill_date": values.day, "recorded_at": values.moment, "created_at": values.moment}
    at = values.moment(now())
    settlements = [_row(r, SETTLEMENT_COLUMNS, bound) for r in writes.settlements]
    keys = [_row(k, KEY_COLUMNS, bound) for k in writes.keys]
    driver_sql.run(
        session,
        [
            *driver_sql.insert("settlements", SETTLEMENT_COLUMNS, settlements),
            *ledger.statements(writes.postings, values, at),
            *debit_statements(writes.debits, at),
            *driver_sql.insert("idempotency_records", KEY_COLUMNS, keys),
        ],
    )


def _row(
    values: dict[str, Any], columns: Sequence[str], bound: Mapping[str, Callable[[Any], object]]
) -> tuple[object, ...]:
    """A gathered row's values in column order, dates and times as the database takes them."""
    return tuple(bound[c](values[c]) if c in bound else values[c] for c in columns)


def _changes(
    result: EngineResult, row: int, start: dict[tuple[str, str], int], ends: PersonEnds
) -> list[ledger.Change]:
    """How the bill moved each accumulator: its value after the bill minus its value before."""
    changes = []
    for end, k in ends.get(int(result.batch.person[row]), []):
        period = period_of_start(int(end.period_start[k]), end.year_starts)
        delta = int(end.value[k]) - start.get((period.label, end.key), 0)
        assert delta >= 0, f"{end.key} went down by a settlement"
        changes.append(ledger.Change(period, end.key, delta))
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
    head = head_json(settlement_id, person_id, status, recorded_at, reversed_at, payments)
    return splice(head, document_json)


def head_json(
    settlement_id: str,
    person_id: str,
    status: str,
    recorded_at: datetime,
    reversed_at: datetime | None,
    payments: list[AccountPayment],
) -> str:
    """Everything of a recorded settlement but its document (what an idempotency record keeps)."""
    head = {
        "id": settlement_id,
        "person_id": person_id,
        "status": status,
        "recorded_at": _iso(recorded_at),
        "reversed_at": _iso(reversed_at) if reversed_at else None,
        "account_payments": [p.model_dump() for p in payments],
    }
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))


def splice(head: str, document_json: str) -> str:
    """A head and a settlement document as one JSON object (no parsing, no re-encoding)."""
    return f'{head[:-1]},"settlement":{document_json}}}'


def _iso(moment: datetime) -> str:
    """A UTC time as the API writes every time (RFC 3339, 'Z')."""
    return moment.isoformat().replace("+00:00", "Z")
