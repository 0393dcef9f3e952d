"""The steps after a claim is submitted: adjudicate with the engine, approve or reject, mark paid.

Adjudication records the claim's bill through the same recording path as POST
/v1/settlements (person locked, stored accumulators, one transaction) under the
Idempotency-Key `claim:<claim id>`, so a retried adjudication replays and the
accumulators move exactly once. Rejecting a claim whose settlement it recorded reverses
that settlement (compensating ledger entries), so an unpaid claim counts for nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.errors import ConflictError, InputError, Problem, YibaoError
from yibao.money import parse_yuan
from yibao.policy.lookup import PolicySet
from yibao.store.case_events import add_event
from yibao.store.claims import claim_document, claim_row, locked_claim, refuse_state, state_conflict
from yibao.store.crossregion_documents import BillIn, ClaimOut
from yibao.store.crossregion_tables import ClaimRow
from yibao.store.database import Database
from yibao.store.institution_fill import plain_bill
from yibao.store.keys import Caller
from yibao.store.persons import now
from yibao.store.registration_use import release_use
from yibao.store.requests import Outcome, SettleRequest, request_digest
from yibao.store.settlements import reverse
from yibao.store.tables import SettlementRow

Settle = Callable[[SettleRequest], Outcome]
"""Records one settlement: the service's batcher, or `recording.record` for the command line."""


def adjudicate(db: Database, claim_id: str, settle: Settle, actor: Caller, lang: str = "zh") -> ClaimOut:
    """Settle the claim's bill with the engine and record it (or take the recorded settlement)."""
    with db.read() as session:
        row = claim_row(session, claim_id)
        refuse_state(row, ("submitted",), "adjudicated")
        stored_bill, settlement_id = row.bill, row.settlement_id
    recorded_now = stored_bill is not None
    if stored_bill is not None:
        settlement_id = _record(row, stored_bill, settle, lang)
    assert settlement_id is not None
    with db.write() as session:
        row = locked_claim(session, claim_id)
        conflict = state_conflict(row, ("submitted",), "adjudicated")
        if conflict is None:
            stored = session.scalar(select(SettlementRow.document).where(SettlementRow.id == settlement_id))
            assert stored is not None, "the settlement is recorded"
            document = json.loads(stored)
            total, out_of_pocket = parse_yuan(document["total"]), parse_yuan(document["out_of_pocket"])
            row.settlement_id, row.recorded_by_claim = settlement_id, recorded_now
            row.total_fen, row.reimbursed_fen = total, total - out_of_pocket
            _move(session, row, "adjudicated", actor, "adjudicate", _paid_by(document, settlement_id))
            return claim_document(session, row)
        ours_unused = recorded_now and row.settlement_id != settlement_id
    if ours_unused:  # the claim was rejected while its bill was settled: undo that settlement
        reverse(db, settlement_id)
    raise conflict


def _record(row: ClaimRow, stored_bill: str, settle: Settle, lang: str) -> str:
    bill = plain_bill(BillIn.model_validate_json(stored_bill))
    request = SettleRequest(
        person_id=row.person_id,
        bill=bill,
        idempotency_key=f"claim:{row.id}",
        request_sha256=request_digest(stored_bill, lang, None),
        lang=lang,
    )
    outcome = settle(request)
    if isinstance(outcome, YibaoError):
        raise outcome
    return outcome.settlement_id


def _paid_by(document: dict[str, object], settlement_id: str) -> dict[str, object]:
    payments = document.get("payments", [])
    assert isinstance(payments, list)
    return {
        "settlement_id": settlement_id,
        "total": document["total"],
        "out_of_pocket": document["out_of_pocket"],
        "payments": {p["policy"] + ":" + p["benefit"]: p["amount"] for p in payments},
    }


def approve(db: Database, claim_id: str, reasons: list[str], actor: Caller) -> ClaimOut:
    """Approve an adjudicated claim: the reimbursement is due."""
    with db.write() as session:
        row = locked_claim(session, claim_id)
        refuse_state(row, ("adjudicated",), "approved")
        row.reasons = json.dumps(reasons, ensure_ascii=False)
        _move(session, row, "approved", actor, "approve", {"reasons": reasons})
        return claim_document(session, row)


def reject(db: Database, policies: PolicySet, claim_id: str, reasons: list[str], actor: Caller) -> ClaimOut:
    """Reject with reasons; a settlement the claim recorded is reversed (its accumulators restored)."""
    if not reasons:
        raise InputError(Problem("reasons", "a rejection needs at least one reason, told to the person"))
    with db.read() as session:
        row = claim_row(session, claim_id)
        refuse_state(row, ("incomplete", "submitted", "adjudicated"), "rejected")
        to_reverse = row.settlement_id if row.recorded_by_claim else None
    if to_reverse is not None:
        with suppress(ConflictError):  # reversed already: a retried rejection
            reverse(db, to_reverse)
    with db.write() as session:
        row = locked_claim(session, claim_id)
        refuse_state(row, ("incomplete", "submitted", "adjudicated"), "rejected")
        if to_reverse is not None:
            release_use(session, policies, to_reverse)
        row.reasons = json.dumps(reasons, ensure_ascii=False)
        _move(session, row, "rejected", actor, "reject", {"reasons": reasons, "reversed": to_reverse})
        return claim_document(session, row)


def pay(db: Database, claim_id: str, paid_on: date, reference: str | None, actor: Caller) -> ClaimOut:
    """The approved reimbursement was paid to the person's bank account."""
    with db.write() as session:
        row = locked_claim(session, claim_id)
        refuse_state(row, ("approved",), "paid")
        if paid_on < row.submitted_on:
            raise InputError(
                Problem("paid_on", f"is before the claim was submitted on {row.submitted_on}", str(paid_on))
            )
        row.paid_on, row.payment_reference = paid_on, reference
        _move(session, row, "paid", actor, "pay", {"paid_on": paid_on, "reference": reference})
        return claim_document(session, row)


def _move(
    session: Session, row: ClaimRow, state: str, actor: Caller, action: str, detail: dict[str, object]
) -> None:
    before = row.state
    row.state, row.updated_at = state, now()
    session.flush()
    add_event(session, "claim", row.id, row.person_id, actor, action, (before, state), detail)
