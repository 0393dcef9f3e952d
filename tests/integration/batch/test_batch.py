"""`yibao batch`: a book settles exactly like its bills one by one, however it is cut or distributed."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bench.gen import generate
from hypothesis import HealthCheck, given, settings

from tests.books import bill_row
from tests.properties.bills import POLICIES, books
from tests.properties.test_invariants import _by_policy, _year_to_date
from yibao.batch.chunks import open_book
from yibao.batch.distributed import person_leads, run_distributed
from yibao.batch.runner import BatchOptions, run_batch
from yibao.batch.start import BookStart
from yibao.documents.bill import parse_bill
from yibao.errors import InputError
from yibao.settle import settle_bill

ROOT = Path(__file__).parents[3]
EXAMPLES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.json"))]


def write_csv(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    columns = sorted({k for r in rows for k in r})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def read_results(path: Path) -> dict[int, dict[str, Any]]:
    table = pq.read_table(path) if path.suffix == ".parquet" else None
    if table is None:
        with path.open(encoding="utf-8") as handle:
            return {int(r["row"]): r for r in csv.DictReader(handle)}
    return {int(r["row"]): {k: str(v) for k, v in r.items()} for r in table.to_pylist()}


def one_by_one(book: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, str]]:
    """Each bill settled alone, in book order, carrying each person's accumulators."""
    carried: dict[str, Any] = {}
    out = []
    for who, bill in book:
        doc = settle_bill(
            parse_bill(dict(bill, year_to_date=_year_to_date(carried.get(who, {}), str(bill["date"])))),
            POLICIES,
        )
        carried.setdefault(who, {}).update(_by_policy(doc))
        row = {"out_of_pocket": doc.out_of_pocket, "total": doc.total}
        for payer in ("basic", "critical", "supplementary", "personal_account"):
            row[payer] = f"{sum(Decimal(p.amount) for p in doc.payments if p.payer == payer):.2f}"
        for p in doc.payments:
            row[f"pay:{p.policy_id}:{p.benefit}"] = p.amount
        out.append(row)
    return out


def assert_same_accumulators(a: Path, b: Path) -> None:
    """Two accumulator files hold the same rows, in whatever order."""
    with a.open(encoding="utf-8") as first, b.open(encoding="utf-8") as second:
        assert sorted(csv.DictReader(first), key=str) == sorted(csv.DictReader(second), key=str)


def assert_same(results: dict[int, dict[str, Any]], expected: list[dict[str, str]]) -> None:
    assert sorted(results) == list(range(1, len(expected) + 1))
    for row, want in enumerate(expected, start=1):
        got = {k: results[row][k] for k in want}
        assert got == want, (row, got, want)


def test_a_book_of_the_examples_settles_like_each_example(tmp_path):
    bills = [b for b in EXAMPLES if "split" in b]
    book = [(f"person-{i}", b) for i, b in enumerate(bills)]
    path = write_csv([bill_row(b, who) for who, b in book], tmp_path / "book.csv")
    summary = run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions())
    assert (summary.bills, summary.settled, summary.failed) == (len(bills), len(bills), 0)
    assert_same(read_results(tmp_path / "out.csv"), one_by_one(book))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(books())
def test_random_books_settle_like_their_bills_one_by_one_in_any_chunking(tmp_path, book):
    rows = [bill_row(b, who, f"b{i}") for i, (who, b) in enumerate(book)]
    path = write_csv(rows, tmp_path / "book.csv")
    expected = one_by_one(book)
    for chunk_rows in (1, 3, 1000):
        out = tmp_path / f"out-{chunk_rows}.csv"
        run_batch(path, out, POLICIES, BatchOptions(chunk_rows=chunk_rows))
        assert_same(read_results(out), expected)


