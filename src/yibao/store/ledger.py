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

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yibao.store.periods import Period, period_of_label
from yibao.store.persons import now
from yibao.store.tables import AccumulatorRow, LedgerEntryRow


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


def append(
    session: Session, person_id: str, settlement_id: str, kind: str, changes: Iterable[Change]
) -> None:
    """Write the entries and move the accumulators by them (creating rows that do not exist yet)."""
    changes = [c for c in changes if c.delta != 0]
    if not changes:
        return
    at = now()
    session.execute(
        insert(LedgerEntryRow),
        [
            {
                "person_id": person_id,
                "period": c.period.label,
                "period_start": c.period.start,
                "period_end": c.period.end,
                "key": c.key,
                "delta": c.delta,
                "settlement_id": settlement_id,
                "kind": kind,
                "recorded_at": at,
            }
            for c in changes
        ],
    )
    existing = set(
        session.execute(
            select(AccumulatorRow.period, AccumulatorRow.key).where(
                AccumulatorRow.person_id == person_id,
                AccumulatorRow.period.in_(sorted({c.period.label for c in changes})),
            )
        ).all()
    )
    new = [c for c in changes if (c.period.label, c.key) not in existing]
    if new:
        session.execute(
            insert(AccumulatorRow),
            [
                {
                    "person_id": person_id,
                    "period": c.period.label,
                    "key": c.key,
                    "period_start": c.period.start,
                    "period_end": c.period.end,
                    "value": c.delta,
                }
                for c in new
            ],
        )
    for c in changes:
        if (c.period.label, c.key) in existing:
            session.execute(
                update(AccumulatorRow)
                .where(
                    AccumulatorRow.person_id == person_id,
                    AccumulatorRow.period == c.period.label,
                    AccumulatorRow.key == c.key,
                )
                .values(value=AccumulatorRow.value + c.delta)
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
