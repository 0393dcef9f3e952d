"""Values derived from loaded policy objects, found once and kept while the objects live.

Each engine call and each settlement document asked the same edition for the same
things (a table's numbers, a citation, a sentence's source) again and again. Policy
models are frozen but hold dicts, so they cannot be hashed: a cache here is keyed by
the objects' `id()` and keeps the objects themselves in the entry, so the ids stay
theirs while the entry lives (an id is reused only after its object is freed). It is
bounded, as keys may come from any number of loaded PolicySets (tests load many):
when full it is emptied and fills again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

R = TypeVar("R")

DEFAULT_SIZE = 4096


class ByIdentity(Generic[R]):
    """A bounded cache of values keyed by some objects' identities (and optional hashable extras)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._found: dict[Hashable, tuple[tuple[object, ...], R]] = {}

    def get(self, objects: tuple[object, ...], extra: Hashable, make: Callable[[], R]) -> R:
        """The value for these objects (and `extra`), made by `make` the first time."""
        key = (*map(id, objects), extra)
        entry = self._found.get(key)
        if entry is not None:  # the entry keeps the objects alive: no other object has their ids
            return entry[1]
        value = make()
        if len(self._found) >= self._size:
            self._found.clear()
        self._found[key] = (objects, value)
        return value

    def __len__(self) -> int:
        return len(self._found)
