"""The ledger is append-only, migrations match the models, and `ledger verify` finds tampering."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.integration.service.bills import outpatient
from tests.integration.service.conftest import Service
from tests.integration.service.processes import yibao
from yibao.store.tables import Base
from yibao.store.verify import verify_ledger


def test_the_migrations_create_exactly_the_models(service: Service):
    with service.db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


@pytest.mark.parametrize("statement", ["UPDATE ledger_entries SET delta = 0", "DELETE FROM account_entries"])
def test_ledger_entries_cannot_be_changed_or_removed(service: Service, statement: str):
    person = service.register(601)
    service.cover(person, contribution_base="5000.00")
    service.client.post(
        f"/v1/persons/{person}/account/credits", json={"month": "2025-01"}, headers=service.operator
    )
    service.settle(person, outpatient(), "k")
    with pytest.raises(DatabaseError, match="append-only"), service.db.write() as session:
        session.execute(text(statement))


def test_ledger_verify_reports_an_accumulator_that_does_not_match_its_entries(service: Service):
    person = service.register(602)
    service.cover(person)
    service.settle(person, outpatient(), "k")
    assert verify_ledger(service.db) == ([], {"accumulators": 2, "accounts": 1, "settlements": 1})
    with service.db.write() as session:
        session.execute(text("UPDATE accumulators SET value = value + 1 WHERE key LIKE '%/cap/%'"))
    done = yibao("ledger", "verify", "--database-url", service.url)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"difference: accumulator cn-371500.employee/cap/outpatient_annual of {person} for 2025: stored 28801, "
        "ledger sums to 28800",
        "1 difference(s): checked 2 accumulators, 1 accounts, 1 settlements",
    ]
