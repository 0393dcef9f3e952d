"""Columns of text or bigint sent to PostgreSQL as binary arrays, dumped in one pass.

psycopg dumps a plain list by first looking for an element to learn its type, then
making a dumper for that list and dumping each element through a dumper of its own:
about 20 µs per list, and a batch of settlements sends some 35 lists (ids, documents,
amounts). A `TextColumn` or `BigintColumn` says its element type, so its dumper writes
the array (header, then each element's length and bytes) with no search and no
per-element call. Their dumpers are registered on psycopg's global adapters; a
connection made before this module was imported dumps them as the plain lists they
also are, with the same result.
"""

from __future__ import annotations

import struct
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Dumper

TEXT_OID, TEXT_ARRAY_OID = 25, 1009
BIGINT_OID, BIGINT_ARRAY_OID = 20, 1016
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
_HEAD = struct.Struct("!iiIii")  # dimensions (1), has nulls, element oid, length, lower bound (1)
_EMPTY = struct.Struct("!iiI")  # no dimensions: an empty array
_LENGTH = struct.Struct("!i")
_NULL = _LENGTH.pack(-1)


class TextColumn(list[str | None]):
    """A column of strings (or None) for a `text[]` parameter."""


class BigintColumn(list[int]):
    """A column of integers (no None) for a `bigint[]` parameter."""


def text_column(values: list[Any]) -> list[Any]:
    """The values as a TextColumn when every one is a str or None; else as they are."""
    if all(v is None or type(v) is str for v in values):
        return TextColumn(values)
    return values


def bigint_column(values: list[Any]) -> list[Any]:
    """The values as a BigintColumn when every one is an int (not a bool) a bigint holds; else as they are.

    A value out of range stays in a plain list, so PostgreSQL refuses it as it refuses any other.
    """
    if (
        values
        and all(type(v) is int for v in values)
        and min(values) >= BIGINT_MIN
        and max(values) <= BIGINT_MAX
    ):
        return BigintColumn(values)
    return values


class _TextColumnDumper(Dumper):
    format = pq.Format.BINARY
    oid = TEXT_ARRAY_OID

    def __init__(self, cls: type, context: Any = None) -> None:
        super().__init__(cls, context)
        encoding = self.connection.info.encoding if self.connection is not None else "utf-8"
        self._encoding = encoding

    def dump(self, obj: Any) -> bytes:
        if not obj:
            return _EMPTY.pack(0, 0, TEXT_OID)
        parts = [b""]
        pack = _LENGTH.pack
        hasnull = 0
        for value in obj:
            if value is None:
                hasnull = 1
                parts.append(_NULL)
                continue
            data = value.encode(self._encoding)
            parts.append(pack(len(data)))
            parts.append(data)
        parts[0] = _HEAD.pack(1, hasnull, TEXT_OID, len(obj), 1)
        return b"".join(parts)


class _BigintColumnDumper(Dumper):
    format = pq.Format.BINARY
    oid = BIGINT_ARRAY_OID

    def dump(self, obj: Any) -> bytes:
        if not obj:
            return _EMPTY.pack(0, 0, BIGINT_OID)
        n = len(obj)
        items = [8, 0] * n
        items[1::2] = obj
        return _HEAD.pack(1, 0, BIGINT_OID, n, 1) + struct.pack("!" + "iq" * n, *items)


psycopg.adapters.register_dumper(TextColumn, _TextColumnDumper)
psycopg.adapters.register_dumper(BigintColumn, _BigintColumnDumper)
