"""Recording settlements: stored accumulators, Idempotency-Key replay and conflict, reading, reversal."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.service.bills import FIRST_OUTPATIENT, amounts, inpatient, outpatient
from tests.integration.service.conftest import Service
from yibao.store.tables import IdempotencyRow, LedgerEntryRow, SettlementRow
from yibao.store.verify import verify_ledger


def employee_with_account(service: Service, serial: int, months: int = 1) -> str:
    person = service.register(serial)
    service.cover(person, contribution_base="5000.00")
    for month in range(1, months + 1):
        credited = service.client.post(
            f"/v1/persons/{person}/account/credits",
            json={"month": f"2025-{month:02d}"},
            headers=service.operator,
        )
        assert credited.json()["amount"] == "100.00"  # 2 % of 5,000
    return person


def test_a_settlement_moves_the_stored_accumulators_and_the_next_bill_starts_from_them(service: Service):
    person = employee_with_account(service, 1)
    first = service.settle(person, outpatient(), "key-1")
    assert first["status"] == "recorded"
    assert amounts(first) == {k: FIRST_OUTPATIENT[k] for k in ("basic", "personal_account", "out_of_pocket")}
    assert first["account_payments"] == [{"account": person, "own": True, "amount": "100.00"}]
    assert first["settlement"]["accumulators"] == FIRST_OUTPATIENT["accumulators"]
    # the deductible is used up: 1,000 at level 1 → 70 % = 700.00; the account is empty.
    second = service.settle(person, outpatient("2025-04-01", "level_1", class_a="1000.00"), "key-2")
    assert amounts(second)["basic"] == "700.00"
    assert amounts(second)["out_of_pocket"] == "300.00"
    stored = service.client.get(
        f"/v1/persons/{person}/accumulators", params={"year": 2025}, headers=service.auditor
    )
    assert stored.json() == {
        "person_id": person,
        "year": 2025,
        "accumulators": {
            "cn-371500.employee/account/used": "100.00",
            "cn-371500.employee/cap/outpatient_annual": "988.00",
            "cn-371500.employee/deductible/outpatient": "500.00",
        },
        "periods": {"cn-371500.employee": "2025"},
    }
    assert verify_ledger(service.db)[0] == []


def test_replaying_a_key_returns_the_same_document_and_changes_nothing(service: Service):
    person = employee_with_account(service, 2)
    body = {"person_id": person, "bill": outpatient()}
    headers = {**service.operator, "Idempotency-Key": "same"}
    first = service.client.post("/v1/settlements", json=body, headers=headers)
    again = service.client.post("/v1/settlements", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.text == first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    with service.db.read() as session:
        assert session.scalar(select(func.count()).select_from(SettlementRow)) == 1
        assert session.scalar(select(func.count()).select_from(IdempotencyRow)) == 1
    balance = service.client.get(f"/v1/persons/{person}/account", headers=service.operator).json()["balance"]
    assert balance == "0.00"


def test_the_same_key_with_another_body_is_a_409_naming_the_key(service: Service):
    person = employee_with_account(service, 3)
    service.settle(person, outpatient(), "shared-key")
    other = outpatient(class_a="900.00")
    response = service.client.post(
        "/v1/settlements",
        json={"person_id": person, "bill": other},
        headers={**service.operator, "Idempotency-Key": "shared-key"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["field"] == "header.Idempotency-Key"
    assert error["value"] == "shared-key"
    assert error["message"].startswith("this key was used for another request (settlement stl_")


def test_a_recorded_settlement_is_read_back_as_recorded_and_the_read_is_audited(service: Service):
    person = employee_with_account(service, 4)
    recorded = service.settle(person, outpatient(), "read-me")
    read = service.client.get(f"/v1/settlements/{recorded['id']}", headers=service.auditor)
    assert read.status_code == 200
    assert read.json() == recorded
    audit = service.client.get(f"/v1/persons/{person}/audit", headers=service.auditor).json()
    assert audit[0]["action"] == "read settlement"
    assert audit[0]["role"] == "auditor"


def test_reversal_appends_compensating_entries_restores_accumulators_and_refunds(service: Service):
    person = employee_with_account(service, 5, months=2)
    # inpatient level 3: 10,000 − 800 = 9,200 × 85 % = 7,820.00; the critical plan's 20,000 deductible
    # takes the 2,180 left; the account (200.00) pays 200.00 of it; out of pocket 1,980.00.
    recorded = service.settle(person, inpatient(), "ip-1")
    assert amounts(recorded) == {
        "basic": "7820.00",
        "critical": "0.00",
        "personal_account": "200.00",
        "out_of_pocket": "1980.00",
    }
    before = service.client.get(
        f"/v1/persons/{person}/accumulators", params={"year": 2025}, headers=service.operator
    )
    assert before.json()["accumulators"]["cn-371500.employee/admissions/inpatient"] == 1
    assert before.json()["accumulators"]["cn-371500.employee-critical/deductible/major_illness"] == "2180.00"
    reversed_ = service.client.post(f"/v1/settlements/{recorded['id']}/reversal", headers=service.operator)
    assert reversed_.status_code == 200
    assert reversed_.json()["status"] == "reversed"
    assert reversed_.json()["settlement"] == recorded["settlement"]
    after = service.client.get(
        f"/v1/persons/{person}/accumulators", params={"year": 2025}, headers=service.operator
    )
    assert set(after.json()["accumulators"].values()) <= {0, "0.00"}
    account = service.client.get(f"/v1/persons/{person}/account", headers=service.operator).json()
    assert account["balance"] == "200.00"
    assert [e["kind"] for e in account["entries"]] == ["refund", "payment", "credit", "credit"]
    again = service.client.post(f"/v1/settlements/{recorded['id']}/reversal", headers=service.operator)
    assert again.status_code == 409
    assert again.json()["errors"][0]["message"].endswith("a settlement is reversed once")
    with service.db.read() as session:
        kinds = session.execute(
            select(LedgerEntryRow.kind, func.count())
            .group_by(LedgerEntryRow.kind)
            .order_by(LedgerEntryRow.kind)
        ).all()
    assert [(k, n) for k, n in kinds] == [("reversal", 4), ("settlement", 4)]
    # the first admission is undone, so the next one is a first admission again: full deductible.
    redo = service.settle(person, inpatient("2025-06-01"), "ip-2")
    assert amounts(redo)["basic"] == "7820.00"
    assert verify_ledger(service.db)[0] == []


def test_a_second_admission_pays_half_the_deductible(service: Service):
    person = service.register(6)
    service.cover(person)
    service.settle(person, inpatient(), "a1")
    # second admission: 10,000 − 400 = 9,600 × 85 % = 8,160.00
    second = service.settle(person, inpatient("2025-07-01"), "a2")
    assert amounts(second)["basic"] == "8160.00"
    assert second["settlement"]["accumulators"]["cn-371500.employee/admissions/inpatient"] == 2
    assert second["settlement"]["accumulators"]["cn-371500.employee/cap/fund_annual"] == "15980.00"
