"""The settlement transaction's lock query reaches persons and accounts by their keys (PostgreSQL).

With `id IN (…) OR id IN (SELECT …)` PostgreSQL could look nothing up by key: it read
every person (a sequential scan, or the whole primary key in order with a filter) for
each batch, a cost growing with the register. With sequential scans priced out, every
scan of persons and accounts must have an index condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.integration.service.conftest import fresh_database
from yibao.store import driver_sql
from yibao.store.database import Database
from yibao.store.loading import LOCK


@pytest.fixture
def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    yield from fresh_database("postgresql", request, tmp_path)


def test_the_lock_query_uses_the_keys_of_persons_and_accounts(pg_url: str) -> None:
    db = Database(pg_url)
    ids = ["per_00000000000000000001", "per_00000000000000000002"]
    try:
        with db.read() as session:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            sql = driver_sql.query(f"{LOCK} FOR UPDATE OF persons", [ids, ids]).arrays
            assert sql is not None
            connection = session.connection().connection.driver_connection
            assert connection is not None
            plan = "\n".join(row[0] for row in connection.execute(f"EXPLAIN {sql[0]}", sql[1]).fetchall())
    finally:
        db.dispose()
    for scan in _scans(plan, ("persons", "accounts")):
        assert "Index Cond" in scan or "Recheck Cond" in scan, f"a scan reading a whole table:\n{plan}"


def _scans(plan: str, tables: tuple[str, ...]) -> list[str]:
    """The plan's scan nodes on some tables, each with its detail lines (conditions, filters)."""
    nodes: list[list[str]] = []
    for line in plan.splitlines():
        if "->" in line or not nodes:
            nodes.append([line])
        else:
            nodes[-1].append(line)
    wanted = [n for n in nodes if "Scan" in n[0] and any(f" on {t}" in n[0] for t in tables)]
    assert wanted, plan
    return ["\n".join(n) for n in wanted]
