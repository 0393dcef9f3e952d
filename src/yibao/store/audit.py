"""The audit log: every read of a person's data, by whom (API key id and role), what and when."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.store.keys import Caller
from yibao.store.persons import aware, now
from yibao.store.tables import AuditRow


def record_read(session: Session, caller: Caller, action: str, person_id: str, path: str) -> None:
    """Note a read in the same transaction as the read itself: no read goes unrecorded."""
    session.add(
        AuditRow(
            at=now(),
            api_key_id=caller.key_id,
            role=caller.role,
            action=action,
            person_id=person_id,
            path=path,
        )
    )


def reads_of(session: Session, person_id: str, limit: int = 200) -> list[dict[str, str]]:
    """The latest reads of one person's data, newest first."""
    rows = session.scalars(
        select(AuditRow).where(AuditRow.person_id == person_id).order_by(AuditRow.id.desc()).limit(limit)
    ).all()
    return [
        {
            "at": aware(r.at).isoformat(),
            "api_key_id": r.api_key_id,
            "role": r.role,
            "action": r.action,
            "path": r.path,
        }
        for r in rows
    ]
