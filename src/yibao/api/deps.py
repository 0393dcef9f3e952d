"""Request dependencies shared by the routes."""

from __future__ import annotations

from fastapi import Request

from yibao.policy.lookup import PolicySet


def policy_set(request: Request) -> PolicySet:
    """The policies the service was started with."""
    policies: PolicySet = request.app.state.policies
    return policies
