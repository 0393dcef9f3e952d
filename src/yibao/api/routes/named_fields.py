"""A route class whose request errors name fields as the request spells them (no `bill.` prefix).

The cross-region routes take registrations, claims and CSV files, not bills: a missing
`on` is `on`, a bad query parameter `query.region`, like the persons routes' errors.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from yibao.api.problems import problem_response
from yibao.errors import Problem
from yibao.validation import problems_from_errors


class NamedFieldsRoute(APIRoute):
    """An APIRoute that turns its own validation errors into problem documents with plain field names."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, with request errors answered here."""
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return problem_response(422, "input", "The request is not valid", named(exc))

        return run


def named(exc: RequestValidationError) -> list[Problem]:
    """One problem per error: `field` for the body, `query.x`, `path.x` or `header.x` otherwise."""
    found = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        part = str(loc[0]) if loc else "body"
        raw = exc.body if part == "body" else None
        problem = problems_from_errors([dict(error, loc=loc[1:])], raw, part)[0]
        found.append(Problem(problem.where.removeprefix("body."), problem.message, problem.value))
    return found
