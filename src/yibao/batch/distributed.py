"""Settle a book on a Dask cluster: every person's bills in one partition, each through the one engine.

The workers read the book themselves (dask.dataframe). A Parquet book grouped by person is
settled row group by row group, each re-cut where a person begins (`person_leads`), so no
bill moves between workers; any other book is shuffled on `person_id` into partitions of
about a chunk. Either way every person-year lies in one partition, settled in chunks of whole
persons exactly as on one machine. Results stay on the workers and are merged into book
order here (merge.py), then written like a single-machine run.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yibao.batch.chunks import Book, Chunk, grouped_parquet, person_cuts
from yibao.batch.decode import check_columns
from yibao.batch.io import is_parquet
from yibao.batch.merge import Head, add_head, head_of, write_merged
from yibao.batch.runner import (
    BatchOptions,
    ChunkResult,
    Summary,
    benefit_columns,
    settle_chunk,
)
from yibao.errors import InputError, Problem
from yibao.policy.lookup import PolicySet

ROW = "__row"
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
    if not in_path.exists():
        raise InputError(Problem(str(in_path), "no such file; give the path of a Parquet or CSV file"))
    people = grouped_parquet(in_path) if is_parquet(in_path) else None
    leads = person_leads(_group_sizes(in_path), people) if people is not None else None
    columns = benefit_columns(Book(in_path, 0, True, options.chunk_rows), policies)  # 2 columns read
    dirs = [str(d) for d in policy_dirs]
    with _client(scheduler) as client:
        if leads is not None:
            tasks, bills = _group_tasks(in_path, leads, dirs, options, columns)
        else:
            tasks, bills = _shuffled_tasks(in_path, client, dirs, options, columns)
        summary = Summary(bills=bills)
        settled = client.compute(tasks)  # futures: the results stay on the workers
        heads: list[Head] = client.gather([client.submit(head_of, part) for part in settled])
        firsts = [head.first_error for head in heads if head.first_error is not None]
        if options.strict and firsts:
            first = min(firsts, key=lambda error: int(error["row"]))
            raise InputError(
                Problem(f"row {first['row']}: {first['field']}", first["message"], first["value"])
            )
        for head in heads:
            add_head(summary, head)
        write_merged(client, settled, heads, out_path, options, summary, columns)
    summary.seconds = time.perf_counter() - began
    return summary


def _group_tasks(
    path: Path, leads: list[int], dirs: list[str], options: BatchOptions, columns: list[str]
) -> tuple[list[Any], int]:
    """A grouped Parquet book: a task per row group, which each worker reads itself."""
    sizes = _group_sizes(path)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    after = [*leads[1:], 0]
    tasks = [
        delayed(_settle_group)(str(path), g, leads[g], after[g], offsets[g], dirs, options, columns)
        for g in range(len(sizes))
    ]
    return tasks, int(sum(sizes))


def _shuffled_tasks(
    path: Path, client: Any, dirs: list[str], options: BatchOptions, columns: list[str]
) -> tuple[list[Any], int]:
    """Any other book: read by Dask, numbered, shuffled on person_id into partitions of a chunk."""
    frame = _read(path)
    check_columns(pa.schema([pa.field(c, pa.string()) for c in frame.columns]))
    lengths = [int(n) for n in frame.map_partitions(len).compute()]
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    bills = int(sum(lengths))
    workers = max(1, len(client.scheduler_info()["workers"]))
    partitions = max(2 * workers, -(-bills // options.chunk_rows))  # each about a chunk
    shuffled = _numbered(frame, offsets).shuffle(on="person_id", npartitions=partitions)
    return [delayed(_settle_part)(part, dirs, options, columns) for part in shuffled.to_delayed()], bills


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


def _numbered(frame: Any, offsets: list[int]) -> Any:
    """The book with each row's 0-based position in it, to shuffle."""
    return dd.from_delayed(
        [delayed(_number)(part, offset) for part, offset in zip(frame.to_delayed(), offsets, strict=True)],
        meta=frame._meta.assign(**{ROW: np.int64(0)}),
    )


def _number(part: Any, offset: int) -> Any:
    """A partition with its rows' 0-based positions in the book."""
    return part.assign(**{ROW: np.arange(offset, offset + len(part), dtype=np.int64)})


def _group_sizes(path: Path) -> list[int]:
    """The number of bills in each row group of a Parquet book, from its footer."""
    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]


def person_leads(sizes: list[int], people: Any) -> list[int] | None:
    """How many first rows of each row group continue the group before, in a book grouped by person.

    `sizes` are the groups' numbers of bills, `people` the book's ids as text. Those first
    rows belong to the person the group before ends with. None where a person fills a whole
    group (or a group is empty): then the book is shuffled instead.
    """
    leads, offset = [], 0
    for size in sizes:
        if size == 0:
            return None
        lead = 0
        if offset:
            ids = people.slice(offset, size)
            same = np.asarray(pc.equal(ids, people[offset - 1]).to_numpy(zero_copy_only=False))
            lead = int(np.argmin(same)) if not same.all() else size
            if lead == size:
                return None
        leads.append(lead)
        offset += size
    return leads


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
    """Settle one shuffled partition (whole persons, about a chunk) exactly as a single-machine chunk."""
    table = pa.Table.from_pandas(part.replace("", None), preserve_index=False)
    rows = np.asarray(table.column(ROW).to_numpy(), np.int64)
    order = np.argsort(rows, kind="stable")
    table = table.take(order).drop_columns([ROW])
    return settle_chunk(Chunk(table, rows[order]), _policies(tuple(dirs)), options, columns)


def _settle_group(
    path: str,
    group: int,
    lead: int,
    borrow: int,
    offset: int,
    dirs: list[str],
    options: BatchOptions,
    columns: list[str],
) -> ChunkResult:
    """Settle a row group of a grouped Parquet book, re-cut where persons begin, in chunks of whole persons.

    The first `lead` rows continue the person the group before ends with and are settled
    there; the first `borrow` rows of the next group continue this one's last person.
    """
    parquet = pq.ParquetFile(path)
    table = parquet.read_row_group(group).slice(lead)
    if borrow:
        more = next(parquet.iter_batches(batch_size=borrow, row_groups=[group + 1]))
        table = pa.concat_tables([table, pa.Table.from_batches([more.slice(0, borrow)])])
    rows = np.arange(offset + lead, offset + lead + table.num_rows, dtype=np.int64)
    policies = _policies(tuple(dirs))
    done = [
        settle_chunk(Chunk(table.slice(a, b - a), rows[a:b]), policies, options, columns)
        for a, b in person_cuts(table, options.chunk_rows)
    ]
    if len(done) <= 1:
        return done[0] if done else settle_chunk(Chunk(table, rows), policies, options, columns)
    return ChunkResult(
        pa.concat_tables([d.results for d in done]),
        pa.concat_tables([d.accumulators for d in done]),
        pa.concat_tables([d.errors for d in done]),
        {key: sum(d.sums_fen[key] for d in done) for key in done[0].sums_fen},
    )
