"""Record settlements: settle bills against stored accumulators and write everything in ONE transaction.

For a batch of requests (distinct persons, distinct Idempotency-Keys; one request is a
batch of one):

1. lock the persons and the owners of accounts linked to them, in id order
   (PostgreSQL `SELECT … FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already holds the lock);
2. answer keys already used: the same request gets the recorded response again, another
   request with that key is a 409;
3. read each person's coverage year, products, account balances and accumulators;
4. run the engine once over all bills (columns: a batch costs about one bill);
5. write the settlement, its ledger entries, the accumulators, the account payments and
   the idempotency record; commit. A failure anywhere rolls all of it back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yibao.documents.bill import Bill, Holding, Person
from yibao.engine.book import StartState
from yibao.engine.chain import EngineResult, settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.errors import ConflictError, InputError, NotFoundError, Problem, YibaoError
from yibao.policy.lookup import PolicySet
from yibao.store.accounts import AccountState, account_states, linked_owners
from yibao.store.database import Database
from yibao.store.documents import BillBody
from yibao.store.ledger import starting_values
from yibao.store.periods import period_of_day
from yibao.store.persons import lock_persons
from yibao.store.requests import Outcome, Recorded, SettleRequest
from yibao.store.tables import CoverageYearRow, HeldProductRow, IdempotencyRow, PersonRow, SettlementRow
from yibao.store.writing import Writes, flush, settle_row, splice

ATTEMPTS = 4


class _LinksMoved(Exception):
    """A family-sharing link appeared between reading the links and locking: lock again."""


BeforeCommit = Callable[[], None]


def record(
    db: Database,
    policies: PolicySet,
    requests: list[SettleRequest],
    before_commit: BeforeCommit | None = None,
) -> list[Outcome]:
    """Settle and record a batch; retried on deadlock, split up when a key races another process.

    `before_commit` runs inside the transaction after every write (tests use it to kill a
    server mid-transaction).
    """
    assert len({r.person_id for r in requests}) == len(requests), "one request per person in a batch"
    assert len({r.idempotency_key for r in requests}) == len(requests), "one request per key in a batch"
    for attempt in range(ATTEMPTS):
        try:
            outcomes = _record_once(db, policies, requests, before_commit)
            break
        except IntegrityError:
            if len(requests) > 1:
                return [record(db, policies, [r], before_commit)[0] for r in requests]
            if attempt == ATTEMPTS - 1:
                raise
        except (OperationalError, _LinksMoved):
            if attempt == ATTEMPTS - 1:
                raise
    later = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if later:
        for i, outcome in zip(
            later, record(db, policies, [requests[i] for i in later], before_commit), strict=True
        ):
            outcomes[i] = outcome
    return [o for o in outcomes if o is not None]


def _record_once(
    db: Database, policies: PolicySet, requests: list[SettleRequest], before_commit: BeforeCommit | None
) -> list[Outcome | None]:
    """One transaction; requests sharing an account with an earlier one are left (None) for the next."""
    with db.write() as session:
        ids = [r.person_id for r in requests]
        owners = linked_owners(session, ids)
        persons = lock_persons(session, [*ids, *(o for found in owners.values() for o in found)])
        if linked_owners(session, ids) != owners:
            raise _LinksMoved
        outcomes: dict[int, Outcome] = {}
        now, later = _disjoint(requests, owners)
        todo = _answer_known(session, [requests[i] for i in now], persons, outcomes, now)
        bills = _bills(session, policies, [requests[i] for i in todo], persons)
        for i, built in zip(todo, bills, strict=True):
            if isinstance(built, YibaoError):
                outcomes[i] = built
        ready = [(i, b) for i, b in zip(todo, bills, strict=True) if not isinstance(b, YibaoError)]
        by_date: dict[date | None, list[tuple[int, _Built]]] = defaultdict(list)
        for i, b in ready:
            by_date[requests[i].as_known_on].append((i, b))
        writes = Writes()
        for as_known_on, group in by_date.items():
            result = _settle(policies, [b for _, b in group], as_known_on)
            for row, (i, b) in enumerate(group):
                problems = result.problems.get(row)
                if problems:
                    outcomes[i] = InputError(problems)
                    continue
                outcomes[i] = settle_row(
                    session, policies, requests[i], result, row, b.start, b.accounts, writes
                )
        flush(session, writes)
        if before_commit is not None:
            before_commit()
        return [None if i in later else outcomes[i] for i in range(len(requests))]


def _disjoint(requests: list[SettleRequest], owners: dict[str, list[str]]) -> tuple[list[int], set[int]]:
    """Requests whose accounts (own and linked) no earlier request of the batch touches; and the rest."""
    taken: set[str] = set()
    now: list[int] = []
    later: set[int] = set()
    for i, r in enumerate(requests):
        accounts = {r.person_id, *owners.get(r.person_id, [])}
        if accounts & taken:
            later.add(i)
            continue
        taken |= accounts
        now.append(i)
    return now, later


def _answer_known(
    session: Session,
    requests: list[SettleRequest],
    persons: dict[str, PersonRow],
    outcomes: dict[int, Outcome],
    positions: list[int],
) -> list[int]:
    """Replays, key conflicts and unknown persons are answered here; returns the positions left."""
    keys = [r.idempotency_key for r in requests]
    known = {
        row.key: (row, document)
        for row, document in session.execute(
            select(IdempotencyRow, SettlementRow.document)
            .join(SettlementRow, SettlementRow.id == IdempotencyRow.settlement_id)
            .where(IdempotencyRow.key.in_(keys))
        )
    }
    todo = []
    for i, r in zip(positions, requests, strict=True):
        record_, document = known.get(r.idempotency_key, (None, ""))
        if record_ is not None and record_.request_sha256 == r.request_sha256:
            body = splice(record_.response, document)  # the head as first sent, the document as stored
            outcomes[i] = Recorded(record_.status_code, body, record_.settlement_id, replayed=True)
        elif record_ is not None:
            outcomes[i] = ConflictError(
                Problem(
                    "header.Idempotency-Key",
                    f"this key was used for another request (settlement {record_.settlement_id}); "
                    "use a new key for a new bill, or repeat the first request exactly",
                    r.idempotency_key,
                )
            )
        elif r.person_id not in persons:
            outcomes[i] = NotFoundError(
                Problem("person_id", "no such person; register them with POST /v1/persons first", r.person_id)
            )
        else:
            todo.append(i)
    return todo


@dataclass(frozen=True)
class _Built:
    """A bill ready for the engine, with the person's starting accumulators and accounts."""

    bill: Bill
    start: dict[tuple[str, str], int]
    accounts: AccountState


