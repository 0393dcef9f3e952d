"""Amounts and counts from book columns: yuan (decimal or text) or `_fen` integers to exact fen, and months.

A bad value is reported for its row (and read as 0), so the other rows go on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.book_columns import as_numpy, column_of, field_path
from yibao.engine.columns import IntArray
from yibao.errors import InputError, Problem
from yibao.money import MAX_FEN, parse_yuan

RowProblems = dict[int, list[Problem]]
_YUAN = r"^\d{1,10}(\.\d{1,2})?$"  # at most MAX_FEN, so fen x basis points cannot overflow int64
_CENTS_SCALE = 2
_DECIMAL256_BYTES = 32
_DECIMAL128_BYTES = 16


def amount_fen(table: pa.Table, name: str, found: RowProblems, missing: int) -> IntArray:
    """Fen from a yuan column (decimal or string) or a `_fen` int column; -1/0 where empty."""
    n = table.num_rows
    if f"{name}_fen" in table.column_names:
        given = as_numpy(pc.fill_null(column_of(table, f"{name}_fen"), missing)).astype(np.int64)
        for row in np.flatnonzero(given < missing).tolist():
            found[row].append(
                Problem(
                    field_path(name),
                    f"{given[row]} fen is negative; amounts must be 0 or more",
                    str(given[row]),
                )
            )
        for row in np.flatnonzero(given > MAX_FEN).tolist():
            found[row].append(
                Problem(field_path(name), f"{given[row]} fen is too large; amounts are at most {MAX_FEN} fen")
            )
        return np.where(given > MAX_FEN, 0, np.maximum(given, missing))
    column = column_of(table, name)
    if column is None:
        return np.full(n, missing, np.int64)
    if pa.types.is_decimal(column.type) and column.type.scale <= _CENTS_SCALE:
        return _decimal_fen(column, name, found, missing)
    text: Any = pc.cast(column, pa.string())
    ok = as_numpy(pc.fill_null(pc.match_substring_regex(text, _YUAN), True)).astype(bool)
    for row in np.flatnonzero(~ok).tolist():
        value = text[row].as_py()
        try:
            parse_yuan(value)
            message = f"{value!r} is too large; amounts are at most {MAX_FEN // 100} yuan"
        except ValueError as exc:
            message = str(exc)
        found[row].append(Problem(field_path(name), message, value))
    clean: Any = pc.if_else(pa.array(ok), text, pa.scalar("0"))
    decimal: Any = pc.cast(clean, pa.decimal128(18, 2))
    fen: Any = pc.cast(pc.multiply(decimal, pa.scalar(100, pa.int64())), pa.int64())
    return as_numpy(pc.fill_null(fen, missing)).astype(np.int64)


def _decimal_fen(column: Any, name: str, found: RowProblems, missing: int) -> IntArray:
    """Fen from a decimal column with at most two places: its unscaled integers, read in place.

    A column of amounts that are all given, none negative and none too large (the usual
    case) is known so from its least and greatest value and costs one copy; the others
    are checked row by row.
    """
    raw = _unscaled(column, name)
    factor = 10 ** (_CENTS_SCALE - column.type.scale)
    largest = MAX_FEN // factor  # compared before scaling, so a huge amount cannot overflow
    if not column.null_count and (len(raw) == 0 or (raw.min() >= 0 and raw.max() <= largest)):
        return raw * factor if factor != 1 else raw.copy()  # a copy: raw may be the book's own buffer
    given = ~as_numpy(column.is_null()).astype(bool) if column.null_count else np.ones(len(raw), bool)
    negative, too_large = given & (raw < 0), given & (raw > largest)
    for row in np.flatnonzero(negative).tolist():
        found[row].append(
            Problem(field_path(name), f"'{column[row].as_py()}' is negative; amounts must be 0 or more")
        )
    for row in np.flatnonzero(too_large).tolist():
        found[row].append(
            Problem(
                field_path(name),
                f"'{column[row].as_py()}' is too large; amounts are at most {MAX_FEN // 100} yuan",
            )
        )
    fen: IntArray = np.where(negative | too_large, 0, raw) * factor
    fen[~given] = missing
    return fen


def _unscaled(column: Any, name: str) -> IntArray:
    """A decimal column's unscaled integers as int64, whatever its width (32, 64, 128 or 256 bits).

    Decimal128 values are pairs of words; each fits int64 when its high word only extends
    the low word's sign, which non-negative low words and zero high words show at once.
    """
    too_large = Problem(f"book.{name}", "amounts beyond 92,233,720,368,547,758.07 yuan cannot be exact")
    width = column.type.byte_width
    if width == _DECIMAL256_BYTES:  # decimal256: narrowed by Arrow, which refuses what does not fit
        try:
            column = pc.cast(column, pa.decimal128(38, column.type.scale))
        except pa.ArrowInvalid:
            raise InputError(too_large) from None
        width = _DECIMAL128_BYTES
    if width in (4, 8):
        narrow = np.frombuffer(column.buffers()[1], dtype=f"<i{width}")
        return narrow[column.offset : column.offset + len(column)].astype(np.int64, copy=False)
    words = np.frombuffer(column.buffers()[1], dtype="<i8")[
        2 * column.offset : 2 * (column.offset + len(column))
    ]
    low, high = words[0::2], words[1::2]
    fits = len(low) == 0 or (not high.any() and low.min() >= 0)
    if not fits and not np.array_equal(high, low >> 63):
        raise InputError(too_large)
    return low


def contribution_months(table: pa.Table, found: RowProblems) -> IntArray:
    """Whole months of contribution (-1 where not given)."""
    column = column_of(table, "contribution_months")
    if column is None:
        return np.full(table.num_rows, -1, np.int64)
    text: Any = pc.cast(column, pa.string())
    whole = as_numpy(pc.fill_null(pc.match_substring_regex(text, r"^-?\d{1,6}$"), True)).astype(bool)
    for row in np.flatnonzero(~whole).tolist():
        value = text[row].as_py()
        found[row].append(
            Problem("bill.contribution_months", f"{value!r} is not a whole number of months", value)
        )
    digits: Any = pc.if_else(pa.array(whole), text, pa.scalar("0"))
    months = as_numpy(pc.fill_null(pc.cast(digits, pa.int64()), -1))
    given = ~as_numpy(column.is_null()).astype(bool)
    for row in np.flatnonzero(given & (months < 0)).tolist():
        found[row].append(Problem("bill.contribution_months", f"{months[row]} is negative; give 0 or more"))
    return months.astype(np.int64)
