"""Case events: every step of a registration or a claim, by whom, written in the step's own transaction."""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.store.crossregion_documents import CaseEvent
from yibao.store.crossregion_tables import CaseEventRow
from yibao.store.keys import Caller
from yibao.store.persons import aware, now

Subject = Literal["registration", "claim"]
CLI_CALLER = Caller("cli", "operator")
"""Who acts when a command is run on the server itself (`yibao claims …`)."""


def add_event(
    session: Session,
    subject: Subject,
    subject_id: str,
    person_id: str,
    actor: Caller,
    action: str,
    states: tuple[str | None, str],
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event (from state, to state) in the caller's transaction."""
    session.add(
        CaseEventRow(
            subject=subject,
            subject_id=subject_id,
            person_id=person_id,
            at=now(),
            actor=actor.key_id,
            role=actor.role,
            action=action,
            from_state=states[0],
            to_state=states[1],
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        )
    )


def events_of(session: Session, subject: Subject, subject_id: str) -> list[CaseEvent]:
    """The events of one registration or claim, oldest first."""
    rows = session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.subject == subject, CaseEventRow.subject_id == subject_id)
        .order_by(CaseEventRow.id)
    ).all()
    return [
        CaseEvent(
            at=aware(r.at),
            actor=r.actor,
            role=r.role,
            action=r.action,
            from_state=r.from_state,
            to_state=r.to_state,
            detail=json.loads(r.detail),
        )
        for r in rows
    ]
