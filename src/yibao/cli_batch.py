"""Commands for books of bills: batch (settle Parquet/CSV books). Thin: they call yibao.batch."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the batch commands to the main command (none yet)."""
    del app
