"""Settle a book on a Dask cluster: bills shuffled by person, each partition through the one engine.

The workers read the book themselves (dask.dataframe), the shuffle on `person_id` puts every
person's bills, and so every person-year, in one partition of about a chunk's size, and
each partition is settled exactly as a single-machine chunk is. Results stay on the workers;
this process merges them into book order a batch at a time (each partition's are in row
order already) and writes them like a single-machine run, so its memory is bounded by the
partitions' count times a batch, not by the book.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import dask.dataframe as dd
import numpy as np
import pyarrow as pa

from yibao.batch.chunks import Chunk, open_book
from yibao.batch.decode import check_columns
from yibao.batch.encode import PAYERS
from yibao.batch.io import is_parquet
from yibao.batch.runner import (
    BatchOptions,
    ChunkResult,
    Summary,
    _Outputs,
    benefit_columns,
    settle_chunk,
)
from yibao.errors import InputError, Problem
from yibao.policy.lookup import PolicySet

ROW = "__row"
_TABLES = ("results", "accumulators", "errors")
# Dask ships without complete type hints; these are its entry points, used as documented.
delayed: Any = importlib.import_module("dask.delayed").delayed
Client: Any = importlib.import_module("dask.distributed").Client
LocalCluster: Any = importlib.import_module("dask.distributed").LocalCluster


def run_distributed(
    in_path: Path,
    out_path: Path,
    policies: PolicySet,
    options: BatchOptions,
    scheduler: str,
    policy_dirs: Sequence[Path],
) -> Summary:
    """Settle every bill of a book on Dask workers; identical results to `run_batch`."""
    began = time.perf_counter()
    frame = _read(in_path)
    check_columns(pa.schema([pa.field(c, pa.string()) for c in frame.columns]))
    lengths = frame.map_partitions(len).compute()
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    frame = dd.from_delayed(
        [delayed(_number)(part, offset) for part, offset in zip(frame.to_delayed(), offsets, strict=True)],
        meta=frame._meta.assign(**{ROW: np.int64(0)}),
    )
    bills = int(sum(lengths))
    summary = Summary(bills=bills)
    with _client(scheduler) as client:
        workers = max(1, len(client.scheduler_info()["workers"]))
        partitions = max(2 * workers, -(-bills // options.chunk_rows))  # each about a chunk
        shuffled = frame.shuffle(on="person_id", npartitions=partitions)
        columns = benefit_columns(open_book(in_path, options.chunk_rows), policies)
        dirs = [str(d) for d in policy_dirs]
        tasks = [delayed(_settle_part)(part, dirs, options, columns) for part in shuffled.to_delayed()]
        settled = client.compute(tasks)  # futures: the results stay on the workers
        heads: list[_Head] = client.gather([client.submit(_head, part) for part in settled])
        firsts = [head.first_error for head in heads if head.first_error is not None]
        if options.strict and firsts:
            first = min(firsts, key=lambda error: int(error["row"]))
            raise InputError(
                Problem(f"row {first['row']}: {first['field']}", first["message"], first["value"])
            )
        for head in heads:
            _add_head(summary, head)
        _write(client, settled, heads, out_path, options, summary, columns)
    summary.seconds = time.perf_counter() - began
    return summary


def _read(path: Path) -> Any:
    if not path.exists():
        raise InputError(Problem(str(path), "no such file; give the path of a Parquet or CSV file"))
    if is_parquet(path):
        frame = dd.read_parquet(str(path))
        # dictionary columns arrive as categoricals whose categories differ from partition to
        # partition, which Dask's metadata checks refuse: they travel as text instead
        labels = [name for name, kind in frame.dtypes.items() if str(kind) == "category"]
        return frame.astype(dict.fromkeys(labels, "string")) if labels else frame
    return dd.read_csv(str(path), dtype=str, keep_default_na=False)


def _number(part: Any, offset: int) -> Any:
    """A partition with its rows' 0-based positions in the book."""
    return part.assign(**{ROW: np.arange(offset, offset + len(part), dtype=np.int64)})


def _client(scheduler: str) -> Any:
    if scheduler.startswith("local:"):
        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise InputError(
                Problem("--scheduler", f"{scheduler!r}: write local:N with N workers, e.g. local:2")
            )
        cluster = LocalCluster(
            n_workers=int(count),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # its HTTP server on a free port, not 8787
            silence_logs=logging.ERROR,  # not its notes on every shuffle, which it logs as warnings
        )
        return Client(cluster)
    if scheduler.startswith("tcp://"):
        return Client(scheduler)
    raise InputError(Problem("--scheduler", f"{scheduler!r} is not local:N or tcp://HOST:PORT", scheduler))


@cache
def _policies(dirs: tuple[str, ...]) -> PolicySet:
    """Each worker loads the policies once."""
    return PolicySet.load([Path(d) for d in dirs])


def _settle_part(part: Any, dirs: list[str], options: BatchOptions, columns: list[str]) -> ChunkResult:
    """Settle one partition (whole persons) exactly as a single-machine chunk."""
    table = pa.Table.from_pandas(part.replace("", None), preserve_index=False)
    rows = np.asarray(table.column(ROW).to_numpy(), np.int64)
    order = np.argsort(rows, kind="stable")
    table = table.take(order).drop_columns([ROW])
    return settle_chunk(Chunk(table, rows[order]), _policies(tuple(dirs)), options, columns)


@dataclass
class _Head:
    """What the client needs of a settled partition before merging: counts, sums, first error."""

    rows: dict[str, int]
    failed: int
    sums_fen: dict[str, int]
    first_error: dict[str, Any] | None


def _head(part: ChunkResult) -> _Head:
    """A settled partition's head (run on the worker holding it)."""
    errors = part.errors
    return _Head(
        {name: getattr(part, name).num_rows for name in _TABLES},
        len(set(errors.column("row").to_pylist())),
        part.sums_fen,
        errors.slice(0, 1).to_pylist()[0] if errors.num_rows else None,
    )


def _add_head(summary: Summary, head: _Head) -> None:
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


def _write(
    client: Any,
    settled: list[Any],
    heads: list[_Head],
    out_path: Path,
    options: BatchOptions,
    summary: Summary,
    columns: list[str],
) -> None:
    """The files of the whole run, results and errors in row order, all or none, as run_batch."""
    outputs = _Outputs.of_run(out_path, options)
    batch = max(1, options.chunk_rows // 8)
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
    heads: list[_Head]
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
