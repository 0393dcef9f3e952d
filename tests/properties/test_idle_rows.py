"""Rows set aside as idle (zero base) change nothing: an untraced run equals a traced one, which keeps every row."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.bills import POLICIES, books
from yibao.documents.bill import parse_bill
from yibao.engine.book import StartState
from yibao.engine.chain import EngineResult, settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.engine.periods import period_label


def _outcome(result: EngineResult) -> tuple[object, ...]:
    payments = [
        (p.policy_id, p.benefit, p.amount.tolist(), p.applied.tolist(), p.ref_index.tolist())
        for p in result.payments
    ]
    ends = [(e.key, e.person.tolist(), e.period_start.tolist(), e.value.tolist()) for e in result.ends]
    return payments, result.out_of_pocket.tolist(), ends


def _continued(result: EngineResult, extra: int) -> StartState:
    """The run's closing accumulators, each `extra` higher, as the start of another run."""
    return StartState(
        {
            (person, period_label(start, end.year_starts), end.key): value + extra
            for end in result.ends
            for person, start, value in zip(
                end.person.tolist(), end.period_start.tolist(), end.value.tolist(), strict=True
            )
        }
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(books(), st.integers(1, 3_000_000))
def test_an_untraced_run_pays_and_accumulates_exactly_as_a_traced_run(book, extra):
    people = [who for who, _ in book]
    batch = batch_from_bills([parse_bill(bill) for _, bill in book], people)
    first = settle_columns(batch, POLICIES, StartState(), with_trace=True)
    assert not first.problems
    for start in (StartState(), _continued(first, extra)):
        traced = settle_columns(batch, POLICIES, start, with_trace=True)
        untraced = settle_columns(batch, POLICIES, start)
        assert _outcome(untraced) == _outcome(traced)
