"""Benchmark the batch engine against the per-bill loop a user would otherwise write.

    python bench/batch.py --n 1000000

Generates (in a child process, so peak_rss_mb is the engine's alone) or reuses a seeded book,
reads it (timed separately), runs the batch engine over it in memory (decode, settle, encode;
median of 3) in `--processes` forked workers (default one per core, as `yibao batch`; 0 runs
on `--threads` threads instead), runs the
one-bill-at-a-time loop over the same engine on a sample of whole persons, checks both agree
on that sample, and prints as its LAST line one JSON object: bills, processes, threads,
chunk_rows, seconds, bills_per_s, loop_bills_per_s, speedup, agree, peak_rss_mb (and
input_mb, read_seconds, write_seconds, peak_over_input for context). peak_rss_mb is this
process's peak RSS or, if larger, the peak sum of its and its workers' PSS while the
results are written (class TreeMemory).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from yibao.batch.chunks import Chunk, person_cuts
from yibao.batch.io import TableWriter, read_table
from yibao.batch.memory import keep_freed_memory
from yibao.batch.pool import default_processes, default_threads, parallel_map
from yibao.batch.runner import BatchOptions, ChunkResult, benefit_columns, settle_chunk
from yibao.documents.bill import parse_bill
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill


class _InMemoryBook:
    """What benefit_columns needs from a book, for a table already in memory."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def columns(self, names: list[str]) -> pa.Table:
        return self.table.select([n for n in names if n in self.table.column_names])


def engine_pass(
    table: pa.Table,
    policies: PolicySet,
    options: BatchOptions,
    writer: TableWriter | None,
    spent: list[float],
) -> pa.Table:
    """Decode, settle and encode the book in chunks of whole persons; return the first chunk's results.

    Chunks run in `options.processes` forked workers (or on `options.threads` threads), results
    in book order, as `yibao batch` runs them.
    Results go to `writer` when given (time spent writing is appended to `spent`); otherwise they
    are dropped, as a streaming run drops them once written.
    """
    columns = benefit_columns(_InMemoryBook(table), policies)  # type: ignore[arg-type]

    def settle(cut: tuple[int, int]) -> ChunkResult:
        start, stop = cut
        part = table.slice(start, stop - start)
        return settle_chunk(Chunk(part, np.arange(start, stop, dtype=np.int64)), policies, options, columns)

    first: pa.Table | None = None
    pieces = person_cuts(table, options.chunk_rows)
    for done in parallel_map(settle, pieces, options.processes, options.threads):
        first = done.results if first is None else first
        if writer is not None:
            began = time.perf_counter()
            writer.write(done.results)
            spent.append(time.perf_counter() - began)
    assert first is not None
    return first


class TreeMemory:
    """The peak of this process's and its workers' proportional set size (PSS), sampled.

    Forked workers share the book with this process; PSS splits each shared page between
    the processes that map it, so the sum is the memory the run holds. Reading it walks
    the page tables, so it is sampled only during the untimed pass that writes results.
    """

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            pids = ["self"] + [c for t in Path("/proc/self/task").iterdir() for c in _children(t)]
            self.peak_bytes = max(self.peak_bytes, sum(_pss(pid) for pid in pids))


def _children(task: Path) -> list[str]:
    try:
        return (task / "children").read_text().split()
    except OSError:
        return []