@pytest.mark.parametrize(
    "decimal",
    [pa.decimal32(9, 2), pa.decimal64(18, 2), pa.decimal128(18, 2), pa.decimal256(40, 2)],
    ids=str,
)
def test_an_unsorted_parquet_book_with_decimal_amounts_gives_the_same_results(tmp_path, decimal):
    people = ["ann", "bo", "cy"]
    bill = next(b for b in EXAMPLES if b["id"] == "lc-res-2024-shanghai")
    book = [(people[i % 3], dict(bill, date=f"2024-0{1 + i // 3}-1{i % 3}")) for i in range(9)]
    expected = one_by_one(sorted(book, key=lambda wb: (wb[0], wb[1]["date"])))
    rows = [bill_row(b, who, f"b{i}") for i, (who, b) in enumerate(book)]
    table = pa.Table.from_pylist(rows)
    for name in ("class_a", "class_b", "class_c", "over_limit"):
        decimals = pa.array([Decimal(r[name]) for r in rows], decimal)
        table = table.set_column(table.column_names.index(name), name, decimals)
    pq.write_table(table, tmp_path / "book.parquet")
    run_batch(tmp_path / "book.parquet", tmp_path / "out.parquet", POLICIES, BatchOptions(chunk_rows=2))
    results = read_results(tmp_path / "out.parquet")
    order = sorted(range(9), key=lambda i: (book[i][0], book[i][1]["date"]))
    for want, i in zip(expected, order, strict=True):
        assert {k: results[i + 1][k] for k in want} == want


def test_bad_rows_go_to_the_error_file_and_good_rows_go_through(tmp_path):
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    rows = [
        bill_row(good, "p1", "ok-1"),
        bill_row(good, "p2", "bad-amount"),
        bill_row(good, "p3", "bad-level"),
        bill_row(good, "p4", "ok-2"),
    ]
    rows[1]["class_a"] = "12.345"
    rows[2]["level"] = "level_9"
    rows[2]["date"] = "2025-02-30"
    path = write_csv(rows, tmp_path / "book.csv")
    summary = run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions())
    assert (summary.settled, summary.failed) == (2, 2)
    assert sorted(read_results(tmp_path / "out.csv")) == [1, 4]
    with (tmp_path / "out.csv.errors.csv").open(encoding="utf-8") as handle:
        errors = list(csv.DictReader(handle))
    assert errors == [
        {
            "row": "2",
            "bill_id": "bad-amount",
            "field": "bill.split.class_a",
            "value": "12.345",
            "message": "'12.345' has 3 decimal places; amounts are yuan with at most 2 (e.g. '12.35')",
        },
        {
            "row": "3",
            "bill_id": "bad-level",
            "field": "bill.date",
            "value": "2025-02-30",
            "message": "'2025-02-30' is not a date; write it as YYYY-MM-DD",
        },
    ]
    rows[2]["date"] = "2025-02-28"
    write_csv(rows[2:3], tmp_path / "level.csv")
    run_batch(tmp_path / "level.csv", tmp_path / "level-out.csv", POLICIES, BatchOptions())
    with (tmp_path / "level-out.csv.errors.csv").open(encoding="utf-8") as handle:
        [error] = list(csv.DictReader(handle))
    assert error["field"] == "bill.institution.level"
    assert error["message"] == (
        "unknown hospital level 'level_9' for cn-211200.resident@2025; expected level_1, level_2 or level_3"
    )


def test_strict_stops_at_the_first_bad_row(tmp_path):
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    rows = [bill_row(good, "p1", "ok"), bill_row(good, "p2", "bad")]
    rows[1]["kind"] = "dental"
    path = write_csv(rows, tmp_path / "book.csv")
    with pytest.raises(InputError) as caught:
        run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions(strict=True))
    assert str(caught.value).startswith("row 2: bill.kind: 'dental' is not allowed; expected 'inpatient'")


