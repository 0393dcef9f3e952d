"""Account operations besides payments: monthly credits by the scheme's rule, family-sharing links, views."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yibao.errors import ConflictError, InputError, Problem
from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.documents import AccountEntryOut, AccountOut
from yibao.store.periods import period_of_day
from yibao.store.persons import aware, lock_persons, now, person_row
from yibao.store.tables import AccountEntryRow, AccountLinkRow, AccountRow, CoverageYearRow, PersonRow


def _account(session: Session, person: PersonRow) -> AccountRow:
    account = session.get(AccountRow, person.id)
    if account is None:
        raise InputError(
            Problem(
                "person_id",
                f"{person.id} has no personal account: their scheme {person.scheme} has none (residents' "
                "schemes do not); only an employee's account can be credited or shared",
                person.id,
            )
        )
    return account


def credit_month(db: Database, policies: PolicySet, person_id: str, month: str) -> AccountEntryOut:
    """Credit one month (个人账户划入) by the rule of the scheme edition in force on its first day."""
    first = date.fromisoformat(f"{month}-01")
    with db.write() as session:
        person = person_row(session, person_id, lock=True)
        account = _account(session, person)
        scheme = policies.in_force(person.scheme, first, where="month")
        rule = scheme.personal_account.credit if scheme.personal_account else None
        if rule is None:
            raise InputError(
                Problem(
                    "month", f"{scheme.ref} gives no [personal_account.credit] rule; nothing to credit", month
                )
            )
        year = period_of_day(first, scheme.year_starts).start.year
        coverage = session.get(CoverageYearRow, (person_id, year))
        if coverage is None or coverage.contribution_status != "paid":
            state = "has no coverage year" if coverage is None else "has not paid the contribution for"
            raise InputError(
                Problem(
                    "month",
                    f"{person_id} {state} {year}; record it with PUT /v1/persons/{person_id}/coverage/{year} "
                    "and contribution_status 'paid' first",
                    month,
                )
            )
        amount = rule.monthly_fen(person.category, coverage.contribution_base_fen)
        if amount is None:
            raise InputError(
                Problem(
                    "contribution_base",
                    f"category {person.category!r} is credited a share of the contribution base, and "
                    f"coverage year {year} has none; give contribution_base in "
                    f"PUT /v1/persons/{person_id}/coverage/{year}",
                )
            )
        taken = session.scalar(
            select(AccountEntryRow.id).where(
                AccountEntryRow.person_id == person_id, AccountEntryRow.month == month
            )
        )
        if taken is not None:
            raise ConflictError(
                Problem(
                    "month", f"{month} is already credited to {person_id}; a month is credited once", month
                )
            )
        entry = AccountEntryRow(
            person_id=person_id, kind="credit", amount_fen=amount, month=month, recorded_at=now()
        )
        session.add(entry)
        account.balance_fen += amount
        session.flush()
        return entry_document(entry)


def link_accounts(db: Database, policies: PolicySet, owner_id: str, relative_id: str) -> AccountOut:
    """Let the owner's account pay the relative's bills after the relative's own (and earlier links).

    The relative's scheme must have a `[personal_account]` rule: the engine pays from
    accounts under the scheme of the person treated, by what that scheme lets accounts cover.
    """
    if owner_id == relative_id:
        raise InputError(
            Problem(
                "relative_id", "a person's own account already pays first; link a relative's id", relative_id
            )
        )
    try:
        with db.write() as session:
            locked = lock_persons(session, [owner_id, relative_id])
            owner = locked.get(owner_id) or person_row(session, owner_id)
            relative = locked.get(relative_id) or person_row(session, relative_id)
            _account(session, owner)
            if policies.get(relative.scheme).personal_account is None:
                raise InputError(
                    Problem(
                        "relative_id",
                        f"{relative_id}'s scheme {relative.scheme} has no [personal_account] rule, so no "
                        "account can pay their bills here yet (an account pays what the treated person's "
                        "scheme lets it cover)",
                        relative_id,
                    )
                )
            pair = session.scalar(
                select(AccountLinkRow.id).where(
                    AccountLinkRow.owner_id == owner_id, AccountLinkRow.relative_id == relative_id
                )
            )
            if pair is not None:
                raise ConflictError(
                    Problem(
                        "relative_id", f"{owner_id}'s account is already linked to {relative_id}", relative_id
                    )
                )
            last = session.scalar(
                select(func.max(AccountLinkRow.position)).where(AccountLinkRow.relative_id == relative_id)
            )
            session.add(
                AccountLinkRow(
                    owner_id=owner_id, relative_id=relative_id, position=(last or 0) + 1, created_at=now()
                )
            )
            session.flush()
            return account_document(session, owner_id)
    except IntegrityError:
        raise ConflictError(
            Problem(
                "relative_id",
                "the link was made by another request at the same time; read the account",
                relative_id,
            )
        ) from None


def account_document(session: Session, person_id: str, limit: int = 500) -> AccountOut:
    """A person's account: balance, latest movements first, links both ways."""
    person = person_row(session, person_id)
    account = _account(session, person)
    entries = session.scalars(
        select(AccountEntryRow)
        .where(AccountEntryRow.person_id == person_id)
        .order_by(AccountEntryRow.id.desc())
        .limit(limit)
    ).all()
    pays_for = session.scalars(
        select(AccountLinkRow.relative_id)
        .where(AccountLinkRow.owner_id == person_id)
        .order_by(AccountLinkRow.id)
    ).all()
    paid_by = session.scalars(
        select(AccountLinkRow.owner_id)
        .where(AccountLinkRow.relative_id == person_id)
        .order_by(AccountLinkRow.position)
    ).all()
    return AccountOut(
        person_id=person_id,
        balance=format_yuan(account.balance_fen),
        entries=[entry_document(e) for e in entries],
        pays_for=list(pays_for),
        paid_by=list(paid_by),
    )


def entry_document(row: AccountEntryRow) -> AccountEntryOut:
    """One movement as the API shows it."""
    return AccountEntryOut(
        id=row.id,
        kind=row.kind,
        amount=format_yuan(row.amount_fen),
        month=row.month,
        settlement_id=row.settlement_id,
        for_person_id=row.for_person_id,
        recorded_at=aware(row.recorded_at),
    )
