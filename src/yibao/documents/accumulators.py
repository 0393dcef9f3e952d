"""Year-to-date accumulator keys and values: `POLICY/KIND/NAME`, money in yuan, counts as integers."""

from __future__ import annotations

import re

from yibao.errors import InputError, Problem
from yibao.money import format_yuan, parse_yuan
from yibao.policy.models import Policy

KEY = re.compile(
    r"^(?P<policy>[a-z0-9][a-z0-9.\-_]*)/(?P<kind>deductible|cap|admissions|banded|account)/(?P<name>[a-z0-9_]+)$"
)
COUNT_KINDS = {"admissions"}


def parse_year_to_date(raw: dict[str, str | int], where: str = "bill.year_to_date") -> dict[str, int]:
    """Validate keys and convert values: yuan strings to fen, admission counts to int."""
    out: dict[str, int] = {}
    problems = []
    for key, value in raw.items():
        at = f'{where}["{key}"]'
        match = KEY.match(key)
        if not match:
            problems.append(
                Problem(
                    at,
                    (
                        "not an accumulator key; expected POLICY/KIND/NAME with KIND one of deductible, cap, "
                        "admissions, banded, account (copy them from a settlement's 'accumulators')"
                    ),
                    key,
                )
            )
            continue
        try:
            if match["kind"] in COUNT_KINDS:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{value!r} is not a count; write a whole number such as 1")
                out[key] = value
            else:
                out[key] = parse_yuan(value)
        except ValueError as exc:
            problems.append(Problem(at, str(exc), str(value)))
    if problems:
        raise InputError(problems)
    return out


def format_value(key: str, value: int) -> str | int:
    """A value as documents write it."""
    match = KEY.match(key)
    if match and match["kind"] in COUNT_KINDS:
        return int(value)
    return format_yuan(value)


def accumulator_keys(policy: Policy) -> set[str]:
    """Every accumulator a policy edition keeps (what a year_to_date may carry for it)."""
    pid = policy.id
    keys = {f"{pid}/cap/{name}" for name, cap in policy.caps.items() if cap.per == "year"}
    for name, benefit in policy.benefits.items():
        ded = benefit.deductible
        if ded is not None and ded.per == "year":
            keys.add(f"{pid}/deductible/{ded.pool or name}")
        if ded is not None and ded.per == "admission":
            keys.add(f"{pid}/admissions/{name}")
        if benefit.ratio is not None and benefit.ratio.banded_on == "year":
            keys.add(f"{pid}/banded/{name}")
    if policy.personal_account is not None:
        keys.add(f"{pid}/account/used")
    return keys


def check_keys_known(start: dict[str, int], known: set[str], where: str = "bill.year_to_date") -> None:
    """Refuse accumulators no policy of this bill keeps: a misspelt key would silently reset a total."""
    unknown = sorted(set(start) - known)
    if unknown:
        listing = ", ".join(sorted(known)) or "none"
        raise InputError(
            [
                Problem(
                    f'{where}["{key}"]',
                    f"no policy settling this bill keeps this accumulator; known: {listing}",
                    key,
                )
                for key in unknown
            ]
        )