@pytest.mark.parametrize("processes", [0, 2])
def test_a_strict_stop_after_chunks_were_written_leaves_no_file_behind(tmp_path, processes):
    """Chunks of one person each: two are written before the bad third stops the run."""
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    rows = [bill_row(good, f"p{i}", f"b{i}") for i in range(5)]
    rows[2]["kind"] = "dental"
    rows[3]["kind"] = "dental"
    path = write_csv(rows, tmp_path / "book.csv")
    (tmp_path / "out.csv").write_text("an earlier run's results\n", encoding="utf-8")
    options = BatchOptions(
        strict=True, chunk_rows=1, processes=processes, accumulators_path=tmp_path / "acc.parquet"
    )
    with pytest.raises(InputError, match=r"row 3: bill\.kind"):
        run_batch(path, tmp_path / "out.csv", POLICIES, options)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "an earlier run's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "out.csv"]
    summary = run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions(chunk_rows=1))
    assert (summary.settled, summary.failed) == (3, 2)  # without --strict: every file, in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "out.csv", "out.csv.errors.csv"]
    assert sorted(read_results(tmp_path / "out.csv")) == [1, 2, 5]


def test_missing_and_unknown_columns_and_float_amounts_are_refused_up_front(tmp_path):
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    row = bill_row(good, "p1")
    del row["scheme"]
    row["clas_a"] = "1.00"
    with pytest.raises(InputError) as caught:
        run_batch(write_csv([row], tmp_path / "book.csv"), tmp_path / "out.csv", POLICIES, BatchOptions())
    assert [str(p) for p in caught.value.problems] == [
        "book: missing column 'scheme'; `yibao schema batch` lists the columns",
        "book.clas_a: unknown column 'clas_a'; `yibao schema batch` lists the columns",
    ]
    floats = pa.Table.from_pylist([bill_row(good, "p1")]).set_column(
        sorted(bill_row(good, "p1")).index("class_a")
        if False
        else list(bill_row(good, "p1")).index("class_a"),
        "class_a",
        pa.array([18000.0]),
    )
    pq.write_table(floats, tmp_path / "floats.parquet")
    with pytest.raises(InputError, match="column 'class_a' holds floats"):
        run_batch(tmp_path / "floats.parquet", tmp_path / "out.parquet", POLICIES, BatchOptions())


def test_a_month_continues_from_the_previous_months_accumulators(tmp_path):
    bill = next(b for b in EXAMPLES if b["id"] == "lc-res-2024-shanghai")
    book = [(who, dict(bill, date=f"2024-0{m}-15")) for who in ("ann", "bo") for m in (3, 4, 5, 6)]
    whole = write_csv([bill_row(b, who, f"{who}-{b['date']}") for who, b in book], tmp_path / "whole.csv")
    run_batch(
        whole,
        tmp_path / "whole-out.csv",
        POLICIES,
        BatchOptions(accumulators_path=tmp_path / "whole-acc.csv"),
    )
    first = [(w, b) for w, b in book if b["date"] < "2024-05"]
    second = [(w, b) for w, b in book if b["date"] >= "2024-05"]
    write_csv([bill_row(b, w, f"{w}-{b['date']}") for w, b in first], tmp_path / "m1.csv")
    write_csv([bill_row(b, w, f"{w}-{b['date']}") for w, b in second], tmp_path / "m2.csv")
    run_batch(
        tmp_path / "m1.csv",
        tmp_path / "m1-out.csv",
        POLICIES,
        BatchOptions(accumulators_path=tmp_path / "m1-acc.csv"),
    )
    run_batch(
        tmp_path / "m2.csv",
        tmp_path / "m2-out.csv",
        POLICIES,
        BatchOptions(
            start=BookStart.read(tmp_path / "m1-acc.csv"), accumulators_path=tmp_path / "m2-acc.csv"
        ),
    )
    whole_rows = {r["bill_id"]: r for r in read_results(tmp_path / "whole-out.csv").values()}
    split_rows = {
        r["bill_id"]: r
        for path in ("m1-out.csv", "m2-out.csv")
        for r in read_results(tmp_path / path).values()
    }
    for bill_id, row in whole_rows.items():
        assert {k: v for k, v in split_rows[bill_id].items() if k != "row"} == {
            k: v for k, v in row.items() if k != "row"
        }
    assert_same_accumulators(tmp_path / "whole-acc.csv", tmp_path / "m2-acc.csv")


