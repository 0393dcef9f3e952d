"""Personal accounts: credits by the scheme's rule, family sharing in order, refunds on reversal."""

from __future__ import annotations

from tests.integration.service.bills import amounts, outpatient
from tests.integration.service.conftest import Service


def credit(service: Service, person: str, month: str):
    return service.client.post(
        f"/v1/persons/{person}/account/credits", json={"month": month}, headers=service.operator
    )


def test_active_employees_get_2_percent_of_the_base_and_retirees_a_fixed_100(service: Service):
    active = service.register(201)
    service.cover(active, contribution_base="6000.00")
    retired = service.register(202, category="retired")
    service.cover(retired)
    assert credit(service, active, "2025-01").json()["amount"] == "120.00"  # 6,000 × 2 %
    assert credit(service, retired, "2025-01").json()["amount"] == "100.00"
    assert credit(service, retired, "2025-02").json()["amount"] == "100.00"
    account = service.client.get(f"/v1/persons/{retired}/account", headers=service.auditor).json()
    assert account["balance"] == "200.00"
    assert [(e["kind"], e["month"]) for e in account["entries"]] == [
        ("credit", "2025-02"),
        ("credit", "2025-01"),
    ]


def test_a_month_is_credited_once(service: Service):
    person = service.register(203, category="retired")
    service.cover(person)
    credit(service, person, "2025-03")
    again = credit(service, person, "2025-03")
    assert again.status_code == 409
    assert (
        again.json()["errors"][0]["message"]
        == f"2025-03 is already credited to {person}; a month is credited once"
    )


def test_an_active_employee_without_a_contribution_base_is_told_where_to_give_it(service: Service):
    person = service.register(204)
    service.cover(person)
    response = credit(service, person, "2025-01")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "contribution_base",
        "value": None,
        "message": "category 'active' is credited a share of the contribution base, and coverage year 2025 has "
        f"none; give contribution_base in PUT /v1/persons/{person}/coverage/2025",
    }


def test_a_resident_has_no_account_to_credit(service: Service):
    person = service.register(205, "cn-371500.resident", "adult")
    service.cover(person)
    response = credit(service, person, "2025-01")
    assert response.status_code == 422
    assert "has no personal account" in response.json()["errors"][0]["message"]


def test_family_sharing_pays_from_the_own_account_first_then_linked_accounts_in_order(service: Service):
    relative = service.register(206, category="retired")
    service.cover(relative)
    first, second = service.register(207), service.register(208)
    for owner in (first, second):
        service.cover(owner, contribution_base="5000.00")
        credit(service, owner, "2025-01")  # 100.00 each
        linked = service.client.post(
            f"/v1/persons/{owner}/account/links", json={"relative_id": relative}, headers=service.operator
        )
        assert linked.status_code == 201
        assert linked.json()["pays_for"] == [relative]
    credit(service, relative, "2025-01")  # own: 100.00
    shown = service.client.get(f"/v1/persons/{relative}/account", headers=service.operator).json()
    assert shown["paid_by"] == [first, second]
    # retired, level 1: 1,000 − 300 deductible = 700 × 75 % = 525.00; 475.00 left for the accounts,
    # which hold 100 + 100 + 100: own 100.00, then the first link 100.00, then the second 100.00.
    recorded = service.settle(relative, outpatient(level="level_1", class_a="1000.00"), "family-1")
    assert amounts(recorded) == {"basic": "525.00", "personal_account": "300.00", "out_of_pocket": "175.00"}
    assert recorded["account_payments"] == [
        {"account": relative, "own": True, "amount": "100.00"},
        {"account": first, "own": False, "amount": "100.00"},
        {"account": second, "own": False, "amount": "100.00"},
    ]
    balances = [
        service.client.get(f"/v1/persons/{p}/account", headers=service.operator).json()["balance"]
        for p in (relative, first, second)
    ]
    assert balances == ["0.00", "0.00", "0.00"]
    service.client.post(f"/v1/settlements/{recorded['id']}/reversal", headers=service.operator)
    balances = [
        service.client.get(f"/v1/persons/{p}/account", headers=service.operator).json()["balance"]
        for p in (relative, first, second)
    ]
    assert balances == ["100.00", "100.00", "100.00"]


def test_a_link_to_a_person_whose_scheme_has_no_account_rule_is_refused(service: Service):
    owner = service.register(209)
    resident = service.register(210, "cn-371500.resident", "adult")
    response = service.client.post(
        f"/v1/persons/{owner}/account/links", json={"relative_id": resident}, headers=service.operator
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].startswith(
        f"{resident}'s scheme cn-371500.resident has no [personal_account] rule"
    )
