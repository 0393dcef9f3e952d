"""Shared fixtures: the built-in policy set, loaded once per test session."""

from __future__ import annotations

import pytest

from yibao.policy.lookup import PolicySet


@pytest.fixture(scope="session")
def policies() -> PolicySet:
    return PolicySet.load()
