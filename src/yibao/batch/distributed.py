"""Settle a book on a Dask cluster: bills shuffled by person, each partition through the one engine.

The workers read the book themselves (dask.dataframe), the shuffle on `person_id` puts every
person's bills, and so every person-year, in one partition, and each partition is settled
exactly as a single-machine chunk is. Results come back to this process, are put in book
order, and are written like a single-machine run.
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

from yibao.batch.chunks import Chunk, open_book
from yibao.batch.decode import check_columns
from yibao.batch.io import is_parquet
from yibao.batch.runner import (
    BatchOptions,
    ChunkResult,
    Summary,
    _add,
    _Outputs,
    benefit_columns,
    settle_chunk,
)
from yibao.errors import InputError, Problem
from yibao.policy.lookup import PolicySet

ROW = "__row"
# Dask ships without complete type hints; these are its entry points, used as documented.
delayed: Any = importlib.import_module("dask.delayed").delayed
compute: Any = importlib.import_module("dask.base").compute
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
    with _client(scheduler) as client:
        workers = max(1, len(client.scheduler_info()["workers"]))
        shuffled = frame.shuffle(on="person_id", npartitions=max(2, 2 * workers))
        columns = benefit_columns(open_book(in_path, options.chunk_rows), policies)
        dirs = [str(d) for d in policy_dirs]
        tasks = [delayed(_settle_part)(part, dirs, options, columns) for part in shuffled.to_delayed()]
        parts: list[ChunkResult] = list(compute(*tasks))
    summary = Summary(bills=int(sum(lengths)))
    for part in parts:
        if options.strict and part.errors.num_rows:
            first = part.errors.sort_by("row").slice(0, 1).to_pylist()[0]
            raise InputError(
                Problem(f"row {first['row']}: {first['field']}", first["message"], first["value"])
            )
        _add(summary, part)
    _write(parts, out_path, options, summary, columns)
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


def _write(
    parts: list[ChunkResult], out_path: Path, options: BatchOptions, summary: Summary, columns: list[str]
) -> None:
    """The files of the whole run in row (accumulators: person) order, all or none, as run_batch."""
    outputs = _Outputs.of_run(out_path, options)
    try:
        outputs.results.write(pa.concat_tables([p.results for p in parts]).sort_by("row"))
        accumulators = [p.accumulators for p in parts if p.accumulators.num_rows]
        if outputs.accumulators is not None and accumulators:
            held = pa.concat_tables(accumulators).sort_by([("person_id", "ascending"), ("key", "ascending")])
            outputs.accumulators.write(held)
        errors = [p.errors for p in parts if p.errors.num_rows]
        if errors:
            outputs.errors.write(pa.concat_tables(errors).sort_by("row"))
        outputs.close(columns)
    except BaseException:
        outputs.discard()
        raise
    summary.errors_path = outputs.errors.path if errors else None
