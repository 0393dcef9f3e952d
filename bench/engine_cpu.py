"""CPU seconds the batch engine spends per pass over a book, on one thread, in this process.

    .venv/bin/python bench/engine_cpu.py --n 1000000 --passes 5

Decodes, settles and encodes every chunk of the book (as each forked worker of `yibao batch`
does) and reports the process CPU time of each pass and the least of them. No parent, pipes
or second worker share in it, so it is the figure to compare two versions of the engine by;
the host still moves it (0.43 to 0.59 s per million bills within minutes here), so compare
versions run alternately, several times each. The book is the
one bench/batch.py uses (generate it there first). Prints as its LAST line one JSON object:
bills, passes, cpu_seconds (the least), cpu_seconds_all, bills_per_cpu_s.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from yibao.batch.chunks import Chunk, open_book, person_cuts
from yibao.batch.io import read_table
from yibao.batch.memory import keep_freed_memory
from yibao.batch.runner import BatchOptions, benefit_columns, settle_chunk
from yibao.policy.lookup import PolicySet


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--chunk-rows", type=int, default=131_072)
    args = parser.parse_args()
    path = args.data / f"book-{args.n}.parquet"
    if not path.exists():
        raise SystemExit(f"no book at {path}: run bench/gen.py --n {args.n} --out {path} first")
    keep_freed_memory()  # as run_batch does
    table = read_table(path)  # as yibao batch reads a book it holds in memory
    policies = PolicySet.load()
    columns = benefit_columns(open_book(path, args.chunk_rows), policies)
    cuts = list(person_cuts(table, args.chunk_rows))
    options = BatchOptions(chunk_rows=args.chunk_rows)
    spent = []
    for _ in range(args.passes):
        began = time.process_time()
        for start, stop in cuts:
            part = table.slice(start, stop - start)
            settle_chunk(Chunk(part, np.arange(start, stop, dtype=np.int64)), policies, options, columns)
        spent.append(time.process_time() - began)
    least = min(spent)
    print(f"CPU per pass: least {least:.3f} s of {[round(s, 3) for s in spent]}")
    report = {
        "bills": table.num_rows,
        "passes": args.passes,
        "cpu_seconds": round(least, 3),
        "cpu_seconds_all": [round(s, 3) for s in spent],
        "bills_per_cpu_s": round(table.num_rows / least),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
