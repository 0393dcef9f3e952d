"""Money as integer fen and ratios as integer basis points; the one rounding rule.

Policy files and documents write yuan as decimal strings ("1234.50"); they are
converted here, once, and nothing else in yibao parses or formats money. Floats are
refused everywhere: a float cannot say "0.10" exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NewType

import numpy as np
import numpy.typing as npt

Fen = NewType("Fen", int)
"""An amount of money in fen (分, 1/100 yuan)."""

BasisPoints = NewType("BasisPoints", int)
"""A ratio in basis points: 10000 is 100 %."""

BP_ONE = 10_000
"""One whole, in basis points."""

MAX_FEN = 1_000_000_000_000
"""The largest amount accepted (ten billion yuan): far above any bill, far below int64 overflow
even multiplied by a ratio factor or summed over a large book."""

_YUAN = re.compile(r"^-?\d+(\.\d{1,2})?$")
_RATIO = re.compile(r"^-?\d+(\.\d{1,4})?$")

Int64Array = npt.NDArray[np.int64]


def parse_yuan(text: object, *, allow_negative: bool = False) -> Fen:
    """Parse a yuan amount written as a decimal string into fen.

    Raises ValueError with a message fit for a user (the caller adds where).
    """
    if isinstance(text, bool) or not isinstance(text, str | int):
        kind = type(text).__name__
        raise ValueError(
            f"{text!r} is a {kind}; write yuan as a string with at most 2 decimals (e.g. '12.35')"
        )
    raw = str(text).strip()
    if not _YUAN.match(raw):
        if re.match(r"^-?\d+\.\d{3,}$", raw):
            places = len(raw.split(".")[1])
            raise ValueError(
                f"{raw!r} has {places} decimal places; amounts are yuan with at most 2 (e.g. '12.35')"
            )
        raise ValueError(f"{raw!r} is not an amount; write yuan as digits, e.g. '1234.50'")
    if raw.startswith("-") and not allow_negative:
        raise ValueError(f"{raw!r} is negative; amounts must be 0 or more")
    whole, _, frac = raw.lstrip("-").partition(".")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    if fen > MAX_FEN:
        raise ValueError(f"{raw!r} is too large; amounts are at most {MAX_FEN // 100} yuan")
    return Fen(-fen if raw.startswith("-") else fen)


def format_yuan(fen: int) -> str:
    """Format fen as yuan with exactly two decimals: 123450 -> '1234.50'."""
    value = int(fen)
    if value >= 0:  # the usual case, in the fewest operations (documents format ~35 amounts each)
        return f"{value // 100}.{value % 100:02d}"
    whole, part = divmod(-value, 100)
    return f"-{whole}.{part:02d}"


def parse_ratio(text: object, *, allow_negative: bool = False) -> BasisPoints:
    """Parse a ratio written as a decimal string ("0.85") into basis points (8500)."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        kind = type(text).__name__
        raise ValueError(f"{text!r} is a {kind}; write a ratio as a string such as '0.85'")
    raw = str(text).strip()
    if not _RATIO.match(raw):
        raise ValueError(f"{raw!r} is not a ratio with at most 4 decimals, such as '0.85'")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"{raw!r} is not a ratio") from exc
    if value < 0 and not allow_negative:
        raise ValueError(f"{raw!r} is negative; a ratio lies between 0 and 1")
    if abs(value) > 1:
        raise ValueError(f"{raw!r} is more than 1; write 85 % as '0.85'")
    return BasisPoints(int(value * BP_ONE))


def format_ratio(bp: int) -> str:
    """Format basis points as a percentage for people: 8500 -> '85%', 9250 -> '92.5%'."""
    text = f"{Decimal(int(bp)) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def apply_ratio(base_fen: int, ratio_bp: int) -> Fen:
    """Multiply an amount by a ratio, rounding half up to the fen (the one rounding rule).

    Both must be non-negative; 0.5 fen rounds up.
    """
    assert base_fen >= 0 and ratio_bp >= 0, (base_fen, ratio_bp)
    return Fen((base_fen * ratio_bp + BP_ONE // 2) // BP_ONE)


def round_fen_bp(amount_fen_bp: Int64Array) -> Int64Array:
    """Round amounts in fen x basis points to fen, half up; the column twin of apply_ratio."""
    assert amount_fen_bp.min(initial=0) >= 0  # one reduction: a third of comparing then all()
    rounded = amount_fen_bp + BP_ONE // 2
    np.floor_divide(rounded, BP_ONE, out=rounded)
    return rounded


def apply_ratio_columns(base_fen: Int64Array, ratio_bp: Int64Array) -> Int64Array:
    """Apply ratios to amounts column-wise with exactly the rounding of apply_ratio."""
    return round_fen_bp(base_fen * ratio_bp)
