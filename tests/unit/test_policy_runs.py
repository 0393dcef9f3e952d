"""A policy computes only the bills a benefit of it pays, yet still covers (and names) every bill."""

from __future__ import annotations

import json
from pathlib import Path

from yibao.documents.bill import parse_bill
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

EXAMPLE = Path(__file__).parents[2] / "examples" / "liaocheng-employee-outpatient-personal-account.json"


def test_an_outpatient_bill_still_names_the_critical_plan_that_pays_no_outpatient_bill():
    bill = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert bill["kind"] == "outpatient"
    doc = settle_bill(parse_bill(bill), PolicySet.load())
    assert "cn-371500.employee-critical" in doc.periods  # covered: its year-to-date keys are accepted
    assert not [p for p in doc.payments if p.payer == "critical"]
