"""Settlement documents compressed with lz4 on PostgreSQL (where the server has it).

A document (5-10 KB of JSON) is compressed when it is stored; PostgreSQL's default
pglz took about twice the server CPU of lz4 per insert (measured: 150-180 µs against
70-85 µs a row), the largest single cost of recording a settlement on the server.
Rows already stored keep their compression; reading is the same. SQLite: nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# PostgreSQL 14+ built with lz4 lists it; older servers have no such setting (no row).
HAS_LZ4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def upgrade() -> None:
    """New documents compressed with lz4."""
    if _has_lz4():
        op.execute("ALTER TABLE settlements ALTER COLUMN document SET COMPRESSION lz4")


def downgrade() -> None:
    """Back to the server's default compression."""
    if _has_lz4():
        op.execute("ALTER TABLE settlements ALTER COLUMN document SET COMPRESSION DEFAULT")


def _has_lz4() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bool(bind.execute(sa.text(HAS_LZ4)).scalar())
