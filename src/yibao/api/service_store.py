"""The service's handle on the store: the database, the settlement recorder, the key cache.

Opened on first use, so an app that only estimates never touches a database. The
embedded SQLite file is created and migrated on open; an external database must
already be at the newest migration (`yibao db upgrade`), or opening refuses.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time

from yibao.api.settings import ServiceSettings
from yibao.policy.lookup import PolicySet
from yibao.store.batcher import Batcher
from yibao.store.database import Database, default_database_path
from yibao.store.keys import Caller, verify_key
from yibao.store.migrate import check_at_head, upgrade
from yibao.store.recording import record
from yibao.store.requests import Outcome, SettleRequest

log = logging.getLogger("yibao.api")
KEY_CACHE_SECONDS = 10.0
"""How long a verified key is trusted without asking the database (a revocation takes this long)."""
KEY_CACHE_SIZE = 10_000
FREEZE_AFTER_BATCHES = frozenset({1, 10, 100, 1000})
"""After these batches, what is alive is frozen out of the collector's sight (see `_record`)."""


def open_database(settings: ServiceSettings) -> Database:
    """The configured database: embedded (created and migrated) or external (checked at head)."""
    if settings.database_url is None:
        db = Database(f"sqlite:///{default_database_path()}")
        upgrade(db)
        return db
    db = Database(settings.database_url)
    try:
        check_at_head(db)
    except Exception:
        db.dispose()
        raise
    return db


class ServiceStore:
    """Everything a request needs from the store, shared by the request threads."""

    def __init__(self, db: Database, policies: PolicySet, settings: ServiceSettings) -> None:
        self.db = db
        self.policies = policies
        self._hold = settings.hold_commit_seconds
        self._batcher = Batcher(self._record, settings.max_batch, linger=settings.batch_linger_ms / 1000)
        self._keys: dict[str, tuple[Caller | None, float]] = {}
        self._batches = 0

    def settle(self, request: SettleRequest) -> Outcome:
        """Record one settlement (batched with whatever else is waiting)."""
        return self._batcher.submit(request)

    async def settle_async(self, request: SettleRequest) -> Outcome:
        """The same without holding a thread while the recorder works."""
        return await asyncio.wrap_future(self._batcher.enqueue(request))

    def cached_caller(self, key: str) -> tuple[bool, Caller | None]:
        """(whether the cache knows the key, its caller or None for a bad key)."""
        cached = self._keys.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return True, cached[0]
        return False, None

    def caller(self, key: str) -> Caller | None:
        """The caller a key belongs to (cached briefly), or None."""
        known, cached = self.cached_caller(key)
        if known:
            return cached
        found = verify_key(self.db, key)
        if len(self._keys) > KEY_CACHE_SIZE:
            self._keys.clear()
        self._keys[key] = (found, time.monotonic() + KEY_CACHE_SECONDS)
        return found

    def close(self) -> None:
        """Stop the recorder and close the connections."""
        self._batcher.stop()
        self.db.dispose()

    def _record(self, requests: list[SettleRequest]) -> list[Outcome]:
        outcomes = record(self.db, self.policies, requests, self._hold_open if self._hold else None)
        # The first batches fill what lives as long as the process (connections, compiled
        # statements, per-edition caches); frozen, full collections stop walking it (they had
        # paused the process 5-13 ms every 2-3 s under load, 1 ms after). Freezing is O(1); the
        # little garbage not yet collected at those moments is kept, once.
        self._batches += 1
        if self._batches in FREEZE_AFTER_BATCHES:
            gc.freeze()
        return outcomes

    def _hold_open(self) -> None:
        log.warning("holding the settlement transaction open for %.1f s (test setting)", self._hold)
        print("yibao: holding transaction open", flush=True)  # noqa: T201 - the crash test waits for this line
        time.sleep(self._hold)


class LazyStore:
    """Opens the ServiceStore on first use, once, from any thread."""

    def __init__(self, settings: ServiceSettings, policies: PolicySet) -> None:
        self._settings = settings
        self._policies = policies
        self._lock = threading.Lock()
        self._store: ServiceStore | None = None

    @property
    def opened(self) -> ServiceStore | None:
        """The store if it is open already."""
        return self._store

    def get(self) -> ServiceStore:
        """The open store."""
        with self._lock:
            if self._store is None:
                self._store = ServiceStore(open_database(self._settings), self._policies, self._settings)
            return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
