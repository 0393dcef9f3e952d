"""A Parquet results file has one schema, whether bills were settled or none could be."""

from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.parquet as pq

from tests.books import bill_row
from tests.integration.batch.test_batch import EXAMPLES, write_csv
from tests.properties.bills import POLICIES
from yibao.batch.runner import BatchOptions, run_batch


def read_csv_rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_results_of_a_settled_book_and_of_a_book_of_bad_rows_have_the_same_schema(tmp_path):
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    bad = bill_row(good, "p2", "bad-amount")
    bad["class_a"] = "12.345"
    run_batch(
        write_csv([bill_row(good, "p1", "ok")], tmp_path / "good.csv"),
        tmp_path / "good.parquet",
        POLICIES,
        BatchOptions(),
    )
    run_batch(write_csv([bad], tmp_path / "bad.csv"), tmp_path / "bad.parquet", POLICIES, BatchOptions())
    settled, empty = pq.read_table(tmp_path / "good.parquet"), pq.read_table(tmp_path / "bad.parquet")
    assert (settled.num_rows, empty.num_rows) == (1, 0)
    wanted = {"row", "bill_id", "person_id", "scheme", "mode", "total", "out_of_pocket"}
    assert wanted <= set(settled.column_names)
    fixed = [n for n in empty.column_names if not n.startswith("pay:")]  # benefit columns: the book's
    assert settled.select(fixed).schema.equals(empty.select(fixed).schema)
    # Parquet's own types, read back without an Arrow schema: text labels and decimal128 amounts
    # (which every Arrow kernel sums), stored as dictionary codes and INT64 fen.
    assert settled.schema.field("mode").type == pa.string()
    assert settled.schema.field("total").type == pa.decimal128(18, 2)
    stored = pq.ParquetFile(tmp_path / "good.parquet").metadata.row_group(0)
    columns = {stored.column(i).path_in_schema: stored.column(i) for i in range(stored.num_columns)}
    assert columns["total"].physical_type == "INT64"
    assert "RLE_DICTIONARY" in columns["mode"].encodings
    assert "RLE_DICTIONARY" not in columns["bill_id"].encodings
    assert not settled.schema.field("total").nullable and settled.schema.field("bill_id").nullable
    assert settled.column("mode").to_pylist() == ["direct"] or settled.column("mode").to_pylist() == [
        "manual"
    ]
