"""Decimal amount columns of a book read as exact fen, bad values reported by row."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
import pytest

from yibao.batch.amounts import amount_fen
from yibao.errors import InputError, Problem
from yibao.money import MAX_FEN

WIDTHS = [pa.decimal32, pa.decimal64, pa.decimal128, pa.decimal256]


def _read(
    values: list[Decimal | None], kind: pa.DataType, missing: int = 0
) -> tuple[list[int], dict[int, str]]:
    found: dict[int, list[Problem]] = defaultdict(list)
    fen = amount_fen(pa.table({"class_a": pa.array(values, kind)}), "class_a", found, missing)
    return fen.tolist(), {row: problems[0].message for row, problems in found.items()}


@pytest.mark.parametrize("width", WIDTHS)
def test_good_amounts_of_every_width_and_scale_are_exact_fen(width):
    assert _read([Decimal("12.34"), Decimal("0.01"), Decimal(0)], width(9, 2)) == ([1234, 1, 0], {})
    assert _read([Decimal("12.3"), Decimal("0.1")], width(9, 1)) == ([1230, 10], {})
    assert _read([Decimal(12), Decimal(0)], width(9, 0)) == ([1200, 0], {})


def test_a_sliced_column_is_read_from_its_offset():
    column = pa.array([Decimal("1.00"), Decimal("2.50"), Decimal("3.75")], pa.decimal128(18, 2))
    found: dict[int, list[Problem]] = defaultdict(list)
    table = pa.table({"class_a": column}).slice(1, 2)
    assert amount_fen(table, "class_a", found, 0).tolist() == [250, 375]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_negative_amount_fails_its_own_row(width):
    fen, problems = _read([Decimal("5.00"), Decimal("-0.01"), Decimal("7.00")], width(9, 2))
    assert (fen[0], fen[2]) == (500, 700)
    assert problems == {1: "'-0.01' is negative; amounts must be 0 or more"}


@pytest.mark.parametrize("width", WIDTHS[1:])  # decimal32 holds nothing that large
def test_negative_and_too_large_amounts_fail_their_own_rows(width):
    too_large = Decimal(MAX_FEN + 1) / 100
    fen, problems = _read([Decimal("5.00"), Decimal("-0.01"), too_large, Decimal("7.00")], width(18, 2))
    assert fen[0] == 500 and fen[3] == 700
    assert problems == {
        1: "'-0.01' is negative; amounts must be 0 or more",
        2: f"'{too_large}' is too large; amounts are at most {MAX_FEN // 100} yuan",
    }


def test_a_whole_yuan_amount_too_large_to_scale_is_reported_not_overflowed():
    huge = Decimal(2**62)  # times 100 fen would wrap around int64
    fen, problems = _read([huge, Decimal(3)], pa.decimal128(38, 0))
    assert fen[1] == 300
    assert problems == {0: f"'{huge}' is too large; amounts are at most {MAX_FEN // 100} yuan"}


def test_missing_amounts_read_as_the_missing_value_without_a_problem():
    assert _read([None, Decimal("1.00")], pa.decimal128(18, 2), missing=0) == ([0, 100], {})
    assert _read([None, Decimal("1.00")], pa.decimal128(18, 2), missing=-1) == ([-1, 100], {})


def test_a_negative_optional_amount_is_an_error_not_a_missing_one():
    fen, problems = _read([Decimal("-0.01"), None], pa.decimal128(18, 2), missing=-1)
    assert problems == {0: "'-0.01' is negative; amounts must be 0 or more"}
    assert fen[1] == -1


def test_an_amount_beyond_int64_refuses_the_book():
    with pytest.raises(InputError, match="cannot be exact"):
        _read([Decimal(2**64) / 100], pa.decimal128(38, 2))
