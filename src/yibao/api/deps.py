"""Request dependencies shared by the routes."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from yibao.api.service_store import LazyStore, ServiceStore
from yibao.policy.lookup import PolicySet


def policy_set(request: Request) -> PolicySet:
    """The policies the service was started with."""
    policies: PolicySet = request.app.state.policies
    return policies


async def service_store(request: Request) -> ServiceStore:
    """The store (database and recorder), opened on first use (in a thread: it may migrate)."""
    store: LazyStore = request.app.state.store
    opened = store.opened
    return opened if opened is not None else await run_in_threadpool(store.get)
