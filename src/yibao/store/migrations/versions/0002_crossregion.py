"""Cross-region treatment: registrations and their uses, designated institutions, claims, case events.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the four tables and make the case events append-only."""
    _registrations()
    _institutions()
    _claims()
    _events()


def _registrations() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("scheme", sa.String(120), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("treatment_region", sa.String(6), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("treatment_started_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("admissions_limit", sa.Integer(), nullable=True),
        sa.Column("admissions_used", sa.Integer(), nullable=False),
        sa.Column("replaces", sa.String(40), nullable=True),
        sa.Column("replaced_by", sa.String(40), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(300), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_registrations_person_state", "registrations", ["person_id", "state"])
    op.create_table(
        "registration_uses",
        sa.Column("settlement_id", sa.String(40), sa.ForeignKey("settlements.id"), primary_key=True),
        sa.Column(
            "registration_id", sa.String(40), sa.ForeignKey("registrations.id"), nullable=False, index=True
        ),
        sa.Column("matched", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
    )


def _institutions() -> None:
    op.create_table(
        "institutions",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(6), nullable=False, index=True),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("networked", sa.Boolean(), nullable=False),
        sa.Column("schemes", sa.Text(), nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
    )


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False, index=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("scheme", sa.String(120), nullable=False),
        sa.Column("bill_id", sa.String(100), nullable=False),
        sa.Column("bill", sa.Text(), nullable=True),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("registration", sa.String(20), nullable=False),
        sa.Column("registration_id", sa.String(40), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_rule", sa.String(200), nullable=False),
        sa.Column("materials_required", sa.Text(), nullable=False),
        sa.Column("materials_provided", sa.Text(), nullable=False),
        sa.Column("settlement_id", sa.String(40), sa.ForeignKey("settlements.id"), nullable=True),
        sa.Column("recorded_by_claim", sa.Boolean(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=True),
        sa.Column("reimbursed_fen", sa.BigInteger(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_reference", sa.String(100), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )


def _events() -> None:
    op.create_table(
        "case_events",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=False, index=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_state", sa.String(12), nullable=True),
        sa.Column("to_state", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_case_events_subject", "case_events", ["subject", "subject_id"])
    message = "case_events is append-only; record a new event instead"
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER case_events_no_{action.lower()} BEFORE {action} ON case_events "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION case_events_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
        "FOR EACH ROW EXECUTE FUNCTION case_events_refuse()"
    )


def downgrade() -> None:
    """Drop the cross-region tables (for development databases only)."""
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS case_events_append_only ON case_events")
        op.execute("DROP FUNCTION IF EXISTS case_events_refuse()")
    for table in ("case_events", "claims", "institutions", "registration_uses", "registrations"):
        op.drop_table(table)
