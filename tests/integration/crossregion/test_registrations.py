"""The registration lifecycle through the API, per type, on SQLite and PostgreSQL; settlements use it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from tests.integration.crossregion.conftest import post, refused
from tests.integration.service.bills import amounts
from tests.integration.service.conftest import Service
from yibao.store.case_events import CLI_CALLER
from yibao.store.crossregion_tables import CaseEventRow
from yibao.store.registrations import expire_due
from yibao.store.tables import AuditRow, SettlementRow

SHANGHAI = {"region": "310104", "level": "level_3"}


def file(service: Service, person: str, status: int = 201, **body: Any) -> dict[str, Any]:
    return post(service, f"/v1/persons/{person}/registrations", {"filed_on": "2024-06-01", **body}, status)


def registered(service: Service, person: str, region: str, day: str) -> str | None:
    """Which stored registration covers the region on the day, per GET …/registrations/check."""
    response = service.client.get(
        f"/v1/persons/{person}/registrations/check",
        params={"region": region, "date": day},
        headers=service.auditor,
    )
    assert response.status_code == 200, response.text
    found = response.json()
    return f"{found['type']} {found['registration']['id']}" if found["registered"] else None


def resident(service: Service, serial: int, year: int = 2024, category: str = "adult") -> str:
    person = service.register(serial, "cn-371500.resident", category)
    service.cover(person, year)
    return person


def test_long_term_counter_review_change_only_after_six_months_then_cancel(service: Service):
    person = service.register(41, "cn-371500.employee", "retired")
    first = file(
        service, person, type="long_term", treatment_region="310000", filed_on="2025-01-06", channel="counter"
    )
    assert (first["state"], first["effective_from"], first["rule"]) == (
        "filed",
        None,
        "cn-371500.employee@2025:registrations.long_term",
    )
    assert registered(service, person, "310104", "2025-01-08") is None  # waiting for the counter's review
    path = f"/v1/registrations/{first['id']}"
    confirmed = post(service, f"{path}/confirmation", {"on": "2025-01-10"})
    assert (confirmed["state"], confirmed["effective_from"], confirmed["effective_to"]) == (
        "effective",
        "2025-01-10",
        None,
    )
    assert registered(service, person, "310104", "2025-01-10") == f"long_term {first['id']}"
    second = refused(
        service,
        f"/v1/persons/{person}/registrations",
        {"type": "long_term", "treatment_region": "320100", "filed_on": "2025-02-01"},
        409,
    )
    assert second[0]["message"] == (
        f"{person} already has a long_term registration {first['id']} for 310000 (effective); change it with "
        f"POST /v1/registrations/{first['id']}/change or cancel it first"
    )
    early = refused(service, f"{path}/change", {"on": "2025-05-01", "treatment_region": "320100"})
    assert early == [
        {
            "field": "on",
            "value": "2025-05-01",
            "message": "a long_term registration may be changed only 6 months after it took effect on 2025-01-10 "
            "(cn-371500.employee@2025:registrations.long_term.change_after_months = 6); the earliest change is "
            "2025-07-10",
        }
    ]
    moved = post(service, f"{path}/change", {"on": "2025-07-10", "treatment_region": "320100"}, 201)
    assert (moved["state"], moved["effective_from"], moved["replaces"]) == (
        "effective",
        "2025-07-10",
        first["id"],
    )
    old = service.client.get(path, headers=service.auditor).json()
    assert (old["state"], old["effective_to"], old["replaced_by"]) == ("changed", "2025-07-09", moved["id"])
    assert registered(service, person, "310104", "2025-07-09") == f"long_term {first['id']}"
    assert registered(service, person, "310104", "2025-07-10") is None
    assert registered(service, person, "320102", "2025-07-10") == f"long_term {moved['id']}"
    cancelled = post(service, f"/v1/registrations/{moved['id']}/cancellation", {"on": "2025-09-01"})
    assert (cancelled["state"], cancelled["effective_to"], cancelled["end_reason"]) == (
        "cancelled",
        "2025-08-31",
        "cancelled on 2025-09-01",
    )
    assert registered(service, person, "320102", "2025-09-01") is None
    again = refused(service, f"/v1/registrations/{moved['id']}/cancellation", {"on": "2025-09-02"}, 409)
    assert (
        again[0]["message"] == "is cancelled; only a registration that is filed or effective can be cancelled"
    )
    with service.db.read() as session:
        actions = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.person_id == person).order_by(CaseEventRow.id)
        ).all()
    assert actions == [
        "file",
        "confirm",
        "change",
        "file",
        "cancel",
    ]  # change: the old one ends, a new one is filed


def test_a_referral_is_used_up_by_one_inpatient_settlement_and_given_back_by_its_reversal(service: Service):
    person = resident(service, 42)
    referral = file(service, person, type="referral", treatment_region="310000")
    outpatient = {
        "date": "2024-06-05",
        "kind": "outpatient",
        "institution": SHANGHAI,
        "split": {"class_a": "300.00"},
    }
    visit = service.settle(person, outpatient, "op")
    # cross-province referral: 先自付 10% of 300 = 30, then 270 x 40% (level 3 outpatient) = 108.00
    assert amounts(visit) == {"basic": "108.00", "out_of_pocket": "192.00"}
    assert visit["registration"]["matched"] == "found"
    inpatient = {
        "date": "2024-06-10",
        "kind": "inpatient",
        "institution": SHANGHAI,
        "split": {"class_a": "20000.00"},
    }
    stay = service.settle(person, inpatient, "ip-1")
    # 20000 - 先自付 2000 = 18000; - 1000 deductible = 17000 x 60% = 10200.00 (critical: 9800 left < 15000)
    assert amounts(stay) == {"basic": "10200.00", "critical": "0.00", "out_of_pocket": "9800.00"}
    used = service.client.get(f"/v1/registrations/{referral['id']}", headers=service.auditor).json()
    assert (used["state"], used["admissions_used"], used["effective_to"]) == ("expired", 1, "2024-06-10")
    assert used["end_reason"] == f"its admission was used by settlement {stay['id']}"
    later = service.settle(person, {**inpatient, "date": "2024-06-20"}, "ip-2")
    assert later["settlement"]["settlement"]["registration"] == "none"  # the referral is spent
    assert amounts(later) == {"basic": "0.00", "critical": "0.00", "out_of_pocket": "20000.00"}
    assert (
        service.client.post(f"/v1/settlements/{stay['id']}/reversal", headers=service.operator).status_code
        == 200
    )
    back = service.client.get(f"/v1/registrations/{referral['id']}", headers=service.auditor).json()
    assert (back["state"], back["admissions_used"], back["effective_to"]) == ("effective", 0, None)


def test_a_filing_the_schemes_rules_forbid_is_refused_with_the_rule(service: Service):
    person = resident(service, 43)
    after = refused(
        service,
        f"/v1/persons/{person}/registrations",
        {
            "type": "referral",
            "treatment_region": "110000",
            "filed_on": "2024-06-20",
            "treatment_started_on": "2024-06-08",
        },
    )
    assert [e["field"] for e in after] == ["treatment_started_on"]
    assert "registrations.referral.file_after_treatment = 'no'" in after[0]["message"]
    at_home = refused(
        service,
        f"/v1/persons/{person}/registrations",
        {"type": "temporary", "treatment_region": "371502", "filed_on": "2024-06-01"},
    )
    assert at_home == [
        {
            "field": "treatment_region",
            "value": "371502",
            "message": "371502 is inside the home pooling region 371500: no registration is needed; do not file one",
        }
    ]
    shanxi = service.register(44, "cn-140000.resident", "adult")
    unknown = refused(
        service,
        f"/v1/persons/{shanxi}/registrations",
        {"type": "referral", "treatment_region": "110000", "filed_on": "2024-06-01"},
    )
    assert (
        unknown[0]["message"]
        == "cn-140000.resident@2024 defines no 'referral' registration; it defines long_term, temporary"
    )
    nanchang = service.register(45, "cn-360100.resident", "adult")
    jiangxi = refused(
        service,
        f"/v1/persons/{nanchang}/registrations",
        {"type": "temporary", "treatment_region": "360402", "filed_on": "2023-06-01"},
    )
    assert [e["field"] for e in jiangxi] == ["type", "treatment_region"]
    assert jiangxi[1]["message"].endswith(
        "says in-province treatment needs no registration (省内无异地); do not file one"
    )
    bad = refused(
        service,
        f"/v1/persons/{person}/registrations",
        {"type": "holiday", "treatment_region": "31", "filed_on": "2024-02-30"},
    )
    assert {e["field"] for e in bad} == {"type", "treatment_region", "filed_on"}


def test_an_emergency_filed_after_treatment_reaches_back_to_the_day_treatment_began(service: Service):
    person = resident(service, 46)
    emergency = file(
        service,
        person,
        type="emergency",
        treatment_region="110000",
        filed_on="2024-06-20",
        treatment_started_on="2024-06-08",
    )
    assert (emergency["state"], emergency["effective_from"]) == ("effective", "2024-06-08")
    assert registered(service, person, "110105", "2024-06-08") == f"emergency {emergency['id']}"
    assert registered(service, person, "110105", "2024-06-07") is None
    far = refused(service, f"/v1/registrations/{emergency['id']}/cancellation", {"on": "9999-12-30"})
    assert (far[0]["field"], far[0]["message"]) == (
        "on",
        "9999-12-30 is outside 1990-01-01 to 2099-12-31; check the year",
    )


def test_temporary_and_shanxi_long_term_registrations_expire_when_their_term_runs_out(service: Service):
    person = resident(service, 47)
    temporary = file(service, person, type="temporary", treatment_region="310000", filed_on="2024-03-15")
    assert temporary["effective_to"] == "2024-09-14"
    assert registered(service, person, "310104", "2024-09-14") == f"temporary {temporary['id']}"
    assert registered(service, person, "310104", "2024-09-15") is None
    shanxi = service.register(48, "cn-140000.resident", "adult")
    long_term = file(service, shanxi, type="long_term", treatment_region="110000", filed_on="2024-01-15")
    assert long_term["effective_to"] == "2025-01-14"  # one year (seed 004)
    assert expire_due(service.db, date(2024, 9, 15), CLI_CALLER) == [temporary["id"]]
    expired = service.client.get(f"/v1/registrations/{temporary['id']}", headers=service.auditor).json()
    assert (expired["state"], expired["ended_on"], expired["end_reason"]) == (
        "expired",
        "2024-09-15",
        "lasted until 2024-09-14",
    )
    assert expire_due(service.db, date(2025, 1, 15), CLI_CALLER) == [long_term["id"]]
    renewed = file(service, person, type="temporary", treatment_region="310000", filed_on="2024-10-01")
    assert renewed["state"] == "effective"  # the expired one no longer stands in the way


def test_a_bill_naming_a_registration_the_store_lacks_is_refused_and_nothing_is_written(service: Service):
    person = resident(service, 49)
    bill = {
        "date": "2024-06-10",
        "kind": "inpatient",
        "institution": SHANGHAI,
        "split": {"class_a": "20000.00"},
    }
    body = {"person_id": person, "bill": {**bill, "registration": "referral"}}
    response = service.client.post(
        "/v1/settlements", json=body, headers={**service.operator, "Idempotency-Key": "r1"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "bill.registration",
            "value": "referral",
            "message": f"{person} has no stored referral registration covering 310104 on 2024-06-10; file it with "
            f"POST /v1/persons/{person}/registrations first (where the scheme allows, emergencies may be filed "
            "afterwards), or send 'none' to settle as unregistered",
        }
    ]
    temporary = file(service, person, type="temporary", treatment_region="310000")
    response = service.client.post(
        "/v1/settlements", json=body, headers={**service.operator, "Idempotency-Key": "r2"}
    )
    assert response.json()["errors"][0]["message"].endswith(
        f"the store has the temporary registration {temporary['id']}: send 'none' (or 'temporary') to settle with it"
    )
    with service.db.read() as session:
        assert session.scalar(select(func.count()).select_from(SettlementRow)) == 0
    named = service.settle(person, {**bill, "registration": "temporary"}, "r3")
    assert named["registration"]["matched"] == "confirmed"
    read = service.client.get(f"/v1/settlements/{named['id']}", headers=service.auditor).json()
    assert read["registration"] == named["registration"]


def test_auditors_read_registrations_and_the_reads_are_audited_but_only_operators_file(service: Service):
    person = resident(service, 50)
    denied = service.client.post(
        f"/v1/persons/{person}/registrations",
        json={"type": "temporary", "treatment_region": "310000", "filed_on": "2024-06-01"},
        headers=service.auditor,
    )
    assert denied.status_code == 403
    listed = service.client.get(f"/v1/persons/{person}/registrations", headers=service.auditor)
    assert (listed.status_code, listed.json()) == (200, [])
    with service.db.read() as session:
        actions = session.scalars(select(AuditRow.action).where(AuditRow.person_id == person)).all()
    assert actions == ["read registrations"]
