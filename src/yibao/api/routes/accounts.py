"""Personal accounts (个人账户): read, monthly credits by the scheme's rule, family sharing (家庭共济)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from yibao.api.auth import Operator, Reader
from yibao.api.deps import policy_set, service_store
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.policy.lookup import PolicySet
from yibao.store.account_book import account_document, credit_month, link_accounts
from yibao.store.audit import record_read
from yibao.store.documents import RECORD_ID, AccountEntryOut, AccountOut, CreditIn, LinkIn

router = APIRouter(prefix="/v1/persons/{person_id}/account", tags=["accounts"])
Store = Annotated[ServiceStore, Depends(service_store)]
Policies = Annotated[PolicySet, Depends(policy_set)]
PersonId = Annotated[str, Path(pattern=RECORD_ID, description="The account owner's person id (per_…)")]


@router.get("", response_model=AccountOut, responses=problems(401, 404, 422), summary="Read an account")
def read_account(person_id: PersonId, store_: Store, request: Request, who: Reader) -> AccountOut:
    """Balance, movements (newest first) and links; the read is audited."""
    with store_.db.write() as session:
        found = account_document(session, person_id)
        record_read(session, who, "read account", person_id, request.url.path)
        return found


@router.post(
    "/credits",
    status_code=201,
    response_model=AccountEntryOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Credit a month by the scheme's rule",
)
def credit(
    person_id: PersonId, data: CreditIn, store_: Store, policies: Policies, _: Operator
) -> AccountEntryOut:
    """个人账户划入 for one month: active employees a share of the contribution base, retirees a fixed sum."""
    return credit_month(store_.db, policies, person_id, data.month)


@router.post(
    "/links",
    status_code=201,
    response_model=AccountOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Share this account with a relative",
)
def link(person_id: PersonId, data: LinkIn, store_: Store, policies: Policies, _: Operator) -> AccountOut:
    """家庭共济: this account pays the relative's bills after the relative's own account and earlier links."""
    return link_accounts(store_.db, policies, person_id, data.relative_id)
