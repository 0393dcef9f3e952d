"""Read and write books and their companion files: Parquet or CSV, by file name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yibao.errors import InputError, Problem


def is_parquet(path: Path) -> bool:
    """True for .parquet/.pq files; everything else is read and written as CSV."""
    return path.suffix.lower() in (".parquet", ".pq")


def read_table(path: Path, strings: bool = False) -> pa.Table:
    """A whole file as a table; CSV columns are read as text when `strings` (amounts stay exact)."""
    if not path.exists():
        raise InputError(Problem(str(path), "no such file; give the path of a Parquet or CSV file"))
    try:
        if is_parquet(path):
            # one chunk per column: read_table's ~131k-row chunks made most chunks of whole
            # persons straddle two, and each straddling column was copied to settle it
            return pq.ParquetFile(path).read()
        convert = pacsv.ConvertOptions(strings_can_be_null=True)
        if strings:
            header = pacsv.read_csv(
                path, read_options=pacsv.ReadOptions(skip_rows_after_names=0)
            ).schema.names
            convert = pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True
            )
        return pacsv.read_csv(path, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise InputError(Problem(str(path), f"cannot be read: {exc}")) from None


_UNIQUE = {"bill_id", "person_id"}  # nearly one value per row: a dictionary would only cost time


class TableWriter:
    """Writes tables one after another to a Parquet or CSV file, all or nothing.

    Tables go to a partial file beside the target (`NAME.partial`); `close` moves it into
    place in one rename, `discard` removes it, so a run that stops midway (--strict, an
    error, Ctrl-C) leaves no half-written file and any earlier file at the target as it was.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: Any = None

    @property
    def partial(self) -> Path:
        """Where tables go until `close`."""
        return self.path.with_name(self.path.name + ".partial")

    def write(self, table: pa.Table) -> None:
        """Append a table (all with the same schema)."""
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if is_parquet(self.path):
                labels = [
                    f.name
                    for f in table.schema
                    if (pa.types.is_string(f.type) or pa.types.is_dictionary(f.type))
                    and f.name not in _UNIQUE
                ]
                # Min/max statistics only where they are cheap (integers: the row number, so a
                # reader can skip to a range of rows); on the text and decimal columns they cost
                # a third of the write (62-82 ms per 131k-row chunk of results instead of 88-146).
                counted = [f.name for f in table.schema if pa.types.is_integer(f.type)]
                options: Any = {  # pyarrow takes lists of columns; its stubs say bool
                    "use_dictionary": labels,
                    "write_statistics": counted,
                    # Amounts as Parquet's INT64 DECIMAL(18, 2): the fen themselves, half the
                    # write time of fixed-length bytes.
                    "store_decimal_as_integer": True,
                    # No Arrow schema in the file: readers take Parquet's own types, so amounts
                    # read back as decimal128 (which every Arrow kernel sums) and labels as text.
                    "store_schema": False,
                }
                self._writer = pq.ParquetWriter(self.partial, table.schema, **options)
            else:
                self._writer = pacsv.CSVWriter(self.partial, table.schema)
        self._writer.write_table(table)

    def close(self, empty_schema: pa.Schema | None = None) -> None:
        """Finish the file; an empty file with a header when nothing was written."""
        if self._writer is None and empty_schema is not None:
            self.write(empty_schema.empty_table())
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self.partial.replace(self.path)

    def discard(self) -> None:
        """Drop what was written: the target is left as it was before."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self.partial.unlink(missing_ok=True)
