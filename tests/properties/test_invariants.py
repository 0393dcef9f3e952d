"""Properties every settlement keeps, on random bills across every built-in pack."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.bills import POLICIES, REGISTRATIONS, bills, books
from yibao.documents.bill import parse_bill
from yibao.documents.settlement import Settlement
from yibao.engine.book import StartState
from yibao.engine.chain import settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.engine.periods import period_label, period_starts
from yibao.money import format_yuan, parse_yuan
from yibao.settle import settle_bill

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def settle(bill: dict[str, Any]) -> Settlement:
    return settle_bill(parse_bill(bill), POLICIES)


def oop(bill: dict[str, Any]) -> int:
    return parse_yuan(settle(bill).out_of_pocket)


@PROPERTY
@given(bills())
def test_every_bill_balances_to_the_fen_and_no_payment_is_negative(bill):
    doc = settle(bill)
    paid = [parse_yuan(p.amount) for p in doc.payments]
    assert all(amount >= 0 for amount in paid)
    assert sum(paid) + parse_yuan(doc.out_of_pocket) == parse_yuan(doc.total)
    assert parse_yuan(doc.out_of_pocket) >= 0


@PROPERTY
@given(bills(), st.sampled_from(["class_a", "class_b", "class_c", "over_limit"]), st.integers(1, 100_000_00))
def test_more_cost_never_lowers_out_of_pocket(bill, component, extra_fen):
    more = copy.deepcopy(bill)
    more["split"][component] = format_yuan(parse_yuan(more["split"][component]) + extra_fen)
    assert oop(more) >= oop(bill)


@PROPERTY
@given(bills(), st.sampled_from([r for r in REGISTRATIONS if r != "none"]))
def test_a_registration_never_makes_a_bill_worse_than_none(bill, registration):
    registered, unregistered = copy.deepcopy(bill), copy.deepcopy(bill)
    registered["registration"], unregistered["registration"] = registration, "none"
    assert oop(registered) <= oop(unregistered)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(books())
def test_a_book_settles_exactly_like_its_bills_one_by_one(book):
    people = [who for who, _ in book]
    parsed = [parse_bill(bill) for _, bill in book]
    batch = settle_columns(batch_from_bills(parsed, people), POLICIES, StartState())
    assert not batch.problems
    carried: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
    for row, (who, bill) in enumerate(book):
        one = dict(bill, year_to_date=_year_to_date(carried.get(who, {}), bill["date"]))
        doc = settle(one)
        carried.setdefault(who, {}).update(_by_policy(doc))
        expected = {(p.policy_id, p.benefit): p.amount for p in doc.payments}
        actual = {
            (p.policy_id, p.benefit): format_yuan(p.amount[row]) for p in batch.payments if p.applied[row]
        }
        assert actual == expected, (row, bill)
        assert format_yuan(batch.out_of_pocket[row]) == doc.out_of_pocket


def _by_policy(doc: Settlement) -> dict[str, tuple[str, dict[str, Any]]]:
    grouped: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in doc.accumulators.items():
        policy = key.split("/")[0]
        grouped.setdefault(policy, (doc.periods.get(policy, ""), {}))[1][key] = value
    return grouped


def _year_to_date(carried: dict[str, tuple[str, dict[str, Any]]], day: str) -> dict[str, Any]:
    """Accumulators of earlier bills whose period is the one this bill falls in."""
    out: dict[str, Any] = {}
    for policy_id, (period, values) in carried.items():
        year_starts = POLICIES.get(policy_id).year_starts
        start = period_starts(np.array([day], dtype="datetime64[D]"), year_starts)[0]
        if period_label(int(start), year_starts) == period:
            out.update(values)
    return out
