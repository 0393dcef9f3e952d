"""Arrow book columns to engine columns, with every bad value reported by row, field and fix.

Whole-file problems (a missing or unknown column, a float amount column) raise InputError;
a bad value makes only its row fail, and the good rows go on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.amounts import amount_fen, contribution_months
from yibao.batch.book_columns import all_distinct, as_numpy, column_of, field_path, run_starts
from yibao.batch.format import AMOUNTS, INPUT_COLUMNS, LIST_SEPARATOR, SPECIAL_DRUG_PREFIX
from yibao.engine.columns import BillBatch, BoolArray, Cat, Holdings, IntArray
from yibao.engine.combos import codes_in
from yibao.engine.running import group_ids
from yibao.errors import InputError, Problem
from yibao.policy.models import BILL_KINDS

RowProblems = dict[int, list[Problem]]
_REQUIRED = [c.name for c in INPUT_COLUMNS if c.required]
_OPTIONAL_AMOUNTS = ("class_b_copay", "personal_account_balance")
_KNOWN = {c.name for c in INPUT_COLUMNS} - {"special_drug.<list>"}
_ENUMS = {
    "kind": list(BILL_KINDS),
    "registration": ["none", "long_term", "referral", "emergency", "temporary"],
    "settlement": ["", "direct", "manual"],
}


@dataclass
class Decoded:
    """The good rows as engine columns, their positions in the chunk, and the bad rows' problems.

    `batch.person` codes index `person_ids` (Arrow strings); bill ids stay in the chunk's table.
    """

    batch: BillBatch
    rows: IntArray
    person_ids: pa.Array[Any]
    problems: RowProblems


def check_columns(schema: pa.Schema) -> None:
    """Refuse a book whose columns are missing, unknown, or hold amounts as floats."""
    names = set(schema.names)
    problems = [
        Problem("book", f"missing column {c!r}; `yibao schema batch` lists the columns")
        for c in _REQUIRED
        if c not in names
    ]
    for name in sorted(names):
        base = name.removesuffix("_fen")
        if name not in _KNOWN and base not in _KNOWN and not base.startswith(SPECIAL_DRUG_PREFIX):
            problems.append(
                Problem(f"book.{name}", f"unknown column {name!r}; `yibao schema batch` lists the columns")
            )
        elif _is_amount(base) and pa.types.is_floating(schema.field(name).type):
            problems.append(
                Problem(
                    f"book.{name}",
                    (
                        f"column {name!r} holds floats, which cannot say 0.10 exactly; "
                        "write yuan as decimals with two places or as strings"
                    ),
                )
            )
    if problems:
        raise InputError(problems)


def decode(table: pa.Table) -> Decoded:
    """Engine columns for the good rows of a chunk; problems keyed by 0-based row within the chunk."""
    n = table.num_rows
    found: RowProblems = defaultdict(list)
    texts = {name: _text(table, name, found) for name in ("bill_id", "person_id")}
    cats = {
        name: _category(table, name, found)
        for name in ("kind", "scheme", "category", "level", "region", "registration", "settlement", "variant")
    }
    day = _dates(table, found)
    amounts = {name: amount_fen(table, name, found, 0) for name in AMOUNTS}
    for name in _drug_columns(table):
        amounts[name] = amount_fen(table, name, found, 0)
    optional = {name: amount_fen(table, name, found, -1) for name in _OPTIONAL_AMOUNTS}
    months = contribution_months(table, found)
    good = np.ones(n, dtype=bool)
    good[list(found)] = False
    rows = np.flatnonzero(good)
    person_codes, person_ids = _person_codes(texts["person_id"])
    batch = BillBatch(
        bill_id=None,
        person=person_codes,
        date=day,
        kind=cats["kind"],
        scheme=cats["scheme"],
        category=cats["category"],
        level=cats["level"],
        variant=cats["variant"],
        region=cats["region"],
        registration=cats["registration"],
        settlement=cats["settlement"],
        designated=_flag(table, "designated"),
        networked=_flag(table, "networked"),
        contribution_paid=_flag(table, "contribution_paid"),
        contribution_months=months,
        components=amounts,
        class_b_copay_given=optional["class_b_copay"],
        account_balance=optional["personal_account_balance"],
        products=_holdings(table),
        flags=_list_flags(table, "flags"),
    )
    if found:
        batch = batch.take(rows)
    return Decoded(batch, rows, person_ids, dict(found))


def _person_codes(ids: Any) -> tuple[IntArray, Any]:
    """Each row's person as a code into the distinct ids, numbered in order of first appearance.

    A chunk arrives grouped by person: then comparing neighbours and checking the ids of the
    groups are distinct costs a fraction of hashing every row (as `dictionary_encode` would).
    """
    if len(ids) > 1:
        starts = run_starts(ids)
        first = np.flatnonzero(starts)
        distinct = ids.take(pa.array(first))
        if all_distinct(distinct):
            return group_ids(starts), distinct
    encoded: Any = pc.dictionary_encode(ids)
    return as_numpy(encoded.indices).astype(np.int64), encoded.dictionary


def _is_amount(name: str) -> bool:
    return name in AMOUNTS or name in _OPTIONAL_AMOUNTS or name.startswith(SPECIAL_DRUG_PREFIX)


def _drug_columns(table: pa.Table) -> list[str]:
    return sorted({n.removesuffix("_fen") for n in table.column_names if n.startswith(SPECIAL_DRUG_PREFIX)})


def _text(table: pa.Table, name: str, found: RowProblems) -> Any:
    column: Any = pc.cast(column_of(table, name), pa.string())
    if not column.null_count:
        return column
    for row in np.flatnonzero(as_numpy(column.is_null())).tolist():
        found[row].append(Problem(f"bill.{name}", "required field is missing"))
    return pc.fill_null(column, "")


def _dictionary(column: Any) -> tuple[npt.NDArray[np.int32], list[str]]:
    """A text column as codes (-1 where missing or empty) into its distinct values; no per-row strings.

    The codes may be a read-only view of the book's own indices (no copy where none is needed).
    """
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(pc.cast(column, pa.string()))
    values = [str(v) if v is not None else "" for v in column.dictionary.to_pylist()]
    indices = pc.fill_null(column.indices, -1) if column.indices.null_count else column.indices
    codes = as_numpy(indices).astype(np.int32, copy=False)
    empty = [k for k, v in enumerate(values) if v == ""]
    if empty:
        codes = np.where(codes_in(codes, empty, len(values)), np.int32(-1), codes)
    return codes, values


def _category(table: pa.Table, name: str, found: RowProblems) -> Cat:
    column = column_of(table, name)
    spec = next(c for c in INPUT_COLUMNS if c.name == name)
    default = spec.default or ""
    if column is None:
        return Cat(np.zeros(table.num_rows, np.int32), [default])
    codes, values = _dictionary(column)
    if len(codes) and codes.min() < 0:  # some rows missing (one reduction tells when none is)
        missing = codes < 0
        if spec.required:
            for row in np.flatnonzero(missing).tolist():
                found[row].append(Problem(field_path(name), "required field is missing"))
        if default not in values:
            values.append(default)
        codes = np.where(missing, np.int32(values.index(default)), codes)
    cat = Cat(codes, values)
    _check_values(name, cat, found)
    return cat


def _check_values(name: str, cat: Cat, found: RowProblems) -> None:
    allowed = _ENUMS.get(name)
    for code, value in enumerate(cat.values):
        if allowed is not None and value not in allowed:
            message = f"{value!r} is not allowed; expected " + ", ".join(repr(a) for a in allowed if a)
        elif name == "region" and not re.fullmatch(r"\d{6}", value):
            message = f"{value!r} is not a six-digit region code (GB/T 2260), e.g. '371500'"
        else:
            continue
        for row in np.flatnonzero(cat.codes == code).tolist():
            found[row].append(Problem(field_path(name), message, value))


def _dates(table: pa.Table, found: RowProblems) -> npt.NDArray[np.datetime64]:
    column: Any = column_of(table, "date")
    if pa.types.is_timestamp(column.type):
        column = pc.cast(column, pa.date32())
    if not pa.types.is_date32(column.type):
        text: Any = pc.cast(column, pa.string())
        parsed: Any = pc.strptime(text, "%Y-%m-%d", "s", error_is_null=True)
        # strptime rolls 2025-02-30 over to March: keep only dates that print back as written
        same: Any = pc.equal(pc.strftime(parsed, "%Y-%m-%d"), text)
        parsed = pc.if_else(pc.fill_null(same, False), parsed, pa.scalar(None, pa.timestamp("s")))
        for row in np.flatnonzero(as_numpy(parsed.is_null())).tolist():
            value = text[row].as_py()
            message = (
                "required field is missing"
                if value is None
                else f"{value!r} is not a date; write it as YYYY-MM-DD"
            )
            found[row].append(Problem("bill.date", message, value))
        column = pc.cast(pc.fill_null(parsed, pa.scalar(0, pa.timestamp("s"))), pa.date32())
    else:
        for row in np.flatnonzero(as_numpy(column.is_null())).tolist():
            found[row].append(Problem("bill.date", "required field is missing"))
        column = pc.fill_null(column, pa.scalar(0, pa.date32()))
    return as_numpy(column).astype("datetime64[D]")


def _flag(table: pa.Table, name: str) -> BoolArray:
    column = column_of(table, name)
    if column is None:
        return np.ones(table.num_rows, dtype=bool)
    if not pa.types.is_boolean(column.type):
        column = pc.equal(pc.utf8_lower(pc.cast(column, pa.string())), pa.scalar("true"))
    return as_numpy(pc.fill_null(column, True)).astype(bool)


def _members(table: pa.Table, name: str) -> dict[str, BoolArray]:
    """For a ';'-separated list column, a mask per member value (worked out once per distinct text)."""
    column = column_of(table, name)
    if column is None:
        return {}
    codes, values = _dictionary(column)
    sets = [{m.strip() for m in v.split(LIST_SEPARATOR) if m.strip()} for v in values]
    masks = {}
    for member in sorted(set().union(*sets)):
        lookup = np.array([member in members for members in sets] + [False], dtype=bool)
        masks[member] = lookup[codes]  # code -1 picks the trailing False
    return masks


def _holdings(table: pa.Table) -> dict[str, Holdings]:
    held, pre = _members(table, "products"), _members(table, "pre_existing")
    n = table.num_rows
    return {pid: Holdings(mask, pre.get(pid, np.zeros(n, bool)) & mask) for pid, mask in held.items()}


def _list_flags(table: pa.Table, name: str) -> dict[str, BoolArray]:
    return _members(table, name)
