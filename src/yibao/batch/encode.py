"""Engine results to Arrow tables: one row per bill, and the accumulators per person-period."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.documents.accumulators import COUNT_KINDS
from yibao.engine.chain import EngineResult
from yibao.engine.columns import IntArray
from yibao.engine.periods import period_label
from yibao.engine.scope import MODE_REASONS, MODES, REGISTRATIONS, SCOPES

PAYERS = ("basic", "critical", "supplementary", "personal_account")
YUAN = pa.decimal64(18, 2)
LABEL = pa.dictionary(pa.int32(), pa.string())
"""Text columns with a few values (scheme, mode, ...): codes into their values, as Parquet stores them."""
LABELS = ("scheme", "mode", "mode_reason", "scope", "registration")
FROM_BOOK = ("bill_id", "person_id")
"""The only result columns that may be missing (as in the book): the rest are declared non-null,
which spares the Parquet writer the definition levels (a sixth of its time)."""


def yuan_array(fen: IntArray) -> pa.Array[Any]:
    """Fen as an exact decimal(18, 2) array, without a copy: a decimal's unscaled value is the fen.

    decimal64 holds 18 digits in the 8 bytes of the fen themselves; decimal128 cost a 16-byte
    copy per amount, and twice the bytes to hand back and to write.
    """
    words = np.ascontiguousarray(fen, dtype=np.int64)
    return pa.Array.from_buffers(YUAN, len(words), [None, pa.py_buffer(words.data)])


def benefit_column(policy_id: str, benefit: str) -> str:
    """The output column of one benefit's payments."""
    return f"pay:{policy_id}:{benefit}"


def results_table(
    result: EngineResult, rows: IntArray, ids: pa.Table, benefit_columns: list[str]
) -> pa.Table:
    """One row per settled bill; `rows` are the bills' book positions, `ids` their bill and person ids."""
    every = bool(result.settled.all())
    settled: Any = slice(None) if every else np.flatnonzero(result.settled)
    n = len(result.batch) if every else len(settled)
    columns: dict[str, Any] = {
        "row": pa.array(rows[settled] + 1, pa.int64()),
        "bill_id": ids.column("bill_id") if every else ids.column("bill_id").take(settled),
        "person_id": ids.column("person_id") if every else ids.column("person_id").take(settled),
        "scheme": _labels(result.scheme_refs, result.scheme_index[settled]),
        "total": yuan_array(result.total[settled]),
    }
    by_benefit: dict[str, list[IntArray]] = {name: [] for name in benefit_columns}
    payer_of: dict[str, str] = {}
    loose: dict[str, list[IntArray]] = {payer: [] for payer in PAYERS}  # payments with no column
    for payment in result.payments:
        name = benefit_column(payment.policy_id, payment.benefit)
        if name in by_benefit:
            by_benefit[name].append(payment.amount)
            payer_of[name] = payment.payer
        else:
            loose[payment.payer].append(payment.amount[settled])
    sums = {name: _sum_of(by_benefit[name], settled, n) for name in benefit_columns}
    for payer in PAYERS:  # from the benefit columns' sums: each payment is read once
        paid = [sums[name] for name, by in payer_of.items() if by == payer] + loose[payer]
        columns[payer] = yuan_array(_added(paid, n))
    columns["out_of_pocket"] = yuan_array(result.out_of_pocket[settled])
    where = result.where
    columns["mode"] = _labels(list(MODES), where.mode[settled])
    columns["mode_reason"] = _labels(list(MODE_REASONS), where.mode_reason[settled])
    columns["scope"] = _labels(list(SCOPES), where.scope[settled])
    columns["registration"] = _labels(list(REGISTRATIONS), where.registration[settled])
    for name in benefit_columns:
        columns[name] = yuan_array(sums[name])
    fields = [pa.field(name, array.type, nullable=name in FROM_BOOK) for name, array in columns.items()]
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


def _sum_of(amounts: list[IntArray], settled: Any, n: int) -> IntArray:
    """The sum of some payment columns on the settled rows (one pass per column, no temporaries).

    The result may be one of the columns itself: callers only read it.
    """
    if not amounts:
        return np.zeros(n, np.int64)
    if len(amounts) == 1:  # read only from here on: no copy
        alone: IntArray = amounts[0][settled]
        return alone
    total: IntArray = amounts[0][settled].copy() if isinstance(settled, slice) else amounts[0][settled]
    for amount in amounts[1:]:
        np.add(total, amount[settled], out=total)
    return total


def _added(amounts: list[IntArray], n: int) -> IntArray:
    """The sum of some columns of `n` rows, without copying a single one."""
    if len(amounts) <= 1:
        return amounts[0] if amounts else np.zeros(n, np.int64)
    total = amounts[0] + amounts[1]
    for amount in amounts[2:]:
        np.add(total, amount, out=total)
    return total


def results_schema(benefit_columns: list[str]) -> pa.Schema:
    """The schema of a results file, for writing one even when no bill could be settled."""
    fields: list[pa.Field[Any]] = [pa.field("row", pa.int64(), nullable=False)]
    for name in (
        "bill_id",
        "person_id",
        "scheme",
        "total",
        *PAYERS,
        "out_of_pocket",
        "mode",
        "mode_reason",
        "scope",
        "registration",
        *benefit_columns,
    ):
        kind = pa.string() if name in FROM_BOOK else LABEL if name in LABELS else YUAN
        fields.append(pa.field(name, kind, nullable=name in FROM_BOOK))
    return pa.schema(fields)


def _labels(values: list[str], codes: npt.NDArray[np.integer[Any]]) -> pa.Array[Any]:
    """A label column: the codes into a small list of values, as a dictionary array.

    Spelling out the text (an Arrow take) cost 1.8 ms per column of 131k rows; this costs
    0.1 ms, and the Parquet writer stores the dictionary as it is.
    """
    indices: Any = pa.array(codes.astype(np.int32, copy=False))
    # not checked against the values (safe=False): the codes index these very lists, and the
    # check was a pass over every row of every label column
    labels: pa.Array[Any] = pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string()), safe=False)
    return labels


ACCUMULATOR_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("policy_id", pa.string()),
        ("period", pa.string()),
        ("key", pa.string()),
        ("value", pa.string()),
    ]
)


def accumulators_table(result: EngineResult, person_ids: pa.Array[Any]) -> pa.Table:
    """The accumulators after the chunk, one row per person, period and key (`person_ids` by code)."""
    parts = []
    for end in result.ends:
        if len(end.person) == 0:
            continue
        starts, inverse = np.unique(end.period_start, return_inverse=True)
        labels = np.array([period_label(int(s), end.year_starts) for s in starts], dtype=object)[inverse]
        kind = end.key.split("/")[1]
        values: Any = pa.array(end.value, pa.int64()) if kind in COUNT_KINDS else yuan_array(end.value)
        parts.append(
            pa.table(
                {
                    "person_id": pc.cast(person_ids.take(end.person), pa.string()),
                    "policy_id": pa.array([end.key.split("/")[0]] * len(end.person), pa.string()),
                    "period": pa.array(labels.astype(str), pa.string()),
                    "key": pa.array([end.key] * len(end.person), pa.string()),
                    "value": pc.cast(values, pa.string()),
                }
            )
        )
    if not parts:
        return ACCUMULATOR_SCHEMA.empty_table()
    return pa.concat_tables(parts)
