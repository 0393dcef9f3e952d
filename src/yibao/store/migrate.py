"""Schema migrations, run programmatically: `yibao db upgrade` and the start-up check.

The Alembic scripts live in `yibao/store/migrations/` inside the package, so an installed
yibao can migrate its database without a checkout or an alembic.ini.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from yibao.errors import YibaoError
from yibao.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


class NotAtHeadError(YibaoError):
    """The database schema is older (or other) than this yibao's: run `yibao db upgrade`."""


class UnreachableError(YibaoError):
    """The database cannot be reached (server down, wrong address, no such database)."""


@contextmanager
def reaching(db: Database) -> Iterator[None]:
    """Turn a failure to connect into one clear line naming the database (never its password)."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise UnreachableError(
            f"cannot reach the database {db.display_url}: {reason}; check --database-url or "
            "YIBAO_DATABASE_URL, and that the server is running and the database exists"
        ) from None


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration this yibao ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with reaching(db), db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (before, after)."""
    before = current_revision(db)
    config = _config()
    with reaching(db), db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head_revision()


def check_at_head(db: Database) -> None:
    """Refuse a database that is not at the newest revision, saying which command fixes it."""
    current, head = current_revision(db), head_revision()
    if current == head:
        return
    seen = f"at revision {current}" if current else "not initialised (no yibao tables)"
    raise NotAtHeadError(
        f"the database {db.display_url} is {seen}; this yibao needs revision {head}. "
        f"Run `yibao db upgrade --database-url {db.display_url}` (or with YIBAO_DATABASE_URL set), "
        "then start the service again"
    )
