"""Crash safety: killing a real `yibao serve` process mid-request leaves no partial settlement,
`yibao ledger verify` finds no difference, and what was acknowledged stays recorded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.integration.service.bills import inpatient, outpatient
from tests.integration.service.conftest import national_id
from tests.integration.service.one_by_one import assert_equals_one_by_one
from tests.integration.service.processes import Server, yibao
from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.documents import CoverageIn, PersonIn
from yibao.store.keys import create_key
from yibao.store.persons import create_person, put_coverage
from yibao.store.tables import IdempotencyRow, LedgerEntryRow, SettlementRow

PERSON = {"scheme": "cn-371500.employee", "category": "active"}
AS_BILLED = {**PERSON, "personal_account_balance": "0.00"}  # an employee's account exists, empty


def setup(db: Database, policies: PolicySet, serials: list[int]) -> tuple[dict[str, str], list[str]]:
    _, key = create_key(db, "operator")
    persons = []
    for serial in serials:
        data = PersonIn(name=f"p{serial}", national_id=national_id(serial), **PERSON)
        person = create_person(db, policies, data).id
        put_coverage(db, policies, person, 2025, CoverageIn(contribution_status="paid"))
        persons.append(person)
    return {"Authorization": f"Bearer {key}"}, persons


def bill(i: int) -> dict[str, Any]:
    day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
    if i % 3:
        return outpatient(day, ("level_1", "level_2", "level_3")[i % 3], class_a=f"{300 + 37 * i}.00")
    return inpatient(day, "level_2", f"{4000 + 911 * i}.00")


def post(server: Server, auth: dict[str, str], person: str, key: str, body: dict[str, Any]) -> int:
    try:
        response = httpx.post(
            f"{server.url}/v1/settlements",
            json={"person_id": person, "bill": body},
            headers={**auth, "Idempotency-Key": key},
            timeout=30,
        )
    except httpx.TransportError:
        return 0
    return response.status_code


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (SettlementRow, LedgerEntryRow, IdempotencyRow)
        )


def test_killing_the_server_mid_request_leaves_no_partial_settlement(database_url: str, policies: PolicySet):
    db = Database(database_url)
    auth, persons = setup(db, policies, [501, 502])
    bills = {f"k{i:03d}": bill(i) for i in range(60)}
    owner = {key: persons[i % 2] for i, key in enumerate(bills)}

    # 1. many requests at once, then SIGKILL while they are in flight
    server = Server("--database-url", database_url)
    server.wait_ready()
    acknowledged: list[str] = []
    enough = threading.Event()

    def send(key: str) -> None:
        if post(server, auth, owner[key], key, bills[key]) == 201:
            acknowledged.append(key)
            if len(acknowledged) >= 15:
                enough.set()

    with ThreadPoolExecutor(16) as pool:
        for key in bills:
            pool.submit(send, key)
        assert enough.wait(60), "".join(server.lines)
        server.kill()
    with db.read() as session:
        recorded = set(session.scalars(select(IdempotencyRow.key)))
    assert set(acknowledged) <= recorded, "an acknowledged settlement was lost"
    for person in persons:
        mine = {k: b for k, b in bills.items() if owner[k] == person}
        assert_equals_one_by_one(db, policies, person, AS_BILLED, mine)

    # 2. a transaction held open after every write, then SIGKILL: none of it remains
    before = counts(db)
    held = Server("--database-url", database_url, env={"YIBAO_TEST_HOLD_COMMIT_SECONDS": "60"})
    held.wait_ready()
    pending = next(k for k in bills if k not in recorded)
    sender = threading.Thread(target=post, args=(held, auth, owner[pending], pending, bills[pending]))
    sender.start()
    held.wait_for_line("yibao: holding transaction open")
    held.kill()
    sender.join(timeout=30)
    assert counts(db) == before
    with db.read() as session:
        assert session.scalar(select(IdempotencyRow).where(IdempotencyRow.key == pending)) is None

    verified = yibao("ledger", "verify", "--database-url", database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("ledger OK: checked")

    # 3. after a restart the killed request can be sent again and is recorded once
    again = Server("--database-url", database_url)
    again.wait_ready()
    assert post(again, auth, owner[pending], pending, bills[pending]) == 201
    again.stop()
    assert counts(db)[0] == before[0] + 1
    assert yibao("ledger", "verify", "--database-url", database_url).returncode == 0
    db.dispose()
