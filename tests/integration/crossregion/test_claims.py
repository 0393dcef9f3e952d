"""Manual claims: rejection undoes the settlement, recorded settlements are claimed, roles and order hold."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.integration.crossregion.conftest import LIAOCHENG_CLAIM_MATERIALS, post, refused
from tests.integration.service.conftest import Service
from yibao.store.tables import AuditRow, LedgerEntryRow
from yibao.store.verify import verify_ledger

MATERIALS = LIAOCHENG_CLAIM_MATERIALS
# Beijing level 3, not networked; referral: 20000 - 先自付 2000 - 1000 = 17000 × 60 % = 10200.00 (critical 0)
BILL = {
    "id": "bj-1",
    "date": "2024-06-10",
    "kind": "inpatient",
    "institution": {"code": "H11010500001"},
    "split": {"class_a": "20000.00"},
}


def referred(service: Service, serial: int) -> tuple[str, str]:
    person = service.register(serial, "cn-371500.resident", "adult")
    service.cover(person, 2024)
    referral = post(
        service,
        f"/v1/persons/{person}/registrations",
        {"type": "referral", "treatment_region": "110000", "filed_on": "2024-06-01"},
        201,
    )
    return person, referral["id"]


def accumulators(service: Service, person: str) -> dict[str, Any]:
    response = service.client.get(
        f"/v1/persons/{person}/accumulators", params={"year": 2024}, headers=service.auditor
    )
    found: dict[str, Any] = response.json()["accumulators"]
    return found


def test_rejecting_an_adjudicated_claim_reverses_its_settlement_and_gives_the_referral_back(
    directory: Service,
):
    person, referral = referred(directory, 81)
    body = {
        "person_id": person,
        "bill": BILL,
        "discharged_on": "2024-06-10",
        "submitted_on": "2024-06-15",
        "materials": [*MATERIALS, "referral_letter"],
    }
    claim = post(directory, "/v1/claims", body, 201)
    assert claim["state"] == "submitted" and claim["missing"] == []
    twice = refused(directory, "/v1/claims", body, 409)
    assert twice[0] == {
        "field": "bill.id",
        "value": "bj-1",
        "message": f"this bill is claimed already as {claim['id']}; GET /v1/claims/{claim['id']} shows it",
    }
    judged = post(directory, f"/v1/claims/{claim['id']}/adjudication", {})
    assert (judged["reimbursed"], judged["settlement"]["settlement"]["mode"]) == ("10200.00", "manual")
    assert accumulators(directory, person)["cn-371500.resident/cap/fund_annual"] == "10200.00"
    no_reason = refused(directory, f"/v1/claims/{claim['id']}/rejection", {"reasons": []})
    assert no_reason == [
        {
            "field": "reasons",
            "value": None,
            "message": "a rejection needs at least one reason, told to the person",
        }
    ]
    rejected = post(directory, f"/v1/claims/{claim['id']}/rejection", {"reasons": ["发票与费用清单金额不符"]})
    assert (rejected["state"], rejected["reasons"]) == ("rejected", ["发票与费用清单金额不符"])
    assert rejected["events"][-1]["detail"] == {
        "reasons": ["发票与费用清单金额不符"],
        "reversed": judged["settlement_id"],
    }
    assert accumulators(directory, person)["cn-371500.resident/cap/fund_annual"] == "0.00"
    assert verify_ledger(directory.db)[0] == []
    back = directory.client.get(f"/v1/registrations/{referral}", headers=directory.auditor).json()
    assert (back["state"], back["admissions_used"]) == ("effective", 0)
    again = post(directory, "/v1/claims", body, 201)  # a rejected claim no longer blocks the bill
    assert again["state"] == "submitted"


def test_a_recorded_manual_settlement_is_claimed_without_recording_it_again(directory: Service):
    person, _ = referred(directory, 82)
    settled = directory.settle(person, BILL, "bj-settled")
    assert settled["settlement"]["settlement"]["mode"] == "manual"
    body = {
        "person_id": person,
        "settlement_id": settled["id"],
        "discharged_on": "2024-06-10",
        "submitted_on": "2024-06-12",
        "materials": MATERIALS,
    }
    claim = post(directory, "/v1/claims", body, 201)
    assert (claim["state"], claim["missing"], claim["kind"]) == ("incomplete", ["referral_letter"], None)
    post(directory, f"/v1/claims/{claim['id']}/materials", {"materials": ["referral_letter"]})
    with directory.db.read() as session:
        entries = session.scalar(select(func.count()).select_from(LedgerEntryRow))
    judged = post(directory, f"/v1/claims/{claim['id']}/adjudication", {})
    assert (judged["settlement_id"], judged["reimbursed"]) == (settled["id"], "10200.00")
    with directory.db.read() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntryRow)) == entries  # nothing new
    home = directory.register(83, "cn-371500.resident", "adult")
    directory.cover(home, 2024)
    direct = directory.settle(home, {**BILL, "institution": {"code": "H37150200001"}}, "home")
    errors = refused(directory, "/v1/claims", {**body, "person_id": home, "settlement_id": direct["id"]})
    assert (
        errors[0]["message"]
        == "was settled directly at the hospital (mode direct): there is nothing to claim back"
    )
    other = refused(directory, "/v1/claims", {**body, "person_id": home})
    assert other[0]["message"] == f"is a settlement of another person, not {home}"


def test_operators_act_auditors_read_and_steps_keep_their_order(directory: Service):
    person, _ = referred(directory, 84)
    body = {
        "person_id": person,
        "bill": BILL,
        "discharged_on": "2024-06-10",
        "submitted_on": "2024-06-15",
        "materials": MATERIALS,
    }
    assert directory.client.post("/v1/claims", json=body, headers=directory.auditor).status_code == 403
    claim = post(directory, "/v1/claims", body, 201)
    path = f"/v1/claims/{claim['id']}"
    assert refused(directory, f"{path}/approval", {}, 409)[0]["message"].startswith(
        "is incomplete; only a claim that is adjudicated can be approved; materials missing: referral_letter"
    )
    assert refused(directory, f"{path}/payment", {"paid_on": "2024-07-01"}, 409)[0]["message"].startswith(
        "is incomplete;"
    )
    read = directory.client.get(path, headers=directory.auditor)
    assert read.status_code == 200 and read.json()["id"] == claim["id"]
    assert directory.client.post(f"{path}/adjudication", headers=directory.auditor).status_code == 403
    with directory.db.read() as session:
        actions = session.scalars(select(AuditRow.action).where(AuditRow.person_id == person)).all()
    assert actions == ["read claim"]
    before = refused(
        directory, "/v1/claims", {**body, "bill": {**BILL, "id": "bj-2"}, "submitted_on": "2024-06-01"}
    )
    assert before[0] == {
        "field": "submitted_on",
        "value": "2024-06-01",
        "message": "is before discharge on 2024-06-10; claim after discharge",
    }
    unknown = directory.client.get("/v1/claims/clm_00000000000000000000", headers=directory.auditor)
    assert unknown.status_code == 404
    shanghai = directory.register(85, "cn-310000.employee", "active")
    directory.cover(shanghai, 2025)
    no_rules = refused(
        directory,
        "/v1/claims",
        {
            **body,
            "person_id": shanghai,
            "bill": {**BILL, "date": "2025-08-10"},
            "discharged_on": "2025-08-10",
            "submitted_on": "2025-08-11",
        },
    )
    assert no_rules[0]["message"].startswith(
        "the person's scheme cn-310000.employee@2025 gives no manual-claim rules"
    )
