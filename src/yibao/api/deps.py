"""Request dependencies shared by the routes."""

from __future__ import annotations

from fastapi import Request

from yibao.api.service_store import LazyStore, ServiceStore
from yibao.policy.lookup import PolicySet


def policy_set(request: Request) -> PolicySet:
    """The policies the service was started with."""
    policies: PolicySet = request.app.state.policies
    return policies


def service_store(request: Request) -> ServiceStore:
    """The store (database and recorder), opened on first use."""
    store: LazyStore = request.app.state.store
    return store.get()
