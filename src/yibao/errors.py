"""The one exception family of yibao.

    YibaoError                  anything yibao refuses, with a message fit for a user
    ├── InputError              a bill, request or file a user gave is wrong (field path, value)
    ├── PolicyError             a policy file is wrong (file, key, value)
    ├── ConflictError           the request clashes with what is recorded
    └── NotFoundError           something named does not exist

Every problem names where, what was seen, what was expected, and the fix. Several
problems found at once travel together in ``problems`` so a user sees them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (field path or file:key), the value seen, and the message."""

    where: str
    message: str
    value: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class YibaoError(Exception):
    """Base of every error yibao raises on purpose; carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        assert problems, "an error needs at least one problem"
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(YibaoError):
    """A bill, request or data file given by a user is wrong."""


class PolicyError(YibaoError):
    """A policy file is malformed or inconsistent."""


class ConflictError(YibaoError):
    """The request conflicts with what is already recorded."""


class NotFoundError(YibaoError):
    """A named policy, person or record does not exist."""
