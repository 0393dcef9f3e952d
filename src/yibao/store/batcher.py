"""Settle concurrent requests together: one engine run and one transaction per batch (group commit).

Request handlers hand their request to the recorder threads of their process and wait.
A recorder takes everything waiting, at most one request per person and per key, and
never a person (or key) another recorder is working on: a person's next bill waits for
the next batch, so each person's bills are settled one after the other in arrival order.
It records the batch with `recording.record`. The engine settles a batch of bills in
about the time of one and the database commits once, so throughput grows with load;
one recorder per process is the default (more threads mostly fight over the GIL).

Linger: callers answered by a batch usually send their next bill a millisecond or two
later. Without waiting for them, a recorder takes the one or two already there and the
rest make the next batch, so batches alternate small and large and each pays the fixed
cost of a batch twice. So after a batch of n, a recorder waits up to `linger` seconds
from the moment that batch was answered while fewer than n requests are queued. A lone
caller never waits (its batch was 1, and its request is the one queued), and no
request waits more than `linger` for this.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from yibao.store.requests import Outcome, SettleRequest

log = logging.getLogger("yibao.store")
Recorder = Callable[[list[SettleRequest]], list[Outcome]]
Item = tuple[SettleRequest, "Future[Outcome]"]


class Batcher:
    """The recorder threads and their shared queue."""

    def __init__(
        self, recorder: Recorder, max_batch: int = 64, threads: int = 1, linger: float = 0.0
    ) -> None:
        if linger < 0:
            raise ValueError(f"linger must be 0 or more seconds, not {linger}")
        self._recorder = recorder
        self._max_batch = max_batch
        self._linger = linger
        self._pending: list[Item] = []
        self._busy: set[str] = set()
        self._wake = threading.Condition()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._run, name=f"yibao-recorder-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

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
        """Finish what is queued, then end the threads."""
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self) -> None:
        answered, answered_at = 0, 0.0  # the size of this recorder's last batch, and when it ended
        while True:
            with self._wake:
                self._wait_for_callers(answered, answered_at + self._linger)
                batch = self._take()
                while not batch:
                    if self._stopped and not self._pending:
                        return
                    self._wake.wait()
                    batch = self._take()
                claimed = self._claims(batch)
                self._busy |= claimed
            try:
                self._record(batch)
            finally:
                with self._wake:
                    self._busy -= claimed
                    self._wake.notify_all()
            answered, answered_at = len(batch), time.monotonic()

    def _wait_for_callers(self, answered: int, until: float) -> None:
        """Linger (see the module): while fewer than `answered` wait, until `until` at most."""
        expected = min(answered, self._max_batch)
        while len(self._pending) < expected and not self._stopped:
            left = until - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(left)

    def _take(self) -> list[Item]:
        """Oldest first, at most one request per person and key, none another recorder holds."""
        batch: list[Item] = []
        later: list[Item] = []
        seen = set(self._busy)
        for item in self._pending:
            claims = self._claims([item])
            if len(batch) >= self._max_batch or claims & seen:
                seen |= claims  # a later request of this person must not overtake this one
                later.append(item)
                continue
            seen |= claims
            batch.append(item)
        self._pending = later
        return batch

    @staticmethod
    def _claims(items: list[Item]) -> set[str]:
        return {f"p:{r.person_id}" for r, _ in items} | {f"k:{r.idempotency_key}" for r, _ in items}

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
