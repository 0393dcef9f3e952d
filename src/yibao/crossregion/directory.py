"""The designated institutions directory (定点医药机构) as CSV: read row by row, every problem named.

Columns (a header line first; lines starting with `#` are comments):

    code        the institution's code, e.g. H37150200001 (letters, digits, '-' and '_')
    name        its name
    region      six-digit GB/T 2260 code of where it is
    level       level_1 | level_2 | level_3 (一级/二级/三级), or class_1 | class_2 | class_3 (一类/二类/三类)
    kind        hospital | pharmacy
    networked   yes | no: open for cross-province direct settlement (跨省联网)
    schemes     the scheme ids it is designated (定点) for, separated by spaces or ';'
    note        optional (the shipped sample says SAMPLE here)

A scheme declaring `level_N` and one declaring `class_N` read each other's levels as the
same grade (一类 ≈ 一级/基层, 二类 ≈ 二级, 三类 ≈ 三级), the convention of the Hunan and
Shanxi packs' level names.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

REQUIRED = ("code", "name", "region", "level", "kind", "networked", "schemes")
COLUMNS = (*REQUIRED, "note")
LEVELS = ("level_1", "level_2", "level_3", "class_1", "class_2", "class_3")
KINDS = ("hospital", "pharmacy")
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否"}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
REGION = re.compile(r"^\d{6}$")
SCHEME = re.compile(r"^[a-z0-9][a-z0-9\-]*(\.[a-z0-9][a-z0-9_\-]*)+$")
MAX_NAME = 200
MAX_NOTE = 300


@dataclass(frozen=True)
class Listed:
    """One institution as the file lists it."""

    code: str
    name: str
    region: str
    level: str
    kind: str
    networked: bool
    schemes: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row: line number, column, the value seen, what to write instead."""

    row: int
    field: str
    value: str | None
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


def read_directory(text: str) -> tuple[list[Listed], list[RowError]]:
    """Every good row, and every problem of the others (a row with any problem is left out)."""
    lines = [(n, x) for n, x in enumerate(text.splitlines(), 1) if x.strip() and not x.startswith("#")]
    if not lines:
        return [], [RowError(1, "header", None, f"the file has no header; start it with {','.join(COLUMNS)}")]
    header_row, header_line = lines[0]
    header = [h.strip().lower() for h in _cells(header_line) or []]
    errors = _header_errors(header_row, header)
    if errors:
        return [], errors
    listed: list[Listed] = []
    seen: dict[str, int] = {}
    for n, line in lines[1:]:
        cells = _cells(line)
        if cells is None or len(cells) > len(header):
            message = f"not {len(header)} cells; quote a cell that holds a comma, one row per line"
            errors.append(RowError(n, "row", line[:80], message))
            continue
        values = {h: (cells[k].strip() if k < len(cells) else "") for k, h in enumerate(header)}
        row, problems = _row(n, values)
        code = values["code"]
        if row is not None and code in seen:
            problems = [RowError(n, "code", code, f"listed already on row {seen[code]}; list each code once")]
        errors.extend(problems)
        if not problems and row is not None:
            seen[code] = n
            listed.append(row)
    return listed, errors


def _header_errors(n: int, header: list[str]) -> list[RowError]:
    errors = [
        RowError(n, column, None, f"column {column!r} is missing; the header is {','.join(COLUMNS)}")
        for column in REQUIRED
        if column not in header
    ]
    errors += [
        RowError(n, "header", column, f"unknown column {column!r}; the columns are {','.join(COLUMNS)}")
        for column in header
        if column not in COLUMNS
    ]
    return errors


def _row(n: int, v: dict[str, str]) -> tuple[Listed | None, list[RowError]]:
    errors = [RowError(n, field, v.get(field), message) for field, message in [*_texts(v), *_choices(v)]]
    if errors:
        return None, errors
    schemes = tuple(s for s in re.split(r"[\s;]+", v["schemes"]) if s)
    networked = v["networked"].lower() in YES
    note = v.get("note") or None
    return Listed(v["code"], v["name"], v["region"], v["level"], v["kind"], networked, schemes, note), []


def _texts(v: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    if not CODE.match(v["code"]):
        found.append(("code", "not a code; use 1-40 letters, digits, '-' or '_' (e.g. H37150200001)"))
    if not v["name"] or len(v["name"]) > MAX_NAME or _has_control(v["name"]):
        found.append(("name", f"write the institution's name (1-{MAX_NAME} characters, one line)"))
    if not REGION.match(v["region"]):
        found.append(("region", "not a six-digit region code (GB/T 2260), e.g. 371502"))
    note = v.get("note") or ""
    if len(note) > MAX_NOTE or _has_control(note):
        found.append(("note", f"a note is one line of at most {MAX_NOTE} characters"))
    return found


def _choices(v: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    if v["level"] not in LEVELS:
        found.append(("level", f"not a level; write one of {', '.join(LEVELS)}"))
    if v["kind"] not in KINDS:
        found.append(("kind", "write hospital or pharmacy"))
    if v["networked"].lower() not in YES | NO:
        found.append(("networked", "write yes or no (open for cross-province direct settlement)"))
    wrong = [s for s in re.split(r"[\s;]+", v["schemes"]) if s and not SCHEME.match(s)]
    if wrong:
        found.append(
            ("schemes", f"{wrong[0]!r} is not a scheme id such as cn-371500.resident; separate by spaces")
        )
    return found


def _cells(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line]))
    except csv.Error:
        return None


def _has_control(text: str) -> bool:
    return not text.isprintable()  # control characters (NUL, tabs, line breaks) and the like


def level_for(levels: dict[str, str], listed: str) -> str | None:
    """The scheme's level key for a directory level (level_N ↔ class_N when the scheme uses the other)."""
    if listed in levels:
        return listed
    kind, _, grade = listed.partition("_")
    other = {"level": "class", "class": "level"}.get(kind, kind) + "_" + grade
    return other if other in levels else None
