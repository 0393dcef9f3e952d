"""What the service is started with: where the policies and the database are."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from yibao.errors import InputError, Problem

DATABASE_URL_VARIABLE = "YIBAO_DATABASE_URL"
HOLD_COMMIT_VARIABLE = "YIBAO_TEST_HOLD_COMMIT_SECONDS"
"""Test-only: keep each settlement transaction open this long before it commits (crash tests)."""
BATCH_LINGER_VARIABLE = "YIBAO_BATCH_LINGER_MS"
"""How long a recorder waits for the callers its last batch answered (store/batcher.py)."""
DEFAULT_BATCH_LINGER_MS = 2.0
MAX_BATCH_LINGER_MS = 1000.0


@dataclass(frozen=True)
class ServiceSettings:
    """Start-up settings; `database_url` None means the embedded SQLite file in the data directory."""

    policy_dirs: list[Path] = field(default_factory=list)
    database_url: str | None = None
    hold_commit_seconds: float = 0.0
    max_batch: int = 64
    batch_linger_ms: float = DEFAULT_BATCH_LINGER_MS

    @classmethod
    def from_env(
        cls, policy_dirs: list[Path] | None = None, database_url: str | None = None
    ) -> ServiceSettings:
        """Command-line values first, then the environment."""
        return cls(
            policy_dirs or [],
            database_url or os.environ.get(DATABASE_URL_VARIABLE) or None,
            float(os.environ.get(HOLD_COMMIT_VARIABLE) or 0),
            batch_linger_ms=batch_linger_ms(os.environ.get(BATCH_LINGER_VARIABLE)),
        )


def batch_linger_ms(text: str | None) -> float:
    """The linger setting from its variable's text; unset or empty means the default."""
    if text is None or not text.strip():
        return DEFAULT_BATCH_LINGER_MS
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_BATCH_LINGER_MS:  # also refuses nan and inf
        raise InputError(
            Problem(
                BATCH_LINGER_VARIABLE,
                f"{text!r} is not milliseconds from 0 to {MAX_BATCH_LINGER_MS:g}; "
                "write e.g. 2 (0 turns lingering off)",
                text,
            )
        )
    return value
