"""Every case file: the bill settles to the hand-checked amounts written beside it."""

from __future__ import annotations

import pytest

from tests.case_files import Case, load_cases
from yibao.documents.bill import parse_bill
from yibao.documents.settlement import Settlement
from yibao.money import format_yuan, parse_yuan
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

CASES = load_cases()


def actual_amount(doc: Settlement, key: str) -> str:
    if key == "out_of_pocket":
        return doc.out_of_pocket
    if key == "total":
        return doc.total
    if key in ("basic", "critical", "supplementary", "personal_account"):
        lines = [p for p in doc.payments if p.payer == key]
    elif ":" in key:
        policy, _, benefit = key.partition(":")
        lines = [p for p in doc.payments if p.policy_id == policy and p.benefit == benefit]
    else:
        lines = [p for p in doc.payments if p.policy_id == key]
    return format_yuan(sum(parse_yuan(p.amount) for p in lines))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, policies: PolicySet) -> None:
    doc = settle_bill(parse_bill(case.bill), policies, case.as_known_on)
    actual = {key: actual_amount(doc, key) for key in case.expect}
    expected = {key: format_yuan(parse_yuan(value)) for key, value in case.expect.items()}
    if actual != expected:
        trace = "\n".join(f"  {s.step}. {s.text}" for s in doc.trace)
        pytest.fail(
            f"{case.file.name} / {case.name}\n  expected {expected}\n  actual   {actual}\n"
            f"  why: {case.why}\n  trace:\n{trace}"
        )


def test_there_is_a_case_file_for_every_builtin_pack(policies: PolicySet) -> None:
    covered = {c.file.stem for c in CASES}
    missing = [
        p.ref for p in policies.all() if policies.paths[p.ref].stem not in covered and p.kind != "crossregion"
    ]
    assert missing == []
