"""The seed articles' cross-region situations through the service: amounts, settlement mode, guidance, claims.

Liaocheng residents 2024 (numbers assumed in the pack): inpatient deductible 1,000 at level 3,
60 %; 乙类先行自付 10 %; cross-province temporary trips (referral, emergency, temporary)
first pay 10 % (seed 001); unregistered cross-province care is not paid. The critical plan
pays 60 % of the in-policy burden left above 15,000 a year.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.integration.crossregion.conftest import LIAOCHENG_CLAIM_MATERIALS, post, refused
from tests.integration.service.bills import amounts
from tests.integration.service.conftest import Service
from yibao.store.verify import verify_ledger

SPLIT = {"class_a": "60000.00", "class_b": "40000.00", "class_c": "15000.00"}
BASE_MATERIALS = LIAOCHENG_CLAIM_MATERIALS
# in_policy 60000 + 40000 - 4000 (乙类 10 %) = 96000; 先自付 9600 → 86400 - 1000 = 85400 × 60 % = 51240.00;
# critical: 96000 - 51240 = 44760 left - 15000 = 29760 × 60 % = 17856.00; out of pocket 115000 - 69096 = 45904.00
REGISTERED = {"basic": "51240.00", "critical": "17856.00", "out_of_pocket": "45904.00"}


def resident(service: Service, serial: int, category: str = "adult") -> str:
    person = service.register(serial, "cn-371500.resident", category)
    service.cover(person, 2024)
    return person


def inpatient(code: str, day: str = "2024-06-10", **more: Any) -> dict[str, Any]:
    return {
        "id": f"ip-{code}-{day}",
        "date": day,
        "kind": "inpatient",
        "institution": {"code": code},
        "split": SPLIT,
        **more,
    }


def mode(recorded: dict[str, Any]) -> tuple[str, str, str]:
    shown = recorded["settlement"]["settlement"]
    return shown["registration"], shown["mode"], shown["reason"]


def test_a_liaocheng_resident_registered_before_going_is_settled_directly_in_shanghai(directory: Service):
    person = resident(directory, 71)
    referral = post(
        directory,
        f"/v1/persons/{person}/registrations",
        {"type": "referral", "treatment_region": "310000", "filed_on": "2024-06-01"},
        201,
    )
    settled = directory.settle(person, inpatient("H31010400001"), "sh-1")  # the bill says no registration
    assert amounts(settled) == REGISTERED
    assert mode(settled) == ("referral", "direct", "registered_networked")
    assert settled["registration"]["id"] == referral["id"] and settled["registration"]["matched"] == "found"
    guidance = settled["settlement"]["guidance"]
    assert [step["phase"] for step in guidance] == ["before", "at_discharge"]
    assert guidance[0]["text"] == "您已办理异地转诊备案（当次住院有效）。"


def test_a_liaocheng_resident_without_registration_pays_everything_and_is_told_how_to_claim(
    directory: Service,
):
    person = resident(directory, 72)
    settled = directory.settle(person, inpatient("H31010400001"), "sh-2")
    assert amounts(settled) == {"basic": "0.00", "critical": "0.00", "out_of_pocket": "115000.00"}
    assert mode(settled) == ("none", "manual", "not_registered")
    assert "registration" not in settled
    claim = settled["settlement"]["guidance"][-1]
    assert (claim["phase"], claim["deadline"]) == (
        "claim",
        "2024-07-10",
    )  # one month after discharge (seed 003)
    assert claim["materials"] == [
        "身份证",
        "医保卡/社保卡或医保电子凭证",
        "医疗费用发票（原件）",
        "费用清单",
        "出院小结或诊断证明",
        "本人银行账户",
    ]


def test_a_shanxi_outpatient_on_a_temporary_trip_loses_ten_points_and_shares_the_annual_limit(
    directory: Service,
):
    away = directory.register(73, "cn-140000.resident", "adult")
    directory.cover(away, 2024)
    visit = {
        "date": "2024-11-11",
        "kind": "outpatient",
        "institution": {"code": "H11010200001"},
        "split": {"class_a": "420.00"},
    }
    first = directory.settle(away, visit, "sx-1")  # no registration: still a temporary trip (seed 004)
    assert amounts(first) == {"basic": "210.00", "out_of_pocket": "210.00"}  # 420 × (60 % − 10 points)
    assert mode(first) == ("none", "manual", "not_registered")
    temporary = post(
        directory,
        f"/v1/persons/{away}/registrations",
        {"type": "temporary", "treatment_region": "110000", "filed_on": "2024-11-12"},
        201,
    )
    second = directory.settle(away, {**visit, "date": "2024-11-12"}, "sx-2")
    assert second["registration"]["id"] == temporary["id"]
    assert amounts(second) == {
        "basic": "90.00",
        "out_of_pocket": "330.00",
    }  # 210 again, but 300 a year: 90 left
    assert mode(second)[:2] == ("temporary", "direct")
    kept = directory.client.get(f"/v1/registrations/{temporary['id']}", headers=directory.auditor).json()
    assert (kept["state"], kept["admissions_used"]) == ("effective", 0)  # an outpatient visit is no admission
    home = directory.register(74, "cn-140000.resident", "adult")
    directory.cover(home, 2024)
    at_home = directory.settle(home, {**visit, "institution": {"code": "H14010500001"}}, "sx-3")
    assert amounts(at_home) == {"basic": "231.00", "out_of_pocket": "189.00"}  # level 2 → 二类: 420 × 55 %


def test_a_long_term_registrant_is_paid_the_same_at_home_and_at_the_registered_place(directory: Service):
    paid = []
    for serial, code in ((75, "H37150200001"), (76, "H31010400001")):
        person = directory.register(serial, "cn-371500.employee", "retired")
        directory.cover(person, 2025)
        post(
            directory,
            f"/v1/persons/{person}/registrations",
            {"type": "long_term", "treatment_region": "310000", "filed_on": "2025-01-10"},
            201,
        )
        bill = {
            "date": "2025-04-02",
            "kind": "inpatient",
            "institution": {"code": code},
            "split": {"class_a": "30000.00"},
        }
        paid.append(directory.settle(person, bill, f"lt-{serial}"))
    home, away = paid
    # retired, level 3: 30000 - 800 = 29200 × 88 % = 25696.00 at home and at the registered place (双向享受待遇)
    same = {"basic": "25696.00", "critical": "0.00", "personal_account": "0.00", "out_of_pocket": "4304.00"}
    assert amounts(home) == amounts(away) == same  # the account is empty: no credits recorded
    assert mode(home) == ("waived", "direct", "local_designated") and "registration" not in home
    assert mode(away) == ("long_term", "direct", "registered_networked")
    assert away["registration"]["type"] == "long_term"


def emergency_case(directory: Service, serial: int, category: str = "adult") -> tuple[str, dict[str, Any]]:
    """Treated 8-10 June 2024 in a Beijing hospital not open for direct settlement; registered on the 20th."""
    person = resident(directory, serial, category)
    filed = post(
        directory,
        f"/v1/persons/{person}/registrations",
        {
            "type": "emergency",
            "treatment_region": "110000",
            "filed_on": "2024-06-20",
            "treatment_started_on": "2024-06-08",
        },
        201,
    )
    return person, filed


def test_an_emergency_registered_afterwards_is_claimed_by_hand_within_the_deadline(directory: Service):
    person, emergency = emergency_case(directory, 77)
    body = {
        "person_id": person,
        "bill": inpatient("H11010500001"),
        "discharged_on": "2024-06-10",
        "submitted_on": "2024-07-05",
        "materials": BASE_MATERIALS,
    }
    claim = post(directory, "/v1/claims", body, 201)
    assert (claim["state"], claim["missing"], claim["deadline"]) == (
        "incomplete",
        ["emergency_proof"],
        "2024-07-10",
    )
    assert (claim["registration"], claim["registration_id"]) == ("emergency", emergency["id"])
    assert claim["deadline_rule"] == "cn-371500.resident@2024:claims.deadline_months"
    assert claim["checklist"][-1] == {
        "material": "emergency_proof",
        "name": "急诊证明",
        "name_en": "emergency certificate",
        "provided": False,
    }
    path = f"/v1/claims/{claim['id']}"
    early = refused(directory, f"{path}/adjudication", {}, 409)
    assert early[0]["message"].endswith(
        "materials missing: emergency_proof (POST /v1/claims/" + claim["id"] + "/materials)"
    )
    assert post(directory, f"{path}/materials", {"materials": ["emergency_proof"]})["state"] == "submitted"
    judged = post(directory, f"{path}/adjudication", {})
    assert (judged["state"], judged["total"], judged["reimbursed"]) == (
        "adjudicated",
        "115000.00",
        "69096.00",
    )
    document = judged["settlement"]
    assert (document["settlement"]["registration"], document["settlement"]["mode"]) == ("emergency", "manual")
    assert {p["payer"]: p["amount"] for p in document["payments"]} == {
        "basic": "51240.00",
        "critical": "17856.00",
    }
    assert refused(directory, f"{path}/adjudication", {}, 409)[0]["message"].startswith("is adjudicated;")
    stored = directory.client.get(
        f"/v1/persons/{person}/accumulators", params={"year": 2024}, headers=directory.auditor
    ).json()
    assert stored["accumulators"]["cn-371500.resident/cap/fund_annual"] == "51240.00"  # moved once
    assert verify_ledger(directory.db)[0] == []
    assert post(directory, f"{path}/approval", {"reasons": ["材料齐全"]})["state"] == "approved"
    paid = post(directory, f"{path}/payment", {"paid_on": "2024-07-20", "reference": "BANK-0001"})
    assert (paid["state"], paid["paid_on"], paid["payment_reference"]) == ("paid", "2024-07-20", "BANK-0001")
    assert [(e["action"], e["from_state"], e["to_state"]) for e in paid["events"]] == [
        ("submit", None, "incomplete"),
        ("materials", "incomplete", "submitted"),
        ("adjudicate", "submitted", "adjudicated"),
        ("approve", "adjudicated", "approved"),
        ("pay", "approved", "paid"),
    ]
    used = directory.client.get(f"/v1/registrations/{emergency['id']}", headers=directory.auditor).json()
    assert used["state"] == "expired"  # its one admission was this claim's bill


def test_a_claim_after_the_deadline_is_refused_but_a_students_emergency_has_six_months(directory: Service):
    person, _ = emergency_case(directory, 78)
    body = {
        "person_id": person,
        "bill": inpatient("H11010500001"),
        "discharged_on": "2024-06-10",
        "submitted_on": "2024-07-11",
    }
    assert refused(directory, "/v1/claims", body) == [
        {
            "field": "submitted_on",
            "value": "2024-07-11",
            "message": "submitted on 2024-07-11, after the deadline 2024-07-10: a claim must reach the home insurance "
            "office within 1 month of discharge on 2024-06-10 (cn-371500.resident@2024:claims.deadline_months); "
            "this claim can no longer be accepted",
        }
    ]
    assert directory.client.get(f"/v1/persons/{person}/claims", headers=directory.auditor).json() == []
    student, _ = emergency_case(directory, 79, "student")
    late_but_allowed = post(
        directory, "/v1/claims", {**body, "person_id": student, "submitted_on": "2024-12-10"}, 201
    )
    assert (late_but_allowed["deadline"], late_but_allowed["deadline_rule"]) == (
        "2024-12-10",
        "cn-371500.resident@2024:claims.exceptions[0]",
    )
    assert date.fromisoformat(late_but_allowed["submitted_on"]) == date(2024, 12, 10)
