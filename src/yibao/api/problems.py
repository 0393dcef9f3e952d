"""RFC 9457 problem documents for every error the API returns; never a traceback.

Each document has `type`, `title`, `status`, `detail` and `errors: [{field, value, message}]`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from yibao.errors import ConflictError, InputError, NotFoundError, PolicyError, Problem, YibaoError
from yibao.validation import problems_from_errors

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://yibao.example/problems/"
log = logging.getLogger("yibao.api")

_KINDS: dict[type[YibaoError], tuple[int, str, str]] = {
    InputError: (422, "input", "The request is not valid"),
    NotFoundError: (404, "not-found", "Not found"),
    ConflictError: (409, "conflict", "Conflicts with what is recorded"),
    PolicyError: (500, "policy", "A policy file is not valid"),
}


def problem_response(status: int, kind: str, title: str, problems: list[Problem]) -> JSONResponse:
    """A problem+json response listing every problem."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": "; ".join(str(p) for p in problems) or title,
        "errors": [{"field": p.where, "value": p.value, "message": p.message} for p in problems],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(YibaoError)
    async def yibao_error(_: Request, exc: YibaoError) -> JSONResponse:
        status, kind, title = next(
            (v for cls, v in _KINDS.items() if isinstance(exc, cls)), (400, "bad-request", "Bad request")
        )
        return problem_response(status, kind, title, exc.problems)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [dict(e, loc=tuple(e.get("loc", ()))[1:]) for e in exc.errors()]
        where = _where(exc.errors())
        problems = problems_from_errors(errors, exc.body, where)
        return problem_response(422, "input", "The request is not valid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        problem = Problem("", str(exc.detail))
        return problem_response(exc.status_code, "http", str(exc.detail), [problem])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        problem = Problem("", "an unexpected error occurred; it has been logged")
        return problem_response(500, "internal", "Internal error", [problem])


def _where(errors: Any) -> str:
    """'bill' for body errors, else the parameter kind (query, header, path)."""
    first = errors[0].get("loc", ("body",))[0] if errors else "body"
    return "bill" if first == "body" else str(first)
