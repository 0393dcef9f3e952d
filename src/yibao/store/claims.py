"""Manual claims (手工报销): submit, hand in materials later, read. The later steps are in claim_steps.py.

A claim is for a bill paid in full: either the bill itself (adjudicated and recorded
later) or a settlement already recorded in manual mode. On submission the home scheme's
`[claims]` give the materials the case needs (plus the registration's: referral letter,
residence proof, emergency certificate) and the deadline after discharge; a late claim
is refused naming the deadline and the rule; a claim missing materials is `incomplete`
with the list, `submitted` once they are all in. Every step is a case event.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.crossregion.claim_rules import ClaimCase, claim_case, late
from yibao.documents.settlement import Settlement
from yibao.errors import ConflictError, InputError, NotFoundError, Problem
from yibao.money import format_yuan
from yibao.policy.crossregion_models import MATERIAL_NAMES
from yibao.policy.lookup import PolicySet
from yibao.store.case_events import add_event, events_of
from yibao.store.crossregion_documents import ClaimIn, ClaimOut, MaterialLine
from yibao.store.crossregion_tables import ClaimRow
from yibao.store.database import Database
from yibao.store.institution_fill import filled_bill
from yibao.store.keys import Caller
from yibao.store.persons import new_id, now, person_row
from yibao.store.registration_use import registration_for_claim
from yibao.store.settlements import settlement_row
from yibao.store.tables import PersonRow, SettlementRow

DEFAULT_BILL_ID = "bill"
OPEN = ("incomplete", "submitted", "adjudicated", "approved", "paid")


def submit_claim(
    db: Database,
    policies: PolicySet,
    data: ClaimIn,
    raw_bill: dict[str, Any] | None,
    actor: Caller,
    today: date,
) -> ClaimOut:
    """Record a claim (incomplete or submitted); `raw_bill` is the bill as sent (amounts in yuan)."""
    submitted_on = data.submitted_on or today
    with db.write() as session:
        person = person_row(session, data.person_id, lock=True)
        row = (
            _from_bill(session, policies, person, data, raw_bill)
            if data.bill
            else _from_settlement(session, person, data)
        )
        scheme = policies.get(row.scheme)
        case = claim_case(scheme, row.registration, person.category, data.discharged_on)
        if isinstance(case, Problem):
            raise InputError(case)
        _check_dates(row, data.discharged_on, submitted_on, case)
        provided = list(dict.fromkeys(data.materials))
        missing = [m for m in case.required if m not in provided]
        row.id, row.person_id, row.state = new_id("clm"), person.id, "incomplete" if missing else "submitted"
        row.discharged_on, row.submitted_on, row.deadline, row.deadline_rule = (
            data.discharged_on,
            submitted_on,
            case.deadline,
            case.rule,
        )
        row.materials_required, row.materials_provided = json.dumps(case.required), json.dumps(provided)
        row.created_at = row.updated_at = now()
        session.add(row)
        session.flush()
        detail = {"missing": missing, "deadline": case.deadline, "rule": case.rule}
        add_event(session, "claim", row.id, person.id, actor, "submit", (None, row.state), detail)
        return claim_document(session, row)


def _from_bill(
    session: Session, policies: PolicySet, person: PersonRow, data: ClaimIn, raw: dict[str, Any] | None
) -> ClaimRow:
    assert data.bill is not None
    bill = filled_bill(session, policies, person.id, data.bill)
    if bill.settlement is None:  # a bill claimed by hand was not settled at the hospital
        bill = bill.model_copy(update={"settlement": "manual"})
    registration, registration_id = registration_for_claim(session, policies, person.scheme, person.id, bill)
    if bill.id != DEFAULT_BILL_ID:
        same = (ClaimRow.bill_id == bill.id, ClaimRow.bill_date == bill.date)
        _refuse_twice(session, "bill.id", bill.id, *same, person=person.id)
    stored = {
        **(raw or {}),
        "institution": bill.institution.model_dump(),  # as filled from the directory now
        "settlement": bill.settlement,
        "registration": registration if registration_id else bill.registration,  # adjudication confirms it
    }
    return ClaimRow(
        scheme=policies.in_force(person.scheme, bill.date, where="bill.date").ref,
        bill_id=bill.id,
        bill=json.dumps(stored, ensure_ascii=False),
        bill_date=bill.date,
        kind=bill.kind,
        registration=registration,
        registration_id=registration_id,
        recorded_by_claim=False,
    )


def _from_settlement(session: Session, person: PersonRow, data: ClaimIn) -> ClaimRow:
    assert data.settlement_id is not None
    recorded = settlement_row(session, data.settlement_id)
    document = Settlement.model_validate_json(recorded.document)
    if recorded.person_id != person.id:
        raise InputError(
            Problem("settlement_id", f"is a settlement of another person, not {person.id}", recorded.id)
        )
    if recorded.status != "recorded":
        raise ConflictError(
            Problem("settlement_id", "was reversed; claim the bill itself instead", recorded.id)
        )
    if document.settlement.mode != "manual":
        raise InputError(
            Problem(
                "settlement_id",
                "was settled directly at the hospital (mode direct): there is nothing to claim back",
                recorded.id,
            )
        )
    _refuse_twice(
        session, "settlement_id", recorded.id, ClaimRow.settlement_id == recorded.id, person=person.id
    )
    return ClaimRow(
        scheme=document.scheme,
        bill_id=document.bill_id,
        bill=None,
        bill_date=document.date,
        kind="",
        registration=document.settlement.registration,
        settlement_id=recorded.id,
        recorded_by_claim=False,
    )


def _refuse_twice(session: Session, field: str, value: str, *where: Any, person: str) -> None:
    other = session.scalar(
        select(ClaimRow.id).where(ClaimRow.person_id == person, ClaimRow.state.in_(OPEN), *where)
    )
    if other is not None:
        raise ConflictError(
            Problem(field, f"this bill is claimed already as {other}; GET /v1/claims/{other} shows it", value)
        )


def _check_dates(row: ClaimRow, discharged_on: date, submitted_on: date, case: ClaimCase) -> None:
    if discharged_on < row.bill_date:
        raise InputError(
            Problem(
                "discharged_on", f"is before the bill's date {row.bill_date}; check both", str(discharged_on)
            )
        )
    if submitted_on < discharged_on:
        raise InputError(
            Problem(
                "submitted_on",
                f"is before discharge on {discharged_on}; claim after discharge",
                str(submitted_on),
            )
        )
    refusal = late(case, discharged_on, submitted_on)
    if refusal is not None:
        raise InputError(refusal)


def add_materials(db: Database, claim_id: str, materials: list[str], actor: Caller) -> ClaimOut:
    """Materials handed in later; the claim is submitted once none is missing."""
    with db.write() as session:
        row = locked_claim(session, claim_id)
        refuse_state(row, ("incomplete", "submitted"), "given materials")
        provided = list(dict.fromkeys([*json.loads(row.materials_provided), *materials]))
        row.materials_provided = json.dumps(provided)
        before = row.state
        row.state = "submitted" if not missing_of(row) else "incomplete"
        row.updated_at = now()
        detail = {"added": materials, "missing": missing_of(row)}
        add_event(session, "claim", row.id, row.person_id, actor, "materials", (before, row.state), detail)
        return claim_document(session, row)


def claim_row(session: Session, claim_id: str) -> ClaimRow:
    """A claim by id; 404 when unknown."""
    row = session.get(ClaimRow, claim_id)
    if row is None:
        raise NotFoundError(
            Problem(
                "claim_id", "no claim with this id; GET /v1/persons/{person_id}/claims lists them", claim_id
            )
        )
    return row


def locked_claim(session: Session, claim_id: str) -> ClaimRow:
    """A claim by id with its person locked (every step of a claim is serialised per person)."""
    row = claim_row(session, claim_id)
    person_row(session, row.person_id, lock=True)
    session.refresh(row)
    return row


def refuse_state(row: ClaimRow, allowed: tuple[str, ...], step: str) -> None:
    """409 unless the claim is in one of the allowed states."""
    conflict = state_conflict(row, allowed, step)
    if conflict is not None:
        raise conflict


def state_conflict(row: ClaimRow, allowed: tuple[str, ...], step: str) -> ConflictError | None:
    """The 409 for a claim not in an allowed state (saying what is missing, when it is), or None."""
    if row.state in allowed:
        return None
    hint = ""
    if row.state == "incomplete":
        hint = f"; materials missing: {', '.join(missing_of(row))} (POST /v1/claims/{row.id}/materials)"
    message = f"is {row.state}; only a claim that is {' or '.join(allowed)} can be {step}{hint}"
    return ConflictError(Problem("claim_id", message, row.id))


def missing_of(row: ClaimRow) -> list[str]:
    """The required materials not handed in yet, in the scheme's order."""
    provided = set(json.loads(row.materials_provided))
    return [m for m in json.loads(row.materials_required) if m not in provided]


