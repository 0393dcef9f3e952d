"""Settled Dask partitions back into one run's files: results and errors in book (row) order.

The partitions stay on the workers; this process asks for their counts and sums (`Head`),
then for slices of each, and merges them a batch per partition at a time, so its memory is
bounded by the partitions' count times a batch, not by the book.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from yibao.batch.encode import PAYERS
from yibao.batch.runner import BatchOptions, ChunkResult, Summary, _Outputs

_TABLES = ("results", "accumulators", "errors")


@dataclass
class Head:
    """What the client needs of a settled partition before merging: counts, sums, first error."""

    rows: dict[str, int]
    failed: int
    sums_fen: dict[str, int]
    first_error: dict[str, Any] | None


def head_of(part: ChunkResult) -> Head:
    """A settled partition's head (run on the worker holding it)."""
    errors = part.errors
    return Head(
        {name: getattr(part, name).num_rows for name in _TABLES},
        len(set(errors.column("row").to_pylist())),
        part.sums_fen,
        errors.slice(0, 1).to_pylist()[0] if errors.num_rows else None,
    )


def add_head(summary: Summary, head: Head) -> None:
    """Count a settled partition in the run's summary."""
    summary.settled += head.rows["results"]
    summary.failed += head.failed
    summary.total_fen += head.sums_fen["total"]
    summary.out_of_pocket_fen += head.sums_fen["out_of_pocket"]
    for payer in PAYERS:
        summary.paid_fen[payer] += head.sums_fen[payer]


def _slice(part: ChunkResult, name: str, start: int, count: int) -> pa.Table:
    """Rows [start, start + count) of one of a settled partition's tables, compact to send."""
    table: pa.Table = getattr(part, name).slice(start, count).combine_chunks()
    return table


def write_merged(
    client: Any,
    settled: list[Any],
    heads: list[Head],
    out_path: Path,
    options: BatchOptions,
    summary: Summary,
    columns: list[str],
) -> None:
    """The files of the whole run, results and errors in row order, all or none, as run_batch."""
    outputs = _Outputs.of_run(out_path, options)
    batch = options.chunk_rows
    try:
        for table in merged_by_row(_Fetcher(client, settled, heads, "results"), len(settled), batch):
            outputs.results.write(table)
        if outputs.accumulators is not None:
            fetch = _Fetcher(client, settled, heads, "accumulators")
            for i in range(len(settled)):  # person by person within a partition, as a chunk writes them
                for start in range(0, fetch.size(i), options.chunk_rows):
                    outputs.accumulators.write(fetch(i, start, options.chunk_rows))
        for table in merged_by_row(_Fetcher(client, settled, heads, "errors"), len(settled), batch):
            outputs.errors.write(table)
        outputs.close(columns)
    except BaseException:
        outputs.discard()
        raise
    summary.errors_path = outputs.errors.path if summary.failed else None


@dataclass
class _Fetcher:
    """Slices of one table (results, accumulators or errors) of each settled partition."""

    client: Any
    settled: list[Any]
    heads: list[Head]
    name: str

    def size(self, part: int) -> int:
        """How many rows the partition's table has."""
        return self.heads[part].rows[self.name]

    def __call__(self, part: int, start: int, count: int) -> pa.Table:
        return self.many([(part, start, count)])[0]

    def many(self, wanted: list[tuple[int, int, int]]) -> list[pa.Table]:
        """Several (partition, start, count) slices, asked of the workers at once."""
        futures = [self.client.submit(_slice, self.settled[p], self.name, s, n) for p, s, n in wanted]
        tables: list[pa.Table] = self.client.gather(futures)
        return tables


class Slices(Protocol):
    """Slices of one table of each of some partitions, each table in `row` order."""

    def size(self, part: int) -> int:
        """How many rows the partition's table has."""
        ...

    def many(self, wanted: list[tuple[int, int, int]]) -> list[pa.Table]:
        """Several (partition, start, count) slices at once."""
        ...


def merged_by_row(fetch: Slices, parts: int, batch: int) -> Iterator[pa.Table]:
    """The partitions' tables (each in `row` order) merged in `row` order, a few batches at a time.

    Each partition's rows come `batch` at a time; every row up to the lowest last row among
    the partitions with rows still to come is in hand, so those are written, and the
    partition that set that bound is read further. Memory: a batch per partition.
    """
    taken = [0] * parts
    held: dict[int, pa.Table] = {}

    def read(which: list[int]) -> None:
        for part, table in zip(which, fetch.many([(p, taken[p], batch) for p in which]), strict=True):
            taken[part] += table.num_rows
            held[part] = table

    read([part for part in range(parts) if fetch.size(part)])
    while held:
        more = [p for p in held if taken[p] < fetch.size(p)]
        bound = min((_last_row(held[p]) for p in more), default=None)
        ready, rest = [], {}
        for part, table in held.items():
            cut = table.num_rows if bound is None else _rows_up_to(table, bound)
            ready.append(table.slice(0, cut))
            if cut < table.num_rows:
                rest[part] = table.slice(cut)
        held = rest
        out = pa.concat_tables(ready)
        if out.num_rows:
            yield out.sort_by("row")
        read([part for part in more if part not in held])


def _last_row(table: pa.Table) -> int:
    return int(table.column("row")[-1].as_py())


def _rows_up_to(table: pa.Table, bound: int) -> int:
    """How many of a table's first rows have a row number of at most `bound` (rows ascend)."""
    rows = np.asarray(table.column("row").to_numpy())
    return int(np.searchsorted(rows, bound, side="right"))
