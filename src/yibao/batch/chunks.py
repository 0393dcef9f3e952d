"""Cut a book into chunks of whole persons, so no person-year is ever split between chunks.

A Parquet book grouped by person streams batch by batch in bounded memory; any other book
is read whole and stably sorted by person first (the engine then orders each person's
bills by date, then input order).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yibao.batch.book_columns import all_distinct, as_numpy, run_starts
from yibao.batch.decode import check_columns
from yibao.batch.io import is_parquet, read_table
from yibao.engine.columns import IntArray

ROW = "__row"


@dataclass
class Chunk:
    """Some whole persons' bills and their 0-based row numbers in the book."""

    table: pa.Table
    rows: IntArray


@dataclass(frozen=True)
class Cut:
    """Rows [start, stop) of a book held in memory, a chunk's worth of whole persons."""

    start: int
    stop: int


@dataclass
class Book:
    """An opened book: how many bills, whether it streams, and its chunks."""

    path: Path
    num_rows: int
    streams: bool
    chunk_rows: int
    _table: pa.Table | None = None

    def columns(self, names: list[str]) -> pa.Table:
        """Some whole columns of the book (those it has), without reading the rest of a Parquet file."""
        if self._table is not None:
            return self._table.select([n for n in names if n in self._table.column_names])
        if is_parquet(self.path):
            present = pq.read_schema(self.path).names
            return pq.read_table(self.path, columns=[n for n in names if n in present])
        present = pacsv.open_csv(self.path).schema.names
        wanted = [n for n in names if n in present]
        convert = pacsv.ConvertOptions(
            include_columns=wanted, column_types=dict.fromkeys(wanted, pa.string())
        )
        return pacsv.read_csv(self.path, convert_options=convert)

    def chunks(self) -> Iterator[Chunk]:
        """Chunks of about `chunk_rows` bills, cut only between persons."""
        return map(self.chunk, self.pieces())

    def pieces(self) -> Iterator[Chunk | Cut]:
        """What `chunks` yields, but as row ranges where the book is held in memory.

        A range is all a forked worker needs, as it holds the same table; `chunk` turns
        either kind into a chunk.
        """
        if self.streams:
            yield from self._stream()
            return
        assert self._table is not None
        for start, stop in person_cuts(self._table, self.chunk_rows):
            yield Cut(start, stop)

    def chunk(self, piece: Chunk | Cut) -> Chunk:
        """The chunk a piece stands for."""
        if isinstance(piece, Chunk):
            return piece
        assert self._table is not None
        part = self._table.slice(piece.start, piece.stop - piece.start)
        return Chunk(part.drop_columns([ROW]), as_numpy(part.column(ROW)).astype(np.int64))

    def _stream(self) -> Iterator[Chunk]:
        carry: pa.Table | None = None
        offset = 0
        for batch in _batches(self.path, self.chunk_rows):
            table = pa.Table.from_batches([batch])
            table = table.append_column(ROW, pa.array(np.arange(offset, offset + len(table)), pa.int64()))
            offset += len(table)
            if carry is not None:
                table = pa.concat_tables([carry, table])
            tail = last_person_start(table)
            carry = table.slice(tail)
            if tail:
                head = table.slice(0, tail)
                yield Chunk(head.drop_columns([ROW]), as_numpy(head.column(ROW)).astype(np.int64))
        if carry is not None and carry.num_rows:
            yield Chunk(carry.drop_columns([ROW]), as_numpy(carry.column(ROW)).astype(np.int64))


def grouped_parquet(path: Path) -> Any:
    """Check a Parquet book's columns; its person ids (as text) when it is grouped by person, else None."""
    check_columns(pq.read_schema(path))
    people = pq.read_table(path, columns=["person_id"])
    return _person_ids(people) if _grouped(people) else None


