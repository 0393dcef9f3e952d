"""Where a person is treated (就医地): provinces and major cities with GB/T 2260 codes.

A small shipped list (regions.csv), not the full code table: every province-level division, its capital,
and the cities that have a built-in pack. "Elsewhere in the province" is the province's
own code (`370000`), which the engine reads as in-province but not local for a city
scheme. The four municipalities are a single city each.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """One treatment place: its six-digit code and names."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Province:
    """A province-level division and the cities offered in the form."""

    code: str
    zh: str
    en: str
    cities: tuple[Place, ...] = ()

    @property
    def is_municipality(self) -> bool:
        """直辖市: the province is one city."""
        return not self.cities


def _read(path: Path) -> tuple[Province, ...]:
    """Provinces with their cities from the shipped CSV (comment lines start with '#')."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    cities: dict[str, list[Place]] = {}
    for row in rows:
        if row["province"]:
            cities.setdefault(row["province"], []).append(Place(row["code"], row["zh"], row["en"]))
    return tuple(
        Province(row["code"], row["zh"], row["en"], tuple(cities.get(row["code"], [])))
        for row in rows
        if not row["province"]
    )


PROVINCES: tuple[Province, ...] = _read(Path(__file__).with_name("regions.csv"))


def region_codes() -> set[str]:
    """Every code the form can send."""
    codes = {p.code for p in PROVINCES}
    return codes | {c.code for p in PROVINCES for c in p.cities}


def regions_document() -> list[dict[str, object]]:
    """The list as the page reads it: provinces with their cities (municipalities: none)."""
    return [
        {
            "code": p.code,
            "name": {"zh": p.zh, "en": p.en},
            "cities": [{"code": c.code, "name": {"zh": c.zh, "en": c.en}} for c in p.cities],
        }
        for p in PROVINCES
    ]
