"""Settle concurrent requests together: one engine run and one transaction per batch (group commit).

Request threads hand their request to one recorder thread per process and wait. The
recorder takes everything waiting, at most one request per person and per key (a
person's next bill waits for the next batch, so each person's bills are settled one
after the other, in arrival order), and records the batch with `recording.record`.
The engine settles a batch of bills in about the time of one, and the database commits
once, so throughput grows with load while each request still gets its own answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future

from yibao.store.requests import Outcome, SettleRequest

log = logging.getLogger("yibao.store")
Recorder = Callable[[list[SettleRequest]], list[Outcome]]
Item = tuple[SettleRequest, "Future[Outcome]"]


class Batcher:
    """The recorder thread and its queue."""

    def __init__(self, recorder: Recorder, max_batch: int = 64) -> None:
        self._recorder = recorder
        self._max_batch = max_batch
        self._pending: list[Item] = []
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="yibao-recorder", daemon=True)
        self._thread.start()

    def submit(self, request: SettleRequest) -> Outcome:
        """Record one request and wait for its outcome."""
        return self.enqueue(request).result()

    def enqueue(self, request: SettleRequest) -> Future[Outcome]:
        """Queue one request; its outcome arrives in the future (await it with asyncio.wrap_future)."""
        future: Future[Outcome] = Future()
        with self._wake:
            if self._stopped:
                raise RuntimeError("the recorder has stopped")
            self._pending.append((request, future))
            self._wake.notify()
        return future

    def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        deferred: list[Item] = []
        while True:
            with self._wake:
                while not self._pending and not deferred and not self._stopped:
                    self._wake.wait()
                if self._stopped and not self._pending and not deferred:
                    return
                items, self._pending = deferred + self._pending, []
            batch, deferred = self._pick(items)
            self._record(batch)

    def _pick(self, items: list[Item]) -> tuple[list[Item], list[Item]]:
        """At most one request per person and per key, oldest first; the rest wait."""
        batch: list[Item] = []
        later: list[Item] = []
        persons: set[str] = set()
        keys: set[str] = set()
        for item in items:
            request = item[0]
            if (
                len(batch) >= self._max_batch
                or request.person_id in persons
                or request.idempotency_key in keys
            ):
                later.append(item)
                continue
            persons.add(request.person_id)
            keys.add(request.idempotency_key)
            batch.append(item)
        return batch, later

    def _record(self, batch: list[Item]) -> None:
        try:
            outcomes = self._recorder([request for request, _ in batch])
        except Exception as exc:
            if len(batch) > 1:  # find the one request that fails; the others are recorded
                for item in batch:
                    self._record([item])
                return
            log.exception("recording a settlement failed")
            batch[0][1].set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
