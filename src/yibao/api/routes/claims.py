"""Manual claims (手工报销): submit, materials, adjudicate, approve, reject, pay; read (audited).

Operators act; auditors and operators read. Every step is a case event listed with the claim.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from yibao.api.auth import Operator, Reader
from yibao.api.deps import policy_set, service_store
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.policy.lookup import PolicySet
from yibao.store import claim_steps, claims
from yibao.store.audit import record_read
from yibao.store.crossregion_documents import ClaimIn, ClaimOut, DecisionIn, MaterialsIn, PaymentIn
from yibao.store.documents import RECORD_ID
from yibao.store.persons import person_row

router = APIRouter(prefix="/v1", tags=["claims"])
Store = Annotated[ServiceStore, Depends(service_store)]
Policies = Annotated[PolicySet, Depends(policy_set)]
ClaimId = Annotated[str, Path(pattern=RECORD_ID, description="The id submission returned (clm_…)")]
PersonId = Annotated[str, Path(pattern=RECORD_ID, description="The id POST /v1/persons returned (per_…)")]
STEP = problems(401, 403, 404, 409, 422)


@router.post("/claims", status_code=201, response_model=ClaimOut, responses=STEP, summary="Submit a claim")
async def submit(
    data: ClaimIn, request: Request, store_: Store, policies: Policies, response: Response, who: Operator
) -> ClaimOut:
    """Check materials against the scheme's `[claims]`; refuse a claim after its deadline.

    Missing materials are listed and the claim is `incomplete`; a late claim is refused
    naming the deadline and the rule.
    """
    raw: Any = await request.json()
    bill = raw.get("bill") if isinstance(raw, dict) else None
    found = await run_in_threadpool(
        claims.submit_claim,
        store_.db,
        policies,
        data,
        bill if isinstance(bill, dict) else None,
        who,
        date.today(),
    )
    response.headers["Location"] = f"/v1/claims/{found.id}"
    return found


@router.get(
    "/claims/{claim_id}", response_model=ClaimOut, responses=problems(401, 404, 422), summary="Read a claim"
)
def read_claim(claim_id: ClaimId, store_: Store, request: Request, who: Reader) -> ClaimOut:
    """The claim with its checklist, deadline, settlement and events; the read is audited."""
    with store_.db.write() as session:
        row = claims.claim_row(session, claim_id)
        record_read(session, who, "read claim", row.person_id, request.url.path)
        return claims.claim_document(session, row)


@router.get(
    "/persons/{person_id}/claims",
    response_model=list[ClaimOut],
    responses=problems(401, 404, 422),
    summary="A person's claims",
)
def list_claims(person_id: PersonId, store_: Store, request: Request, who: Reader) -> list[ClaimOut]:
    """Every claim of the person, oldest first; the read is audited."""
    with store_.db.write() as session:
        person_row(session, person_id)
        record_read(session, who, "read claims", person_id, request.url.path)
        return claims.claims_of(session, person_id)


@router.post(
    "/claims/{claim_id}/materials", response_model=ClaimOut, responses=STEP, summary="Hand in materials"
)
def add_materials(claim_id: ClaimId, data: MaterialsIn, store_: Store, who: Operator) -> ClaimOut:
    """Materials handed in later; the claim is `submitted` once none is missing."""
    return claims.add_materials(store_.db, claim_id, list(data.materials), who)


@router.post("/claims/{claim_id}/adjudication", response_model=ClaimOut, responses=STEP, summary="Adjudicate")
def adjudicate(
    claim_id: ClaimId,
    store_: Store,
    who: Operator,
    lang: Annotated[Literal["zh", "en"], Query(description="Language of the explanation")] = "zh",
) -> ClaimOut:
    """Settle the bill with the engine and record it like POST /v1/settlements (accumulators move once)."""
    return claim_steps.adjudicate(store_.db, claim_id, store_.settle, who, lang)


@router.post("/claims/{claim_id}/approval", response_model=ClaimOut, responses=STEP, summary="Approve")
def approve(claim_id: ClaimId, data: DecisionIn, store_: Store, who: Operator) -> ClaimOut:
    """Adjudicated → approved: the reimbursement is due."""
    return claim_steps.approve(store_.db, claim_id, data.reasons, who)


@router.post("/claims/{claim_id}/rejection", response_model=ClaimOut, responses=STEP, summary="Reject")
def reject(claim_id: ClaimId, data: DecisionIn, store_: Store, policies: Policies, who: Operator) -> ClaimOut:
    """Reject with reasons; a settlement the claim recorded is reversed."""
    return claim_steps.reject(store_.db, policies, claim_id, data.reasons, who)


@router.post("/claims/{claim_id}/payment", response_model=ClaimOut, responses=STEP, summary="Mark paid")
def pay(claim_id: ClaimId, data: PaymentIn, store_: Store, who: Operator) -> ClaimOut:
    """Approved → paid, with the day and the transfer's reference."""
    return claim_steps.pay(store_.db, claim_id, data.paid_on, data.reference, who)
