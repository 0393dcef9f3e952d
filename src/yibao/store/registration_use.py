"""Settlements use stored registrations: found for a bill saying none, confirmed for one naming its type.

Inside the settlement transaction (the person locked), for each bill away from home that
needs a registration: a bill saying `registration: "none"` is settled with the person's
stored registration covering its treatment region and date, if there is one (the
response says so under `registration`); a bill naming a type the store does not have
for that place and day is refused (422, `bill.registration`). A one-admission
registration ends when a settled inpatient bill uses it; a reversal gives it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.crossregion.registration_rules import last_day, need_for, rule_of
from yibao.errors import InputError, Problem, YibaoError
from yibao.policy.lookup import PolicySet
from yibao.store.case_events import add_event
from yibao.store.crossregion_documents import RegistrationApplied
from yibao.store.crossregion_tables import RegistrationRow, RegistrationUseRow
from yibao.store.database import Database
from yibao.store.documents import BillBody
from yibao.store.keys import Caller, Role
from yibao.store.loading import Locked
from yibao.store.persons import lock_persons
from yibao.store.registration_lookup import covering, is_exhausted, rows_of
from yibao.store.requests import Outcome, Recorded, SettleRequest
from yibao.store.writing import Writes

SYSTEM: Role = "operator"  # a settlement is recorded for an operator key
USED_BY = "its admission was used by settlement "


@dataclass
class RegistrationUses:
    """The stored registrations a batch's bills are settled with, by request position."""

    applied: dict[int, RegistrationApplied] = field(default_factory=dict)
    recorded: list[tuple[str, RegistrationApplied, SettleRequest]] = field(default_factory=list)

    def noted(self, position: int, outcome: Recorded, writes: Writes, request: SettleRequest) -> Recorded:
        """The response of a settled bill, saying which stored registration it used."""
        applied = self.applied.get(position)
        if applied is None:
            return outcome
        key = writes.keys[-1]
        assert key["settlement_id"] == outcome.settlement_id, "the idempotency record of this bill"
        head: str = key["response"]
        extra = json.dumps(
            {"registration": applied.model_dump(mode="json")}, ensure_ascii=False, separators=(",", ":")
        )
        key["response"] = head[:-1] + "," + extra[1:]
        self.recorded.append((outcome.settlement_id, applied, request))
        return replace(outcome, body=key["response"][:-1] + outcome.body[len(head) - 1 :])

    def record(self, session: Session) -> None:
        """Write the uses (after the settlements), count admissions, end used-up registrations."""
        if not self.recorded:
            return
        rows = {
            r.id: r
            for r in session.scalars(
                select(RegistrationRow).where(RegistrationRow.id.in_([a.id for _, a, _ in self.recorded]))
            )
        }
        for settlement_id, applied, request in self.recorded:
            bill = request.bill
            session.add(
                RegistrationUseRow(
                    settlement_id=settlement_id,
                    registration_id=applied.id,
                    matched=applied.matched,
                    kind=bill.kind,
                    bill_date=bill.date,
                    released=False,
                )
            )
            if bill.kind == "inpatient":
                _count_admission(session, rows[applied.id], settlement_id, bill.date)


def _count_admission(session: Session, row: RegistrationRow, settlement_id: str, day: date) -> None:
    row.admissions_used += 1
    if not is_exhausted(row) or row.state != "effective":
        return
    row.effective_to = day if row.effective_to is None else min(row.effective_to, day)
    row.state, row.ended_on, row.end_reason = "expired", day + timedelta(days=1), USED_BY + settlement_id
    actor = Caller(settlement_id, SYSTEM)
    add_event(
        session, "registration", row.id, row.person_id, actor, "use", ("effective", "expired"), {"on": day}
    )


def apply_registrations(
    session: Session,
    policies: PolicySet,
    requests: list[SettleRequest],
    todo: list[int],
    persons: dict[str, Locked],
    outcomes: dict[int, Outcome],
) -> tuple[list[int], RegistrationUses]:
    """Match each bill needing a registration with the store; replaces `requests[i]` when one is found.

    Returns the positions still to settle (refused ones get their outcome) and the uses.
    """
    wanted = []
    for i in todo:
        r = requests[i]
        try:
            scheme = policies.in_force(persons[r.person_id].scheme, r.bill.date, r.as_known_on)
        except YibaoError:
            continue  # the engine names this problem
        if need_for(policies, scheme, r.bill.institution.region, r.bill.date).needed:
            wanted.append(i)
    uses = RegistrationUses()
    if not wanted:
        return todo, uses
    rows = rows_of(session, [requests[i].person_id for i in wanted])
    refused = set()
    for i in wanted:
        r = requests[i]
        found = covering(rows.get(r.person_id, []), r.bill.institution.region, r.bill.date)
        match = _match(r, found)
        if isinstance(match, YibaoError):
            outcomes[i] = match
            refused.add(i)
        elif match is not None:
            requests[i] = replace(r, bill=r.bill.model_copy(update={"registration": match.type}))
            uses.applied[i] = match
    return [i for i in todo if i not in refused], uses


