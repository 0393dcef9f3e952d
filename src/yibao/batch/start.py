"""Starting accumulators for a book, read from a file a previous run wrote (`--start-accumulators`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.io import read_table
from yibao.documents.accumulators import COUNT_KINDS, KEY
from yibao.engine.columns import IntArray
from yibao.errors import InputError, Problem
from yibao.money import parse_yuan

_DAY_BITS = 24  # days since 1970 fit in 24 bits until the year 47,000


@dataclass
class _Entries:
    person_ids: pa.Array[Any]
    labels: list[str]
    values: IntArray


@dataclass
class BookStart:
    """Accumulators by key, each a list of (person_id, period label, value)."""

    by_key: dict[str, _Entries] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> BookStart:
        """Read and validate an accumulators file (the shape `--accumulators` writes)."""
        table = read_table(path, strings=True)
        missing = [c for c in ("person_id", "period", "key", "value") if c not in table.column_names]
        if missing:
            raise InputError(
                [
                    Problem(
                        f"{path}", f"missing column {c!r}; expected person_id, policy_id, period, key, value"
                    )
                    for c in missing
                ]
            )
        rows = table.to_pylist()
        grouped: dict[str, tuple[list[str], list[str], list[int]]] = {}
        problems = []
        for i, row in enumerate(rows, start=1):
            key = str(row["key"])
            match = KEY.match(key)
            try:
                if not match:
                    raise ValueError(f"{key!r} is not an accumulator key (POLICY/KIND/NAME)")
                value = int(row["value"]) if match["kind"] in COUNT_KINDS else parse_yuan(row["value"])
            except (ValueError, TypeError) as exc:
                problems.append(Problem(f"{path}:{i + 1}", str(exc), str(row["value"])))
                continue
            people, labels, values = grouped.setdefault(key, ([], [], []))
            people.append(str(row["person_id"]))
            labels.append(str(row["period"]))
            values.append(value)
        if problems:
            raise InputError(problems)
        return cls(
            {
                k: _Entries(pa.array(p, pa.string()), lab, np.array(v, np.int64))
                for k, (p, lab, v) in grouped.items()
            }
        )

    def for_chunk(self, person_ids: pa.Array[Any]) -> ChunkStart:
        """The lookup for one chunk, whose rows name persons by index into `person_ids`."""
        return ChunkStart(self, person_ids)


@dataclass
class ChunkStart:
    """StartValues for one chunk: maps the file's person ids to the chunk's person codes."""

    start: BookStart
    chunk_people: pa.Array[Any]

    def lookup(self, key: str, person: IntArray, period_start: IntArray, year_starts: str) -> IntArray:
        """Each row's starting value (0 where the file has none for that person and period)."""
        out = np.zeros(len(person), np.int64)
        entries = self.start.by_key.get(key)
        if entries is None or len(person) == 0:
            return out
        codes: Any = pc.index_in(entries.person_ids, value_set=self.chunk_people)
        code = np.asarray(pc.fill_null(codes, -1).to_numpy(zero_copy_only=False), np.int64)
        days = np.array([_label_day(label, year_starts) for label in entries.labels], np.int64)
        keep = code >= 0
        entry_keys = (code[keep] << _DAY_BITS) + days[keep]
        order = np.argsort(entry_keys)
        sorted_keys, sorted_values = entry_keys[order], entries.values[keep][order]
        row_keys = (person << _DAY_BITS) + period_start
        at = np.clip(np.searchsorted(sorted_keys, row_keys), 0, max(len(sorted_keys) - 1, 0))
        hit = (
            (len(sorted_keys) > 0) & (sorted_keys[at] == row_keys)
            if len(sorted_keys)
            else np.zeros(len(person), bool)
        )
        out[hit] = sorted_values[at[hit]]
        return out


def _label_day(label: str, year_starts: str) -> int:
    """Days since 1970 of a period label ('2025' or '2024-07-01')."""
    day = date.fromisoformat(f"{label}-{year_starts}" if len(label) == len("2025") else label)
    return (day - date(1970, 1, 1)).days
