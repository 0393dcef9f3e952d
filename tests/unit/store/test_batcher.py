"""The recorder batches concurrent requests: one per person and key, arrival order kept, failures isolated."""

import threading
import time
from datetime import date

import pytest

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


class GatedRecorder:
    """Records batches; the first one waits for `gate`, so requests can queue behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = threading.Event()

    def __call__(self, requests: list[SettleRequest]) -> list[Outcome]:
        self.gate.wait(5)
        self.batches.append([r.idempotency_key for r in requests])
        return [Recorded(201, "{}", r.idempotency_key) for r in requests]


def submit_all(batcher: Batcher, keys: list[str], gap: float = 0.0) -> None:
    """Submit one request per key from its own thread (a `gap` apart) and wait for all."""
    threads = [threading.Thread(target=batcher.submit, args=(request(k, k),)) for k in keys]
    for t in threads:
        t.start()
        time.sleep(gap)
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a request was never answered"


def answer_a_batch_of_three(batcher: Batcher, recorder: GatedRecorder) -> None:
    """x is recorded alone while a, b and c queue behind it; then a, b, c go as one batch."""
    first = threading.Thread(target=submit_all, args=(batcher, ["x"]))
    first.start()
    time.sleep(0.05)
    queued = threading.Thread(target=submit_all, args=(batcher, ["a", "b", "c"]))
    queued.start()
    time.sleep(0.05)
    recorder.gate.set()
    first.join(10)
    queued.join(10)
    assert recorder.batches == [["x"], ["a", "b", "c"]]


def test_lingering_gathers_the_callers_a_batch_answered_into_one_batch():
    recorder = GatedRecorder()
    batcher = Batcher(recorder, linger=5.0)
    answer_a_batch_of_three(batcher, recorder)
    submit_all(batcher, ["d", "e", "f"], gap=0.05)  # the three callers come back one by one
    batcher.stop()
    assert recorder.batches[2:] == [["d", "e", "f"]]


def test_lingering_ends_when_the_callers_do_not_come_back():
    recorder = GatedRecorder()
    batcher = Batcher(recorder, linger=0.2)
    answer_a_batch_of_three(batcher, recorder)
    submit_all(batcher, ["d"])  # only one comes back: it is recorded after the linger, alone
    batcher.stop()
    assert recorder.batches[2:] == [["d"]]


def test_a_lone_caller_never_lingers():
    recorder = GatedRecorder()
    recorder.gate.set()
    batcher = Batcher(recorder, linger=60.0)
    for key in ["a", "b", "c"]:
        one = threading.Thread(target=batcher.submit, args=(request("p", key),))
        one.start()
        one.join(10)  # had it lingered for a second caller, this would take a minute
        assert not one.is_alive()
    batcher.stop()
    assert recorder.batches == [["a"], ["b"], ["c"]]


def test_stopping_does_not_wait_out_a_linger():
    recorder = GatedRecorder()
    batcher = Batcher(recorder, linger=60.0)
    answer_a_batch_of_three(batcher, recorder)
    stopper = threading.Thread(target=batcher.stop)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()


def test_a_negative_linger_is_refused():
    with pytest.raises(ValueError, match="linger"):
        Batcher(GatedRecorder(), linger=-1)