def claim_document(session: Session, row: ClaimRow) -> ClaimOut:
    """A claim as the API shows it: checklist, deadline, amounts, the settlement, every event."""
    provided = set(json.loads(row.materials_provided))
    document = None
    if row.settlement_id is not None:
        stored = session.scalar(select(SettlementRow.document).where(SettlementRow.id == row.settlement_id))
        document = None if stored is None else Settlement.model_validate_json(stored)
    return ClaimOut(
        id=row.id,
        person_id=row.person_id,
        state=row.state,
        scheme=row.scheme,
        bill_id=row.bill_id,
        bill_date=row.bill_date,
        kind=row.kind or None,
        registration=row.registration,
        registration_id=row.registration_id,
        discharged_on=row.discharged_on,
        submitted_on=row.submitted_on,
        deadline=row.deadline,
        deadline_rule=row.deadline_rule,
        checklist=[
            MaterialLine(
                material=m, name=MATERIAL_NAMES[m][0], name_en=MATERIAL_NAMES[m][1], provided=m in provided
            )
            for m in json.loads(row.materials_required)
        ],
        missing=missing_of(row),
        settlement_id=row.settlement_id,
        total=None if row.total_fen is None else format_yuan(row.total_fen),
        reimbursed=None if row.reimbursed_fen is None else format_yuan(row.reimbursed_fen),
        settlement=document,
        reasons=json.loads(row.reasons or "[]"),
        paid_on=row.paid_on,
        payment_reference=row.payment_reference,
        events=events_of(session, "claim", row.id),
    )


def claims_of(session: Session, person_id: str) -> list[ClaimOut]:
    """A person's claims, oldest first."""
    rows = session.scalars(
        select(ClaimRow).where(ClaimRow.person_id == person_id).order_by(ClaimRow.created_at)
    )
    return [claim_document(session, r) for r in rows]
