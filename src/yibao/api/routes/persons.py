"""Persons and coverage: register, read (audited), look up by national ID, coverage years, accumulators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from yibao.api.auth import Auditor, Operator, Reader
from yibao.api.deps import policy_set, service_store
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.documents.accumulators import format_value
from yibao.policy.lookup import PolicySet
from yibao.store import persons as store
from yibao.store.audit import reads_of, record_read
from yibao.store.documents import (
    RECORD_ID,
    AccumulatorsOut,
    CoverageIn,
    CoverageOut,
    LookupIn,
    PersonIn,
    PersonOut,
)
from yibao.store.ledger import values_for_year

router = APIRouter(prefix="/v1/persons", tags=["persons"])
Store = Annotated[ServiceStore, Depends(service_store)]
Policies = Annotated[PolicySet, Depends(policy_set)]
PersonId = Annotated[str, Path(pattern=RECORD_ID, description="The id POST /v1/persons returned (per_…)")]


@router.post(
    "",
    status_code=201,
    response_model=PersonOut,
    responses=problems(401, 403, 409, 422),
    summary="Register a person",
)
def create_person(
    data: PersonIn, store_: Store, policies: Policies, response: Response, _: Operator
) -> PersonOut:
    """Register a person: the national ID must pass its check digit; it is never shown whole."""
    person = store.create_person(store_.db, policies, data)
    response.headers["Location"] = f"/v1/persons/{person.id}"
    return person


@router.post(
    "/lookup",
    response_model=PersonOut,
    responses=problems(401, 404, 422),
    summary="Find a person by national ID",
)
def lookup_person(data: LookupIn, store_: Store, request: Request, who: Reader) -> PersonOut:
    """The national ID goes in the body, so it never lands in an access log. The read is audited."""
    with store_.db.write() as session:
        row = store.find_person(session, data.national_id)
        record_read(session, who, "lookup person", row.id, request.url.path)
        return store.person_document(row, store.coverage_rows(session, row.id))


@router.get("/{person_id}", response_model=PersonOut, responses=problems(401, 404), summary="Read a person")
def read_person(person_id: PersonId, store_: Store, request: Request, who: Reader) -> PersonOut:
    """A person with their coverage years; the read is audited."""
    with store_.db.write() as session:
        row = store.person_row(session, person_id)
        record_read(session, who, "read person", person_id, request.url.path)
        return store.person_document(row, store.coverage_rows(session, person_id))


@router.put(
    "/{person_id}/coverage/{year}",
    response_model=CoverageOut,
    responses=problems(401, 403, 404, 422),
    summary="Record a coverage year",
)
def put_coverage(
    person_id: PersonId,
    year: Annotated[int, Path(ge=1990, le=2100, description="The year the scheme's period starts in")],
    data: CoverageIn,
    store_: Store,
    policies: Policies,
    _: Operator,
) -> CoverageOut:
    """Contribution status (缴费状态), contribution base and products held for one year; replaces the year."""
    return store.put_coverage(store_.db, policies, person_id, year, data)


@router.get(
    "/{person_id}/accumulators",
    response_model=AccumulatorsOut,
    responses=problems(401, 404, 422),
    summary="Year-to-date accumulators",
)
def read_accumulators(
    person_id: PersonId,
    year: Annotated[int, Query(ge=1990, le=2100, description="Periods starting in this year")],
    store_: Store,
    request: Request,
    who: Reader,
) -> AccumulatorsOut:
    """Deductibles and caps used, admissions, account spent: what the next bill starts from. Audited."""
    with store_.db.write() as session:
        store.person_row(session, person_id)
        record_read(session, who, "read accumulators", person_id, request.url.path)
        found = values_for_year(session, person_id, year)
    return AccumulatorsOut(
        person_id=person_id,
        year=year,
        accumulators={key: format_value(key, value) for _, key, value in found},
        periods={key.partition("/")[0]: period for period, key, _ in found},
    )


@router.get(
    "/{person_id}/audit",
    responses=problems(401, 403, 404),
    summary="Who read this person's data",
)
def read_audit(person_id: PersonId, store_: Store, _: Auditor) -> list[dict[str, Any]]:
    """The latest reads of the person's data, newest first (auditors only)."""
    with store_.db.read() as session:
        store.person_row(session, person_id)
        return list(reads_of(session, person_id))
