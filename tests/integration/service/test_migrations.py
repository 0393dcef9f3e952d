"""Migrations on a real PostgreSQL: the settlement documents' compression (0003)."""

from __future__ import annotations

from sqlalchemy import text

from yibao.store.database import Database
from yibao.store.migrate import current_revision, head_revision, upgrade

COMPRESSION = (
    "SELECT attcompression FROM pg_attribute"
    " WHERE attrelid = 'settlements'::regclass AND attname = 'document'"
)


def test_documents_are_compressed_with_lz4_where_the_server_has_it(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db)
        assert current_revision(db) == head_revision()
        if db.engine.dialect.name != "postgresql":
            return  # SQLite: the migration changes nothing
        with db.read() as session:
            has_lz4 = session.execute(
                text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            ).scalar()
            found = session.execute(text(COMPRESSION)).scalar()
        assert found == ("l" if has_lz4 else "")
    finally:
        db.dispose()
