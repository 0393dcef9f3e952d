"""A settlement request as the store takes it, and the response it gets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from yibao.errors import YibaoError
from yibao.store.documents import BillBody


@dataclass(frozen=True)
class SettleRequest:
    """One POST /v1/settlements: the validated body, its key and the hash that identifies it."""

    person_id: str
    bill: BillBody
    idempotency_key: str
    request_sha256: str
    lang: str = "zh"
    as_known_on: date | None = None


@dataclass(frozen=True)
class Recorded:
    """The response to a request: status, body (JSON text), and whether it was a replay."""

    status_code: int
    body: str
    settlement_id: str
    replayed: bool = False


Outcome = Recorded | YibaoError


def request_digest(canonical_body: str, lang: str, as_known_on: date | None) -> str:
    """What identifies a request for its Idempotency-Key: the validated body and the query."""
    text = f"{canonical_body}\n{lang}\n{as_known_on}"
    return hashlib.sha256(text.encode()).hexdigest()
