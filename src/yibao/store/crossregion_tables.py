"""Tables of cross-region treatment: registrations (备案), designated institutions (定点), manual claims.

Migration 0002 creates exactly these. `case_events` is append-only (database triggers
refuse UPDATE and DELETE): every step of a registration or a claim is one event there,
with the API key (or `cli`) that took it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yibao.store.tables import Base, Serial


class RegistrationRow(Base):
    """One registration (备案) of a person for a treatment region, and where it is in its lifecycle.

    States: filed (waiting for a counter review) → effective → changed | cancelled | expired.
    `effective_from`..`effective_to` (inclusive; `effective_to` None: open) are the days it
    covers; ending it (change, cancellation, expiry, its admission used) closes the range.
    """

    __tablename__ = "registrations"
    __table_args__ = (Index("ix_registrations_person_state", "person_id", "state"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"))
    scheme: Mapped[str] = mapped_column(String(120), doc="The edition whose rule allowed it (id@edition)")
    type: Mapped[str] = mapped_column(String(20))
    treatment_region: Mapped[str] = mapped_column(String(6))
    filed_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))
    treatment_started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(12))
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    admissions_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    admissions_used: Mapped[int] = mapped_column(Integer, default=0)
    replaces: Mapped[str | None] = mapped_column(String(40), nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistrationUseRow(Base):
    """A recorded settlement that used a stored registration: found for a bill saying none, or confirmed."""

    __tablename__ = "registration_uses"
    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    matched: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20))
    bill_date: Mapped[date] = mapped_column(Date)
    released: Mapped[bool] = mapped_column(Boolean, default=False)


class InstitutionRow(Base):
    """A designated institution (定点医疗机构/定点零售药店) of the directory."""

    __tablename__ = "institutions"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    networked: Mapped[bool] = mapped_column(Boolean)
    schemes: Mapped[str] = mapped_column(Text, doc="Scheme ids it is designated for, space-separated")
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimRow(Base):
    """A manual claim (手工报销): the bill, the case's materials and deadline, and its decision.

    States: incomplete (materials missing) → submitted → adjudicated → approved → paid, or
    rejected from any state before approval.
    """

    __tablename__ = "claims"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    scheme: Mapped[str] = mapped_column(String(120))
    bill_id: Mapped[str] = mapped_column(String(100))
    bill: Mapped[str | None] = mapped_column(Text, nullable=True, doc="The bill as submitted (JSON)")
    bill_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    registration: Mapped[str] = mapped_column(String(20))
    registration_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    discharged_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    deadline_rule: Mapped[str] = mapped_column(String(200))
    materials_required: Mapped[str] = mapped_column(Text, doc="JSON list")
    materials_provided: Mapped[str] = mapped_column(Text, doc="JSON list")
    settlement_id: Mapped[str | None] = mapped_column(ForeignKey("settlements.id"), nullable=True)
    recorded_by_claim: Mapped[bool] = mapped_column(Boolean, default=False)
    total_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reimbursed_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True, doc="JSON list")
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    payment_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseEventRow(Base):
    """One step of a registration or a claim: who took it, from which state to which (append-only)."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_subject", "subject", "subject_id"),)
    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_state: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(Text, doc="JSON object")