# distributed's scheduler sometimes leaves a listening socket for the garbage collector: its warning, not ours
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_two_worker_dask_cluster_gives_identical_results(tmp_path):
    bills = [b for b in EXAMPLES if "split" in b]
    random.Random(7).shuffle(bills)
    book = [(f"person-{i % 5}", dict(b, id=f"b{i}")) for i, b in enumerate(bills * 2)]
    path = write_csv([bill_row(b, who, f"b{i}") for i, (who, b) in enumerate(book)], tmp_path / "book.csv")
    local = BatchOptions(accumulators_path=tmp_path / "acc.csv")
    spread = BatchOptions(accumulators_path=tmp_path / "acc-dask.csv")
    run_batch(path, tmp_path / "out.csv", POLICIES, local)
    summary = run_distributed(path, tmp_path / "out-dask.csv", POLICIES, spread, "local:2", [])
    assert summary.failed == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == (tmp_path / "out-dask.csv").read_text(
        encoding="utf-8"
    )
    assert_same_accumulators(tmp_path / "acc.csv", tmp_path / "acc-dask.csv")


@pytest.mark.filterwarnings(
    "ignore::ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
    # dask's Parquet reader calls reset_index(inplace=True), which pandas 3.1 deprecates: theirs
    "ignore:The inplace keyword in DataFrame.reset_index:DeprecationWarning",
)
@pytest.mark.parametrize("chunk_rows", [131_072, 100])
def test_a_parquet_book_with_dictionary_labels_settles_alike_on_a_dask_cluster(tmp_path, chunk_rows):
    """The bench's book format (labels dictionary-encoded, amounts decimal128, grouped by person):
    Dask read its labels as categoricals differing by partition and refused them before any
    bill settled. Grouped, it is settled by row group, re-cut where persons begin (persons
    straddle the groups of 1,000 rows), in chunks of `chunk_rows`."""
    path = tmp_path / "book.parquet"
    pq.write_table(generate(3000, seed=11), path, row_group_size=1000)
    assert pa.types.is_dictionary(pq.read_schema(path).field("kind").type)
    assert person_leads([1000] * 3, pq.read_table(path).column("person_id")) not in (None, [0, 0, 0])
    local = BatchOptions(accumulators_path=tmp_path / "acc.csv", chunk_rows=chunk_rows)
    spread = BatchOptions(accumulators_path=tmp_path / "acc-dask.csv", chunk_rows=chunk_rows)
    run_batch(path, tmp_path / "out.parquet", POLICIES, local)
    summary = run_distributed(path, tmp_path / "out-dask.parquet", POLICIES, spread, "local:2", [])
    assert (summary.bills, summary.failed) == (3000, 0)
    assert pq.read_table(tmp_path / "out-dask.parquet").equals(pq.read_table(tmp_path / "out.parquet"))
    assert_same_accumulators(tmp_path / "acc.csv", tmp_path / "acc-dask.csv")


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_many_dask_partitions_merge_results_and_errors_in_row_order_and_strict_names_the_first(tmp_path):
    """Partitions of about a chunk each (here 8 bills): their results and errors come back merged."""
    bills = [b for b in EXAMPLES if "split" in b]
    book = [(f"person-{i % 9}", dict(b, id=f"b{i}")) for i, b in enumerate(bills * 3)]
    rows = [bill_row(b, who, f"b{i}") for i, (who, b) in enumerate(book)]
    for bad in (5, 17, 40):
        rows[bad]["kind"] = "dental"
    path = write_csv(rows, tmp_path / "book.csv")
    run_batch(path, tmp_path / "out.csv", POLICIES, BatchOptions(chunk_rows=8))
    spread = BatchOptions(chunk_rows=8)
    summary = run_distributed(path, tmp_path / "out-dask.csv", POLICIES, spread, "local:2", [])
    assert (summary.bills, summary.failed) == (len(rows), 3)
    for name in ("out{}.csv", "out{}.csv.errors.csv"):
        local, dask = (tmp_path / name.format(""), tmp_path / name.format("-dask"))
        assert local.read_text(encoding="utf-8") == dask.read_text(encoding="utf-8")
    strict = BatchOptions(chunk_rows=8, strict=True)
    with pytest.raises(InputError, match=r"^row 6: bill\.kind: 'dental' is not allowed"):
        run_distributed(path, tmp_path / "strict.csv", POLICIES, strict, "local:2", [])
    assert not list(tmp_path.glob("strict*"))


