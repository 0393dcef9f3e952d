"""The registration lifecycle (备案): file, confirm after review, change, cancel, expire.

    filed ──confirm──▶ effective ──change──▶ changed   (a new registration replaces it)
      │                    ├──cancel──▶ cancelled
      └──cancel──▶ cancelled └──expire──▶ expired     (`lasts` ran out, or its admission was used)

Every step locks the person (as settlements do), is checked against the rule of the home
scheme (`[registrations.TYPE]`), refused with the rule's id when not allowed, and
written with its case event in one transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.crossregion.registration_rules import (
    Filing,
    check_filing,
    covers,
    earliest_change,
    need_for,
    opening,
    rule_id,
    rule_of,
)
from yibao.errors import ConflictError, InputError, NotFoundError, Problem
from yibao.policy.crossregion_models import RegistrationRule
from yibao.policy.lookup import PolicySet
from yibao.store.case_events import add_event
from yibao.store.crossregion_documents import ChangeIn, RegistrationIn, RegistrationOut
from yibao.store.crossregion_tables import RegistrationRow
from yibao.store.database import Database
from yibao.store.keys import Caller
from yibao.store.persons import lock_persons, new_id, now, person_row
from yibao.store.registration_lookup import is_exhausted, registration_document

ACTIVE = ("filed", "effective")


def file_registration(
    db: Database, policies: PolicySet, person_id: str, data: RegistrationIn, actor: Caller
) -> RegistrationOut:
    """File a registration for a person; refused (422 or 409) where the scheme's rules say no."""
    filing = Filing(
        data.type,
        data.treatment_region,
        data.filed_on,
        data.channel,
        data.treatment_started_on,
        data.discharged_on,
    )
    with db.write() as session:
        person = person_row(session, person_id, lock=True)
        expire_person(session, person_id, data.filed_on, actor)
        row = _open(session, policies, person.scheme, person_id, filing, actor)
        return registration_document(row, policies)


def _open(
    session: Session,
    policies: PolicySet,
    scheme_id: str,
    person_id: str,
    filing: Filing,
    actor: Caller,
    registration_id: str | None = None,
) -> RegistrationRow:
    scheme = policies.in_force(scheme_id, filing.filed_on, where="filed_on")
    rule = rule_of(scheme, filing.type)
    problems = check_filing(scheme, need_for(policies, scheme, filing.region, filing.filed_on), rule, filing)
    if problems:
        raise InputError(problems)
    assert isinstance(rule, RegistrationRule)
    start = opening(rule, filing)
    _refuse_overlap(session, person_id, filing, start.effective_from or filing.filed_on)
    moment = now()
    row = RegistrationRow(
        id=registration_id or new_id("reg"),
        person_id=person_id,
        scheme=scheme.ref,
        type=filing.type,
        treatment_region=filing.region,
        filed_on=filing.filed_on,
        channel=filing.channel,
        treatment_started_on=filing.treatment_started_on,
        state=start.state,
        effective_from=start.effective_from,
        effective_to=start.effective_to,
        admissions_limit=start.admissions_limit,
        admissions_used=0,
        created_at=moment,
        updated_at=moment,
    )
    session.add(row)
    session.flush()
    detail = {"type": filing.type, "treatment_region": filing.region, "channel": filing.channel}
    add_event(session, "registration", row.id, person_id, actor, "file", (None, row.state), detail)
    return row


def _refuse_overlap(session: Session, person_id: str, filing: Filing, start: date) -> None:
    """One long-term registration at a time; no second one of a type for the same place and days."""
    for other in session.scalars(
        select(RegistrationRow).where(
            RegistrationRow.person_id == person_id, RegistrationRow.state.in_(ACTIVE)
        )
    ):
        if is_exhausted(other) or (other.effective_to is not None and other.effective_to < start):
            continue
        place = covers(other.treatment_region, filing.region) or covers(filing.region, other.treatment_region)
        if filing.type == other.type == "long_term" or (filing.type == other.type and place):
            raise ConflictError(
                Problem(
                    "type",
                    f"{person_id} already has a {other.type} registration {other.id} for "
                    f"{other.treatment_region} ({other.state}); change it with POST "
                    f"/v1/registrations/{other.id}/change or cancel it first",
                    filing.type,
                )
            )


def registration_row(session: Session, registration_id: str) -> RegistrationRow:
    """A registration by id, its person locked; 404 when unknown."""
    row = session.scalar(select(RegistrationRow).where(RegistrationRow.id == registration_id))
    if row is None:
        raise NotFoundError(
            Problem(
                "registration_id",
                "no registration with this id; GET /v1/persons/{person_id}/registrations lists them",
                registration_id,
            )
        )
    person_row(session, row.person_id, lock=True)
    session.refresh(row)
    return row


def _rule(policies: PolicySet, row: RegistrationRow) -> RegistrationRule:
    rule = rule_of(policies.get(row.scheme), row.type)
    if isinstance(rule, Problem):
        raise InputError(Problem("registration_id", rule.message, row.id))
    return rule


def _refuse(row: RegistrationRow, allowed: tuple[str, ...], step: str, on: date) -> None:
    """409 unless the registration is in an allowed state; 422 for a day before it was filed."""
    if row.state not in allowed:
        message = f"is {row.state}; only a registration that is {' or '.join(allowed)} can be {step}"
        raise ConflictError(Problem("registration_id", message, row.id))
    if on < row.filed_on:
        raise InputError(Problem("on", f"is before the registration was filed on {row.filed_on}", str(on)))


