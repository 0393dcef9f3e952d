"""Malformed bills are refused with one message per problem, naming path, value and fix."""

import copy
from typing import Any

import pytest

from yibao.documents.bill import parse_bill
from yibao.errors import InputError
from yibao.settle import settle_bill

GOOD: dict[str, Any] = {
    "date": "2025-03-02",
    "kind": "inpatient",
    "person": {"scheme": "cn-371500.resident", "category": "adult"},
    "institution": {"region": "371502", "level": "level_3"},
    "split": {"class_a": "15000.00"},
}


def problems(bill, policies=None):
    with pytest.raises(InputError) as caught:
        parsed = parse_bill(bill)
        settle_bill(parsed, policies)
    return [str(p) for p in caught.value.problems]


def with_(path, value):
    bill = copy.deepcopy(GOOD)
    node: Any = bill
    *parents, last = path
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return bill


def test_a_good_bill_settles(policies):
    doc = settle_bill(parse_bill(GOOD), policies)
    assert doc.total == "15000.00"


def test_missing_field():
    assert problems(with_(["person", "category"], KeyError)) == [
        "bill.person.category: required field is missing"
    ]


def test_negative_amount():
    assert problems(with_(["split", "class_a"], "-5.00")) == [
        "bill.split.class_a: '-5.00' is negative; amounts must be 0 or more"
    ]


def test_three_decimals():
    assert problems(with_(["split", "class_a"], "12.345")) == [
        "bill.split.class_a: '12.345' has 3 decimal places; amounts are yuan with at most 2 (e.g. '12.35')"
    ]


def test_non_numeric_amount_in_an_item():
    bill = with_(["split"], KeyError)
    bill["items"] = [
        {"name": "床位费", "amount": "12.00", "category": "class_a"},
        {"name": "药", "amount": "twelve", "category": "class_b"},
    ]
    assert problems(bill) == [
        "bill.items[1].amount: 'twelve' is not an amount; write yuan as digits, e.g. '1234.50'"
    ]


def test_float_amount_is_refused():
    assert problems(with_(["split", "class_a"], 15000.5)) == [
        "bill.split.class_a: 15000.5 is a float; write yuan as a string with at most 2 decimals (e.g. '12.35')"
    ]


def test_several_problems_are_reported_together():
    bill = with_(["split", "class_a"], "-1")
    bill["kind"] = "dental"
    assert problems(bill) == [
        "bill.kind: 'dental' is not allowed; expected 'inpatient', 'outpatient', 'chronic', 'maternity_prenatal' "
        "or 'maternity_delivery'",
        "bill.split.class_a: '-1' is negative; amounts must be 0 or more",
    ]


def test_unknown_scheme_suggests_close_ids(policies):
    assert problems(with_(["person", "scheme"], "cn-371500.residnt"), policies) == [
        "bill.person.scheme: unknown policy 'cn-371500.residnt'; did you mean cn-371500.resident?"
    ]


def test_a_date_no_edition_covers(policies):
    assert problems(with_(["date"], "2019-05-01"), policies) == [
        "bill.person.scheme: no edition of cn-371500.resident is in force on 2019-05-01; editions: "
        "2024: 2024-01-01 to 2024-12-31; 2025: 2025-01-01 to 2025-12-31"
    ]


def test_unknown_hospital_level(policies):
    assert problems(with_(["institution", "level"], "level_4"), policies) == [
        "bill.institution.level: unknown hospital level 'level_4' for cn-371500.resident@2025; "
        "expected level_1, level_2 or level_3"
    ]


def test_unknown_category(policies):
    assert problems(with_(["person", "category"], "retired"), policies) == [
        "bill.person.category: unknown category 'retired' for cn-371500.resident@2025; expected adult or student"
    ]


def test_unknown_product(policies):
    bill = with_(["person", "products"], [{"id": "cn-371500.liaohuibo"}])
    assert problems(bill, policies) == [
        "bill.person.products: unknown policy 'cn-371500.liaohuibo'; did you mean cn-371500.liaohuibao?"
    ]


def test_product_that_does_not_cover_the_scheme(policies):
    bill = with_(["person", "products"], [{"id": "cn-310000.huhuibao"}])
    bill["date"] = "2024-09-01"
    assert problems(bill, policies) == [
        "bill.person.products: cn-310000.huhuibao@2024 covers people insured under cn-310000.employee, "
        "cn-310000.resident, not cn-371500.resident"
    ]


def test_bad_region_code():
    assert problems(with_(["institution", "region"], "3715")) == [
        "bill.institution.region: '3715' is not a six-digit region code (GB/T 2260), e.g. '371500'"
    ]


def test_misspelt_year_to_date_key_is_refused_not_ignored(policies):
    bill = with_(["year_to_date"], {"cn-371500.resident/cap/fund_anual": "100.00"})
    [message] = problems(bill, policies)
    assert message.startswith(
        'bill.year_to_date["cn-371500.resident/cap/fund_anual"]: no policy settling this bill keeps this '
        "accumulator; known: "
    )
    assert "cn-371500.resident/cap/fund_annual" in message


def test_empty_bill(policies):
    assert problems(with_(["split", "class_a"], "0"), policies) == [
        "bill.split: the bill's amounts add up to 0; give what was charged"
    ]


def test_maternity_without_contribution_months(policies):
    bill = {
        **GOOD,
        "kind": "maternity_prenatal",
        "person": {"scheme": "cn-410100.employee", "category": "active"},
        "institution": {"region": "410105", "level": "class_3"},
    }
    assert problems(bill, policies) == [
        "bill.contribution_months: required for maternity_prenatal bills under cn-410100.employee@2025: the "
        "benefit is paid in full after 9 months of contribution, else per month"
    ]


def test_a_malformed_product_id_is_a_field_error_not_a_lookup(policies):
    bill = with_(["person", "products"], [{"id": "@x"}])
    assert problems(bill, policies) == [
        "bill.person.products[0].id: '@x' is not a policy id such as 'cn-371500.liaohuibao' (optionally with '@2024')"
    ]
