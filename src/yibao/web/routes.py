"""Routes of the estimator page (HTML and its static files; no CDN)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    """Until the estimator page lands, the API documentation."""
    return RedirectResponse("/docs")