def confirm(
    db: Database, policies: PolicySet, registration_id: str, on: date, actor: Caller
) -> RegistrationOut:
    """A counter filing passed its review: effective from `on` (or from treatment, when filed after it)."""
    with db.write() as session:
        row = registration_row(session, registration_id)
        _refuse(row, ("filed",), "confirmed", on)
        filing = Filing(row.type, row.treatment_region, row.filed_on, row.channel, row.treatment_started_on)
        start = opening(_rule(policies, row), filing, reviewed_on=on)
        row.state, row.effective_from, row.effective_to = (
            start.state,
            start.effective_from,
            start.effective_to,
        )
        row.updated_at = now()
        add_event(
            session, "registration", row.id, row.person_id, actor, "confirm", ("filed", row.state), {"on": on}
        )
        return registration_document(row, policies)


def cancel(
    db: Database, policies: PolicySet, registration_id: str, on: date, actor: Caller
) -> RegistrationOut:
    """Cancel from `on`: the registration covers the days before it only."""
    with db.write() as session:
        row = registration_row(session, registration_id)
        _refuse(row, ACTIVE, "cancelled", on)
        before = row.state
        _end(row, "cancelled", on, f"cancelled on {on}")
        add_event(
            session, "registration", row.id, row.person_id, actor, "cancel", (before, row.state), {"on": on}
        )
        return registration_document(row, policies)


def change(
    db: Database, policies: PolicySet, registration_id: str, data: ChangeIn, actor: Caller
) -> RegistrationOut:
    """Change to another region from `data.on`: the old one ends, a new one of the same type replaces it."""
    with db.write() as session:
        row = registration_row(session, registration_id)
        _refuse(row, ("effective",), "changed", data.on)
        rule = _rule(policies, row)
        assert row.effective_from is not None
        earliest = earliest_change(rule, row.effective_from)
        if earliest is not None and data.on < earliest:
            raise InputError(
                Problem(
                    "on",
                    f"a {row.type} registration may be changed only {rule.change_after_months} months after "
                    f"it took effect on {row.effective_from} ({rule_id(row.scheme, row.type)}"
                    f".change_after_months = {rule.change_after_months}); the earliest change is {earliest}",
                    str(data.on),
                )
            )
        if data.treatment_region == row.treatment_region:
            raise InputError(
                Problem(
                    "treatment_region",
                    "is the region already registered; name the new one",
                    data.treatment_region,
                )
            )
        _end(row, "changed", data.on, f"changed to {data.treatment_region} on {data.on}")
        row.replaced_by = new_id("reg")
        detail = {"on": data.on, "replaced_by": row.replaced_by, "treatment_region": data.treatment_region}
        add_event(
            session, "registration", row.id, row.person_id, actor, "change", ("effective", "changed"), detail
        )
        filing = Filing(row.type, data.treatment_region, data.on, data.channel)
        scheme_id = policies.get(row.scheme).id
        new = _open(session, policies, scheme_id, row.person_id, filing, actor, row.replaced_by)
        new.replaces = row.id
        return registration_document(new, policies)


def _end(row: RegistrationRow, state: str, on: date, reason: str) -> None:
    """Leave the effective state from `on`: coverage stops the day before."""
    if row.effective_from is not None:
        last = on - timedelta(days=1)
        row.effective_to = last if row.effective_to is None else min(row.effective_to, last)
    row.state, row.ended_on, row.end_reason, row.updated_at = state, on, reason, now()


def expire_person(session: Session, person_id: str, on: date, actor: Caller) -> list[str]:
    """Mark a locked person's registrations whose `lasts` ran out before `on` as expired."""
    return _expire(session, [person_id], on, actor)


def expire_due(db: Database, on: date, actor: Caller) -> list[str]:
    """Mark every registration whose `lasts` ran out before `on` as expired; returns their ids."""
    with db.write() as session:
        due = session.scalars(
            select(RegistrationRow.person_id).where(
                RegistrationRow.state == "effective", RegistrationRow.effective_to < on
            )
        ).all()
        lock_persons(session, due)
        return _expire(session, sorted(set(due)), on, actor)


def _expire(session: Session, person_ids: list[str], on: date, actor: Caller) -> list[str]:
    if not person_ids:
        return []
    rows = session.scalars(
        select(RegistrationRow)
        .where(
            RegistrationRow.person_id.in_(person_ids),
            RegistrationRow.state == "effective",
            RegistrationRow.effective_to < on,
        )
        .order_by(RegistrationRow.id)
    ).all()
    for row in rows:
        assert row.effective_to is not None
        ended = row.effective_to + timedelta(days=1)
        row.state, row.ended_on, row.updated_at = "expired", ended, now()
        row.end_reason = f"lasted until {row.effective_to}"
        add_event(
            session,
            "registration",
            row.id,
            row.person_id,
            actor,
            "expire",
            ("effective", "expired"),
            {"on": on},
        )
    return [r.id for r in rows]


def registrations_of(session: Session, policies: PolicySet, person_id: str) -> list[RegistrationOut]:
    """A person's registrations, oldest first."""
    rows = session.scalars(
        select(RegistrationRow)
        .where(RegistrationRow.person_id == person_id)
        .order_by(RegistrationRow.created_at, RegistrationRow.id)
    ).all()
    return [registration_document(r, policies) for r in rows]
