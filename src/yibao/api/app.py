"""The FastAPI application: policies loaded once at start, routes mounted, errors as problems."""

from __future__ import annotations

from fastapi import FastAPI

from yibao.api import problems
from yibao.api.routes import estimates, policies
from yibao.api.settings import ServiceSettings
from yibao.policy.lookup import PolicySet
from yibao.web import routes as web_routes


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the app for some settings (the CLI's `serve` and the tests call this)."""
    settings = settings or ServiceSettings()
    app = FastAPI(
        title="yibao",
        version="0.1.0",
        summary="Who pays what for a medical bill in China, and why.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.policies = PolicySet.load(settings.policy_dirs)
    problems.install(app)
    app.include_router(estimates.router)
    app.include_router(policies.router)
    app.include_router(web_routes.router)
    return app