def _match(request: SettleRequest, found: list[RegistrationRow]) -> RegistrationApplied | YibaoError | None:
    bill, person = request.bill, request.person_id
    claimed = bill.registration
    if claimed == "none":
        return _applied(found[0], "found") if found else None
    same = [r for r in found if r.type == claimed]
    if same:
        return _applied(same[0], "confirmed")
    if found:
        fix = (
            f"the store has the {found[0].type} registration {found[0].id}: send 'none' (or "
            f"'{found[0].type}') to settle with it"
        )
    else:
        fix = (
            f"file it with POST /v1/persons/{person}/registrations first (where the scheme allows, "
            "emergencies may be filed afterwards), or send 'none' to settle as unregistered"
        )
    place = f"{bill.institution.region} on {bill.date}"
    message = f"{person} has no stored {claimed} registration covering {place}; {fix}"
    return InputError(Problem("bill.registration", message, claimed))


def _applied(row: RegistrationRow, matched: str) -> RegistrationApplied:
    if matched == "found":
        text = (
            f"the bill said none; the stored {row.type} registration {row.id} for {row.treatment_region} "
            "covers it, so it was settled with that registration"
        )
    else:
        text = (
            f"the bill named {row.type}; the stored registration {row.id} for {row.treatment_region} "
            "covers it"
        )
    return RegistrationApplied(
        id=row.id,
        type=row.type,
        treatment_region=row.treatment_region,
        matched=matched,
        explanation=text,
    )


def release_use(session: Session, policies: PolicySet, settlement_id: str) -> None:
    """A reversed settlement gives its admission back: a registration it used up is effective again."""
    use = session.get(RegistrationUseRow, settlement_id)
    if use is None or use.released:
        return
    use.released = True
    row = session.get(RegistrationRow, use.registration_id)
    if row is None or use.kind != "inpatient":
        return
    row.admissions_used -= 1
    if row.state == "expired" and row.end_reason == USED_BY + settlement_id and row.effective_from:
        rule = rule_of(policies.get(row.scheme), row.type)
        row.effective_to = last_day(rule, row.effective_from) if not isinstance(rule, Problem) else None
        row.state, row.ended_on, row.end_reason = "effective", None, None
        actor = Caller(settlement_id, SYSTEM)
        add_event(
            session, "registration", row.id, row.person_id, actor, "release", ("expired", "effective"), {}
        )


def applied_to(session: Session, settlement_id: str) -> RegistrationApplied | None:
    """The stored registration a recorded settlement used, as its response showed it."""
    use = session.get(RegistrationUseRow, settlement_id)
    row = None if use is None else session.get(RegistrationRow, use.registration_id)
    if use is None or row is None:
        return None
    return _applied(row, use.matched)


def with_registration(body: str, applied: RegistrationApplied | None) -> str:
    """A recorded settlement's JSON with `registration` before its document (as POST answered)."""
    if applied is None:
        return body
    extra = json.dumps(applied.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    return body.replace(',"settlement":', f',"registration":{extra},"settlement":', 1)


def registration_for_claim(
    session: Session, policies: PolicySet, scheme_id: str, person_id: str, bill: BillBody
) -> tuple[str, str | None]:
    """The registration a claim's bill is judged by (type, stored id): as settlement will find it.

    `waived` where none is needed; a bill naming a type the store lacks is refused here already.
    """
    scheme = policies.in_force(scheme_id, bill.date, where="bill.date")
    if not need_for(policies, scheme, bill.institution.region, bill.date).needed:
        return "waived", None
    rows = rows_of(session, [person_id]).get(person_id, [])
    request = SettleRequest(person_id, bill, idempotency_key="", request_sha256="")
    match = _match(request, covering(rows, bill.institution.region, bill.date))
    if isinstance(match, YibaoError):
        raise match
    return ("none", None) if match is None else (match.type, match.id)


def release_after_reversal(db: Database, policies: PolicySet, settlement_id: str) -> None:
    """After a reversal: give back the admission the settlement used (in a transaction of its own)."""
    with db.write() as session:
        use = session.get(RegistrationUseRow, settlement_id)
        row = None if use is None else session.get(RegistrationRow, use.registration_id)
        if row is not None:
            lock_persons(session, [row.person_id])
            release_use(session, policies, settlement_id)
