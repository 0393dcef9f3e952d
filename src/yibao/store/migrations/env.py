"""Alembic environment: run by `yibao db upgrade` and at start-up, never by the alembic CLI alone.

The caller passes an open connection in `config.attributes["connection"]`; migrations
run inside that connection's transaction.
"""

from __future__ import annotations

from alembic import context

from yibao.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