def _bills(
    session: Session, policies: PolicySet, requests: list[SettleRequest], persons: dict[str, PersonRow]
) -> list[_Built | YibaoError]:
    """The bill documents the engine settles: the request's bill and the stored person."""
    years = {
        r.person_id: _coverage_year(policies, persons[r.person_id].scheme, r.bill.date) for r in requests
    }
    coverage = {
        (row.person_id, row.year): row
        for row in session.scalars(
            select(CoverageYearRow).where(CoverageYearRow.person_id.in_(sorted(years)))
        )
        if years[row.person_id] == row.year
    }
    held: dict[str, list[Holding]] = defaultdict(list)
    for h in session.scalars(select(HeldProductRow).where(HeldProductRow.person_id.in_(sorted(years)))):
        if years[h.person_id] == h.year:
            held[h.person_id].append(Holding.model_construct(id=h.product_id, pre_existing=h.pre_existing))
    starts = starting_values(session, [(r.person_id, r.bill.date) for r in requests])
    accounts = account_states(session, [r.person_id for r in requests])
    built: list[_Built | YibaoError] = []
    for r in requests:
        person, year = persons[r.person_id], years[r.person_id]
        cover = coverage.get((r.person_id, year))
        if cover is None:
            built.append(_no_coverage(r, year))
            continue
        start = starts[r.person_id]
        available = accounts[r.person_id].available_fen
        used = next((v for (_, key), v in start.items() if key == f"{person.scheme}/account/used"), 0)
        who = Person.model_construct(
            scheme=person.scheme,
            category=person.category,
            products=sorted(held[r.person_id], key=lambda h: h.id),
            contribution_paid=cover.contribution_status == "paid",
            personal_account_balance=None if available is None else available + used,
        )
        fields = {name: getattr(r.bill, name) for name in BillBody.model_fields}
        built.append(
            _Built(Bill.model_construct(**fields, person=who, year_to_date={}), start, accounts[r.person_id])
        )
    return built


def _coverage_year(policies: PolicySet, scheme_id: str, day: date) -> int:
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


def _settle(policies: PolicySet, built: list[_Built], as_known_on: date | None) -> EngineResult:
    """One engine run over the batch; row j is person code j."""
    batch = batch_from_bills([b.bill for b in built], [f"{j:08d}" for j in range(len(built))])
    values = {(j, label, key): v for j, b in enumerate(built) for (label, key), v in b.start.items()}
    return settle_columns(batch, policies, StartState(values=values), as_known_on, with_trace=True)
