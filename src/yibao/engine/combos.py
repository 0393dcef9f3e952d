"""Resolve per-row parameters through the few distinct combinations of categorical codes.

A book of millions of bills has only a handful of (category, variant, level) combinations;
each is looked up once in Python and spread back to rows with one gather.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.engine.columns import BoolArray, Cat, IntArray, positions

_DENSE_LIMIT = 1 << 22
_COUNT_LIMIT = 1 << 16
_INT32_LIMIT = 1 << 31
_FEW_CODES = 4
_FEW_ROWS = 64
"""Up to this many rows, combinations are found in Python: a dozen numpy calls cost more than the rows."""


def unique_combos(columns: Sequence[Cat]) -> tuple[list[tuple[str, ...]], IntArray]:
    """The distinct value tuples of several categorical columns, and each row's index into them."""
    n = len(columns[0].codes) if columns else 0
    sizes = [max(1, len(col.values)) for col in columns]
    radix = math.prod(sizes)
    varying = [col for col, size in zip(columns, sizes, strict=True) if size > 1]  # the rest add 0
    if n <= _FEW_ROWS:
        return _few_rows_combos(columns, sizes, n)
    if not varying:
        uniq, inverse = np.zeros(min(n, 1), dtype=np.int64), np.zeros(n, dtype=np.int64)
    else:
        key: npt.NDArray[np.signedinteger[Any]] = varying[0].codes.astype(
            np.int64 if radix >= _INT32_LIMIT else np.int32
        )
        for col in varying[1:]:
            np.multiply(key, len(col.values), out=key)
            np.add(key, col.codes, out=key)
        if radix <= _DENSE_LIMIT:
            if radix <= _COUNT_LIMIT:  # counting is twice as fast as scattering flags
                uniq = positions(np.bincount(key, minlength=radix))
            else:
                present = np.zeros(radix, dtype=bool)
                present[key] = True
                uniq = positions(present)
            position = np.full(radix, -1, dtype=np.int64)
            position[uniq] = np.arange(len(uniq))
            inverse = position.take(key)
        else:
            uniq, inverse = np.unique(key, return_inverse=True)
    combos = []
    for key_value in uniq.tolist():
        parts = []
        rest = key_value
        for col, size in zip(reversed(columns), reversed(sizes), strict=True):
            parts.append(col.values[rest % size] if col.values else "")
            rest //= size
        combos.append(tuple(reversed(parts)))
    return combos, inverse.astype(np.int64, copy=False)


def _few_rows_combos(
    columns: Sequence[Cat], sizes: list[int], n: int
) -> tuple[list[tuple[str, ...]], IntArray]:
    """`unique_combos` for a few rows: the same combinations in the same order (by code, first column first).

    A column of one value (or none) contributes that value (or "") whatever its codes, as there.
    """
    varying = [i for i, size in enumerate(sizes) if size > 1]
    codes = [columns[i].codes.tolist() for i in varying]
    rows = list(zip(*codes, strict=True)) if varying else [()] * n
    distinct = sorted(set(rows))
    position = {key: p for p, key in enumerate(distinct)}
    fixed = [col.values[0] if col.values else "" for col in columns]
    combos = []
    for key in distinct:
        parts = list(fixed)
        for i, code in zip(varying, key, strict=True):
            parts[i] = columns[i].values[code]
        combos.append(tuple(parts))
    return combos, np.array([position[row] for row in rows], dtype=np.int64)


def resolve(columns: Sequence[Cat], fn: Callable[[tuple[str, ...]], int], dtype: type = np.int64) -> IntArray:
    """Fn applied to each row's value tuple, computed once per distinct tuple."""
    combos, inverse = unique_combos(columns)
    values: IntArray = np.array([fn(c) for c in combos], dtype=dtype)
    if len(values) == 0:
        return np.zeros(0, dtype=dtype)
    result: IntArray = values.take(inverse)
    return result


def codes_in(codes: npt.NDArray[np.integer[Any]], wanted: Sequence[int], size: int) -> BoolArray:
    """Rows whose small non-negative code is one of `wanted` (faster than np.isin).

    A few codes are compared one by one (a comparison is a twentieth of a gather's cost);
    more go through a lookup table.
    """
    distinct = sorted(set(wanted))
    if len(distinct) <= _FEW_CODES:
        if not distinct:
            return np.zeros(len(codes), dtype=bool)
        found: BoolArray = codes == distinct[0]  # a new array: callers may change it in place
        for code in distinct[1:]:
            found |= codes == code
        return found
    table = np.zeros(max(size, distinct[-1] + 1), dtype=bool)
    table[distinct] = True
    looked_up: BoolArray = table[codes]
    return looked_up
