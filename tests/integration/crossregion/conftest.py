"""The service tests' real databases (SQLite and PostgreSQL, fresh per test), plus the sample directory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.service.conftest import (  # noqa: F401  (fixtures shared with the service tests)
    Service,
    database_url,
    pg_template,
    service,
    sqlite_template,
)
from yibao.store.institutions import sample_directory

# The Liaocheng packs' [claims] materials, written out rather than read from the pack so tests check the pack.
LIAOCHENG_CLAIM_MATERIALS = [
    "id_card",
    "insurance_card",
    "invoice",
    "itemised_bill",
    "discharge_summary_or_diagnosis",
    "bank_account",
]


@pytest.fixture
def directory(service: Service) -> Service:  # noqa: F811  (the imported fixture, by name)
    """The service with the shipped SAMPLE directory imported through the API."""
    response = service.client.post(
        "/v1/institutions/import",
        content=sample_directory().encode(),
        headers={**service.operator, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 31
    return service


def post(to: Service, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """POST as the operator, expecting a status; the JSON answer."""
    response = to.client.post(path, json=body, headers=to.operator)
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()
    return found


def refused(to: Service, path: str, body: dict[str, Any], status: int = 422) -> list[dict[str, Any]]:
    """POST expecting a refusal: the problem document's errors."""
    response = to.client.post(path, json=body, headers=to.operator)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors
