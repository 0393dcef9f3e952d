"""Settle a whole book on one machine: chunks of whole persons through the one engine.

Chunks are settled in `options.processes` forked workers (or on `options.threads` threads)
and written in book order (pool.py).
Good rows go through; bad rows are collected with their row number, field and reason
(or, with `strict`, the first bad row stops the run). Results, accumulators and errors
are written as each chunk finishes, so memory stays bounded by the chunk size, into
partial files that are moved into place only when the run completes.
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
    outputs = _Outputs.of_run(out_path, options)

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
            outputs.add(done, book.streams)
            if progress is not None:
                progress(bills)
        settled.close()
        outputs.close(columns)
    except BaseException:
        settled.close()  # a run stopped early (--strict, an error, Ctrl-C) ends its workers here
        outputs.discard()  # and leaves no half-written file
        raise
    summary.errors_path = outputs.errors.path if summary.failed else None
    summary.seconds = time.perf_counter() - began
    return summary


@dataclass
class _Outputs:
    """The files a run writes: results, accumulators (when asked for) and errors."""

    results: TableWriter
    accumulators: TableWriter | None
    errors: TableWriter
    held: list[pa.Table] = field(default_factory=list)
    """Results of a book read whole and regrouped, written in row order at the end."""
    held_errors: list[pa.Table] = field(default_factory=list)
    """Its errors, likewise: every run writes them in row order."""

    @classmethod
    def of_run(cls, out_path: Path, options: BatchOptions) -> _Outputs:
        """The writers of a run's files: errors beside the results unless placed elsewhere."""
        errors_path = options.errors_path or out_path.with_name(out_path.name + ".errors.csv")
        wanted = options.accumulators_path
        accumulators = TableWriter(wanted) if wanted is not None else None
        return cls(TableWriter(out_path), accumulators, TableWriter(errors_path))

    def add(self, done: ChunkResult, streams: bool) -> None:
        """One chunk's outputs, in chunk order."""
        if streams:
            self.results.write(done.results)  # a grouped book streams in row order
        else:
            self.held.append(_own(done.results))
        if self.accumulators is not None:
            self.accumulators.write(done.accumulators)
        if done.errors.num_rows and streams:
            self.errors.write(done.errors)
        elif done.errors.num_rows:
            self.held_errors.append(_own(done.errors))

    def close(self, columns: list[str]) -> None:
        """Finish every file and move it into place."""
        if self.held:
            self.results.write(pa.concat_tables(self.held).sort_by("row"))
        self.results.close(results_schema(columns))
        if self.accumulators is not None:
            self.accumulators.close(ACCUMULATOR_SCHEMA)
        if self.held_errors:
            self.errors.write(pa.concat_tables(self.held_errors).sort_by("row"))
        self.errors.close()

    def discard(self) -> None:
        """Leave every target as it was before the run."""
        for writer in (self.results, self.accumulators, self.errors):
            if writer is not None:
                writer.discard()


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
