"""Commands of the service: serve (later: db, keys, ledger). Thin: they call yibao.api and yibao.store."""

from __future__ import annotations

from typing import Annotated

import typer

from yibao.cli import PoliciesOpt, friendly, out


def register(app: typer.Typer) -> None:
    """Add the service commands to the main command."""
    app.command("serve")(serve)


@friendly
def serve(
    policies: PoliciesOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="SQLAlchemy URL (also YIBAO_DATABASE_URL); default: embedded SQLite."
        ),
    ] = None,
) -> None:
    """Start the HTTP service (API under /v1, OpenAPI at /docs)."""
    import uvicorn

    from yibao.api.app import create_app
    from yibao.api.settings import ServiceSettings

    app_ = create_app(ServiceSettings.from_env(policies, database_url))
    out.print(f"yibao serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(app_, host=host, port=port, log_level="info")
