"""Problem documents of the recording routes: their schema for OpenAPI, and request errors named by field.

Validation errors of the recording routes name the field as the body spells it
(`national_id`, `bill.split.class_a`), or `query.year`, `header.idempotency-key`. A
national ID number is masked in every message and value.
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel

from yibao.api.problems import PROBLEM_JSON, problem_response
from yibao.errors import Problem
from yibao.store.national_id import mask
from yibao.validation import problems_from_errors

SERVICE_PATHS = ("/v1/persons", "/v1/settlements")


class ProblemField(BaseModel):
    """One thing wrong with a request."""

    field: str
    value: str | None
    message: str


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField]


_TEXT = {
    400: "The request lacks something it needs",
    401: "No API key, or an unknown one",
    403: "The key's role may not do this",
    404: "No such record",
    409: "Conflicts with what is recorded",
    422: "The request is not valid",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: each status with the problem document schema."""
    schema = {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}
    return {s: {"description": _TEXT[s], "content": {PROBLEM_JSON: schema}} for s in statuses}


def install(app: FastAPI) -> None:
    """Route-aware request errors for the recording routes; the problem schema in OpenAPI."""
    original = app.exception_handlers[RequestValidationError]
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        problem = ProblemDocument.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(problem.pop("$defs", {}))
        components["ProblemDocument"] = problem
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(SERVICE_PATHS):
            response = original(request, exc)
            return await response if inspect.isawaitable(response) else response
        return problem_response(422, "input", "The request is not valid", _problems(exc))


def _problems(exc: RequestValidationError) -> list[Problem]:
    found = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        part = str(loc[0]) if loc else "body"
        raw = exc.body if part == "body" else None
        problem = problems_from_errors([dict(error, loc=loc[1:])], raw, part)[0]
        where = problem.where.removeprefix("body.")
        found.append(_masked(Problem(where, problem.message, problem.value)))
    return found


def _masked(problem: Problem) -> Problem:
    if not problem.where.endswith("national_id") or problem.value is None:
        return problem
    shown = mask(problem.value)
    return Problem(problem.where, problem.message.replace(problem.value, shown), shown)
