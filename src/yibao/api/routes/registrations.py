"""Registrations (备案): file, read (audited), check a region and day, confirm, change, cancel.

Operators act, auditors and operators read. Every refusal names the rule of the home
scheme it comes from (`SCHEME@EDITION:registrations.TYPE`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from yibao.api.auth import Operator, Reader
from yibao.api.deps import policy_set, service_store
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.errors import NotFoundError, Problem
from yibao.policy.lookup import PolicySet
from yibao.store import registrations as store
from yibao.store.audit import record_read
from yibao.store.crossregion_documents import (
    REGION,
    ChangeIn,
    DayIn,
    RegistrationCheck,
    RegistrationIn,
    RegistrationOut,
)
from yibao.store.crossregion_tables import RegistrationRow
from yibao.store.documents import RECORD_ID
from yibao.store.persons import person_row
from yibao.store.registration_lookup import check_registration, registration_document

router = APIRouter(prefix="/v1", tags=["registrations"])
Store = Annotated[ServiceStore, Depends(service_store)]
Policies = Annotated[PolicySet, Depends(policy_set)]
PersonId = Annotated[str, Path(pattern=RECORD_ID, description="The id POST /v1/persons returned (per_…)")]
RegistrationId = Annotated[str, Path(pattern=RECORD_ID, description="The id filing returned (reg_…)")]


@router.post(
    "/persons/{person_id}/registrations",
    status_code=201,
    response_model=RegistrationOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="File a registration",
)
def file_registration(
    person_id: PersonId,
    data: RegistrationIn,
    store_: Store,
    policies: Policies,
    response: Response,
    who: Operator,
) -> RegistrationOut:
    """Checked against the home scheme's rule for the type; effective at once or after a counter review."""
    found = store.file_registration(store_.db, policies, person_id, data, who)
    response.headers["Location"] = f"/v1/registrations/{found.id}"
    return found


@router.get(
    "/persons/{person_id}/registrations",
    response_model=list[RegistrationOut],
    responses=problems(401, 404, 422),
    summary="A person's registrations",
)
def list_registrations(
    person_id: PersonId, store_: Store, policies: Policies, request: Request, who: Reader
) -> list[RegistrationOut]:
    """Every registration of the person, oldest first; the read is audited."""
    with store_.db.write() as session:
        person_row(session, person_id)
        record_read(session, who, "read registrations", person_id, request.url.path)
        return store.registrations_of(session, policies, person_id)


@router.get(
    "/persons/{person_id}/registrations/check",
    response_model=RegistrationCheck,
    responses=problems(401, 404, 422),
    summary="Is the person registered for a region on a day?",
)
def check(
    person_id: PersonId,
    region: Annotated[str, Query(pattern=REGION, description="Treatment region (GB/T 2260)")],
    day: Annotated[date, Query(alias="date", description="The day of treatment")],
    store_: Store,
    policies: Policies,
    request: Request,
    who: Reader,
) -> RegistrationCheck:
    """Whether a registration is needed there, and the stored one that covers the day (if any); audited."""
    with store_.db.write() as session:
        person = person_row(session, person_id)
        scheme = policies.in_force(person.scheme, day, where="query.date")
        record_read(session, who, "check registration", person_id, request.url.path)
        return check_registration(session, policies, scheme, person_id, region, day)


@router.get(
    "/registrations/{registration_id}",
    response_model=RegistrationOut,
    responses=problems(401, 404, 422),
    summary="Read a registration",
)
def read_registration(
    registration_id: RegistrationId, store_: Store, policies: Policies, request: Request, who: Reader
) -> RegistrationOut:
    """One registration as recorded; the read is audited."""
    with store_.db.write() as session:
        row = session.get(RegistrationRow, registration_id)
        if row is None:
            raise NotFoundError(Problem("registration_id", "no registration with this id", registration_id))
        record_read(session, who, "read registration", row.person_id, request.url.path)
        return registration_document(row, policies)


@router.post(
    "/registrations/{registration_id}/confirmation",
    response_model=RegistrationOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="A counter filing passed its review",
)
def confirm(
    registration_id: RegistrationId, data: DayIn, store_: Store, policies: Policies, who: Operator
) -> RegistrationOut:
    """Filed → effective from `on` (or from when treatment began, for one filed afterwards)."""
    return store.confirm(store_.db, policies, registration_id, data.on, who)


@router.post(
    "/registrations/{registration_id}/cancellation",
    response_model=RegistrationOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Cancel a registration",
)
def cancel(
    registration_id: RegistrationId, data: DayIn, store_: Store, policies: Policies, who: Operator
) -> RegistrationOut:
    """Filed or effective → cancelled; it still covers the days before `on`."""
    return store.cancel(store_.db, policies, registration_id, data.on, who)


@router.post(
    "/registrations/{registration_id}/change",
    status_code=201,
    response_model=RegistrationOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Change a registration to another region",
)
def change(
    registration_id: RegistrationId, data: ChangeIn, store_: Store, policies: Policies, who: Operator
) -> RegistrationOut:
    """Effective → changed, and a new registration of the same type; refused before `change_after_months`."""
    return store.change(store_.db, policies, registration_id, data, who)
