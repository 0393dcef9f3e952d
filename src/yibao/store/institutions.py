"""The designated institutions directory in the store: import a CSV file, search, read one.

An import replaces the rows of the codes it lists and keeps the others. With `strict`
a file with any bad row writes nothing (422 / exit 2, every problem listed); without it
the good rows go in and the bad ones come back with row, field, value and fix.
"""

from __future__ import annotations

from importlib import resources

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yibao.crossregion.directory import Listed, RowError, read_directory
from yibao.engine.scope import pooling_prefix
from yibao.errors import InputError, NotFoundError, Problem
from yibao.store.crossregion_documents import ImportResult, InstitutionOut, RowProblem
from yibao.store.crossregion_tables import InstitutionRow
from yibao.store.database import Database
from yibao.store.persons import now
from yibao.store.tables import table_of

SEARCH_LIMIT = 200
CHUNK = 500


def sample_directory() -> str:
    """The sample directory shipped with yibao (SAMPLE data: invented codes and flags)."""
    return (
        resources.files("yibao.crossregion").joinpath("sample_institutions.csv").read_text(encoding="utf-8")
    )


def import_institutions(db: Database, text: str, *, strict: bool) -> ImportResult:
    """Import a directory file; see the module docstring for `strict`."""
    listed, errors = read_directory(text)
    if strict and errors:
        raise InputError([Problem(f"row {e.row}: {e.field}", e.message, e.value) for e in errors])
    with db.write() as session:
        _upsert(session, listed)
    return ImportResult(
        imported=len(listed),
        refused=len({e.row for e in errors}),
        strict=strict,
        errors=[_row_problem(e) for e in errors],
    )


def _row_problem(error: RowError) -> RowProblem:
    return RowProblem(row=error.row, field=error.field, value=error.value, message=error.message)


def _upsert(session: Session, listed: list[Listed]) -> None:
    moment = now()
    rows = [
        {
            "code": x.code,
            "name": x.name,
            "region": x.region,
            "level": x.level,
            "kind": x.kind,
            "networked": x.networked,
            "schemes": " ".join(x.schemes),
            "note": x.note,
            "updated_at": moment,
        }
        for x in listed
    ]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        known = set(
            session.scalars(
                select(InstitutionRow.code).where(InstitutionRow.code.in_([r["code"] for r in chunk]))
            )
        )
        fresh = [r for r in chunk if r["code"] not in known]
        if fresh:
            session.execute(insert(table_of(InstitutionRow)), fresh)
        changed = [r for r in chunk if r["code"] in known]
        if changed:
            session.execute(update(InstitutionRow), changed)


def institution_document(row: InstitutionRow) -> InstitutionOut:
    """An institution as the API shows it."""
    return InstitutionOut(
        code=row.code,
        name=row.name,
        region=row.region,
        level=row.level,
        kind=row.kind,
        networked=row.networked,
        schemes=row.schemes.split(),
        note=row.note,
    )


def institution_row(session: Session, code: str, where: str = "code") -> InstitutionRow:
    """An institution by code; 404 naming the field when the directory lacks it."""
    row = session.get(InstitutionRow, code)
    if row is None:
        raise NotFoundError(
            Problem(
                where,
                "not in the designated institutions directory; search it with GET /v1/institutions?name=… "
                "(or `yibao institutions search`), or import the directory first",
                code,
            )
        )
    return row


def search(
    session: Session, name: str | None = None, region: str | None = None, level: str | None = None
) -> list[InstitutionOut]:
    """Institutions whose name contains `name`, inside `region` (a city or province code), at `level`."""
    query = select(InstitutionRow).order_by(InstitutionRow.code).limit(SEARCH_LIMIT)
    if name:
        query = query.where(InstitutionRow.name.contains(name, autoescape=True))
    if region:
        query = query.where(InstitutionRow.region.startswith(pooling_prefix(region), autoescape=True))
    if level:
        query = query.where(InstitutionRow.level == level)
    return [institution_document(r) for r in session.scalars(query)]
