"""A bill naming `institution.code`: the directory fills region, level, designated and networked.

For the person's scheme: the level is the directory's grade in the scheme's own keys
(`level_N` or `class_N`); `designated` (定点) is true when the institution is designated
for the person's scheme, or, away from home, for any scheme of its own region (异地就医
uses the treatment place's designated institutions); `networked` is the directory's
flag. A value the bill gives explicitly must agree, or the request is refused (422)
naming the field; the name is filled when the bill has none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yibao.crossregion.directory import level_for
from yibao.documents.bill import Institution
from yibao.engine.scope import scope_of
from yibao.errors import InputError, NotFoundError, Problem, YibaoError
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy
from yibao.store.crossregion_documents import BillIn, InstitutionIn, SettlementRequestIn
from yibao.store.crossregion_tables import InstitutionRow
from yibao.store.database import Database
from yibao.store.documents import BillBody, SettlementIn
from yibao.store.institutions import institution_row
from yibao.store.persons import person_row


def plain_bill(bill: BillIn) -> BillBody:
    """A bill without a code, as the settlement routes always took it (same defaults)."""
    given = bill.institution
    assert given.region is not None and given.level is not None
    institution = Institution(
        name=given.name,
        region=given.region,
        level=given.level,
        designated=True if given.designated is None else given.designated,
        networked=True if given.networked is None else given.networked,
    )
    return _with_institution(bill, institution)


def _with_institution(bill: BillIn, institution: Institution) -> BillBody:
    fields = {name: getattr(bill, name) for name in BillBody.model_fields if name != "institution"}
    return BillBody.model_construct(**fields, institution=institution)


def filled_bill(
    session: Session, policies: PolicySet, person_id: str, bill: BillIn, where: str = "bill"
) -> BillBody:
    """The bill with its institution filled from the directory (or as given, without a code)."""
    code = bill.institution.code
    if code is None:
        return plain_bill(bill)
    person = person_row(session, person_id)
    try:
        row = institution_row(session, code, f"{where}.institution.code")
    except NotFoundError as exc:  # a field of the body, not a resource of the path: 422
        raise InputError(exc.problems) from None
    try:
        scheme = policies.in_force(person.scheme, bill.date)
    except YibaoError:
        scheme = policies.get(person.scheme)  # the engine names the date problem; levels are the newest
    return _with_institution(bill, _filled(bill.institution, row, scheme, f"{where}.institution"))


def _filled(given: InstitutionIn, row: InstitutionRow, scheme: Policy, where: str) -> Institution:
    problems: list[Problem] = []

    def agree(field: str, value: object, listed: object, fix: str) -> None:
        if value is not None and value != listed:
            shown = str(listed).lower() if isinstance(listed, bool) else repr(listed)
            problems.append(
                Problem(
                    f"{where}.{field}",
                    f"the directory lists {row.code} with {field} {shown}; {fix}",
                    str(value).lower() if isinstance(value, bool) else str(value),
                )
            )

    region = given.region or row.region
    agree("region", given.region, row.region, "drop the field or correct the code")
    level = level_for(scheme.levels, row.level)
    if level is None and given.level is None:
        known = ", ".join(scheme.levels)
        problems.append(
            Problem(
                f"{where}.level",
                f"the directory's level {row.level!r} of {row.code} is not one of {scheme.id}'s levels "
                f"({known}); give the level explicitly",
            )
        )
    agree("level", given.level if level is not None else None, level, "drop the field or correct the code")
    schemes = row.schemes.split()
    away = scope_of(scheme.region, row.region) != "local"
    designated = scheme.id in schemes or (away and bool(schemes))
    agree("designated", given.designated, designated, f"(for {scheme.id}) drop the field or correct the code")
    agree("networked", given.networked, row.networked, "drop the field or correct the code")
    if problems:
        raise InputError(problems)
    return Institution(
        name=given.name or row.name,
        region=region,
        level=given.level or level or "",
        designated=designated,
        networked=row.networked,
    )


def settlement_in(db: Database, policies: PolicySet, data: SettlementRequestIn) -> tuple[SettlementIn, str]:
    """The request as the recorder takes it, and the text its Idempotency-Key digest is taken of.

    Without a code that text is the request exactly as before directory codes existed, so a
    key used before an upgrade still replays; with a code it is the request as sent.
    """
    if data.bill.institution.code is None:
        plain = SettlementIn.model_construct(person_id=data.person_id, bill=plain_bill(data.bill))
        return plain, plain.model_dump_json()
    with db.read() as session:
        bill = filled_bill(session, policies, data.person_id, data.bill)
    filled = SettlementIn.model_construct(person_id=data.person_id, bill=bill)
    return filled, data.model_dump_json()
