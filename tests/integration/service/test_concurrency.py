"""Many settlements for one person at once, from threads and from processes: never a deductible or
cap used twice; the result equals settling the same bills one by one in the recorded order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from tests.integration.service.bills import inpatient, outpatient
from tests.integration.service.conftest import Service
from tests.integration.service.one_by_one import assert_equals_one_by_one
from tests.integration.service.workers import settle_in_process
from yibao.store.documents import BillBody
from yibao.store.recording import record
from yibao.store.requests import Outcome, Recorded, SettleRequest
from yibao.store.verify import verify_ledger

PERSON = {"scheme": "cn-371500.employee", "category": "active", "personal_account_balance": "300.00"}


def book() -> dict[str, dict[str, Any]]:
    """Twelve bills: the outpatient deductible (500) and limit (2,000), admission ordinals, the
    critical plan's 20,000 deductible and the 300.00 account are all contended for."""
    bills = [
        outpatient("2025-02-01", "level_2"),
        outpatient("2025-02-02", "level_1", class_a="1500.00"),
        outpatient("2025-02-03", "level_3", class_a="3000.00", class_b="400.00"),
        outpatient("2025-02-04", "level_1", class_a="2500.00"),
        outpatient("2025-02-05", "level_2", class_a="600.00"),
        outpatient("2025-02-06", "level_1", class_a="900.00", class_c="50.00"),
        inpatient("2025-03-01", "level_3", "10000.00"),
        inpatient("2025-03-02", "level_2", "30000.00"),
        inpatient("2025-03-03", "level_1", "5000.00"),
        inpatient("2025-03-04", "level_3", "60000.00"),
        inpatient("2025-03-05", "level_2", "8000.00"),
        inpatient("2025-03-06", "level_3", "12000.00"),
    ]
    return {f"bill-{i:02d}": bill for i, bill in enumerate(bills)}


def employee(service: Service, serial: int) -> str:
    person = service.register(serial)
    service.cover(person, contribution_base="5000.00")
    for month in ("2025-01", "2025-02", "2025-03"):
        service.client.post(
            f"/v1/persons/{person}/account/credits", json={"month": month}, headers=service.operator
        )
    return person


def test_threads_settling_one_person_at_once_equal_one_by_one(service: Service):
    person = employee(service, 401)
    bills = book()
    store = service.app.state.store.get()
    requests = [
        SettleRequest(person, BillBody.model_validate(bill), key, f"digest-{key}")
        for key, bill in bills.items()
    ]
    policies = service.app.state.policies

    def alone(request: SettleRequest) -> Outcome:
        return record(service.db, policies, [request])[0]

    with ThreadPoolExecutor(len(requests)) as pool:
        # half through the service's batching recorder, half straight into their own transactions
        futures = [pool.submit(store.settle if i % 2 else alone, r) for i, r in enumerate(requests)]
        outcomes = [f.result() for f in futures]
    assert all(isinstance(o, Recorded) and not o.replayed for o in outcomes), outcomes
    assert assert_equals_one_by_one(service.db, service.app.state.policies, person, PERSON, bills) == 12
    account = service.client.get(f"/v1/persons/{person}/account", headers=service.operator).json()
    assert account["balance"] == "0.00"
    assert verify_ledger(service.db)[0] == []


def test_processes_settling_one_person_at_once_equal_one_by_one(service: Service):
    person = employee(service, 402)
    bills = book()
    items = list(bills.items())
    shares = [items[0::3], items[1::3], items[2::3]]
    with ProcessPoolExecutor(3, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = [f.result() for f in [pool.submit(settle_in_process, service.url, person, s) for s in shares]]
    assert sum(len(d) for d in done) == 12
    assert assert_equals_one_by_one(service.db, service.app.state.policies, person, PERSON, bills) == 12
    assert verify_ledger(service.db)[0] == []


def test_one_shared_account_is_never_spent_twice_by_relatives_settling_at_once(service: Service):
    owner = employee(service, 403)  # 300.00 credited
    relatives = [service.register(404, category="retired"), service.register(405, category="retired")]
    for relative in relatives:
        service.cover(relative)
        linked = service.client.post(
            f"/v1/persons/{owner}/account/links", json={"relative_id": relative}, headers=service.operator
        )
        assert linked.status_code == 201
    store = service.app.state.store.get()
    requests = [
        SettleRequest(
            relative, BillBody.model_validate(outpatient(f"2025-04-{day:02d}", "level_1")), key, key
        )
        for day in range(1, 7)
        for relative in relatives
        for key in [f"{relative}-{day}"]
    ]
    with ThreadPoolExecutor(len(requests)) as pool:
        outcomes = list(pool.map(store.settle, requests))
    assert all(isinstance(o, Recorded) for o in outcomes)
    # each relative's first bill: 1,000 − 300 = 700 × 75 % = 525.00 leaves 475.00 for accounts, so the
    # owner's 300.00 is spent at once, by whichever relative came first; never more than once.
    paid = [
        p
        for o in outcomes
        if isinstance(o, Recorded)
        for p in service.client.get(f"/v1/settlements/{o.settlement_id}", headers=service.operator).json()[
            "account_payments"
        ]
    ]
    assert sum(int(p["amount"].replace(".", "")) for p in paid) == 30000
    assert {p["account"] for p in paid} == {owner}
    account = service.client.get(f"/v1/persons/{owner}/account", headers=service.operator).json()
    assert account["balance"] == "0.00"
    assert verify_ledger(service.db)[0] == []
