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
from datetime import date

from sqlalchemy.exc import IntegrityError, OperationalError

from yibao.engine.book import StartState
from yibao.engine.chain import EngineResult, settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.errors import ConflictError, InputError, NotFoundError, Problem, YibaoError
from yibao.policy.lookup import PolicySet
from yibao.settle import ends_by_person
from yibao.store.database import Database
from yibao.store.loading import Built, Read, load_bills, read_batch
from yibao.store.registration_use import apply_registrations
from yibao.store.requests import Outcome, Recorded, SettleRequest
from yibao.store.writing import Writes, flush, settle_row, splice

ATTEMPTS = 4


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
        except OperationalError:  # a deadlock or serialization failure: try again
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
    requests = list(requests)  # a bill saying no registration may take the person's stored one
    with db.write() as session:
        read = read_batch(session, requests)
        outcomes: dict[int, Outcome] = {}
        now, later = _disjoint(requests, read.owners)
        todo = _answer_known(read, [requests[i] for i in now], outcomes, now)
        todo, uses = apply_registrations(session, policies, requests, todo, read.persons, outcomes)
        bills = load_bills(session, policies, [requests[i] for i in todo], read)
        for i, built in zip(todo, bills, strict=True):
            if isinstance(built, YibaoError):
                outcomes[i] = built
        ready = [(i, b) for i, b in zip(todo, bills, strict=True) if not isinstance(b, YibaoError)]
        by_date: dict[date | None, list[tuple[int, Built]]] = defaultdict(list)
        for i, b in ready:
            by_date[requests[i].as_known_on].append((i, b))
        writes = Writes()
        for as_known_on, group in by_date.items():
            result = _settle(policies, [b for _, b in group], as_known_on)
            ends = ends_by_person(result)
            for row, (i, b) in enumerate(group):
                problems = result.problems.get(row)
                if problems:
                    outcomes[i] = InputError(problems)
                    continue
                recorded = settle_row(policies, requests[i], result, row, b.start, b.accounts, writes, ends)
                outcomes[i] = uses.noted(i, recorded, writes, requests[i])
        flush(session, writes)
        uses.record(session)
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
    read: Read, requests: list[SettleRequest], outcomes: dict[int, Outcome], positions: list[int]
) -> list[int]:
    """Replays, key conflicts and unknown persons are answered here; returns the positions left."""
    persons = read.persons
    known = {
        key: (sha256, status, response, stl, document)
        for key, sha256, status, response, stl, document in read.keys
    }
    todo = []
    for i, r in zip(positions, requests, strict=True):
        found = known.get(r.idempotency_key)
        if found is not None and found[0] == r.request_sha256:
            _, status, response, settlement_id, document = found
            body = splice(response, document)  # the head as first sent, the document as stored
            outcomes[i] = Recorded(status, body, settlement_id, replayed=True)
        elif found is not None:
            outcomes[i] = ConflictError(
                Problem(
                    "header.Idempotency-Key",
                    f"this key was used for another request (settlement {found[3]}); "
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


def _settle(policies: PolicySet, built: list[Built], as_known_on: date | None) -> EngineResult:
    """One engine run over the batch; row j is person code j."""
    batch = batch_from_bills([b.bill for b in built], [f"{j:08d}" for j in range(len(built))])
    values = {(j, label, key): v for j, b in enumerate(built) for (label, key), v in b.start.items()}
    return settle_columns(batch, policies, StartState(values=values), as_known_on, with_trace=True)
