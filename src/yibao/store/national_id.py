"""National ID numbers (公民身份号码, GB 11643-1999): validated by their check digit, shown masked.

A number is 17 digits and a check character: the digits weighted by 2^(17-i) mod 11,
summed mod 11, index "10X98765432". It is stored whole (to find a person) but never
shown whole in a response, an error message or a log: `mask` keeps the first four
and last four characters (`3715**********1234`).
"""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
LENGTH = 18
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_SHOWN = 4


def mask(text: str) -> str:
    """The number with all but its first and last four characters hidden."""
    if len(text) <= 2 * _SHOWN:
        return "*" * len(text)
    return text[:_SHOWN] + "*" * (len(text) - 2 * _SHOWN) + text[-_SHOWN:]


def check_character(first17: str) -> str:
    """The check character (0-9 or X) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_national_id(raw: str) -> str:
    """The number normalised (upper-case X); ValueError with a masked message when it is not valid."""
    text = raw.strip().upper()
    shown = mask(text)
    if not _SHAPE.match(text):
        raise ValueError(
            f"{shown!r} is not a national ID number; write the 18 characters: 17 digits and a digit or X"
        )
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValueError(
            f"{shown!r} is not a national ID number: characters 7-14 are not a birth date (YYYYMMDD)"
        ) from None
    if check_character(text[:17]) != text[17]:
        raise ValueError(
            f"{shown!r} is not a national ID number: its last character does not match the check digit "
            "of the first 17 (GB 11643); look for a mistyped digit"
        )
    return text
