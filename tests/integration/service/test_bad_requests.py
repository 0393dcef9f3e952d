"""Bad requests get the right 4xx problem document and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.service.bills import outpatient
from tests.integration.service.conftest import Service
from yibao.store.tables import (
    AccountEntryRow,
    AccumulatorRow,
    AuditRow,
    IdempotencyRow,
    LedgerEntryRow,
    SettlementRow,
)

WRITTEN = (SettlementRow, LedgerEntryRow, AccumulatorRow, IdempotencyRow, AccountEntryRow, AuditRow)


def counts(service: Service) -> dict[str, int]:
    with service.db.read() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0 for t in WRITTEN}


@pytest.fixture
def person(service: Service) -> str:
    person = service.register(301)
    service.cover(person, contribution_base="5000.00")
    return person


def post(service: Service, body: Any, key: str | None = "k", auth: dict[str, str] | None = None):
    headers = dict(service.operator if auth is None else auth)
    if key is not None:
        headers["Idempotency-Key"] = key
    return service.client.post("/v1/settlements", json=body, headers=headers)


CASES: dict[str, tuple[Callable[[Service, str], Any], int, str, str]] = {
    "a number where an amount string belongs": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient(class_a=12.5)}),  # type: ignore[arg-type]
        422,
        "bill.split.class_a",
        "12.5 is a float; write yuan as a string with at most 2 decimals (e.g. '12.35')",
    ),
    "an amount of more than ten billion yuan": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient(class_a="625174979530401042590")}),
        422,
        "bill.split.class_a",
        "'625174979530401042590' is too large; amounts are at most 10000000000 yuan",
    ),
    "a person id that is not one": (
        lambda s, _: post(s, {"person_id": "per_\u0000", "bill": outpatient()}),
        422,
        "person_id",
        "String should match pattern '^[a-z]{3}_[0-9a-f]{20}$' (got 'per_\\x00')",
    ),
    "an unknown person": (
        lambda s, _: post(s, {"person_id": "per_00000000000000000000", "bill": outpatient()}),
        404,
        "person_id",
        "no such person; register them with POST /v1/persons first",
    ),
    "a bill in a year without coverage": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient("2026-01-05")}),
        422,
        "bill.date",
        "{p} has no coverage year 2026; record it with PUT /v1/persons/{p}/coverage/2026 first",
    ),
    "a hospital level the scheme does not know": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient(level="level_9")}),
        422,
        "bill.institution.level",
        "unknown hospital level 'level_9' for cn-371500.employee@2025; expected level_1, level_2 or level_3",
    ),
    "no Idempotency-Key": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient()}, key=None),
        400,
        "header.Idempotency-Key",
        "required; send a new unique key per bill (e.g. a UUID) so a retried bill is recorded once",
    ),
    "no API key": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient()}, auth={}),
        401,
        "header.Authorization",
        "no API key; send 'Authorization: Bearer yb_…' with a key from `yibao keys create`",
    ),
    "a wrong API key": (
        lambda s, p: post(
            s, {"person_id": p, "bill": outpatient()}, auth={"Authorization": "Bearer yb_0_nope"}
        ),
        401,
        "header.Authorization",
        "unknown or revoked API key; ask the operator for a key from `yibao keys create`",
    ),
    "an auditor settling": (
        lambda s, p: post(s, {"person_id": p, "bill": outpatient()}, auth=s.auditor),
        403,
        "header.Authorization",
        "a key with role 'auditor' may only read; this needs 'operator'",
    ),
    "reversing an unknown settlement": (
        lambda s, _: s.client.post("/v1/settlements/stl_00000000000000000000/reversal", headers=s.operator),
        404,
        "settlement_id",
        "no settlement with this id is recorded; check the id POST returned",
    ),
    "reading an unknown person": (
        lambda s, _: s.client.get("/v1/persons/per_00000000000000000000", headers=s.auditor),
        404,
        "person_id",
        "no such person; register them with POST /v1/persons first",
    ),
    "accumulators without a year": (
        lambda s, p: s.client.get(f"/v1/persons/{p}/accumulators", headers=s.auditor),
        422,
        "query.year",
        "required field is missing",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_request_is_the_right_problem_and_writes_nothing(service: Service, person: str, case: str):
    call, status, field, message = CASES[case]
    before = counts(service)
    response = call(service, person)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["message"] == message.replace("{p}", person)
    assert counts(service) == before