def open_book(path: Path, chunk_rows: int) -> Book:
    """Check the columns, then stream a book grouped by person, or read and group any other."""
    if is_parquet(path) and path.exists():
        people = grouped_parquet(path)
        if people is not None:
            return Book(path, len(people), True, chunk_rows)
    elif path.exists():
        names = pacsv.open_csv(path).schema.names
        check_columns(pa.schema([pa.field(name, pa.string()) for name in names]))  # CSV is read as text
        rows = _grouped_csv_rows(path)
        if rows is not None:
            return Book(path, rows, True, chunk_rows)
    table = read_table(path, strings=True)
    check_columns(table.schema)
    table = table.append_column(ROW, pa.array(np.arange(table.num_rows), pa.int64()))
    if not _grouped(table):
        order: Any = pc.sort_indices(table, sort_keys=[("person_id", "ascending"), (ROW, "ascending")])
        table = table.take(order)
    return Book(path, table.num_rows, False, chunk_rows, table)


def _batches(path: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    """The book's rows in batches; CSV text stays text so amounts stay exact."""
    if is_parquet(path):
        yield from pq.ParquetFile(path).iter_batches(batch_size=chunk_rows)
        return
    names = pacsv.open_csv(path).schema.names
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    yield from pacsv.open_csv(path, convert_options=convert)


def _grouped_csv_rows(path: Path) -> int | None:
    """The number of rows when every person's bills are contiguous, reading only person_id; else None."""
    convert = pacsv.ConvertOptions(include_columns=["person_id"], column_types={"person_id": pa.string()})
    seen: set[str] = set()
    last: str | None = None
    rows = 0
    for batch in pacsv.open_csv(path, convert_options=convert):
        people = [str(p) for p in batch.column(0).to_pylist()]
        rows += len(people)
        runs = [p for i, p in enumerate(people) if p != (people[i - 1] if i else last)]
        if runs and runs[0] == last:
            runs = runs[1:]
        if seen.intersection(runs) or len(set(runs)) != len(runs):
            return None
        seen.update(runs)
        last = people[-1] if people else last
    return rows


def _person_ids(table: pa.Table) -> Any:
    """The person ids as one text array (a missing id reads as "")."""
    return as_text(table.column("person_id"))


def as_text(ids: Any) -> Any:
    """Ids as text, a missing id as "", in the chunks they came in.

    Cast and filled only when needed: a no-op cast and fill of 10M ids copied them, 0.2 s
    before the first chunk could start. Neighbours compare across chunks, so none are joined.
    """
    text: Any = ids if pa.types.is_string(ids.type) else pc.cast(ids, pa.string())
    if text.null_count:
        text = pc.fill_null(text, pa.scalar(""))
    return text


def _grouped(table: pa.Table) -> bool:
    """True when each person's bills are contiguous: no id begins two runs of equal ids.

    Only the first id of each run is checked (about one in eight): encoding every id and
    sorting the codes took 0.2 s per million bills before the first chunk could start.
    """
    ids = _person_ids(table)
    return all_distinct(ids.filter(pa.array(run_starts(ids))))


def last_person_start(table: pa.Table) -> int:
    """The row where the last person of a non-empty table begins, reading only the ids near the end."""
    ids = table.column("person_id")
    n = table.num_rows
    window = 512
    while True:
        begin = max(0, n - window)
        starts = np.flatnonzero(run_starts(as_text(ids.slice(begin, n - begin))))
        if starts[-1] > 0 or begin == 0:  # a start past the window's first row is a real one
            return begin + int(starts[-1])
        window *= 4


def person_cuts(table: pa.Table, chunk_rows: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of chunks of about `chunk_rows` bills, each ending where a person ends.

    Only the ids around each cut are read: comparing every id first cost a tenth of a
    second per million bills before the first chunk could start.
    """
    ids = table.column("person_id")
    n = table.num_rows
    begin = 0
    while begin < n:
        stop = _next_person(ids, begin + chunk_rows, n) if begin + chunk_rows < n else n
        yield begin, stop
        begin = stop


def _next_person(ids: Any, at: int, n: int) -> int:
    """The first row from `at` on where another person begins than on the row before it (or n)."""
    window = 512
    while at < n:
        stop = min(n, at + window)
        starts = run_starts(as_text(ids.slice(at - 1, stop - at + 1)))
        found = np.flatnonzero(starts[1:])
        if len(found):
            return at + int(found[0])
        at, window = stop, window * 4
    return n
