"""What a batch of settlements reads from the store, in as few statements as possible.

One round trip for any batch (driver_sql.py): the account links, the persons locked with
their account balances, the Idempotency-Keys already used, the coverage years with the
products held, and the accumulators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from yibao.documents.bill import Bill, Holding, Person
from yibao.errors import InputError, Problem, YibaoError
from yibao.policy.lookup import PolicySet
from yibao.store import driver_sql
from yibao.store.accounts import LINKED_OWNERS, AccountState, owners_of
from yibao.store.documents import BillBody
from yibao.store.ledger import STARTING, starting_of
from yibao.store.periods import period_of_day
from yibao.store.requests import SettleRequest


@dataclass(frozen=True)
class Locked:
    """A locked person: scheme, category and account balance (None: no account)."""

    scheme: str
    category: str
    balance_fen: int | None


@dataclass(frozen=True)
class Built:
    """A bill ready for the engine, with the person's starting accumulators and accounts."""

    bill: Bill
    start: dict[tuple[str, str], int]
    accounts: AccountState


LOCK = (
    "SELECT persons.id, persons.scheme, persons.category, accounts.balance_fen FROM persons"
    " LEFT OUTER JOIN accounts ON accounts.person_id = persons.id WHERE persons.id IN"
    " (SELECT owners.id FROM persons AS owners WHERE owners.id IN ({})"
    " UNION SELECT owner_id FROM account_links WHERE relative_id IN ({})) ORDER BY persons.id"
)
"""Persons and the owners of accounts linked to them, with balances; locked in id order on PostgreSQL.

One list of ids (a UNION), not `id IN (…) OR id IN (SELECT …)`: PostgreSQL cannot use an
index for that OR and read every person and every account for each settlement.
"""
KNOWN_KEYS = (
    "SELECT idempotency_records.key, idempotency_records.request_sha256, idempotency_records.status_code,"
    " idempotency_records.response, idempotency_records.settlement_id, settlements.document"
    " FROM idempotency_records JOIN settlements ON settlements.id = idempotency_records.settlement_id"
    " WHERE idempotency_records.key IN ({})"
)
COVERAGE = (
    "SELECT coverage_years.person_id, coverage_years.year, coverage_years.contribution_status,"
    " held_products.product_id, held_products.pre_existing FROM coverage_years"
    " LEFT OUTER JOIN held_products ON held_products.person_id = coverage_years.person_id"
    " AND held_products.year = coverage_years.year WHERE coverage_years.person_id IN ({})"
)


@dataclass(frozen=True)
class Read:
    """What a batch reads in one round trip: links, locked persons, keys used, coverage, accumulators."""

    owners: dict[str, list[str]]
    persons: dict[str, Locked]
    keys: driver_sql.Rows
    coverage: driver_sql.Rows
    accumulators: driver_sql.Rows


def read_batch(session: Session, requests: Sequence[SettleRequest]) -> Read:
    """Lock the persons and the owners of their linked accounts (id order) and read the rest after.

    PostgreSQL runs the statements in order, so the reads after `FOR UPDATE` see what the
    previous holder of the locks committed; on SQLite `BEGIN IMMEDIATE` holds the lock already.
    A link made between the first two statements is used from the next bill on.
    """
    ids = sorted({r.person_id for r in requests})
    sqlite = session.connection().dialect.name == "sqlite"
    links, locked, keys, coverage, sums = driver_sql.run(
        session,
        [
            driver_sql.query(LINKED_OWNERS, [ids]),
            driver_sql.query(LOCK if sqlite else f"{LOCK} FOR UPDATE OF persons", [ids, ids]),
            driver_sql.query(KNOWN_KEYS, [[r.idempotency_key for r in requests]]),
            driver_sql.query(COVERAGE, [ids]),
            driver_sql.query(STARTING, [ids]),
        ],
    )
    persons = {pid: Locked(scheme, category, balance) for pid, scheme, category, balance in locked}
    return Read(owners_of(links), persons, keys, coverage, sums)


def load_bills(
    session: Session, policies: PolicySet, requests: list[SettleRequest], read: Read
) -> list[Built | YibaoError]:
    """The bill documents the engine settles: each request's bill and the stored person."""
    locked = read.persons
    years = {r.person_id: coverage_year(policies, locked[r.person_id].scheme, r.bill.date) for r in requests}
    paid: dict[str, bool] = {}
    held: dict[str, list[Holding]] = defaultdict(list)
    for person, year, status, product, pre_existing in read.coverage:
        if years.get(person) != year:
            continue
        paid[person] = status == "paid"
        if product is not None:
            held[person].append(Holding.model_construct(id=product, pre_existing=bool(pre_existing)))
    wanted = [(r.person_id, r.bill.date) for r in requests]
    starts = starting_of(read.accumulators, wanted, driver_sql.Values(session))
    built: list[Built | YibaoError] = []
    for r in requests:
        if r.person_id not in paid:
            built.append(_no_coverage(r, years[r.person_id]))
            continue
        built.append(
            _built(r, locked, read.owners, paid[r.person_id], held[r.person_id], starts[r.person_id])
        )
    return built


def _built(
    request: SettleRequest,
    locked: dict[str, Locked],
    owners: dict[str, list[str]],
    paid: bool,
    held: list[Holding],
    start: dict[tuple[str, str], int],
) -> Built:
    person = locked[request.person_id]
    linked = [(o, locked[o].balance_fen) for o in owners.get(request.person_id, []) if o in locked]
    accounts = AccountState(person.balance_fen, [(o, b) for o, b in linked if b is not None])
    available = accounts.available_fen
    used = next((v for (_, key), v in start.items() if key == f"{person.scheme}/account/used"), 0)
    who = Person.model_construct(
        scheme=person.scheme,
        category=person.category,
        products=sorted(held, key=lambda h: h.id),
        contribution_paid=paid,
        personal_account_balance=None if available is None else available + used,
    )
    fields = {name: getattr(request.bill, name) for name in BillBody.model_fields}
    return Built(Bill.model_construct(**fields, person=who, year_to_date={}), start, accounts)


def coverage_year(policies: PolicySet, scheme_id: str, day: date) -> int:
    """The coverage year of a bill: the year its scheme's accumulation period starts in."""
    return period_of_day(day, policies.get(scheme_id).year_starts).start.year


def _no_coverage(request: SettleRequest, year: int) -> InputError:
    return InputError(
        Problem(
            "bill.date",
            f"{request.person_id} has no coverage year {year}; record it with "
            f"PUT /v1/persons/{request.person_id}/coverage/{year} first",
            request.bill.date.isoformat(),
        )
    )
