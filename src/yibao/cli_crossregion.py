"""Commands of cross-region treatment: institutions, registrations (claims: cli_claims.py). Thin.

Every command works on the service's database (`--database-url`, YIBAO_DATABASE_URL, or the
embedded SQLite file), prints JSON documents, and acts as the `cli` operator in case events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yibao.cli import PoliciesOpt, err, friendly, load, print_json
from yibao.cli_service import DatabaseOpt

if TYPE_CHECKING:
    from pydantic import BaseModel

    from yibao.store.database import Database

institutions_app = typer.Typer(no_args_is_help=True, help="The designated institutions directory.")
registrations_app = typer.Typer(
    no_args_is_help=True, help="Registrations (备案): file, check, change, cancel."
)

Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD")]
OptDay = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD")]
RegistrationArg = Annotated[str, typer.Argument(help="The registration's id (reg_…).")]


def register(app: typer.Typer) -> None:
    """Add the cross-region commands to the main command."""
    app.add_typer(institutions_app, name="institutions")
    app.add_typer(registrations_app, name="registrations")
    from yibao.cli_claims import claims_app

    app.add_typer(claims_app, name="claims")


@contextmanager
def opened(database_url: str | None) -> Iterator[Database]:
    """The database a command works on, checked to be at the newest migration."""
    from yibao.cli_service import _database, check_ready

    db = _database(database_url)
    try:
        check_ready(db)
        yield db
    finally:
        db.dispose()


def show(found: BaseModel | list[Any]) -> None:
    """Print a document (or a list of them) as JSON."""
    if isinstance(found, list):
        print_json([x.model_dump(mode="json") for x in found])
    else:
        print_json(found.model_dump(mode="json"))


def cli_actor() -> Any:
    """Who acts in case events when a command runs on the server itself."""
    from yibao.store.case_events import CLI_CALLER

    return CLI_CALLER


@institutions_app.command("import")
@friendly
def institutions_import(
    path: Annotated[
        Path | None, typer.Argument(metavar="FILE.csv", help="The directory (UTF-8 CSV).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing when any row is bad.")] = False,
    sample: Annotated[bool, typer.Option("--sample", help="Import the shipped SAMPLE directory.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Import a directory: good rows go in (each code replaced); bad rows are listed with row and fix."""
    from yibao.errors import InputError, Problem
    from yibao.store.institutions import import_institutions, sample_directory

    if (path is None) == (not sample):
        raise InputError(Problem("FILE.csv", "give a CSV file or --sample (one of them)"))
    try:
        text = sample_directory() if path is None else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"cannot read it as UTF-8 text: {exc}")) from None
    with opened(database_url) as db:
        result = import_institutions(db, text, strict=strict)
    for problem in result.errors:
        err.print(
            f"error: row {problem.row}: {problem.field}: {problem.message}", markup=False, highlight=False
        )
    show(result)
    if result.errors:
        raise typer.Exit(1)


@institutions_app.command("search")
@friendly
def institutions_search(
    name: Annotated[str | None, typer.Option(help="Part of the name.")] = None,
    region: Annotated[str | None, typer.Option(help="A city or province code.")] = None,
    level: Annotated[str | None, typer.Option(help="level_1..3 or class_1..3.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Search the directory by name, region and level."""
    from yibao.store.institutions import search

    with opened(database_url) as db, db.read() as session:
        show(search(session, name, region, level))


@registrations_app.command("file")
@friendly
def registrations_file(
    person: Annotated[str, typer.Argument(help="The person's id (per_…).")],
    reg_type: Annotated[str, typer.Option("--type", help="long_term, referral, emergency or temporary.")],
    region: Annotated[str, typer.Option(help="Treatment region (GB/T 2260).")],
    filed_on: Day,
    channel: Annotated[str, typer.Option(help="online or counter.")] = "online",
    treatment_started_on: OptDay = None,
    discharged_on: OptDay = None,
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """File a registration, checked against the home scheme's rule for its type."""
    from yibao.store.crossregion_documents import RegistrationIn
    from yibao.store.registrations import file_registration

    raw = {
        "type": reg_type,
        "treatment_region": region,
        "filed_on": filed_on.date().isoformat(),
        "channel": channel,
        "treatment_started_on": treatment_started_on.date().isoformat() if treatment_started_on else None,
        "discharged_on": discharged_on.date().isoformat() if discharged_on else None,
    }
    data = parse_options(RegistrationIn, raw)
    with opened(database_url) as db:
        show(file_registration(db, load(policies), person, data, cli_actor()))


@registrations_app.command("list")
@friendly
def registrations_list(
    person: Annotated[str, typer.Argument(help="The person's id (per_…).")],
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """A person's registrations, oldest first."""
    from yibao.store.registrations import registrations_of

    with opened(database_url) as db, db.read() as session:
        show(registrations_of(session, load(policies), person))


@registrations_app.command("check")
@friendly
def registrations_check(
    person: Annotated[str, typer.Argument(help="The person's id (per_…).")],
    region: Annotated[str, typer.Option(help="Treatment region (GB/T 2260).")],
    on: Day,
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Is the person registered for a region on a day, and with which type?"""
    from yibao.store.persons import person_row
    from yibao.store.registration_lookup import check_registration

    found = load(policies)
    with opened(database_url) as db, db.read() as session:
        scheme = found.in_force(person_row(session, person).scheme, on.date(), where="--on")
        show(check_registration(session, found, scheme, person, region, on.date()))


@registrations_app.command("change")
@friendly
def registrations_change(
    registration: RegistrationArg,
    on: Day,
    region: Annotated[str, typer.Option(help="The new treatment region.")],
    channel: Annotated[str, typer.Option(help="online or counter.")] = "online",
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Change to another region from a day (refused before the scheme's change_after_months)."""
    from yibao.store.crossregion_documents import ChangeIn
    from yibao.store.registrations import change

    data = parse_options(
        ChangeIn, {"on": on.date().isoformat(), "treatment_region": region, "channel": channel}
    )
    with opened(database_url) as db:
        show(change(db, load(policies), registration, data, cli_actor()))


def _registration_step(confirm: bool) -> Any:
    @friendly
    def step(
        registration: RegistrationArg, on: Day, policies: PoliciesOpt = None, database_url: DatabaseOpt = None
    ) -> None:
        from yibao.store import registrations as store

        act = store.confirm if confirm else store.cancel
        with opened(database_url) as db:
            show(act(db, load(policies), registration, on.date(), cli_actor()))

    return step


registrations_app.command("confirm", help="A counter filing passed its review: effective from --on.")(
    _registration_step(confirm=True)
)
registrations_app.command("cancel", help="Cancel from --on (it still covers the days before).")(
    _registration_step(confirm=False)
)


@registrations_app.command("expire")
@friendly
def registrations_expire(on: Day, database_url: DatabaseOpt = None) -> None:
    """Mark every registration whose term ran out before a day as expired."""
    from yibao.store.registrations import expire_due

    with opened(database_url) as db:
        print_json({"expired": expire_due(db, on.date(), cli_actor())})


def parse_options(model: Any, raw: dict[str, Any]) -> Any:
    """Validate options as the API validates a body; problems name the option's field."""
    from pydantic import ValidationError

    from yibao.errors import InputError
    from yibao.validation import problems_from

    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError(problems_from(exc, raw, "option")) from None
