"""The one-pass array dumpers write exactly the bytes psycopg's own list dumper writes."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg.adapt import PyFormat, Transformer

from yibao.store.pg_arrays import BigintColumn, TextColumn, bigint_column, text_column


def psycopg_dump(values: list[Any]) -> bytes:
    """A plain list as psycopg dumps it in binary (the reference)."""
    tx = Transformer()
    dumper = tx.get_dumper(values, PyFormat.BINARY).upgrade(values, PyFormat.BINARY)
    dumped = dumper.dump(values)
    assert dumped is not None
    return bytes(dumped)


def column_dump(column: list[Any]) -> tuple[int, bytes]:
    dumper = Transformer().get_dumper(column, PyFormat.BINARY)
    dumped = dumper.dump(column)
    assert dumped is not None
    return dumper.oid, bytes(dumped)


@pytest.mark.parametrize("values", [["stl_1", "聊城 ü", "", None, '{"a": "\\""}'], ["x"], [None, "y"]])
def test_text_column_is_dumped_as_psycopg_dumps_a_list_of_str(values: list[str | None]) -> None:
    assert column_dump(TextColumn(values)) == (1009, psycopg_dump(list(values)))


def test_bigint_column_is_dumped_as_psycopg_dumps_a_list_of_large_ints() -> None:
    values = [2**40, 0, -123_456, 1]  # psycopg picks int8 for these
    assert column_dump(BigintColumn(values)) == (1016, psycopg_dump(values))


def test_empty_columns_are_empty_arrays() -> None:
    assert column_dump(TextColumn()) == (1009, b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x19")
    assert column_dump(BigintColumn())[1] == b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"


def test_other_values_stay_plain_lists() -> None:
    assert type(text_column(["a", 1])) is list
    assert type(bigint_column([1, True])) is list
    assert type(bigint_column([1, None])) is list
    assert type(bigint_column([1, 2**63])) is list  # beyond bigint: PostgreSQL refuses it as usual
    assert type(text_column(["a", None])) is TextColumn
    assert type(bigint_column([1, 2])) is BigintColumn