def test_a_person_filling_a_whole_row_group_sends_the_book_to_the_shuffle():
    ids = pa.chunked_array([["a", "a", "b"], ["b", "c", "c"], ["c", "c", "d"]])
    assert person_leads([3, 3, 3], ids) == [0, 1, 2]  # b's last bill, then c's last two, go back a group
    ids = pa.chunked_array([["a", "b", "b", "b", "b", "c"]])
    assert person_leads([2, 2, 2], ids) is None  # b fills the middle group: shuffle instead
    assert person_leads([2, 0, 1], pa.chunked_array([["a", "b", "c"]])) is None  # an empty group too


def test_a_grouped_csv_book_larger_than_one_read_block_streams_with_the_same_results(tmp_path):
    bills = [b for b in EXAMPLES if "split" in b]
    grouped = [
        bill_row(b, f"person-{p:05d}", f"b{p}-{i}") for p in range(1500) for i, b in enumerate(bills[:6])
    ]
    assert len(grouped) == 9000
    streamed_path = write_csv(grouped, tmp_path / "grouped.csv")
    assert streamed_path.stat().st_size > 1 << 20  # more than pyarrow's default CSV block
    assert open_book(streamed_path, 500).streams
    shuffled = grouped[1::2] + grouped[::2]  # the same bills, persons interleaved: read whole and regrouped
    shuffled_path = write_csv(shuffled, tmp_path / "shuffled.csv")
    assert not open_book(shuffled_path, 500).streams
    run_batch(streamed_path, tmp_path / "a.csv", POLICIES, BatchOptions(chunk_rows=500))
    run_batch(shuffled_path, tmp_path / "b.csv", POLICIES, BatchOptions(chunk_rows=500))
    by_bill_a = {
        r["bill_id"]: {k: v for k, v in r.items() if k != "row"}
        for r in read_results(tmp_path / "a.csv").values()
    }
    by_bill_b = {
        r["bill_id"]: {k: v for k, v in r.items() if k != "row"}
        for r in read_results(tmp_path / "b.csv").values()
    }
    assert by_bill_a == by_bill_b and len(by_bill_a) == 9000


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("scheduler", [None, "local:1"])
def test_a_file_that_cannot_be_written_leaves_none_of_the_others_behind(tmp_path, scheduler):
    """The accumulators cannot go under a plain file: results and errors stay as they were too."""
    good = next(b for b in EXAMPLES if b["id"] == "tl-res-inpatient")
    rows = [bill_row(good, "p1", "b1"), bill_row(good, "p2", "b2")]
    rows[1]["kind"] = "dental"
    path = write_csv(rows, tmp_path / "book.csv")
    (tmp_path / "out.csv").write_text("an earlier run's results\n", encoding="utf-8")
    (tmp_path / "plain").write_text("", encoding="utf-8")
    options = BatchOptions(accumulators_path=tmp_path / "plain" / "acc.csv")
    with pytest.raises(OSError):
        if scheduler is None:
            run_batch(path, tmp_path / "out.csv", POLICIES, options)
        else:
            run_distributed(path, tmp_path / "out.csv", POLICIES, options, scheduler, [])
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "an earlier run's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "out.csv", "plain"]
