"""Recorded settlements: POST with an Idempotency-Key, read (audited), reverse once."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yibao.api.auth import Operator, Reader
from yibao.api.deps import service_store
from yibao.api.hand_parsed import hand_parsed_route
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.errors import Problem, YibaoError
from yibao.store.audit import record_read
from yibao.store.crossregion_documents import RecordedWithRegistration, SettlementRequestIn
from yibao.store.documents import RECORD_ID
from yibao.store.institution_fill import settlement_in
from yibao.store.registration_use import applied_to, release_after_reversal, with_registration
from yibao.store.requests import SettleRequest, request_digest
from yibao.store.settlements import reverse, settlement_json, settlement_row

router = APIRouter(prefix="/v1/settlements", tags=["settlements"])
Store = Annotated[ServiceStore, Depends(service_store)]
SettlementId = Annotated[
    str, Path(pattern=RECORD_ID, description="The id POST /v1/settlements returned (stl_…)")
]
JSON = "application/json"


class MissingKey(YibaoError):
    """POST /v1/settlements without an Idempotency-Key (400)."""


async def settle_and_record(
    store: ServiceStore,
    data: SettlementRequestIn,
    idempotency_key: str | None,
    lang: str,
    as_known_on: date | None,
) -> Response:
    """Fill the institution, identify the request for its key, record it (batched), answer."""
    if idempotency_key is None:
        raise MissingKey(
            Problem(
                "header.Idempotency-Key",
                "required; send a new unique key per bill (e.g. a UUID) so a retried bill is recorded once",
            )
        )
    if data.bill.institution.code is None:  # no directory code: nothing to read
        filled, canonical = settlement_in(store.db, store.policies, data)
    else:
        filled, canonical = await run_in_threadpool(settlement_in, store.db, store.policies, data)
    request = SettleRequest(
        person_id=filled.person_id,
        bill=filled.bill,
        idempotency_key=idempotency_key,
        request_sha256=request_digest(canonical, lang, as_known_on),
        lang=lang,
        as_known_on=as_known_on,
    )
    outcome = await store.settle_async(request)
    if isinstance(outcome, YibaoError):
        raise outcome
    headers = {"Location": f"/v1/settlements/{outcome.settlement_id}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(outcome.body, status_code=outcome.status_code, media_type=JSON, headers=headers)


async def record_settlement(
    data: SettlementRequestIn,
    store: Store,
    _: Operator,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="A new unique key per bill (e.g. a UUID); a repeated request with it changes nothing",
        ),
    ] = None,
    lang: Annotated[Literal["zh", "en"], Query(description="Language of the explanation")] = "zh",
    as_known_on: Annotated[date | None, Query(description="Use editions published by this date")] = None,
) -> Response:
    """Settle against the person's stored accumulators and record it, all in one transaction.

    The same key with the same request returns the recorded settlement again (header
    `Idempotent-Replayed: true`) and changes nothing; the same key with another request is a 409.
    `bill.institution.code` takes region, level and flags from the institutions directory; a
    stored registration covering the bill is used (`registration` in the response says which).
    """
    # Requests are read by `hand_parsed_route` (this signature is what OpenAPI shows of them).
    return await settle_and_record(store, data, idempotency_key, lang, as_known_on)


router.add_api_route(
    "",
    record_settlement,
    methods=["POST"],
    status_code=201,
    response_model=RecordedWithRegistration,
    responses=problems(400, 401, 403, 404, 409, 422),
    summary="Settle and record a bill",
    route_class_override=hand_parsed_route(settle_and_record),
)


@router.get(
    "/{settlement_id}",
    response_model=RecordedWithRegistration,
    responses=problems(401, 404, 422),
    summary="Read a recorded settlement",
)
def read_settlement(settlement_id: SettlementId, store: Store, request: Request, who: Reader) -> Response:
    """The settlement as recorded, with its current status; the read is audited."""
    with store.db.write() as session:
        row = settlement_row(session, settlement_id)
        record_read(session, who, "read settlement", row.person_id, request.url.path)
        body = with_registration(settlement_json(session, row), applied_to(session, row.id))
    return Response(body, media_type=JSON)


@router.post(
    "/{settlement_id}/reversal",
    response_model=RecordedWithRegistration,
    responses=problems(401, 403, 404, 409, 422),
    summary="Reverse a settlement",
)
def reverse_settlement(settlement_id: SettlementId, store: Store, _: Operator) -> Response:
    """Append compensating ledger entries, restore the accumulators and refund the accounts; once only."""
    body = reverse(store.db, settlement_id)
    release_after_reversal(store.db, store.policies, settlement_id)  # a one-admission registration it used
    return Response(body, media_type=JSON)
