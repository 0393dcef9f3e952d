"""What the service is started with: where the policies and the database are."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DATABASE_URL_VARIABLE = "YIBAO_DATABASE_URL"
HOLD_COMMIT_VARIABLE = "YIBAO_TEST_HOLD_COMMIT_SECONDS"
"""Test-only: keep each settlement transaction open this long before it commits (crash tests)."""


@dataclass(frozen=True)
class ServiceSettings:
    """Start-up settings; `database_url` None means the embedded SQLite file in the data directory."""

    policy_dirs: list[Path] = field(default_factory=list)
    database_url: str | None = None
    hold_commit_seconds: float = 0.0
    max_batch: int = 64

    @classmethod
    def from_env(
        cls, policy_dirs: list[Path] | None = None, database_url: str | None = None
    ) -> ServiceSettings:
        """Command-line values first, then the environment."""
        return cls(
            policy_dirs or [],
            database_url or os.environ.get(DATABASE_URL_VARIABLE) or None,
            float(os.environ.get(HOLD_COMMIT_VARIABLE) or 0),
        )
