"""Results settled in partitions (each in row order) come back merged in row order, a few batches held."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from yibao.batch.merge import merged_by_row


class Parts:
    """Partitions held elsewhere: slices are handed out and counted, as the workers would."""

    def __init__(self, tables: list[pa.Table]) -> None:
        self.tables = tables
        self.handed = 0

    def size(self, part: int) -> int:
        return self.tables[part].num_rows

    def many(self, wanted: list[tuple[int, int, int]]) -> list[pa.Table]:
        slices = [self.tables[p].slice(s, n) for p, s, n in wanted]
        self.handed += sum(t.num_rows for t in slices)
        return slices


@given(st.integers(0, 300), st.integers(1, 7), st.integers(1, 40), st.integers(0, 10**6))
def test_partitions_merge_into_row_order_whatever_their_sizes(rows, parts, batch, seed):
    owner = [random.Random(seed + r).randrange(parts) for r in range(rows)]  # rows hashed to partitions
    tables = [
        pa.table(
            {
                "row": [r + 1 for r in range(rows) if owner[r] == p],
                "x": [f"v{r}" for r in range(rows) if owner[r] == p],
            }
        )
        for p in range(parts)
    ]
    source = Parts(tables)
    written = list(merged_by_row(source, parts, batch))
    assert all(t.num_rows for t in written)  # no empty writes (an empty errors file would appear)
    merged = pa.concat_tables(written) if written else pa.table({"row": [], "x": []})
    assert merged.column("row").to_pylist() == list(range(1, rows + 1))
    assert merged.column("x").to_pylist() == [f"v{r}" for r in range(rows)]
    assert source.handed == rows  # every row fetched once
    assert all(t.num_rows <= parts * batch for t in written)  # at most a batch per partition in hand
