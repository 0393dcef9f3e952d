"""Persons and coverage years: register a person, record a year's contribution status and products."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yibao.errors import ConflictError, InputError, NotFoundError, Problem
from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy
from yibao.store.database import Database
from yibao.store.documents import CoverageIn, CoverageOut, PersonIn, PersonOut, ProductHeld
from yibao.store.national_id import mask, parse_national_id
from yibao.store.tables import AccountRow, CoverageYearRow, HeldProductRow, PersonRow


def new_id(prefix: str) -> str:
    """A random record id such as per_1f3a…: a prefix and 20 hex digits."""
    return f"{prefix}_{secrets.token_hex(10)}"


def now() -> datetime:
    """The time a record is written (the engine never reads the clock; the store does)."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A stored time with its zone (SQLite hands times back without one; they are UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def create_person(db: Database, policies: PolicySet, data: PersonIn) -> PersonOut:
    """Register a person; the national ID must be valid and not registered yet."""
    try:
        national_id = parse_national_id(data.national_id)
    except ValueError as exc:
        raise InputError(Problem("national_id", str(exc), mask(data.national_id.strip()))) from None
    scheme = _scheme(policies, data.scheme)
    if data.category not in scheme.categories:
        known = ", ".join(scheme.categories) or "none"
        raise InputError(
            Problem(
                "category", f"{scheme.id} has no category {data.category!r}; expected {known}", data.category
            )
        )
    row = PersonRow(
        id=new_id("per"),
        name=data.name,
        national_id=national_id,
        scheme=scheme.id,
        category=data.category,
        created_at=now(),
    )
    try:
        with db.write() as session:
            taken = session.scalar(select(PersonRow.id).where(PersonRow.national_id == national_id))
            if taken is not None:
                raise _duplicate(national_id, taken)
            session.add(row)
            session.flush()
            if scheme.personal_account is not None:
                session.add(AccountRow(person_id=row.id, balance_fen=0))
    except IntegrityError:
        raise _duplicate(national_id, None) from None
    return person_document(row, [])


def _duplicate(national_id: str, person_id: str | None) -> ConflictError:
    who = f" as {person_id}" if person_id else ""
    return ConflictError(
        Problem(
            "national_id",
            f"a person with national ID {mask(national_id)} is already registered{who}; "
            "look it up with POST /v1/persons/lookup instead of registering again",
            mask(national_id),
        )
    )


def _scheme(policies: PolicySet, scheme_id: str) -> Policy:
    try:
        scheme = policies.get(scheme_id)
    except NotFoundError as exc:
        raise InputError(Problem("scheme", exc.problems[0].message, scheme_id)) from None
    if "@" in scheme_id or scheme.kind != "basic":
        raise InputError(
            Problem(
                "scheme",
                "give the id of a basic scheme without '@edition', e.g. cn-371500.employee",
                scheme_id,
            )
        )
    return scheme


def person_row(session: Session, person_id: str, *, lock: bool = False) -> PersonRow:
    """A person by id (locked FOR UPDATE when asked); 404 when unknown."""
    query = select(PersonRow).where(PersonRow.id == person_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFoundError(
            Problem("person_id", "no such person; register them with POST /v1/persons first", person_id)
        )
    return row


def lock_persons(session: Session, person_ids: Sequence[str]) -> dict[str, PersonRow]:
    """Lock persons in id order (one order everywhere, so two transactions never deadlock)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(PersonRow).where(PersonRow.id.in_(ids)).order_by(PersonRow.id).with_for_update()
    )
    return {row.id: row for row in rows}


def find_person(session: Session, raw_national_id: str) -> PersonRow:
    """A person by national ID; 404 (masked) when none is registered."""
    try:
        national_id = parse_national_id(raw_national_id)
    except ValueError as exc:
        raise InputError(Problem("national_id", str(exc), mask(raw_national_id.strip()))) from None
    row = session.scalar(select(PersonRow).where(PersonRow.national_id == national_id))
    if row is None:
        raise NotFoundError(
            Problem(
                "national_id",
                f"no person with national ID {mask(national_id)} is registered",
                mask(national_id),
            )
        )
    return row


def put_coverage(
    db: Database, policies: PolicySet, person_id: str, year: int, data: CoverageIn
) -> CoverageOut:
    """Record (or replace) a coverage year; products must exist and cover the person's scheme."""
    with db.write() as session:
        person = person_row(session, person_id, lock=True)
        _check_products(policies, person.scheme, data.products)
        row = session.get(CoverageYearRow, (person_id, year))
        if row is None:
            row = CoverageYearRow(person_id=person_id, year=year)
            session.add(row)
        row.contribution_status = data.contribution_status
        row.contribution_base_fen = data.contribution_base
        row.updated_at = now()
        session.flush()
        session.execute(
            delete(HeldProductRow).where(HeldProductRow.person_id == person_id, HeldProductRow.year == year)
        )
        for product in data.products:
            session.add(
                HeldProductRow(
                    person_id=person_id, year=year, product_id=product.id, pre_existing=product.pre_existing
                )
            )
        return coverage_document(row, data.products)


def _check_products(policies: PolicySet, scheme_id: str, products: list[ProductHeld]) -> None:
    problems = []
    seen: set[str] = set()
    for i, product in enumerate(products):
        where = f"products[{i}].id"
        if product.id in seen:
            problems.append(Problem(where, "this product is listed twice; list it once", product.id))
            continue
        seen.add(product.id)
        editions = policies.editions.get(product.id)
        if not editions or editions[0].kind != "supplementary":
            problems.append(
                Problem(where, "not a supplementary product; `GET /v1/policies` lists them", product.id)
            )
        elif not any(scheme_id in e.covers for e in editions):
            problems.append(
                Problem(where, f"this product does not cover the person's scheme {scheme_id}", product.id)
            )
    if problems:
        raise InputError(problems)


def coverage_rows(session: Session, person_id: str) -> list[CoverageOut]:
    """Every coverage year of a person, oldest first, with its products."""
    years = session.scalars(
        select(CoverageYearRow).where(CoverageYearRow.person_id == person_id).order_by(CoverageYearRow.year)
    ).all()
    held = session.scalars(select(HeldProductRow).where(HeldProductRow.person_id == person_id)).all()
    return [
        coverage_document(
            row,
            [ProductHeld(id=h.product_id, pre_existing=h.pre_existing) for h in held if h.year == row.year],
        )
        for row in years
    ]


def coverage_document(row: CoverageYearRow, products: list[ProductHeld]) -> CoverageOut:
    """A coverage year as the API shows it."""
    base = row.contribution_base_fen
    return CoverageOut(
        year=row.year,
        contribution_status=row.contribution_status,
        contribution_base=None if base is None else format_yuan(base),
        products=sorted(products, key=lambda p: p.id),
    )


def person_document(row: PersonRow, coverage: list[CoverageOut]) -> PersonOut:
    """A person as the API shows it: the national ID masked."""
    return PersonOut(
        id=row.id,
        name=row.name,
        national_id=mask(row.national_id),
        scheme=row.scheme,
        category=row.category,
        created_at=aware(row.created_at),
        coverage=coverage,
    )
