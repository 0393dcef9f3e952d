"""POST /v1/estimates: a bill in, a settlement document out; nothing recorded, no key needed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from yibao.api.deps import policy_set
from yibao.api.problems import BillBodyRoute
from yibao.documents.bill import Bill
from yibao.documents.settlement import Settlement
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

router = APIRouter(prefix="/v1", tags=["estimates"], route_class=BillBodyRoute)
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


@router.post(
    "/estimates",
    response_model=Settlement,
    responses={422: {"description": "The bill is not valid", **PROBLEM}},
    summary="Estimate who pays what for one bill",
)
def estimate(
    bill: Bill,
    policies: Annotated[PolicySet, Depends(policy_set)],
    lang: Annotated[Literal["zh", "en"], Query(description="Language of the explanation")] = "zh",
    as_known_on: Annotated[date | None, Query(description="Use editions published by this date")] = None,
) -> Settlement:
    """Settle a bill against the built-in (and configured) policies without recording anything."""
    return settle_bill(bill, policies, as_known_on, lang)
