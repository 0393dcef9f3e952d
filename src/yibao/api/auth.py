"""API keys on requests: `Authorization: Bearer yb_…`; roles decide what a key may do.

    operator   register persons and coverage, credit and link accounts, settle, reverse; read
    auditor    read persons, accounts, accumulators, settlements and the audit log; change nothing
    (no key)   estimates and policies

A missing or unknown key is 401 (with `WWW-Authenticate: Bearer`), a key without the
role is 403; both are problem documents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool

from yibao.api.deps import service_store
from yibao.api.problems import problem_response
from yibao.api.service_store import ServiceStore
from yibao.errors import Problem, YibaoError
from yibao.store.keys import Caller

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="A key from `yibao keys create --role operator|auditor`, as `Authorization: Bearer yb_…`",
)


class Unauthorized(YibaoError):
    """No key, or a key yibao does not know (401)."""


class Forbidden(YibaoError):
    """A valid key whose role may not do this (403)."""


def install(app: FastAPI) -> None:
    """Problem documents for 401 and 403."""

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> JSONResponse:
        response = problem_response(401, "unauthorized", "An API key is needed", exc.problems)
        response.headers["WWW-Authenticate"] = 'Bearer realm="yibao"'
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return problem_response(403, "forbidden", "This key's role may not do this", exc.problems)


async def caller(
    store: Annotated[ServiceStore, Depends(service_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller of a request, from its bearer key (the database is asked in a thread, then cached)."""
    return await caller_of_key(store, None if credentials is None else credentials.credentials)


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer …` header, as `HTTPBearer` reads it (None: no bearer key)."""
    scheme, key = get_authorization_scheme_param(authorization)
    return key if scheme.lower() == "bearer" and key else None


async def caller_of_key(store: ServiceStore, key: str | None) -> Caller:
    """Who a bearer key belongs to; 401 when there is none or yibao does not know it."""
    if key is None:
        raise Unauthorized(
            Problem(
                "header.Authorization",
                "no API key; send 'Authorization: Bearer yb_…' with a key from `yibao keys create`",
            )
        )
    known, found = store.cached_caller(key)
    if not known:
        found = await run_in_threadpool(store.caller, key)
    if found is None:
        raise Unauthorized(
            Problem(
                "header.Authorization",
                "unknown or revoked API key; ask the operator for a key from `yibao keys create`",
            )
        )
    return found


def require_operator(who: Caller) -> Caller:
    """Only an operator key may change records (403 otherwise)."""
    if who.role != "operator":
        raise Forbidden(
            Problem(
                "header.Authorization", f"a key with role {who.role!r} may only read; this needs 'operator'"
            )
        )
    return who


async def operator(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """Only an operator key may change records."""
    return require_operator(who)


async def auditor(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """Only an auditor key may read the audit log."""
    if who.role != "auditor":
        raise Forbidden(
            Problem(
                "header.Authorization",
                f"a key with role {who.role!r} may not read the audit log; use an auditor key",
            )
        )
    return who


Reader = Annotated[Caller, Depends(caller)]
Operator = Annotated[Caller, Depends(operator)]
Auditor = Annotated[Caller, Depends(auditor)]
