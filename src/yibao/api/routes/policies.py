"""GET /v1/policies and /v1/policies/{ref}: the installed schemes and products with their sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from yibao.api.deps import policy_set
from yibao.policy.describe import full_description, listing_row
from yibao.policy.lookup import PolicySet

router = APIRouter(prefix="/v1", tags=["policies"])


@router.get("/policies", summary="Every installed policy edition")
def list_policies(policies: Annotated[PolicySet, Depends(policy_set)]) -> list[dict[str, str]]:
    """One row per edition: id, edition, name, region, kind, validity, sources."""
    return [listing_row(p) for p in policies.all()]


@router.get(
    "/policies/{ref}",
    summary="All parameters of one edition",
    responses={404: {"description": "No such policy", "content": {"application/problem+json": {}}}},
)
def show_policy(ref: str, policies: Annotated[PolicySet, Depends(policy_set)]) -> dict[str, Any]:
    """Every parameter as written, its sources and assumed numbers; a bare id means the newest edition."""
    return full_description(policies, ref)
