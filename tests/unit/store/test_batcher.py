"""The recorder batches concurrent requests: one per person and key, arrival order kept, failures isolated."""

import threading
from datetime import date

from yibao.errors import InputError
from yibao.store.batcher import Batcher
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


def request(person: str, key: str) -> SettleRequest:
    return SettleRequest(person, BILL, key, key, "zh", date(2025, 1, 2))


def test_a_person_gets_one_request_per_batch_in_arrival_order():
    batches: list[list[str]] = []
    gate = threading.Event()

    def recorder(requests: list[SettleRequest]) -> list[Outcome]:
        gate.wait(5)
        batches.append([r.idempotency_key for r in requests])
        return [Recorded(201, "{}", r.idempotency_key) for r in requests]

    batcher = Batcher(recorder)
    first = threading.Thread(target=batcher.submit, args=(request("a", "a1"),))
    first.start()
    threads = [
        threading.Thread(target=batcher.submit, args=(request(p, k),))
        for p, k in [("a", "a2"), ("b", "b1"), ("a", "a3"), ("c", "c1")]
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in [first, *threads]:
        t.join(5)
    batcher.stop()
    flat = [k for batch in batches for k in batch]
    assert sorted(flat) == ["a1", "a2", "a3", "b1", "c1"]
    assert [k for k in flat if k.startswith("a")] == ["a1", "a2", "a3"]
    assert all(len({k[0] for k in batch}) == len(batch) for batch in batches)


def test_a_request_that_breaks_the_recorder_fails_alone():
    def recorder(requests: list[SettleRequest]) -> list[Outcome]:
        if any(r.person_id == "bad" for r in requests):
            raise RuntimeError("boom")
        return [InputError("fine") if r.person_id == "x" else Recorded(201, "{}", "s") for r in requests]

    batcher = Batcher(recorder)
    results: dict[str, object] = {}

    def run(person: str) -> None:
        try:
            results[person] = batcher.submit(request(person, person))
        except RuntimeError as exc:
            results[person] = exc

    threads = [threading.Thread(target=run, args=(p,)) for p in ("ok", "bad", "x")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    batcher.stop()
    assert isinstance(results["ok"], Recorded)
    assert isinstance(results["bad"], RuntimeError)
    assert isinstance(results["x"], InputError)
