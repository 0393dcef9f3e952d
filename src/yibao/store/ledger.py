"""The ledger of accumulators: append-only entries and their materialised sums.

Every change of a year-to-date accumulator (`POLICY/KIND/NAME`, see policy/docs.md) is
a ledger entry (person, period, key, delta, settlement); `accumulators` holds the sum
per (person, period, key). A reversal appends the opposite entries. Callers hold the
person's lock (store.persons.lock_persons) while they write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.store import driver_sql
from yibao.store.periods import Period, period_of_label
from yibao.store.persons import now
from yibao.store.tables import AccumulatorRow, LedgerEntryRow


@dataclass(frozen=True)
class Change:
    """One accumulator's move: its period, key and the amount (fen or count) added."""

    period: Period
    key: str
    delta: int


STARTING = (
    "SELECT person_id, period, key, value, period_start, period_end FROM accumulators WHERE person_id IN ({})"
)
"""Some persons' accumulators (rows for `starting_of`)."""


def starting_of(
    rows: driver_sql.Rows, wanted: Sequence[tuple[str, date]], values: driver_sql.Values
) -> dict[str, dict[tuple[str, str], int]]:
    """For each (person, bill date): the accumulators of the periods containing that date.

    Returns person -> {(period label, key): value}.
    """
    out: dict[str, dict[tuple[str, str], int]] = {person: {} for person, _ in wanted}
    days = {person: day for person, day in wanted}
    for person, period, key, value, start, end in rows:
        if person in days and values.read_day(start) <= days[person] < values.read_day(end):
            out[person][(period, key)] = int(value)
    return out


@dataclass(frozen=True)
class Posting:
    """The changes one settlement (or its reversal) makes to one person's accumulators."""

    person_id: str
    settlement_id: str
    kind: str
    changes: Sequence[Change]


ENTRY_COLUMNS = (
    "person_id",
    "period",
    "period_start",
    "period_end",
    "key",
    "delta",
    "settlement_id",
    "kind",
    "recorded_at",
)
SUM_COLUMNS = ("person_id", "period", "key", "period_start", "period_end", "value")
MOVE_SUMS = " ON CONFLICT (person_id, period, key) DO UPDATE SET value = accumulators.value + excluded.value"


def append(session: Session, postings: Iterable[Posting]) -> None:
    """Write the entries and move the accumulators by them: two statements for any number of postings."""
    values = driver_sql.Values(session)
    driver_sql.run(session, statements(postings, values, values.moment(now())))


def statements(
    postings: Iterable[Posting], values: driver_sql.Values, at: object
) -> list[driver_sql.Statement]:
    """The inserts of the entries and the upsert of the accumulators they move."""
    entries = []
    moved: dict[tuple[str, str, str], int] = {}  # one row per accumulator: an upsert moves a row once
    bounds: dict[str, tuple[object, object]] = {}
    for p in postings:
        for c in p.changes:
            if c.delta == 0:
                continue
            start, end = bounds.setdefault(
                c.period.label, (values.day(c.period.start), values.day(c.period.end))
            )
            entries.append(
                (p.person_id, c.period.label, start, end, c.key, c.delta, p.settlement_id, p.kind, at)
            )
            moved[(p.person_id, c.period.label, c.key)] = (
                moved.get((p.person_id, c.period.label, c.key), 0) + c.delta
            )
    if not entries:
        return []
    sums = [(person, label, key, *bounds[label], value) for (person, label, key), value in moved.items()]
    return [
        *driver_sql.insert("ledger_entries", ENTRY_COLUMNS, entries),
        *driver_sql.insert("accumulators", SUM_COLUMNS, sums, MOVE_SUMS),
    ]


def entries_of(session: Session, settlement_id: str) -> list[Change]:
    """The changes a settlement made (its own entries, not those of a reversal)."""
    rows = session.execute(
        select(LedgerEntryRow.period, LedgerEntryRow.key, LedgerEntryRow.delta)
        .where(LedgerEntryRow.settlement_id == settlement_id, LedgerEntryRow.kind == "settlement")
        .order_by(LedgerEntryRow.id)
    ).all()
    return [Change(period_of_label(period), key, int(delta)) for period, key, delta in rows]


def values_for_year(session: Session, person_id: str, year: int) -> list[tuple[str, str, int]]:
    """(period label, key, value) of the periods starting in a year, by key."""
    rows = session.execute(
        select(AccumulatorRow.period, AccumulatorRow.key, AccumulatorRow.value, AccumulatorRow.period_start)
        .where(AccumulatorRow.person_id == person_id)
        .order_by(AccumulatorRow.key)
    ).all()
    return [(period, key, int(value)) for period, key, value, start in rows if start.year == year]
