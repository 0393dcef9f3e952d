"""The estimate and policy endpoints: documents out, problem documents for bad input."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from yibao.api.app import create_app

EXAMPLE = Path(__file__).parents[3] / "examples" / "liaocheng-resident-inpatient-cross-province.json"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as client:
        yield client


def test_an_estimate_is_the_settlement_document(client):
    bill = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    response = client.post("/v1/estimates", json=bill, params={"lang": "en"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["total"] == "115500.00"
    assert doc["lang"] == "en"
    assert {p["payer"] for p in doc["payments"]} == {"basic", "critical", "supplementary"}


def test_a_bad_bill_is_a_problem_document_naming_each_field(client):
    bill = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    bill["split"]["class_a"] = "1.005"
    bill["institution"]["region"] = "31"
    response = client.post("/v1/estimates", json=bill)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://yibao.example/problems/input"
    assert problem["errors"] == [
        {
            "field": "bill.institution.region",
            "value": "31",
            "message": "'31' is not a six-digit region code (GB/T 2260), e.g. '371500'",
        },
        {
            "field": "bill.split.class_a",
            "value": "1.005",
            "message": "'1.005' has 3 decimal places; amounts are yuan with at most 2 (e.g. '12.35')",
        },
    ]


def test_an_unknown_scheme_is_a_problem_not_a_crash(client):
    bill = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    bill["person"]["scheme"] = "cn-000000.nothing"
    response = client.post("/v1/estimates", json=bill)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "bill.person.scheme",
            "value": "cn-000000.nothing",
            "message": "unknown policy 'cn-000000.nothing'; `yibao policies list` shows them",
        }
    ]


def test_policies_are_listed_and_shown(client):
    listed = client.get("/v1/policies").json()
    assert "cn-371500.liaohuibao@2024" in {row["ref"] for row in listed}
    shown = client.get("/v1/policies/cn-371500.liaohuibao@2024").json()
    assert shown["policy"]["benefits"]["in_catalogue"]["deductible"]["value"] == "16000"
    missing = client.get("/v1/policies/cn-000000.nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
