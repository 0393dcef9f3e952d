"""Turn pydantic validation errors into Problems that name the path, the value seen and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from yibao.errors import Problem

_SKIP = {"str", "int", "MoneyTable", "RatioTable"}
_MISSING = object()


def problems_from(exc: ValidationError, raw: object, prefix: str, noun: str = "field") -> list[Problem]:
    """One Problem per pydantic error; `prefix` is 'bill' or 'FILE:' and `noun` 'field' or 'key'."""
    return problems_from_errors(exc.errors(), raw, prefix, noun)


def problems_from_errors(
    errors: Sequence[Any], raw: object, prefix: str, noun: str = "field"
) -> list[Problem]:
    """The same for a list of pydantic error dicts (as FastAPI passes them)."""
    return [_problem(err, raw, prefix, noun) for err in errors]


def _problem(err: Any, raw: object, prefix: str, noun: str) -> Problem:
    loc = [part for part in err["loc"] if not str(part).startswith("function-")]
    key = dotted(loc)
    value = value_at(raw, loc)
    kind = err["type"]
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        message = f"required {noun} is missing"
    elif kind == "extra_forbidden":
        message = f"unknown {noun} {str(loc[-1])!r}; check its spelling against `yibao schema`"
    elif kind == "literal_error":
        message = f"{value!r} is not allowed; expected {err.get('ctx', {}).get('expected', '')}"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] == "region":
        message = f"{value!r} is not a six-digit region code (GB/T 2260), e.g. '371500'"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "scheme", "supersedes"):
        message = f"{value!r} is not a policy id such as 'cn-371500.liaohuibao' (optionally with '@2024')"
    elif kind.startswith("date_"):
        message = f"{value!r} is not a date; write it as YYYY-MM-DD"
    elif value is not None and kind != "value_error":
        message = f"{message} (got {value!r})"
    if prefix.endswith(":"):
        where = f"{prefix} {key}" if key else prefix[:-1]
    else:
        where = f"{prefix}.{key}" if key else prefix
    return Problem(where, message, None if value is None else str(value))


def dotted(loc: Sequence[object]) -> str:
    """A pydantic location as a path: ('items', 3, 'amount') -> 'items[3].amount'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part) not in _SKIP:
            text += f".{part}" if text else str(part)
    return text


def value_at(raw: object, loc: Sequence[object]) -> object | None:
    """The scalar value found at a location of the raw input, if any."""
    node: Any = raw
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
        if node is _MISSING:
            return None
    return None if isinstance(node, dict | list) else node
