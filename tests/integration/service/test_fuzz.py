"""Fuzzing: schemathesis against the published OpenAPI document, hypothesis bills against /v1/estimates."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.service.conftest import Service
from tests.properties.bills import bills
from yibao.api.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
KNOWN: dict[str, list[object]] = {}  # no endpoint is exempt from a check
FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_schemathesis_finds_no_5xx_and_no_response_outside_the_schema(service: Service, live_server: str):
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    person = service.register(701)
    service.cover(person)
    settled = service.settle(person, {**_bill(), "id": "seed"}, "seed-key")
    real = {"person_id": person, "settlement_id": settled["id"]}
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) == len(results), results
    api = [op for op in operations if op.path.startswith("/v1/")]
    assert len(api) >= 14
    for operation in api:
        fuzz(operation, live_server, {**service.operator, "Idempotency-Key": "fuzz"}, real)


def fuzz(operation: Any, base_url: str, headers: dict[str, str], real: dict[str, str]) -> None:
    """A few generated requests against one operation; every response checked against the schema."""
    checks = [c for c in CHECKS if c not in KNOWN.get(operation.path, [])]

    @FUZZ
    @given(case=operation.as_strategy(), aim=st.booleans())
    def run(case: Any, aim: bool) -> None:
        for name, value in real.items():  # half the time, aim at records that exist
            if aim and name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=checks)

    run()


def _bill() -> dict[str, Any]:
    return {
        "date": "2025-03-01",
        "kind": "outpatient",
        "institution": {"region": "371502", "level": "level_1"},
        "split": {"class_a": "100.00"},
    }


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    bill=bills(),
    mutate=st.sampled_from(["none", "drop", "string", "number", "null", "list"]),
    field=st.sampled_from(["date", "kind", "person", "institution", "split", "registration", "year_to_date"]),
)
def test_hypothesis_bills_never_crash_the_estimate_endpoint(bill: dict[str, Any], mutate: str, field: str):
    body = dict(bill)
    if mutate == "drop":
        body.pop(field, None)
    elif mutate != "none":
        body[field] = {"string": "x", "number": 1.5, "null": None, "list": [1]}[mutate]
    response = _client().post("/v1/estimates", json=body)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        doc = response.json()
        paid = sum(_fen(p["amount"]) for p in doc["payments"])
        assert paid + _fen(doc["out_of_pocket"]) == _fen(doc["total"])
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]


def test_an_absurdly_large_amount_is_a_422_not_an_overflow():
    bill = {
        "date": "2025-03-01",
        "kind": "inpatient",
        "person": {"scheme": "cn-371500.resident", "category": "adult"},
        "institution": {"region": "371502", "level": "level_1"},
        "split": {"class_b": "625174979530401042590"},
    }
    response = _client().post("/v1/estimates", json=bill)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "'625174979530401042590' is too large; amounts are at most 10000000000 yuan"
    )


def _fen(amount: str) -> int:
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int(cents)


_CLIENT: list[TestClient] = []


def _client() -> TestClient:
    """One in-process client for the estimate endpoint (no database is opened for estimates)."""
    if not _CLIENT:
        _CLIENT.append(TestClient(create_app()))
    return _CLIENT[0]
