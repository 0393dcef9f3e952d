"""What is done to one chunk of whole persons: decode, settle, encode (on any core or machine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from yibao.batch.chunks import Book, Chunk
from yibao.batch.decode import decode
from yibao.batch.encode import ACCUMULATOR_SCHEMA, PAYERS, accumulators_table, benefit_column, results_table
from yibao.batch.format import LIST_SEPARATOR
from yibao.batch.pool import default_processes, default_threads
from yibao.batch.start import BookStart
from yibao.engine.book import StartState
from yibao.engine.chain import settle_columns
from yibao.errors import Problem
from yibao.policy.lookup import PolicySet

_ERROR_TYPES: dict[str, pa.DataType] = {
    "row": pa.int64(),
    "bill_id": pa.string(),
    "field": pa.string(),
    "value": pa.string(),
    "message": pa.string(),
}
ERROR_SCHEMA = pa.schema(_ERROR_TYPES)


@dataclass
class BatchOptions:
    """How to run a book: `processes` forked workers, or (0) `threads` threads in this process."""

    chunk_rows: int = 131_072
    threads: int = field(default_factory=default_threads)
    processes: int = field(default_factory=default_processes)
    strict: bool = False
    as_known_on: date | None = None
    start: BookStart | None = None
    accumulators_path: Path | None = None
    errors_path: Path | None = None


@dataclass
class ChunkResult:
    """One chunk's outputs as tables."""

    results: pa.Table
    accumulators: pa.Table
    errors: pa.Table
    sums_fen: dict[str, int]


def benefit_columns(book: Book, policies: PolicySet) -> list[str]:
    """Every benefit that can pay a bill of this book: its schemes, their critical plans, its products."""
    table = book.columns(["scheme", "products"])
    schemes = {str(s).partition("@")[0] for s in table.column("scheme").unique().to_pylist() if s}
    products: set[str] = set()
    if "products" in table.column_names:
        for value in table.column("products").unique().to_pylist():
            products |= {p.strip() for p in str(value or "").split(LIST_SEPARATOR) if p.strip()}
    reachable = [pid for pid in sorted(schemes) if pid in policies.editions]
    reachable += sorted(
        pid
        for pid, eds in policies.editions.items()
        if eds[0].kind == "critical" and schemes & {c for e in eds for c in e.covers}
    )
    reachable += sorted(p for p in products if p in policies.editions)
    names = []
    for pid in reachable:
        eds = policies.editions[pid]
        names += [benefit_column(pid, b) for b in dict.fromkeys(n for e in eds for n in e.benefits)]
        if any(e.personal_account is not None for e in eds):
            names.append(benefit_column(pid, "personal_account"))
    return names


def settle_chunk(chunk: Chunk, policies: PolicySet, options: BatchOptions, columns: list[str]) -> ChunkResult:
    """Decode, settle and encode one chunk of whole persons."""
    decoded = decode(chunk.table)
    start = options.start.for_chunk(decoded.person_ids) if options.start else StartState()
    result = settle_columns(decoded.batch, policies, start, options.as_known_on)
    book_rows = chunk.rows.take(decoded.rows) if decoded.problems else chunk.rows
    problems = {int(chunk.rows[r]): p for r, p in decoded.problems.items()}
    problems |= {int(book_rows[r]): p for r, p in result.problems.items()}
    position = {int(row): i for i, row in enumerate(chunk.rows.tolist())} if problems else {}
    by_book_row = {row: chunk.table.column("bill_id")[position[row]].as_py() for row in problems}
    settled: Any = slice(None) if result.settled.all() else result.settled  # most chunks: no gathers
    sums = {payer: 0 for payer in PAYERS}
    for payment in result.payments:
        sums[payment.payer] += int(payment.amount[settled].sum())
    sums["total"] = int(result.total[settled].sum())
    sums["out_of_pocket"] = int(result.out_of_pocket[settled].sum())
    ids = chunk.table.select(["bill_id", "person_id"])
    if decoded.problems:
        ids = ids.take(decoded.rows)
    wanted = options.accumulators_path is not None
    return ChunkResult(
        results_table(result, book_rows, ids, columns),
        accumulators_table(result, decoded.person_ids) if wanted else ACCUMULATOR_SCHEMA.empty_table(),
        _errors_table(problems, by_book_row),
        sums,
    )


def _errors_table(problems: dict[int, list[Problem]], bill_ids: dict[int, object]) -> pa.Table:
    rows = [
        (row + 1, str(bill_ids.get(row) or ""), p.where, p.value or "", p.message)
        for row, found in sorted(problems.items())
        for p in found
    ]
    return pa.table(
        {
            name: pa.array([r[i] for r in rows], ERROR_SCHEMA.field(name).type)
            for i, name in enumerate(ERROR_SCHEMA.names)
        }
    )
