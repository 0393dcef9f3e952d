"""Commands of manual claims (手工报销): submit, show, materials, adjudicate, approve, reject, pay.

Thin: they call yibao.store on the service's database and print the claim as JSON.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from yibao.cli import PoliciesOpt, friendly, load
from yibao.cli_crossregion import Day, OptDay, cli_actor, opened, parse_options, show
from yibao.cli_service import DatabaseOpt

claims_app = typer.Typer(no_args_is_help=True, help="Manual claims (手工报销): submit to paid.")
ClaimArg = Annotated[str, typer.Argument(help="The claim's id (clm_…).")]
Reasons = Annotated[list[str] | None, typer.Option("--reason", help="A reason (repeatable).")]


@claims_app.command("submit")
@friendly
def claims_submit(
    person: Annotated[str, typer.Option(help="The person's id (per_…).")],
    discharged_on: Day,
    bill: Annotated[Path | None, typer.Option(metavar="BILL.json", help="The bill paid in full.")] = None,
    settlement: Annotated[str | None, typer.Option(help="Or a recorded manual settlement (stl_…).")] = None,
    submitted_on: OptDay = None,
    material: Annotated[list[str] | None, typer.Option(help="A material handed in (repeatable).")] = None,
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Submit a claim: materials checked (missing ones listed), the deadline enforced."""
    from yibao.errors import InputError, Problem
    from yibao.store.claims import submit_claim
    from yibao.store.crossregion_documents import ClaimIn

    raw_bill = None
    if bill is not None:
        try:
            raw_bill = json.loads(bill.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(Problem(str(bill), f"cannot read a JSON bill from it: {exc}")) from None
    raw = {
        "person_id": person,
        "bill": raw_bill,
        "settlement_id": settlement,
        "discharged_on": discharged_on.date().isoformat(),
        "submitted_on": submitted_on.date().isoformat() if submitted_on else None,
        "materials": material or [],
    }
    data = parse_options(ClaimIn, raw)
    with opened(database_url) as db:
        show(submit_claim(db, load(policies), data, raw_bill, cli_actor(), date.today()))


@claims_app.command("show")
@friendly
def claims_show(claim: ClaimArg, database_url: DatabaseOpt = None) -> None:
    """A claim: checklist, deadline, settlement, decision and every event."""
    from yibao.store.claims import claim_document, claim_row

    with opened(database_url) as db, db.read() as session:
        show(claim_document(session, claim_row(session, claim)))


@claims_app.command("materials")
@friendly
def claims_materials(
    claim: ClaimArg,
    material: Annotated[list[str], typer.Option(help="A material handed in (repeatable).")],
    database_url: DatabaseOpt = None,
) -> None:
    """Materials handed in later."""
    from yibao.store.claims import add_materials
    from yibao.store.crossregion_documents import MaterialsIn

    data = parse_options(MaterialsIn, {"materials": material})
    with opened(database_url) as db:
        show(add_materials(db, claim, list(data.materials), cli_actor()))


@claims_app.command("adjudicate")
@friendly
def claims_adjudicate(
    claim: ClaimArg,
    lang: Annotated[Literal["zh", "en"], typer.Option(help="Language of the explanation.")] = "zh",
    policies: PoliciesOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Settle the bill with the engine and record it (accumulators move once)."""
    from yibao.store.claim_steps import adjudicate
    from yibao.store.recording import record

    found = load(policies)
    with opened(database_url) as db:
        show(adjudicate(db, claim, lambda request: record(db, found, [request])[0], cli_actor(), lang))


def _decision(approve: bool) -> Any:
    @friendly
    def decide(
        claim: ClaimArg,
        reason: Reasons = None,
        policies: PoliciesOpt = None,
        database_url: DatabaseOpt = None,
    ) -> None:
        from yibao.store import claim_steps
        from yibao.store.crossregion_documents import DecisionIn

        reasons = parse_options(DecisionIn, {"reasons": reason or []}).reasons
        with opened(database_url) as db:
            if approve:
                show(claim_steps.approve(db, claim, reasons, cli_actor()))
            else:
                show(claim_steps.reject(db, load(policies), claim, reasons, cli_actor()))

    return decide


claims_app.command("approve", help="Approve an adjudicated claim (--reason optional).")(
    _decision(approve=True)
)
claims_app.command("reject", help="Reject with --reason (a settlement it recorded is reversed).")(
    _decision(approve=False)
)


@claims_app.command("pay")
@friendly
def claims_pay(
    claim: ClaimArg,
    paid_on: Day,
    reference: Annotated[str | None, typer.Option(help="The transfer's reference.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Mark an approved claim paid."""
    from yibao.store.claim_steps import pay
    from yibao.store.crossregion_documents import PaymentIn

    data = parse_options(PaymentIn, {"paid_on": paid_on.date().isoformat(), "reference": reference})
    with opened(database_url) as db:
        show(pay(db, claim, data.paid_on, data.reference, cli_actor()))
