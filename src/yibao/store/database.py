"""Connections and transactions: one `Database` per process, for SQLite or PostgreSQL.

`write()` is one transaction that takes the write lock where the database needs one up
front: on SQLite it starts with `BEGIN IMMEDIATE` (one writer at a time, readers go on);
on PostgreSQL the code locks the rows it changes with `SELECT ... FOR UPDATE`. `read()`
is a plain transaction. Bound parameters never appear in error messages or logs
(`hide_parameters`), so a national ID in a failing statement is not printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from yibao.errors import InputError, Problem

DATA_FILE = "yibao.sqlite3"
SQLITE_BUSY_MS = 60_000


def default_database_path() -> Path:
    """The embedded database: a SQLite file in the user's data directory (XDG on Linux)."""
    return Path(platformdirs.user_data_dir("yibao", appauthor=False)) / DATA_FILE


def parse_database_url(text: str) -> URL:
    """A SQLAlchemy URL; plain `postgresql://` means the psycopg 3 driver yibao ships with."""
    try:
        url = make_url(text)
    except Exception:
        raise InputError(
            Problem(
                "database_url",
                "not a database URL; write e.g. postgresql://user@127.0.0.1:5432/yibao or sqlite:///path/file.db",
                safe_url_text(text),
            )
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            Problem(
                "database_url",
                f"{url.get_backend_name()!r} is not supported; use postgresql://… or sqlite:///…",
                safe_url_text(text),
            )
        )
    return url


def safe_url_text(text: str) -> str:
    """A URL fit for messages: the password hidden."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:
        return "<not a URL>"


class Database:
    """An engine with the transaction discipline above."""

    def __init__(self, url: str | URL) -> None:
        self.url = url if isinstance(url, URL) else parse_database_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(
                self.url,
                hide_parameters=True,
                pool_size=10,
                max_overflow=20,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5},
            )
        self._writer = self.engine.execution_options(yibao_write=True)

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits when the block ends, rolls back on any error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_engine(url: URL) -> Engine:
    """SQLite in WAL mode; we emit BEGIN ourselves so writes can say IMMEDIATE."""
    database = url.database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN from the sqlite3 module
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("yibao_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
