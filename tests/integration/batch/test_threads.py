"""Threads over chunks change nothing but the time: the same bytes out, in book order."""

from __future__ import annotations

import time
from collections.abc import Iterator

from tests.books import bill_row
from tests.integration.batch.test_batch import EXAMPLES, write_csv
from tests.properties.bills import POLICIES
from yibao.batch.pool import ordered_map
from yibao.batch.runner import BatchOptions, run_batch


def test_any_number_of_threads_writes_the_same_results_accumulators_and_errors(tmp_path):
    bills = [b for b in EXAMPLES if "split" in b]
    rows = [bill_row(b, f"person-{p:03d}", f"b{p}-{i}") for p in range(60) for i, b in enumerate(bills[:5])]
    rows[7]["class_a"] = "12.345"  # one bad row, so the error file is compared too
    path = write_csv(rows, tmp_path / "book.csv")
    outputs = {}
    for threads in (1, 4):
        out = tmp_path / f"out-{threads}.csv"
        options = BatchOptions(
            chunk_rows=7,
            threads=threads,
            accumulators_path=tmp_path / f"acc-{threads}.csv",
            errors_path=tmp_path / f"err-{threads}.csv",
        )
        summary = run_batch(path, out, POLICIES, options)
        assert (summary.settled, summary.failed) == (len(rows) - 1, 1)
        outputs[threads] = [
            p.read_bytes() for p in (out, options.accumulators_path, options.errors_path) if p is not None
        ]
    assert outputs[1] == outputs[4]


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
