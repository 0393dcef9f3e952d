"""Initial schema: persons, coverage, accounts, keys, settlements, ledger, accumulators, audit.

Revision ID: 0001
Revises:
Create Date: 2025-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
APPEND_ONLY = ("ledger_entries", "account_entries")


def upgrade() -> None:
    """Create every table and make the two ledgers append-only."""
    _people()
    _accounts()
    _settlements()
    for table in APPEND_ONLY:
        _refuse_changes(table)


def _people() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("national_id", sa.String(18), nullable=False, unique=True),
        sa.Column("scheme", sa.String(120), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "coverage_years",
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("contribution_status", sa.String(20), nullable=False),
        sa.Column("contribution_base_fen", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "held_products",
        sa.Column("person_id", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.String(120), primary_key=True),
        sa.Column("pre_existing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id", "year"], ["coverage_years.person_id", "coverage_years.year"], ondelete="CASCADE"
        ),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("api_key_id", sa.String(40), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=False, index=True),
        sa.Column("path", sa.String(300), nullable=False),
    )


def _accounts() -> None:
    op.create_table(
        "accounts",
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("balance_fen >= 0", name="ck_accounts_balance_not_negative"),
    )
    op.create_table(
        "account_entries",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column(
            "person_id", sa.String(40), sa.ForeignKey("accounts.person_id"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.String(7), nullable=True),
        sa.Column("settlement_id", sa.String(40), nullable=True, index=True),
        sa.Column("for_person_id", sa.String(40), nullable=True),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.UniqueConstraint("person_id", "month", name="uq_account_entries_month"),
    )
    op.create_table(
        "account_links",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("relative_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("owner_id", "relative_id", name="uq_account_links_pair"),
        sa.UniqueConstraint("relative_id", "position", name="uq_account_links_order"),
    )


def _settlements() -> None:
    op.create_table(
        "settlements",
        sa.Column("seq", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False, index=True),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("out_of_pocket_fen", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("reversed_at", WHEN, nullable=True),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column(
            "settlement_id", sa.String(40), sa.ForeignKey("settlements.id"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
    )
    op.create_index("ix_ledger_entries_account", "ledger_entries", ["person_id", "period", "key"])
    op.create_table(
        "accumulators",
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_accumulators_period", "accumulators", ["person_id", "period_start"])
    op.create_table(
        "idempotency_records",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("settlement_id", sa.String(40), sa.ForeignKey("settlements.id"), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )


def _refuse_changes(table: str) -> None:
    """Triggers that make a table append-only: UPDATE and DELETE fail."""
    message = f"{table} is append-only; record a compensating entry instead"
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()"
    )


def downgrade() -> None:
    """Drop everything (for development databases only)."""
    for table in (
        "idempotency_records",
        "accumulators",
        "ledger_entries",
        "settlements",
        "account_links",
        "account_entries",
        "accounts",
        "audit_log",
        "api_keys",
        "held_products",
        "coverage_years",
        "persons",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_refuse()")
