"""The service freezes what its first batches built, so full collections stop walking it.

gc.freeze is replaced by a counter: whether a real freeze moves anything depends on what
the rest of the test run left tracked."""

import gc
from datetime import date
from pathlib import Path

import pytest

from yibao.api import service_store
from yibao.api.service_store import ServiceStore
from yibao.api.settings import ServiceSettings
from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.documents import BillBody
from yibao.store.requests import Outcome, Recorded, SettleRequest

BILL = BillBody.model_validate(
    {
        "date": "2025-01-02",
        "kind": "outpatient",
        "institution": {"region": "371502", "level": "level_1"},
        "split": {"class_a": "1.00"},
    }
)


def test_the_first_batches_are_frozen_at_1_and_10(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def recorded(
        _db: object, _policies: object, requests: list[SettleRequest], _hold: object
    ) -> list[Outcome]:
        return [Recorded(201, "{}", r.idempotency_key) for r in requests]

    monkeypatch.setattr(service_store, "record", recorded)
    freezes: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    store = ServiceStore(Database(f"sqlite:///{tmp_path / 'x.db'}"), PolicySet.load(), ServiceSettings())
    frozen_after: list[int] = []
    try:
        for n in range(1, 13):
            before = len(freezes)
            key = f"k{n}"
            outcome = store.settle(SettleRequest("p", BILL, key, key, "zh", date(2025, 1, 2)))
            assert isinstance(outcome, Recorded) and outcome.settlement_id == key
            if len(freezes) > before:
                frozen_after.append(n)
    finally:
        store.close()
    assert frozen_after == [1, 10]
