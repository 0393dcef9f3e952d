"""POST /v1/settlements, read by hand, answers every bad request exactly as FastAPI's own parsing does.

The reference is the same endpoint mounted as a plain FastAPI route on an app sharing the
service's store and error handlers; both get the same requests and must return the same
status and the same problem document, and neither writes anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.integration.service.bills import outpatient
from tests.integration.service.conftest import Service, fresh_database, open_service
from yibao.api import auth, problems, service_problems
from yibao.api.routes.settlements import record_settlement
from yibao.store.tables import IdempotencyRow, SettlementRow


@pytest.fixture
def sqlite_service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """The service on a fresh SQLite database (the routes read the body the same on both)."""
    for database_url in fresh_database("sqlite", request, tmp_path):
        yield from open_service(database_url)


@pytest.fixture
def reference(sqlite_service: Service) -> TestClient:
    """The same endpoint as a plain FastAPI route (FastAPI parses), on the same store."""
    app = FastAPI()
    app.state.settings = sqlite_service.app.state.settings
    app.state.policies = sqlite_service.app.state.policies
    app.state.store = sqlite_service.app.state.store
    problems.install(app)
    service_problems.install(app)
    auth.install(app)
    router = APIRouter()
    router.add_api_route("/v1/settlements", record_settlement, methods=["POST"], status_code=201)
    app.include_router(router)
    return TestClient(app)


def _cases(service: Service, person: str) -> dict[str, dict[str, Any]]:
    good = json.dumps({"person_id": person, "bill": outpatient()})
    json_type = {"Content-Type": "application/json"}
    keyed = {**service.operator, "Idempotency-Key": "k-1", **json_type}
    return {
        "not JSON": {"content": b'{"person_id": ', "headers": keyed},
        "JSON without a content type": {
            "content": good.encode(),
            "headers": {**service.operator, "Idempotency-Key": "k"},
        },
        "text/plain": {"content": good.encode(), "headers": {**keyed, "Content-Type": "text/plain"}},
        "a +json content type": {
            "content": b"[1]",
            "headers": {**keyed, "Content-Type": "application/merge-patch+json; charset=utf-8"},
        },
        "not UTF-8": {"content": b'{"a": "\xff"}', "headers": keyed},
        "an empty body": {"content": b"", "headers": keyed},
        "a list": {"content": b"[]", "headers": keyed},
        "no bill": {"content": json.dumps({"person_id": person}).encode(), "headers": keyed},
        "an unknown field": {
            "content": json.dumps({"person_id": person, "bill": outpatient(), "extra": 1}).encode(),
            "headers": keyed,
        },
        "a float amount": {
            "content": json.dumps({"person_id": person, "bill": outpatient(class_a=12.5)}).encode(),  # type: ignore[arg-type]
            "headers": keyed,
        },
        "a bad person id": {
            "content": json.dumps({"person_id": "p1", "bill": outpatient()}).encode(),
            "headers": keyed,
        },
        "an unknown language": {"content": good.encode(), "headers": keyed, "params": {"lang": "fr"}},
        "a bad as_known_on": {"content": good.encode(), "headers": keyed, "params": {"as_known_on": "soon"}},
        "an empty key": {"content": good.encode(), "headers": {**keyed, "Idempotency-Key": ""}},
        "a key too long": {"content": good.encode(), "headers": {**keyed, "Idempotency-Key": "k" * 256}},
        "everything wrong at once": {
            "content": json.dumps({"person_id": "p1", "bill": {}}).encode(),
            "headers": {**keyed, "Idempotency-Key": "k" * 300},
            "params": {"lang": "fr", "as_known_on": "2025-13-01"},
        },
        "no key": {"content": good.encode(), "headers": {**service.operator, **json_type}},
        "no Authorization": {"content": good.encode(), "headers": {"Idempotency-Key": "k", **json_type}},
        "a Basic Authorization": {
            "content": good.encode(),
            "headers": {**keyed, "Authorization": "Basic eDp5"},
        },
        "a bearer without a key": {
            "content": good.encode(),
            "headers": {**keyed, "Authorization": "Bearer "},
        },
        "an unknown key": {"content": good.encode(), "headers": {**keyed, "Authorization": "bearer yb_nope"}},
        "an auditor key": {"content": good.encode(), "headers": {**keyed, **service.auditor}},
        "an auditor key and a bad body": {"content": b"[]", "headers": {**keyed, **service.auditor}},
    }


def test_bad_requests_get_what_fastapi_parsing_gives(sqlite_service: Service, reference: TestClient) -> None:
    person = sqlite_service.register(401)
    sqlite_service.cover(person)
    differ = {}
    for name, request in _cases(sqlite_service, person).items():
        ours = sqlite_service.client.post("/v1/settlements", **request)
        theirs = reference.post("/v1/settlements", **request)
        assert 400 <= ours.status_code < 500, (name, ours.status_code, ours.text)
        seen = (ours.status_code, ours.json(), ours.headers.get("www-authenticate"))
        expected = (theirs.status_code, theirs.json(), theirs.headers.get("www-authenticate"))
        if seen != expected:
            differ[name] = (seen, expected)
    assert not differ, json.dumps(differ, indent=1, ensure_ascii=False)
    with sqlite_service.db.read() as session:
        assert session.scalar(select(func.count()).select_from(SettlementRow)) == 0
        assert session.scalar(select(func.count()).select_from(IdempotencyRow)) == 0


def test_errors_name_header_query_and_body_fields(sqlite_service: Service) -> None:
    person = sqlite_service.register(402)
    request = _cases(sqlite_service, person)["everything wrong at once"]
    response = sqlite_service.client.post("/v1/settlements", **request)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"header.Idempotency-Key", "query.lang", "query.as_known_on", "person_id"} <= fields
    assert any(f.startswith("bill.") for f in fields), fields


def test_a_good_request_is_recorded_once_and_replayed(sqlite_service: Service) -> None:
    person = sqlite_service.register(403)
    sqlite_service.cover(person)
    body = {"person_id": person, "bill": outpatient()}
    headers = {**sqlite_service.operator, "Idempotency-Key": "once"}
    first = sqlite_service.client.post("/v1/settlements", json=body, headers=headers, params={"lang": "en"})
    again = sqlite_service.client.post("/v1/settlements", json=body, headers=headers, params={"lang": "en"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert first.headers["Location"] == f"/v1/settlements/{first.json()['id']}"
    other = sqlite_service.client.post("/v1/settlements", json=body, headers=headers, params={"lang": "zh"})
    assert other.status_code == 409, other.text
