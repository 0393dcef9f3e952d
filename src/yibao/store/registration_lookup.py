"""Is a person registered for treatment region R on day D, and with which type? Answered from the store.

A registration covers a day from `effective_from` to `effective_to` (inclusive; open when
null), whatever its state now: a registration cancelled later still covered the days
before. For a new bill, one whose admissions are used up covers nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.crossregion.registration_rules import PRIORITY, covers, need_for, rule_id
from yibao.errors import NotFoundError
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy
from yibao.store.crossregion_documents import RegistrationCheck, RegistrationOut
from yibao.store.crossregion_tables import RegistrationRow

COVERING_STATES = ("effective", "changed", "cancelled", "expired")


def rows_of(session: Session, person_ids: Sequence[str]) -> dict[str, list[RegistrationRow]]:
    """Every registration that ever took effect, of some persons (one statement)."""
    found: dict[str, list[RegistrationRow]] = defaultdict(list)
    if not person_ids:
        return found
    for row in session.scalars(
        select(RegistrationRow)
        .where(
            RegistrationRow.person_id.in_(sorted(set(person_ids))),
            RegistrationRow.state.in_(COVERING_STATES),
        )
        .order_by(RegistrationRow.created_at, RegistrationRow.id)
    ):
        found[row.person_id].append(row)
    return found


def is_exhausted(row: RegistrationRow) -> bool:
    """Its admissions are used up (one-admission registrations after a settled inpatient bill)."""
    return row.admissions_limit is not None and row.admissions_used >= row.admissions_limit


def covering(
    rows: Sequence[RegistrationRow], region: str, day: date, *, new_bill: bool = True
) -> list[RegistrationRow]:
    """The registrations covering a region on a day, the one to use first."""
    found = [
        r
        for r in rows
        if r.effective_from is not None
        and r.effective_from <= day
        and (r.effective_to is None or day <= r.effective_to)
        and covers(r.treatment_region, region)
        and not (new_bill and is_exhausted(r))
    ]
    return sorted(found, key=lambda r: (PRIORITY.index(r.type), -r.effective_from.toordinal()))  # type: ignore[union-attr]


def registration_document(row: RegistrationRow, policies: PolicySet) -> RegistrationOut:
    """A registration as the API shows it, named by its rule."""
    try:
        rule = policies.get(row.scheme).registrations.get(row.type)
    except NotFoundError:  # an edition no longer installed: the type is name enough
        rule = None
    return RegistrationOut(
        id=row.id,
        person_id=row.person_id,
        scheme=row.scheme,
        rule=rule_id(row.scheme, row.type),
        type=row.type,
        name=rule.name if rule is not None else row.type,
        treatment_region=row.treatment_region,
        filed_on=row.filed_on,
        channel=row.channel,
        treatment_started_on=row.treatment_started_on,
        state=row.state,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        admissions_limit=row.admissions_limit,
        admissions_used=row.admissions_used,
        replaces=row.replaces,
        replaced_by=row.replaced_by,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
    )


def check_registration(
    session: Session, policies: PolicySet, scheme: Policy, person_id: str, region: str, day: date
) -> RegistrationCheck:
    """The answer for one person, region and day, with why."""
    need = need_for(policies, scheme, region, day)
    found = covering(rows_of(session, [person_id]).get(person_id, []), region, day, new_bill=False)
    best = found[0] if found else None
    if best is not None:
        text = f"registered: {best.type} registration {best.id} covers {region} on {day}"
    elif need.needed:
        text = f"not registered for {region} on {day}; {need.explanation}"
    else:
        text = need.explanation
    return RegistrationCheck(
        person_id=person_id,
        region=region,
        date=day,
        scope=need.scope,
        needed=need.needed,
        registered=best is not None,
        type=None if best is None else best.type,
        registration=None if best is None else registration_document(best, policies),
        explanation=text,
    )
