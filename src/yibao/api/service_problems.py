"""The problem document's schema in OpenAPI, and each route's documented problem statuses.

Request errors themselves are named and masked by `yibao.api.problems` for every route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from yibao.api.problems import PROBLEM_JSON


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
    """Publish the problem document's schema in OpenAPI."""
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
