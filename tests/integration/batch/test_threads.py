"""Threads or forked workers over chunks change nothing but the time: the same bytes out, in book order."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.books import bill_row
from tests.integration.batch.test_batch import EXAMPLES, write_csv
from tests.properties.bills import POLICIES
from yibao.batch import forked
from yibao.batch.pool import ordered_map
from yibao.batch.runner import BatchOptions, run_batch
from yibao.errors import InputError


@pytest.mark.parametrize("book", ["grouped.csv", "shuffled.csv", "grouped.parquet"])
def test_any_number_of_threads_or_processes_writes_the_same_results_accumulators_and_errors(tmp_path, book):
    """A grouped book streams (chunks travel to the workers); a shuffled one is read whole (row ranges do)."""
    bills = [b for b in EXAMPLES if "split" in b]
    rows = [bill_row(b, f"person-{p:03d}", f"b{p}-{i}") for p in range(60) for i, b in enumerate(bills[:5])]
    rows[7]["class_a"] = "12.345"  # one bad row, so the error file is compared too
    if book.startswith("shuffled"):
        random.Random(5).shuffle(rows)
    path = write_csv(rows, tmp_path / "book.csv")
    if book.endswith(".parquet"):
        names = pacsv.open_csv(path).schema.names
        text = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
        pq.write_table(pacsv.read_csv(path, convert_options=text), tmp_path / book)
        path = tmp_path / book
    outputs = {}
    for threads, processes in ((1, 0), (4, 0), (1, 2), (1, 3)):
        name = f"{threads}-{processes}"
        out = tmp_path / f"out-{name}.csv"
        options = BatchOptions(
            chunk_rows=7,
            threads=threads,
            processes=processes,
            accumulators_path=tmp_path / f"acc-{name}.csv",
            errors_path=tmp_path / f"err-{name}.csv",
        )
        summary = run_batch(path, out, POLICIES, options)
        assert (summary.settled, summary.failed) == (len(rows) - 1, 1)
        outputs[name] = [
            p.read_bytes() for p in (out, options.accumulators_path, options.errors_path) if p is not None
        ]
    assert outputs["1-0"] == outputs["4-0"] == outputs["1-2"] == outputs["1-3"]
    assert len(outputs["1-0"][0].splitlines()) == len(rows)  # a header and every good row


def test_strict_stops_a_forked_run_at_the_first_bad_row_and_ends_its_workers(tmp_path, monkeypatch):
    started: list[int] = []
    start = forked._Worker.start

    def recorded(*args: Any) -> forked._Worker:
        worker = start(*args)
        started.append(worker.pid)
        return worker

    monkeypatch.setattr(forked._Worker, "start", recorded)
    bills = [b for b in EXAMPLES if "split" in b]
    rows = [bill_row(bills[0], f"person-{p:03d}", f"b{p}") for p in range(40)]
    rows[25]["class_a"] = "-3"
    path = write_csv(rows, tmp_path / "book.csv")
    with pytest.raises(InputError, match="row 26"):
        run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions(chunk_rows=4, processes=2, strict=True))
    assert len(started) == 2
    for pid in started:  # ended and reaped before the error came out
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_ordered_map_keeps_the_order_and_holds_at_most_threads_plus_one_items():
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield i

    def work(i: int) -> int:
        time.sleep(0.002 * (i % 3))  # later items often finish first
        return i * i

    results: list[int] = []
    for value in ordered_map(work, items(), threads=3):
        assert pulled - len(results) <= 3 + 1
        results.append(value)
    assert results == [i * i for i in range(40)]
    assert list(ordered_map(work, range(5), threads=1)) == [0, 1, 4, 9, 16]
