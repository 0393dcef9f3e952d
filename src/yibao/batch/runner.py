"""Settle a whole book on one machine: chunks of whole persons through the one engine.

Chunks are settled in `options.processes` forked workers (or on `options.threads` threads)
and written in book order (pool.py).
Good rows go through; bad rows are collected with their row number, field and reason
(or, with `strict`, the first bad row stops the run). Results, accumulators and errors
are written as each chunk finishes, so memory stays bounded by the chunk size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from yibao.batch.chunks import Chunk, Cut, open_book
from yibao.batch.encode import ACCUMULATOR_SCHEMA, PAYERS, results_schema
from yibao.batch.io import TableWriter
from yibao.batch.memory import keep_freed_memory
from yibao.batch.per_chunk import BatchOptions, ChunkResult, benefit_columns, settle_chunk
from yibao.batch.pool import parallel_map
from yibao.errors import InputError, Problem
from yibao.policy.lookup import PolicySet

__all__ = ["BatchOptions", "ChunkResult", "Summary", "benefit_columns", "run_batch", "settle_chunk"]


@dataclass
class Summary:
    """What a run did: bills, failures, totals per payer (fen), time."""

    bills: int = 0
    settled: int = 0
    failed: int = 0
    total_fen: int = 0
    paid_fen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAYERS, 0))
    out_of_pocket_fen: int = 0
    seconds: float = 0.0
    errors_path: Path | None = None


def run_batch(
    in_path: Path,
    out_path: Path,
    policies: PolicySet,
    options: BatchOptions,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Settle every bill of a book; write results, accumulators and errors."""
    began = time.perf_counter()
    keep_freed_memory()
    book = open_book(in_path, options.chunk_rows)
    columns = benefit_columns(book, policies)
    summary = Summary(bills=book.num_rows)
    results, accumulators = TableWriter(out_path), TableWriter(options.accumulators_path or Path())
    errors_path = options.errors_path or out_path.with_name(out_path.name + ".errors.csv")
    errors = TableWriter(errors_path)
    held: list[pa.Table] = []

    def settle(piece: Chunk | Cut) -> tuple[int, ChunkResult]:
        chunk = book.chunk(piece)
        return chunk.table.num_rows, settle_chunk(chunk, policies, options, columns)

    settled = parallel_map(settle, book.pieces(), options.processes, options.threads)
    try:
        for bills, done in settled:
            if options.strict and done.errors.num_rows:
                first = done.errors.slice(0, 1).to_pylist()[0]
                raise InputError(
                    Problem(f"row {first['row']}: {first['field']}", first["message"], first["value"])
                )
            _add(summary, done)
            if book.streams:
                results.write(done.results)  # a grouped book streams in row order
            else:
                held.append(_own(done.results))  # read whole and regrouped: written in row order at the end
            if options.accumulators_path is not None:
                accumulators.write(done.accumulators)
            if done.errors.num_rows:
                errors.write(done.errors)
            if progress is not None:
                progress(bills)
        if held:
            results.write(pa.concat_tables(held).sort_by("row"))
    finally:
        settled.close()  # a run stopped early (--strict, an error, Ctrl-C) ends its workers here
        results.close(results_schema(columns))
        if options.accumulators_path is not None:
            accumulators.close(ACCUMULATOR_SCHEMA)
        errors.close()
    summary.errors_path = errors_path if summary.failed else None
    summary.seconds = time.perf_counter() - began
    return summary


def _own(table: pa.Table) -> pa.Table:
    """A copy of a table in this process's own memory, to hold it to the end of the run.

    A forked worker's result slot is lent again only once nothing refers to it.
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return pa.ipc.open_stream(sink.getvalue()).read_all()


def _add(summary: Summary, done: ChunkResult) -> None:
    summary.settled += done.results.num_rows
    summary.failed += len(set(done.errors.column("row").to_pylist()))
    summary.total_fen += done.sums_fen["total"]
    summary.out_of_pocket_fen += done.sums_fen["out_of_pocket"]
    for payer in PAYERS:
        summary.paid_fen[payer] += done.sums_fen[payer]
