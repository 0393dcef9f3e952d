"""Hand-written SQL for the settlement transaction's statements, run as the driver takes it.

Building and compiling a SQLAlchemy statement costs 0.2-1 ms of CPU per call, more than
the database spends on these small statements; a batch runs about nine of them. Here the
SQL text is written once (`%s` placeholders; `?` on SQLite) and run with
`exec_driver_sql`, which keeps SQLAlchemy's transaction, error wrapping and hidden
parameters. Rows go in as one multi-row `INSERT … VALUES (…), (…)` per table, not one
execution per row. PostgreSQL (psycopg 3) prepares a text it has seen a few times.
SQLite keeps dates and times as text: `Values` writes them as SQLAlchemy does, so
the ORM reads them back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Unpack

from sqlalchemy import Date, DateTime, Dialect, Row
from sqlalchemy.orm import Session

PARAMETERS_PER_STATEMENT = 30_000
"""Below both limits (PostgreSQL 65,535; SQLite 32,766) for one statement's bound values."""


@lru_cache(maxsize=512)
def _text(template: str, counts: tuple[int, ...], is_sqlite: bool) -> str:
    """The template with each `{}` a list of that many placeholders; `?` placeholders on SQLite."""
    text = template.format(*(", ".join(["%s"] * n) for n in counts))
    return text.replace("%s", "?") if is_sqlite else text


def fetch(
    session: Session, template: str, lists: Sequence[Sequence[object]], *tail: object
) -> Sequence[Row[Unpack[tuple[Any, ...]]]]:
    """Run a query whose `{}` are `IN (…)` lists (one per entry of `lists`), then `tail` values.

    Each list narrows the rows (the query ANDs them), so an empty one finds none.
    """
    if not all(lists):
        return []
    connection = session.connection()
    sql = _text(template, tuple(len(values) for values in lists), connection.dialect.name == "sqlite")
    params = tuple(v for values in lists for v in values) + tail
    return connection.exec_driver_sql(sql, params).all()


def execute(session: Session, template: str, *params: object) -> None:
    """Run one statement with positional `%s` parameters."""
    connection = session.connection()
    connection.exec_driver_sql(_text(template, (), connection.dialect.name == "sqlite"), params)


def execute_many(session: Session, template: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Run one statement for each row of parameters (psycopg sends them in one pipeline)."""
    connection = session.connection()
    connection.exec_driver_sql(_text(template, (), connection.dialect.name == "sqlite"), list(rows))


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]], tail: str = ""
) -> None:
    """Insert rows with as few multi-row statements as the parameter limit allows; `tail` follows VALUES."""
    if not rows:
        return
    connection = session.connection()
    is_sqlite = connection.dialect.name == "sqlite"
    per_statement = max(1, PARAMETERS_PER_STATEMENT // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = _insert_text(table, tuple(columns), len(chunk), tail, is_sqlite)
        connection.exec_driver_sql(sql, tuple(v for row in chunk for v in row))


@lru_cache(maxsize=512)
def _insert_text(table: str, columns: tuple[str, ...], count: int, tail: str, is_sqlite: bool) -> str:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    text = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * count)}{tail}"
    return text.replace("%s", "?") if is_sqlite else text


Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


class Values:
    """Dates and times as the session's database stores them (SQLite: SQLAlchemy's text forms)."""

    def __init__(self, session: Session) -> None:
        dialect = session.connection().dialect
        self.is_sqlite = dialect.name == "sqlite"
        self._moment, self._day, self._read_day = _converters(dialect) if self.is_sqlite else (_same,) * 3

    def moment(self, value: datetime) -> object:
        """A time to bind."""
        return self._moment(value)

    def day(self, value: date) -> object:
        """A date to bind."""
        return self._day(value)

    def read_day(self, value: object) -> date:
        """A date column as read."""
        read: date = self._read_day(value)
        return read


def _converters(dialect: Dialect) -> tuple[Convert, Convert, Convert]:
    moment = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    day = Date().dialect_impl(dialect).bind_processor(dialect)
    read_day = Date().dialect_impl(dialect).result_processor(dialect, None)
    return moment or _same, day or _same, read_day or _same
