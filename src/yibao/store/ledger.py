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

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yibao.store.periods import Period, period_of_label
from yibao.store.persons import now
from yibao.store.tables import AccumulatorRow, LedgerEntryRow, table_of


@dataclass(frozen=True)
class Change:
    """One accumulator's move: its period, key and the amount (fen or count) added."""

    period: Period
    key: str
    delta: int


def starting_values(
    session: Session, wanted: Sequence[tuple[str, date]]
) -> dict[str, dict[tuple[str, str], int]]:
    """For each (person, bill date): the accumulators of the periods containing that date.

    Returns person -> {(period label, key): value}.
    """
    out: dict[str, dict[tuple[str, str], int]] = {person: {} for person, _ in wanted}
    if not wanted:
        return out
    days = {person: day for person, day in wanted}
    rows = session.execute(
        select(
            AccumulatorRow.person_id,
            AccumulatorRow.period,
            AccumulatorRow.key,
            AccumulatorRow.value,
            AccumulatorRow.period_start,
            AccumulatorRow.period_end,
        ).where(AccumulatorRow.person_id.in_(sorted(days)))
    ).all()
    for person, period, key, value, start, end in rows:
        if start <= days[person] < end:
            out[person][(period, key)] = int(value)
    return out


@dataclass(frozen=True)
class Posting:
    """The changes one settlement (or its reversal) makes to one person's accumulators."""

    person_id: str
    settlement_id: str
    kind: str
    changes: Sequence[Change]


def append(session: Session, postings: Iterable[Posting]) -> None:
    """Write the entries and move the accumulators by them: two statements for any number of postings."""
    at = now()
    entries = [
        {
            "person_id": p.person_id,
            "period": c.period.label,
            "period_start": c.period.start,
            "period_end": c.period.end,
            "key": c.key,
            "delta": c.delta,
            "settlement_id": p.settlement_id,
            "kind": p.kind,
            "recorded_at": at,
        }
        for p in postings
        for c in p.changes
        if c.delta != 0
    ]
    if not entries:
        return
    connection = session.connection()
    connection.execute(insert(table_of(LedgerEntryRow)), entries)
    table = table_of(AccumulatorRow)
    upsert = (pg_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)
    moved: dict[tuple[str, str, str], dict[str, object]] = {}
    for e in entries:
        row = moved.setdefault(
            (str(e["person_id"]), str(e["period"]), str(e["key"])),
            {k: e[k] for k in ("person_id", "period", "key", "period_start", "period_end")} | {"value": 0},
        )
        row["value"] = int(row["value"]) + int(e["delta"])  # type: ignore[call-overload]
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c.person_id, table.c.period, table.c.key],
            set_={"value": table.c.value + upsert.excluded.value},
        ),
        list(moved.values()),
    )


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
