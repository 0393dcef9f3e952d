"""The database tables (SQLAlchemy 2.0 declarative models); migrations create exactly these.

Money is integer fen (`*_fen`, BIGINT). Ledger and account entries are append-only
(database triggers refuse UPDATE and DELETE); `accumulators` and `accounts.balance_fen`
are their materialised sums, which `yibao ledger verify` recomputes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Serial = BigInteger().with_variant(Integer(), "sqlite")
"""An auto-incrementing key: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite."""


class Base(DeclarativeBase):
    """Base of every table."""


class PersonRow(Base):
    """An insured person (参保人): home scheme and category; the national ID is stored whole."""

    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(18), unique=True)
    scheme: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoverageYearRow(Base):
    """One coverage year (参保年度) of a person: contribution status (缴费状态) and base (缴费基数)."""

    __tablename__ = "coverage_years"
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    contribution_status: Mapped[str] = mapped_column(String(20))
    contribution_base_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HeldProductRow(Base):
    """A supplementary product (惠民保) held in a coverage year, with its pre-existing flag (既往症)."""

    __tablename__ = "held_products"
    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "year"], ["coverage_years.person_id", "coverage_years.year"], ondelete="CASCADE"
        ),
    )
    person_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    pre_existing: Mapped[bool] = mapped_column(Boolean)


class AccountRow(Base):
    """A personal account (个人账户) and its balance: the sum of its entries."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("balance_fen >= 0", name="ck_accounts_balance_not_negative"),)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    balance_fen: Mapped[int] = mapped_column(BigInteger)


class AccountEntryRow(Base):
    """A movement of an account: monthly credit (划入), payment of a bill, refund on reversal."""

    __tablename__ = "account_entries"
    __table_args__ = (UniqueConstraint("person_id", "month", name="uq_account_entries_month"),)
    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("accounts.person_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    settlement_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    for_person_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccountLinkRow(Base):
    """家庭共济: the owner's account may pay the relative's bills, after the relative's own account."""

    __tablename__ = "account_links"
    __table_args__ = (
        UniqueConstraint("owner_id", "relative_id", name="uq_account_links_pair"),
        UniqueConstraint("relative_id", "position", name="uq_account_links_order"),
    )
    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("persons.id"))
    relative_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """An API key: its public id, the SHA-256 of its secret (never the secret), its role."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SettlementRow(Base):
    """A recorded settlement: the settlement document as returned, and whether it was reversed."""

    __tablename__ = "settlements"
    seq: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    bill_date: Mapped[date] = mapped_column(Date)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    out_of_pocket_fen: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LedgerEntryRow(Base):
    """One change of one accumulator by one settlement or reversal (append-only)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account", "person_id", "period", "key"),)
    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"))
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(200))
    delta: Mapped[int] = mapped_column(BigInteger)
    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccumulatorRow(Base):
    """A person's year-to-date accumulator (`POLICY/KIND/NAME`) for one period: the ledger's sum."""

    __tablename__ = "accumulators"
    __table_args__ = (Index("ix_accumulators_period", "person_id", "period_start"),)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(BigInteger)


class IdempotencyRow(Base):
    """An Idempotency-Key already used: the request's hash and the response it got.

    `response` keeps the response without the settlement document (the settlement row
    holds that); a replay joins the two back into the bytes first sent.
    """

    __tablename__ = "idempotency_records"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """A read of a person's data: who (API key id and role), what, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    api_key_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[str] = mapped_column(String(40), index=True)
    path: Mapped[str] = mapped_column(String(300))


def table_of(row: type[Base]) -> Table:
    """The Core table of a model, for bulk statements that skip the ORM."""
    return Base.metadata.tables[str(row.__tablename__)]
