"""API keys: `yb_<id>_<secret>`; only the SHA-256 of the secret is stored, the key is shown once.

Roles: `operator` (register persons, credit accounts, settle and reverse; read) and
`auditor` (read everything, change nothing). Estimates and policies need no key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from yibao.store.database import Database
from yibao.store.persons import now
from yibao.store.tables import ApiKeyRow

Role = Literal["operator", "auditor"]
ROLES: tuple[Role, ...] = ("operator", "auditor")
PREFIX = "yb"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's public id and its role."""

    key_id: str
    role: Role


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Database, role: Role, label: str | None = None) -> tuple[str, str]:
    """A new key: returns (key id, the whole key to show once)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with db.write() as session:
        session.add(
            ApiKeyRow(id=key_id, secret_sha256=_digest(secret), role=role, label=label, created_at=now())
        )
    return key_id, f"{PREFIX}_{key_id}_{secret}"


def split_key(text: str) -> tuple[str, str] | None:
    """(id, secret) of a key's text, or None when it is not shaped like a yibao key."""
    prefix, _, rest = text.strip().partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def verify_key(db: Database, text: str) -> Caller | None:
    """The caller a key belongs to, or None for an unknown, revoked or wrong key."""
    parts = split_key(text)
    if parts is None:
        return None
    key_id, secret = parts
    with db.read() as session:
        row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.id == key_id))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    return Caller(row.id, row.role)  # type: ignore[arg-type]


def revoke_key(db: Database, key_id: str) -> bool:
    """Revoke a key by id; False when there is no such live key."""
    with db.write() as session:
        row = session.get(ApiKeyRow, key_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = now()
        return True


def list_keys(db: Database) -> list[dict[str, str]]:
    """Every key's id, role, label and dates (never a secret)."""
    with db.read() as session:
        rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
    return [
        {
            "id": r.id,
            "role": r.role,
            "label": r.label or "",
            "created_at": r.created_at.isoformat(),
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else "",
        }
        for r in rows
    ]
