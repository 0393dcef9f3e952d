"""`yibao institutions|registrations|claims` on a real SQLite file: JSON out, errors one line each, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.integration.crossregion.conftest import LIAOCHENG_CLAIM_MATERIALS
from tests.integration.service.conftest import national_id
from yibao import cli_crossregion
from yibao.store.database import Database
from yibao.store.documents import CoverageIn, PersonIn
from yibao.store.persons import create_person, put_coverage

BAD = "code,name,region,level,kind,networked,schemes\nH1,甲医院,371502,level_3,hospital,yes,\nH2,乙医院,371502,level_9,hospital,yes,\n"
BILL = {
    "id": "bj-emergency",
    "date": "2024-06-10",
    "kind": "inpatient",
    "institution": {"code": "H11010500001"},
    "split": {"class_a": "60000.00", "class_b": "40000.00", "class_c": "15000.00"},
}
BASE = LIAOCHENG_CLAIM_MATERIALS


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path, policies) -> tuple[str, str]:
    """A migrated SQLite file with one Liaocheng resident covered in 2024: (URL, person id)."""
    path = tmp_path / "yibao.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    person = create_person(
        db,
        policies,
        PersonIn(name="参保人", national_id=national_id(91), scheme="cn-371500.resident", category="adult"),
    )
    put_coverage(db, policies, person.id, 2024, CoverageIn(contribution_status="paid"))
    db.dispose()
    return url, person.id


def run(url: str, *args: str, code: int = 0) -> Any:
    app = typer.Typer()
    cli_crossregion.register(app)
    result = CliRunner().invoke(app, [*args, "--database-url", url])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip() and code != 2 else result.stderr


def test_the_directory_is_imported_searched_and_bad_rows_are_one_line_each(
    database: tuple[str, str], tmp_path: Path
):
    url, _ = database
    assert run(url, "institutions", "import", "--sample")["imported"] == 31
    found = run(url, "institutions", "search", "--name", "朝阳", "--level", "level_3")
    assert [x["code"] for x in found] == ["H11010500001"]
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    refused = run(url, "institutions", "import", str(bad), "--strict", code=2)
    assert (
        refused
        == "error: row 3: level: not a level; write one of level_1, level_2, level_3, class_1, class_2, class_3\n"
    )
    assert run(url, "institutions", "search", "--region", "371502", "--name", "甲") == []
    app = typer.Typer()
    cli_crossregion.register(app)
    lenient = CliRunner().invoke(app, ["institutions", "import", str(bad), "--database-url", url])
    assert lenient.exit_code == 1
    assert lenient.stderr.startswith("error: row 3: level:")
    assert json.loads(lenient.stdout)["imported"] == 1


def test_an_emergency_is_registered_afterwards_and_claimed_from_submission_to_payment(
    database: tuple[str, str], tmp_path: Path
):
    url, person = database
    run(url, "institutions", "import", "--sample")
    filed = run(
        url,
        "registrations",
        "file",
        person,
        "--type",
        "emergency",
        "--region",
        "110000",
        "--filed-on",
        "2024-06-20",
        "--treatment-started-on",
        "2024-06-08",
    )
    assert (filed["state"], filed["effective_from"]) == ("effective", "2024-06-08")
    checked = run(url, "registrations", "check", person, "--region", "110105", "--on", "2024-06-09")
    assert (checked["registered"], checked["type"]) == (True, "emergency")
    bill = tmp_path / "bill.json"
    bill.write_text(json.dumps(BILL, ensure_ascii=False), encoding="utf-8")
    submit = ["claims", "submit", "--person", person, "--bill", str(bill), "--discharged-on", "2024-06-10"]
    late = run(url, *submit, "--submitted-on", "2024-07-11", code=2)
    assert late.startswith("error: submitted_on: submitted on 2024-07-11, after the deadline 2024-07-10:")
    materials = [arg for m in BASE for arg in ("--material", m)]
    claim = run(url, *submit, "--submitted-on", "2024-07-05", *materials)
    assert (claim["state"], claim["missing"]) == ("incomplete", ["emergency_proof"])
    assert (
        run(url, "claims", "materials", claim["id"], "--material", "emergency_proof")["state"] == "submitted"
    )
    judged = run(url, "claims", "adjudicate", claim["id"])
    assert (judged["state"], judged["reimbursed"]) == (
        "adjudicated",
        "69096.00",
    )  # 51240.00 basic + 17856.00 critical
    assert run(url, "claims", "approve", claim["id"], "--reason", "材料齐全")["state"] == "approved"
    assert (
        run(url, "claims", "pay", claim["id"], "--paid-on", "2024-07-20", "--reference", "BANK-7")["state"]
        == "paid"
    )
    shown = run(url, "claims", "show", claim["id"])
    assert [(e["action"], e["actor"]) for e in shown["events"]] == [
        ("submit", "cli"),
        ("materials", "cli"),
        ("adjudicate", "cli"),
        ("approve", "cli"),
        ("pay", "cli"),
    ]
    listed = run(url, "registrations", "list", person)
    assert [(r["type"], r["state"]) for r in listed] == [
        ("emergency", "expired")
    ]  # its admission was claimed
    unknown = run(url, "claims", "show", "clm_00000000000000000000", code=2)
    assert unknown.startswith("error: claim_id: no claim with this id")