def _pss(pid: str) -> int:
    """A process's PSS in bytes (0 once it has ended)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in lines if line.startswith("Pss:")), 0)


def loop_pass(table: pa.Table, policies: PolicySet) -> list[dict[str, str]]:
    """The honest alternative: the same engine called once per bill with running accumulators."""
    out = []
    carried: dict[str, dict[str, Any]] = {}
    for row in table.to_pylist():
        products = [{"id": p} for p in str(row.get("products") or "").split(";") if p]
        bill = {
            "id": row["bill_id"],
            "date": row["date"].isoformat(),
            "kind": row["kind"],
            "person": {"scheme": row["scheme"], "category": row["category"], "products": products},
            "institution": {"region": row["region"], "level": row["level"]},
            "registration": row["registration"],
            "split": {k: f"{Decimal(row[k]):.2f}" for k in ("class_a", "class_b", "class_c")},
            "year_to_date": carried.get(row["person_id"], {}),
        }
        doc = settle_bill(parse_bill(bill), policies)
        carried[row["person_id"]] = dict(doc.accumulators)
        basic = sum(Decimal(p.amount) for p in doc.payments if p.payer == "basic")
        out.append({"bill_id": doc.bill_id, "out_of_pocket": doc.out_of_pocket, "basic": f"{basic:.2f}"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--sample", type=int, default=2000, help="bills settled by the per-bill loop")
    parser.add_argument("--chunk-rows", type=int, default=131_072)
    parser.add_argument("--threads", type=int, default=default_threads(), help="threads over chunks")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--processes", type=int, default=default_processes(), help="forked workers (0: threads here)"
    )
    args = parser.parse_args()
    options = BatchOptions(chunk_rows=args.chunk_rows, threads=args.threads, processes=args.processes)
    keep_freed_memory()  # as run_batch does
    path = args.data / f"book-{args.n}.parquet"
    if not path.exists():  # in a child process: the generator's peak memory is not the engine's
        gen = Path(__file__).with_name("gen.py")
        subprocess.run([sys.executable, str(gen), "--n", str(args.n), "--out", str(path)], check=True)
    policies = PolicySet.load()

    began = time.perf_counter()
    table = read_table(path)  # as yibao batch reads a book it holds in memory
    read_seconds = time.perf_counter() - began
    input_mb = table.nbytes / 2**20

    timings = []
    first = table
    for _ in range(args.repeat):
        began = time.perf_counter()
        first = engine_pass(table, policies, options, None, [])
        timings.append(time.perf_counter() - began)
    seconds = statistics.median(timings)

    writer = TableWriter(args.data / f"out-{args.n}.parquet")
    spent: list[float] = []
    with TreeMemory() as tree:
        engine_pass(table, policies, options, writer, spent)
    writer.close()
    write_seconds = sum(spent)

    persons = pc.unique(table.column("person_id").slice(0, args.sample * 2))
    sample = table.filter(pc.is_in(table.column("person_id"), value_set=persons)).slice(0, args.sample)
    last = sample.column("person_id")[-1]
    sample = sample.filter(pc.not_equal(sample.column("person_id"), last))  # whole persons only
    began = time.perf_counter()
    looped = loop_pass(sample, policies)
    loop_rate = len(looped) / (time.perf_counter() - began)

    batch_rows = first.slice(0, len(looped)).to_pylist()
    agree = len(batch_rows) == len(looped) and all(
        b["bill_id"] == x["bill_id"]
        and f"{b['out_of_pocket']:.2f}" == x["out_of_pocket"]
        and f"{b['basic']:.2f}" == x["basic"]
        for b, x in zip(batch_rows, looped, strict=True)
    )
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak_mb = max(own_peak, tree.peak_bytes) / 2**20
    rate = args.n / seconds
    print(
        f"read {read_seconds:.2f}s, engine median {seconds:.2f}s of {[round(t, 2) for t in timings]}, "
        f"write {write_seconds:.2f}s; loop {loop_rate:,.0f} bills/s on {len(looped)} bills"
    )
    print(
        json.dumps(
            {
                "bills": args.n,
                "processes": args.processes,
                "threads": args.threads,
                "chunk_rows": args.chunk_rows,
                "seconds": round(seconds, 3),
                "bills_per_s": round(rate),
                "loop_bills_per_s": round(loop_rate),
                "speedup": round(rate / loop_rate, 1),
                "agree": agree,
                "peak_rss_mb": round(peak_mb),
                "input_mb": round(input_mb),
                "peak_over_input": round(peak_mb / input_mb, 2),
                "read_seconds": round(read_seconds, 3),
                "write_seconds": round(write_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
