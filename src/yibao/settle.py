"""Settle one bill into a settlement document: the shell around the engine for a single bill."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np

from yibao.crossregion.guidance import Situation, guidance
from yibao.documents.accumulators import accumulator_keys, check_keys_known, format_value, parse_year_to_date
from yibao.documents.bill import Bill
from yibao.documents.settlement import (
    GuidanceStep,
    PaymentLine,
    Settlement,
    SettlementMode,
    SplitDoc,
    TraceStep,
)
from yibao.engine.book import AccumulatorEnd, StartState
from yibao.engine.chain import EngineResult, settle_columns
from yibao.engine.columns import batch_from_bills
from yibao.engine.periods import period_label_of_day
from yibao.engine.scope import MODE_REASONS, MODES, REGISTRATIONS, SCOPES
from yibao.engine.trace import Step
from yibao.errors import InputError
from yibao.explain import render, word
from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy


def settle_bill(
    bill: Bill, policies: PolicySet, as_known_on: date | None = None, lang: str = "zh"
) -> Settlement:
    """Settle one bill; raises InputError naming every problem of the bill."""
    start = parse_year_to_date(bill.year_to_date)
    result = settle_columns(
        batch_from_bills([bill]), policies, StartState(by_key=start), as_known_on, with_trace=True
    )
    if result.problems:
        raise InputError(result.problems[0])
    chain = chain_editions(result, 0, policies)
    check_keys_known(start, set().union(*(accumulator_keys(policy) for policy in chain)))
    return settlement_document(result, 0, start, chain, as_known_on, lang)


def chain_editions(result: EngineResult, row: int, policies: PolicySet) -> list[Policy]:
    """The editions that settled a row: its scheme, critical plans and products."""
    refs = {p.refs[int(p.ref_index[row])] for p in result.payments if p.ref_index[row] >= 0}
    return [policies.get(ref) for ref in sorted(refs | {result.scheme_ref(row)})]


PersonEnds = dict[int, list[tuple[AccumulatorEnd, int]]]


def ends_by_person(result: EngineResult) -> PersonEnds:
    """Each person code's accumulator ends (the end, the position in it), found once for all rows."""
    found: PersonEnds = defaultdict(list)
    for end in result.ends:
        for i, person in enumerate(end.person.tolist()):
            found[person].append((end, i))
    return found


def settlement_document(
    result: EngineResult,
    row: int,
    start: dict[str, int],
    chain: list[Policy],
    as_known_on: date | None,
    lang: str,
    ends: PersonEnds | None = None,
) -> Settlement:
    """The document of one settled row of an engine result (`ends`: its `ends_by_person`, if known)."""
    payments = [
        PaymentLine(
            payer=p.payer,
            policy=p.refs[int(p.ref_index[row])],
            policy_id=p.policy_id,
            benefit=p.benefit,
            name=p.name,
            name_en=p.name_en,
            amount=format_yuan(p.amount[row]),
        )
        for p in result.payments
        if p.applied[row]
    ]
    accumulators = dict(start)
    for end, i in (ends if ends is not None else ends_by_person(result)).get(
        int(result.batch.person[row]), []
    ):
        accumulators[end.key] = int(end.value[i])
    day = int(result.batch.date[row].astype(np.int64))
    periods = {policy.id: period_label_of_day(day, policy.year_starts) for policy in chain}
    steps = result.trace.steps[row] if result.trace is not None else []
    steps = [*steps, Step("out_of_pocket", {"amount": format_yuan(result.out_of_pocket[row])})]
    w = result.where
    scope, reg = SCOPES[int(w.scope[row])], REGISTRATIONS[int(w.registration[row])]
    mode, reason = MODES[int(w.mode[row])], MODE_REASONS[int(w.mode_reason[row])]
    batch = result.batch
    scheme = next(p for p in chain if p.ref == result.scheme_ref(row))
    situation = Situation(
        kind=batch.kind.at(row),
        day=batch.date[row].astype(object),
        category=batch.category.at(row),
        registration=batch.registration.at(row),
        scope=scope,
        effective_registration=reg,
        mode=mode,
        reason=reason,
        refused_by_rules=any(
            s.op == "not_covered" and s.payer == "basic" and s.values.get("reason") == "adjust" for s in steps
        ),
    )
    steps_to_take = [GuidanceStep(**vars(step)) for step in guidance(scheme, situation, lang)]
    assert batch.bill_id is not None, "a bill document's batch keeps its id"
    return Settlement(
        bill_id=batch.bill_id[row],
        date=batch.date[row].astype(object),
        scheme=result.scheme_ref(row),
        as_known_on=as_known_on,
        total=format_yuan(result.total[row]),
        payments=payments,
        out_of_pocket=format_yuan(result.out_of_pocket[row]),
        split=_split(steps),
        settlement=SettlementMode(
            scope=scope,
            registration=reg,
            mode=mode,
            reason=reason,
            explanation=f"{word(mode, lang)}: {word(reason, lang)}",
        ),
        guidance=steps_to_take,
        accumulators={k: format_value(k, v) for k, v in sorted(accumulators.items())},
        periods=periods,
        assumptions=sorted({f"{s.rule}: {s.assumed}" for s in steps if s.assumed}),
        trace=[
            TraceStep(
                step=i + 1,
                op=s.op,
                payer=s.payer,
                policy=s.policy,
                benefit=s.benefit,
                rule=s.rule,
                values=s.values,
                source=s.source,
                assumed=s.assumed,
                text=render(s, lang),
            )
            for i, s in enumerate(steps)
        ],
        lang=lang,
    )


def _split(steps: list[Step]) -> SplitDoc:
    values = next(s.values for s in steps if s.op == "split")
    return SplitDoc(
        class_a=values["class_a"],
        class_b=values["class_b"],
        class_b_copay=values["class_b_copay"],
        in_policy=values["in_policy"],
        class_c=values["class_c"],
        over_limit=values["over_limit"],
        special_drugs={
            k.removeprefix("special_drug."): v for k, v in values.items() if k.startswith("special_drug.")
        },
    )
