"""Field types of policy files: yuan and ratios as strings, converted once to fen and basis points.

A `Table` holds a number that may depend on the person's category, a variant of the
bill (normal or difficult birth ...) and the hospital level, in that order of
precedence, with `value` as the fallback at every depth.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from yibao.money import BP_ONE, parse_ratio, parse_yuan

_YUAN_SCHEMA = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["1600.00"]}
_RATIO_SCHEMA = {"type": "string", "pattern": r"^[01](\.\d{1,4})?$", "examples": ["0.85"]}
_POINTS_SCHEMA = {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "examples": ["-10"]}
_FACTOR_SCHEMA = {"type": "string", "pattern": r"^\d+(\.\d{1,4})?$", "examples": ["2", "0.5"]}


MAX_FACTOR = 10
RATIO_DECIMALS = 4


def _points_to_bp(text: object) -> int:
    """Percentage points ("-10") to basis points (-1000)."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"{text!r}: write percentage points as a string such as '-10'")
    fen = parse_yuan(str(text), allow_negative=True)  # same shape: up to 2 decimals
    if abs(fen) > BP_ONE:
        raise ValueError(f"{text!r} points is more than 100; write ten points as '-10'")
    return int(fen)  # 1 point = 100 bp, and parse_yuan already scaled by 100


def _factor_to_bp(text: object) -> int:
    """A multiplying factor ("2", "0.5") to basis points (20000, 5000)."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"{text!r}: write a factor as a string such as '2' or '0.5'")
    raw = str(text).strip()
    whole, _, frac = raw.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > RATIO_DECIMALS)):
        raise ValueError(f"{raw!r} is not a factor such as '2' or '0.5'")
    bp = int(whole) * 10_000 + int((frac + "0000")[:4])
    if bp > MAX_FACTOR * BP_ONE:
        raise ValueError(f"{raw!r} is more than 10; a factor multiplies an amount, e.g. '2'")
    return bp


Yuan = Annotated[int, BeforeValidator(parse_yuan), WithJsonSchema(_YUAN_SCHEMA)]
"""An amount written in yuan ("1600.00"), held as fen."""

Ratio = Annotated[int, BeforeValidator(parse_ratio), WithJsonSchema(_RATIO_SCHEMA)]
"""A ratio written as a decimal ("0.85"), held as basis points."""

Points = Annotated[int, BeforeValidator(_points_to_bp), WithJsonSchema(_POINTS_SCHEMA)]
"""Percentage points written as a string ("-10"), held as basis points."""

Factor = Annotated[int, BeforeValidator(_factor_to_bp), WithJsonSchema(_FACTOR_SCHEMA)]
"""A multiplying factor written as a string ("2"), held as basis points."""


class Strict(BaseModel):
    """A model that refuses unknown keys, so a misspelt key is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _TableBase(Strict):
    """Lookup by category, then variant, then level, with `value` as fallback."""

    value: Any = None
    by_level: Any = None
    by_variant: Any = None
    by_category: Any = None

    def dimension_keys(self) -> dict[str, set[str]]:
        """Every category, variant and level key this table names, at any depth."""
        found: dict[str, set[str]] = {"categories": set(), "variants": set(), "levels": set()}
        for name, dim in (("categories", "by_category"), ("variants", "by_variant")):
            nested: dict[str, _TableBase] | None = getattr(self, dim)
            for key, sub in (nested or {}).items():
                found[name].add(key)
                for sub_name, keys in sub.dimension_keys().items():
                    found[sub_name] |= keys
        found["levels"] |= set(self.by_level or {})
        return found

    def lookup(self, category: str, variant: str, level: str) -> int | None:
        """The number for one combination, or None when the table has none."""
        return self.lookup_path(category, variant, level)[0]

    def lookup_path(self, category: str, variant: str, level: str) -> tuple[int | None, str]:
        """The number for one combination and the dotted key it came from (for rule ids)."""
        for dim, key in (("by_category", category), ("by_variant", variant)):
            nested: dict[str, _TableBase] | None = getattr(self, dim)
            if nested and key in nested:
                found, path = nested[key].lookup_path(category, variant, level)
                if found is not None:
                    return found, f"{dim}.{key}.{path}".rstrip(".")
        by_level: dict[str, int] | None = self.by_level
        if by_level and level in by_level:
            return by_level[level], f"by_level.{level}"
        value: int | None = self.value
        return value, ("value" if value is not None else "")

    def is_empty(self) -> bool:
        """True when the table holds no number at all."""
        return all(getattr(self, f) is None for f in ("value", "by_level", "by_variant", "by_category"))


class MoneyTable(_TableBase):
    """Yuan amounts by category, variant and level (起付线, 限额, 定额 ...)."""

    value: Yuan | None = None
    by_level: dict[str, Yuan] | None = None
    by_variant: dict[str, MoneyTable] | None = None
    by_category: dict[str, MoneyTable] | None = None


class RatioTable(_TableBase):
    """Ratios by category, variant and level (报销比例 ...)."""

    value: Ratio | None = None
    by_level: dict[str, Ratio] | None = None
    by_variant: dict[str, RatioTable] | None = None
    by_category: dict[str, RatioTable] | None = None


def table_fields(table: _TableBase) -> dict[str, Any]:
    """The table part of a model that extends a table, for building a plain table from it."""
    return {f: getattr(table, f) for f in ("value", "by_level", "by_variant", "by_category")}
