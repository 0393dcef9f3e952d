"""The designated institutions directory: search and read (no key needed), import a CSV file (operator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from yibao.api.auth import Operator
from yibao.api.deps import service_store
from yibao.api.service_problems import problems
from yibao.api.service_store import ServiceStore
from yibao.crossregion.directory import COLUMNS, LEVELS
from yibao.errors import InputError, Problem
from yibao.store import institutions as store
from yibao.store.crossregion_documents import INSTITUTION_CODE, REGION, ImportResult, InstitutionOut

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])
Store = Annotated[ServiceStore, Depends(service_store)]
MAX_CSV_BYTES = 20_000_000
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": f"The directory as CSV (UTF-8), header {','.join(COLUMNS)}; '#' lines are comments",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("", response_model=list[InstitutionOut], responses=problems(422), summary="Search the directory")
def search(
    store_: Store,
    name: Annotated[str | None, Query(max_length=100, description="Part of the name, e.g. 人民医院")] = None,
    region: Annotated[
        str | None, Query(pattern=REGION, description="A city or province code: everything inside it")
    ] = None,
    level: Annotated[str | None, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = None,
) -> list[InstitutionOut]:
    """Designated institutions by name, region and level (at most 200, by code)."""
    if name is not None and not name.isprintable():
        raise InputError(Problem("query.name", "write part of a name, without control characters", None))
    with store_.db.read() as session:
        return store.search(session, name, region, level)


@router.get(
    "/{code}", response_model=InstitutionOut, responses=problems(404, 422), summary="Read one institution"
)
def read_institution(
    code: Annotated[str, Path(pattern=INSTITUTION_CODE, description="The institution's code")], store_: Store
) -> InstitutionOut:
    """One institution by its code."""
    with store_.db.read() as session:
        return store.institution_document(store.institution_row(session, code))


@router.post(
    "/import",
    response_model=ImportResult,
    responses=problems(401, 403, 422),
    summary="Import a directory (CSV)",
    openapi_extra=CSV_BODY,
)
async def import_directory(
    request: Request,
    store_: Store,
    _: Operator,
    strict: Annotated[bool, Query(description="Write nothing when any row is bad")] = False,
) -> ImportResult:
    """Rows replace those of the same code; bad rows come back with row, field, value and fix.

    With `strict=true` a file with any bad row writes nothing and is a 422 listing them all.
    """
    body = await request.body()
    if len(body) > MAX_CSV_BYTES:
        raise InputError(Problem("body", f"more than {MAX_CSV_BYTES} bytes; split the directory"))
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem("body", f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8")
        ) from None
    return await run_in_threadpool(store.import_institutions, store_.db, text, strict=strict)
