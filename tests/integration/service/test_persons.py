"""Persons and coverage: national IDs checked and masked, schemes and products checked, reads audited."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.integration.service.conftest import Service, national_id
from yibao.store.tables import AuditRow, PersonRow


def test_a_person_is_registered_with_the_national_id_stored_whole_and_shown_masked(service: Service):
    number = national_id(101)
    body = {"name": "王芳", "national_id": number, "scheme": "cn-371500.resident", "category": "adult"}
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.status_code == 201
    person = response.json()
    assert response.headers["Location"] == f"/v1/persons/{person['id']}"
    assert person["national_id"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in response.text
    with service.db.read() as session:
        assert session.scalar(select(PersonRow.national_id).where(PersonRow.id == person["id"])) == number


def test_a_national_id_with_a_wrong_check_digit_is_refused_masked(
    service: Service, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    good = national_id(102)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = {"name": "李四", "national_id": bad, "scheme": "cn-371500.employee", "category": "active"}
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "national_id",
            "value": bad[:4] + "**********" + bad[-4:],
            "message": f"'{bad[:4]}**********{bad[-4:]}' is not a national ID number: its last character does not "
            "match the check digit of the first 17 (GB 11643); look for a mistyped digit",
        }
    ]
    assert bad not in response.text
    assert bad not in caplog.text


def test_a_national_id_too_long_for_the_field_is_masked_in_the_validation_error(service: Service):
    number = "37150219800101123X" * 3
    body = {"name": "李四", "national_id": number, "scheme": "cn-371500.employee", "category": "active"}
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "national_id"
    assert number not in response.text
    assert "3715" + "*" * 46 + "123X" in response.text


def test_registering_the_same_national_id_twice_is_a_409_with_the_number_masked(service: Service):
    number = national_id(103)
    service.register(103)
    body = {"name": "重复", "national_id": number, "scheme": "cn-371500.employee", "category": "active"}
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.status_code == 409
    assert number not in response.text
    assert response.json()["errors"][0]["message"].startswith(
        f"a person with national ID {number[:4]}**********{number[-4:]} is already registered as per_"
    )


def test_an_unknown_scheme_or_category_names_the_field_and_the_choices(service: Service):
    body = {
        "name": "张三",
        "national_id": national_id(104),
        "scheme": "cn-371500.employee",
        "category": "student",
    }
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "category",
            "value": "student",
            "message": "cn-371500.employee has no category 'student'; expected active, retired",
        }
    ]
    body["scheme"] = "cn-371500.liaohuibao"
    response = service.client.post("/v1/persons", json=body, headers=service.operator)
    assert response.json()["errors"][0]["field"] == "scheme"
    assert "basic scheme" in response.json()["errors"][0]["message"]


def test_coverage_years_hold_contribution_status_and_products_that_cover_the_scheme(service: Service):
    person = service.register(105, "cn-371500.resident", "adult")
    data = {"contribution_status": "paid", "products": [{"id": "cn-371500.liaohuibao", "pre_existing": True}]}
    response = service.client.put(f"/v1/persons/{person}/coverage/2024", json=data, headers=service.operator)
    assert response.json() == {
        "year": 2024,
        "contribution_status": "paid",
        "contribution_base": None,
        "products": [{"id": "cn-371500.liaohuibao", "pre_existing": True}],
    }
    wrong = {"contribution_status": "paid", "products": [{"id": "cn-310000.huhuibao"}]}
    refused = service.client.put(f"/v1/persons/{person}/coverage/2024", json=wrong, headers=service.operator)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "products[0].id",
            "value": "cn-310000.huhuibao",
            "message": "this product does not cover the person's scheme cn-371500.resident",
        }
    ]
    shown = service.client.get(f"/v1/persons/{person}", headers=service.auditor).json()
    assert [c["year"] for c in shown["coverage"]] == [2024]


def test_a_person_is_found_by_national_id_in_the_body_and_every_read_is_audited(service: Service):
    person = service.register(106)
    found = service.client.post(
        "/v1/persons/lookup", json={"national_id": national_id(106)}, headers=service.auditor
    )
    assert found.json()["id"] == person
    service.client.get(f"/v1/persons/{person}", headers=service.operator)
    service.client.get(f"/v1/persons/{person}/accumulators", params={"year": 2025}, headers=service.auditor)
    with service.db.read() as session:
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.person_id == person).order_by(AuditRow.id)
        )
        assert list(actions) == ["lookup person", "read person", "read accumulators"]
    log = service.client.get(f"/v1/persons/{person}/audit", headers=service.auditor).json()
    assert [entry["action"] for entry in log] == ["read accumulators", "read person", "lookup person"]
    denied = service.client.get(f"/v1/persons/{person}/audit", headers=service.operator)
    assert denied.status_code == 403
