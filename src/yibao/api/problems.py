"""RFC 9457 problem documents for every error the API returns; never a traceback.

Each document has `type`, `title`, `status`, `detail` and `errors: [{field, value, message}]`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from yibao.errors import ConflictError, InputError, NotFoundError, PolicyError, Problem, YibaoError
from yibao.store.national_id import mask
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
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = getattr(request.scope.get("route"), "body_name", "")
        return problem_response(422, "input", "The request is not valid", request_problems(exc, body))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        problem = Problem("", str(exc.detail))
        return problem_response(exc.status_code, "http", str(exc.detail), [problem])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        problem = Problem("", "an unexpected error occurred; it has been logged")
        return problem_response(500, "internal", "Internal error", [problem])


class BillBodyRoute(APIRoute):
    """A route whose whole body is a bill: its fields are named `bill.split.class_a`, as in the CLI."""

    body_name = "bill"


def request_problems(exc: RequestValidationError, body: str = "") -> list[Problem]:
    """One problem per error, named as the request spells it; national IDs are masked.

    Body fields go by their path (under `body` when the route names its body, e.g. `bill`);
    other parts by `query.x`, `path.x`, `header.x`.
    """
    found = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        part = str(loc[0]) if loc else "body"
        raw = exc.body if part == "body" else None
        prefix = (body or "body") if part == "body" else part
        problem = problems_from_errors([dict(error, loc=loc[1:])], raw, prefix)[0]
        where = problem.where
        if part == "body" and not body:
            where = where.removeprefix("body").removeprefix(".")
        found.append(_masked(Problem(where, problem.message, problem.value)))
    return found


def _masked(problem: Problem) -> Problem:
    """A national ID number never appears whole in an error."""
    if not problem.where.endswith("national_id") or problem.value is None:
        return problem
    shown = mask(problem.value)
    return Problem(problem.where, problem.message.replace(problem.value, shown), shown)
