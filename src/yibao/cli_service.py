"""Commands of the service: serve, db upgrade, keys, ledger verify. Thin: they call yibao.api and yibao.store.

Every command takes `--database-url` (or YIBAO_DATABASE_URL); without either it uses
the embedded SQLite file in the user's data directory.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from yibao.cli import PoliciesOpt, friendly, out, print_json

if TYPE_CHECKING:
    from yibao.store.database import Database

db_app = typer.Typer(no_args_is_help=True, help="The service's database: migrations.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys: create, list, revoke.")
ledger_app = typer.Typer(no_args_is_help=True, help="The ledger of accumulators.")

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="SQLAlchemy URL (also YIBAO_DATABASE_URL); default: embedded SQLite."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the service commands to the main command."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(keys_app, name="keys")
    app.add_typer(ledger_app, name="ledger")
    db_app.command("upgrade")(db_upgrade)
    keys_app.command("create")(keys_create)
    keys_app.command("list")(keys_list)
    keys_app.command("revoke")(keys_revoke)
    ledger_app.command("verify")(ledger_verify)


def _database(database_url: str | None) -> Database:
    """The database a command works on: the option, the variable, or the embedded file (migrated)."""
    from yibao.api.settings import ServiceSettings
    from yibao.store.database import Database, default_database_path
    from yibao.store.migrate import upgrade

    url = ServiceSettings.from_env(None, database_url).database_url
    if url is None:
        db = Database(f"sqlite:///{default_database_path()}")
        upgrade(db)
        return db
    return Database(url)


@friendly
def serve(
    policies: PoliciesOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseOpt = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each settles in batches).", min=1)] = 1,
) -> None:
    """Start the HTTP service (API under /v1, OpenAPI at /docs).

    With no database configured it creates and migrates the embedded SQLite file; an
    external database must be at the newest migration (`yibao db upgrade`).
    """
    import uvicorn

    from yibao.api.app import create_app
    from yibao.api.service_store import open_database
    from yibao.api.settings import DATABASE_URL_VARIABLE, ServiceSettings
    from yibao.policy.load import POLICY_PATH_VARIABLE

    settings = ServiceSettings.from_env(policies, database_url)
    db = open_database(settings)
    where = db.display_url
    db.dispose()
    out.print(
        f"yibao serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)  database: {where}"
    )
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    if settings.database_url:
        os.environ[DATABASE_URL_VARIABLE] = settings.database_url
    if policies:
        os.environ[POLICY_PATH_VARIABLE] = os.pathsep.join(
            [*filter(None, [os.environ.get(POLICY_PATH_VARIABLE)]), *map(str, policies)]
        )
    from yibao.api.workers import serve_workers

    serve_workers(host, port, workers)


@friendly
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Apply every migration the database lacks (creates the tables on a new database)."""
    from yibao.api.settings import ServiceSettings
    from yibao.store.database import Database, default_database_path
    from yibao.store.migrate import upgrade

    url = ServiceSettings.from_env(None, database_url).database_url
    db = Database(url or f"sqlite:///{default_database_path()}")
    try:
        before, after = upgrade(db)
    finally:
        db.dispose()
    if before == after:
        out.print(f"{db.display_url} is already at revision {after}")
    else:
        out.print(f"{db.display_url}: upgraded from {before or 'an empty database'} to revision {after}")


@friendly
def keys_create(
    role: Annotated[Literal["operator", "auditor"], typer.Option("--role", help="operator or auditor.")],
    label: Annotated[str | None, typer.Option("--label", help="Who or what the key is for.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    from yibao.store.keys import create_key

    db = _database(database_url)
    try:
        check_ready(db)
        key_id, key = create_key(db, role, label)
    finally:
        db.dispose()
    out.print(key, markup=False, highlight=False)
    typer.echo(f"key {key_id} ({role}) created; it is shown only now, keep it safe", err=True)


@friendly
def keys_list(database_url: DatabaseOpt = None) -> None:
    """Every key's id, role, label and dates (never a secret)."""
    from yibao.store.keys import list_keys

    db = _database(database_url)
    try:
        check_ready(db)
        print_json(list_keys(db))
    finally:
        db.dispose()


@friendly
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (yb_<ID>_…).")], database_url: DatabaseOpt = None
) -> None:
    """Revoke a key (services notice within seconds)."""
    from yibao.errors import NotFoundError, Problem
    from yibao.store.keys import revoke_key

    db = _database(database_url)
    try:
        check_ready(db)
        if not revoke_key(db, key_id):
            raise NotFoundError(
                Problem("KEY_ID", "no live key with this id; `yibao keys list` shows them", key_id)
            )
    finally:
        db.dispose()
    out.print(f"key {key_id} revoked")


@friendly
def ledger_verify(
    database_url: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Recompute every accumulator and account balance from the ledger; exit 1 on any difference."""
    from yibao.store.verify import verify_ledger

    db = _database(database_url)
    try:
        check_ready(db)
        differences, counts = verify_ledger(db)
    finally:
        db.dispose()
    if as_json:
        print_json({"ok": not differences, "checked": counts, "differences": differences})
    else:
        for line in differences:
            out.print(f"difference: {line}", markup=False, highlight=False)
        checked = ", ".join(f"{n} {what}" for what, n in counts.items())
        out.print(
            f"{'ledger OK' if not differences else f'{len(differences)} difference(s)'}: checked {checked}"
        )
    if differences:
        raise typer.Exit(1)


def check_ready(db: Database) -> None:
    """Refuse a database not at the newest migration, naming the command that fixes it."""
    from yibao.store.migrate import check_at_head

    check_at_head(db)
