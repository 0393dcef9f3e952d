"""The hand-written settlement SQL writes and reads the same rows on both databases.

On PostgreSQL rows go in as one array per column and lists as one array parameter; these
check that the array form keeps what the multi-row form did: NULLs, dates and times, the
order of rows, the column checks (too long, out of range) and the upsert's tail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from yibao.store import driver_sql
from yibao.store.database import Database
from yibao.store.tables import AccountEntryRow, AccountRow, AccumulatorRow, PersonRow

MOMENT = datetime(2025, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)
ENTRY = ("person_id", "kind", "amount_fen", "month", "settlement_id", "for_person_id", "recorded_at")
SUMS = ("person_id", "period", "key", "period_start", "period_end", "value")
ADD = " ON CONFLICT (person_id, period, key) DO UPDATE SET value = accumulators.value + excluded.value"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    with database.write() as session:
        for n in range(3):
            session.add(
                PersonRow(
                    id=f"per_{n:020d}",
                    name=f"p{n}",
                    national_id=f"{n:018d}",
                    scheme="cn-371500.employee",
                    category="active",
                    created_at=MOMENT,
                )
            )
            session.flush()
            session.add(AccountRow(person_id=f"per_{n:020d}", balance_fen=0))
    yield database
    database.dispose()


def test_rows_go_in_as_given_nulls_times_and_order_kept(db: Database) -> None:
    rows = [
        (f"per_{n % 3:020d}", "credit", 100 * n, "2025-03" if n % 2 else None, None, None, MOMENT)
        for n in range(7)
    ]
    with db.write() as session:
        values = driver_sql.Values(session)
        bound = [(*r[:-1], values.moment(r[-1])) for r in rows]
        driver_sql.run(session, driver_sql.insert("account_entries", ENTRY, bound))
    with db.read() as session:
        found = session.execute(
            select(
                AccountEntryRow.person_id,
                AccountEntryRow.kind,
                AccountEntryRow.amount_fen,
                AccountEntryRow.month,
                AccountEntryRow.settlement_id,
                AccountEntryRow.for_person_id,
                AccountEntryRow.recorded_at,
            ).order_by(AccountEntryRow.id)
        ).all()
    assert [tuple(r[:-1]) for r in found] == [r[:-1] for r in rows]
    assert all(r[-1].replace(tzinfo=UTC) == MOMENT for r in found)


def test_an_upsert_adds_and_a_list_query_finds_the_rows(db: Database) -> None:
    first = [
        (f"per_{n:020d}", "2025", "k/a", date(2025, 1, 1), date(2025, 12, 31), 10 * (n + 1)) for n in range(3)
    ]
    with db.write() as session:
        values = driver_sql.Values(session)
        bound = [(p, label, k, values.day(s), values.day(e), v) for p, label, k, s, e, v in first]
        driver_sql.run(session, driver_sql.insert("accumulators", SUMS, bound))
        driver_sql.run(session, driver_sql.insert("accumulators", SUMS, bound[:2], ADD))
        found = driver_sql.run(
            session,
            [
                driver_sql.query(
                    "SELECT person_id, value FROM accumulators WHERE person_id IN ({}) AND key = %s"
                    " ORDER BY person_id",
                    [[f"per_{n:020d}" for n in (0, 2)]],
                    "k/a",
                ),
                driver_sql.query("SELECT person_id FROM accumulators WHERE person_id IN ({})", [[]]),
            ],
        )
    assert found == [[(f"per_{0:020d}", 20), (f"per_{2:020d}", 30)], []]
    with db.read() as session:
        assert sorted(session.scalars(select(AccumulatorRow.value))) == [20, 30, 40]


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (("p" * 41, "credit", 1, None, None, None), "person_id longer than its 40 characters"),
        (("per_x", "credit", 2**63, None, None, None), "an amount beyond bigint"),
    ],
)
def test_a_value_the_column_cannot_hold_fails_and_writes_nothing(
    db: Database, row: tuple[object, ...], why: str
) -> None:
    with pytest.raises((DBAPIError, OverflowError)), db.write() as session:  # SQLite: OverflowError
        at = driver_sql.Values(session).moment(MOMENT)
        good = (f"per_{0:020d}", "credit", 5, None, None, None, at)
        driver_sql.run(session, driver_sql.insert("account_entries", ENTRY, [good, (*row, at)]))
    with db.read() as session:
        assert session.scalars(select(AccountEntryRow.id)).all() == [], why
