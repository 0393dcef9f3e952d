"""The FastAPI application: policies loaded once at start, routes mounted, errors as problems."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from yibao.api import auth, problems, service_problems
from yibao.api.routes import (
    accounts,
    claims,
    estimates,
    institutions,
    persons,
    policies,
    registrations,
    settlements,
)
from yibao.api.service_store import LazyStore
from yibao.api.settings import ServiceSettings
from yibao.policy.lookup import PolicySet
from yibao.web import routes as web_routes

TAGS = (
    "estimates",
    "policies",
    "persons",
    "accounts",
    "settlements",
    "registrations",
    "institutions",
    "claims",
)
"""The order /docs shows the routes in (the routers are mounted hot path first)."""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the app for some settings (the CLI's `serve` and the tests call this)."""
    settings = settings or ServiceSettings()
    policy_set = PolicySet.load(settings.policy_dirs)
    store = LazyStore(settings, policy_set)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up built (policies, routes, modules) lives as long as the process: frozen, the
        # collector never walks it again (a full collection had taken 110-145 ms, stalling requests).
        gc.collect()
        gc.freeze()
        yield
        store.close()

    app = FastAPI(
        title="yibao",
        version="0.1.0",
        summary="Who pays what for a medical bill in China, and why.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=lifespan,
        openapi_tags=[{"name": name} for name in TAGS],
    )
    app.state.settings = settings
    app.state.policies = policy_set
    app.state.store = store
    problems.install(app)
    service_problems.install(app)
    auth.install(app)
    app.include_router(settlements.router)  # first: the hot path is matched before the other routes
    app.include_router(estimates.router)
    app.include_router(policies.router)
    app.include_router(persons.router)
    app.include_router(accounts.router)
    app.include_router(registrations.router)
    app.include_router(institutions.router)
    app.include_router(claims.router)
    app.include_router(web_routes.router)
    return app


def app_from_environment() -> FastAPI:
    """The app as `yibao serve --workers N` starts it in each worker (settings from the environment)."""
    return create_app(ServiceSettings.from_env())
