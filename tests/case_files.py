"""Read the data-driven case files under tests/cases (shared by the case test and property tests)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    file: Path
    name: str
    bill: dict[str, Any]
    expect: dict[str, str]
    why: str
    as_known_on: date | None

    @property
    def id(self) -> str:
        return f"{self.file.stem}::{self.name}"


def _jsonable(value: Any) -> Any:
    """TOML dates become ISO strings, so the bill is exactly what a JSON file would hold."""
    return json.loads(json.dumps(value, default=str))


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("case", []):
            cases.append(
                Case(
                    path,
                    raw["name"],
                    _jsonable(raw["bill"]),
                    raw["expect"],
                    raw.get("why", ""),
                    raw.get("as_known_on"),
                )
            )
    return cases
