"""Work done in other processes by the concurrency tests (importable by a spawned interpreter)."""

from __future__ import annotations

from typing import Any

from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.documents import BillBody
from yibao.store.recording import record
from yibao.store.requests import Recorded, SettleRequest


def settle_in_process(url: str, person_id: str, items: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Record bills one at a time with this process's own connections; returns the settlement ids."""
    policies = PolicySet.load()
    db = Database(url)
    done = []
    try:
        for key, bill in items:
            request = SettleRequest(person_id, BillBody.model_validate(bill), key, f"digest-{key}")
            outcome = record(db, policies, [request])[0]
            assert isinstance(outcome, Recorded), outcome
            done.append(outcome.settlement_id)
    finally:
        db.dispose()
    return done
