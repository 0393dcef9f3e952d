"""Record, for traced runs, what each benefit operator did to each bill (values pre-formatted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yibao.engine.benefit_state import UNCOVERED_REASONS, expanded
from yibao.engine.columns import BillBatch
from yibao.engine.params import DEDUCTIBLE_KINDS
from yibao.engine.scope import MODE_REASONS, MODES, REGISTRATIONS, SCOPES, Whereabouts
from yibao.engine.trace import Step, Trace, cite
from yibao.money import format_ratio, format_yuan
from yibao.policy.models import Adjust, Benefit, Policy

if TYPE_CHECKING:
    from yibao.engine.benefit import PolicyRun
    from yibao.engine.benefit_state import BenefitState
    from yibao.engine.book import Book


def trace_where(batch: BillBatch, where: Whereabouts, trace: Trace) -> None:
    """One step per bill: scope, registration and settlement mode (就医地目录、参保地政策)."""
    for row in range(len(batch)):
        trace.add(
            row,
            Step(
                "where",
                {
                    "treatment_region": batch.region.at(row),
                    "scope": SCOPES[int(where.scope[row])],
                    "registration": REGISTRATIONS[int(where.registration[row])],
                    "mode": MODES[int(where.mode[row])],
                    "mode_reason": MODE_REASONS[int(where.mode_reason[row])],
                },
            ),
        )


def trace_policy_run(book: Book, run: PolicyRun, states: list[BenefitState]) -> None:
    """Steps for every active row of every benefit of one policy run."""
    assert book.trace is not None
    m = len(run.rows)
    for st in (one if len(one.at) == m else expanded(one, m) for one in states if len(one.at)):
        for j in range(len(run.rows)):
            if not st.active[j]:
                continue
            ed = run.editions[int(run.edition_index[j])]
            if st.name not in ed.benefits:
                continue
            for step in _benefit_steps(run, st, j, ed, ed.benefits[st.name]):
                book.trace.add(int(run.rows[j]), step)


def _benefit_steps(run: PolicyRun, st: BenefitState, j: int, ed: Policy, benefit: Benefit) -> list[Step]:
    ctx: dict[str, Any] = {"payer": run.payer, "policy": ed.ref, "benefit": st.name}
    prefix = f"{ed.ref}:benefits.{st.name}"
    steps = [
        Step(
            "base",
            {
                "components": ", ".join(benefit.base),
                "base": format_yuan(st.gross_base[j]),
                "name": benefit.name,
                "name_en": benefit.name_en or st.name,
            },
            rule=prefix,
            **ctx,
        )
    ]
    for rule, mask in st.matched:
        if mask[j]:
            source, assumed = cite(ed, rule)
            steps.append(
                Step(
                    "adjust",
                    _adjust_values(rule),
                    rule=f"{ed.ref}:adjust.{rule.id}",
                    source=source,
                    assumed=assumed,
                    **ctx,
                )
            )
    if not st.covered[j]:
        reason = UNCOVERED_REASONS[int(st.uncovered_reason[j])]
        steps.append(Step("not_covered", {"reason": reason}, rule=prefix, **ctx))
        return steps
    if st.first_self_pay[j] > 0:
        steps.append(
            Step(
                "first_self_pay",
                {"amount": format_yuan(st.first_self_pay[j]), "base": format_yuan(st.base[j])},
                rule=prefix,
                **ctx,
            )
        )
    steps.extend(_deductible_step(run, st, j, ed, benefit, prefix, ctx))
    steps.extend(_payment_steps(run, st, j, ed, benefit, prefix, ctx))
    return steps


def _adjust_values(rule: Adjust) -> dict[str, str]:
    values = {"name": rule.name, "name_en": rule.name_en or rule.id, "covered": str(rule.covered).lower()}
    if rule.ratio_points:
        values["ratio_points"] = f"{rule.ratio_points / 100:g}"
    if rule.ratio_factor is not None:
        values["ratio_factor"] = format_ratio(rule.ratio_factor)
    if rule.deductible_factor is not None:
        values["deductible_factor"] = f"{rule.deductible_factor / 10000:g}"
    if rule.first_self_pay is not None:
        values["first_self_pay"] = format_ratio(rule.first_self_pay)
    return values


def _deductible_step(
    run: PolicyRun, st: BenefitState, j: int, ed: Policy, benefit: Benefit, prefix: str, ctx: dict[str, Any]
) -> list[Step]:
    ded = benefit.deductible
    if ded is None or st.deductible is None or st.deductible_taken is None:
        return []
    _, path = ded.lookup_path(*_keys_at(run, j))
    source, assumed = cite(ed, ded)
    values = {
        "per": DEDUCTIBLE_KINDS[int(st.deductible_kind[j])],
        "deductible": format_yuan(st.deductible[j]),
        "taken": format_yuan(st.deductible_taken[j]),
        "net": format_yuan(st.base[j] - st.deductible_taken[j]),
    }
    if st.ordinal is not None and st.ordinal[j] > 0:
        values["ordinal"] = str(int(st.ordinal[j]))
    if st.deductible_used_before is not None and ded.per == "year":
        values["used_before"] = format_yuan(st.deductible_used_before[j])
    return [
        Step("deductible", values, rule=f"{prefix}.deductible.{path}", source=source, assumed=assumed, **ctx)
    ]


def _payment_steps(
    run: PolicyRun, st: BenefitState, j: int, ed: Policy, benefit: Benefit, prefix: str, ctx: dict[str, Any]
) -> list[Step]:
    assert st.paid is not None and st.paid_before_caps is not None and st.deductible_taken is not None
    steps = []
    if benefit.fixed is not None:
        source, assumed = cite(ed, benefit.fixed)
        _, path = benefit.fixed.lookup_path(*_keys_at(run, j))
        steps.append(
            Step(
                "fixed",
                {"amount": format_yuan(st.fixed[j]), "paid": format_yuan(st.paid_before_caps[j])},
                rule=f"{prefix}.fixed.{path}",
                source=source,
                assumed=assumed,
                **ctx,
            )
        )
    elif benefit.ratio is not None:
        source, assumed = cite(ed, benefit.ratio)
        net = int(st.base[j] - st.deductible_taken[j])
        before = (
            int(st.banded_before[j])
            if st.banded_before is not None and benefit.ratio.banded_on == "year"
            else 0
        )
        bands = []
        for b, start in enumerate(st.band_from[j].tolist()):
            if start >= (1 << 52):
                break
            upper = int(st.band_from[j][b + 1]) if b + 1 < st.band_from.shape[1] else 1 << 52
            part = max(0, min(before + net, upper) - max(before, start))
            if part > 0:
                bands.append(f"{format_yuan(part)}×{format_ratio(st.band_rate[j][b])}")
        values = {
            "net": format_yuan(net),
            "bands": " + ".join(bands) or "0",
            "paid": format_yuan(st.paid_before_caps[j]),
            "banded_on": benefit.ratio.banded_on,
        }
        if benefit.ratio.banded_on == "year":
            values["net_before"] = format_yuan(before)
        steps.append(Step("ratio", values, rule=f"{prefix}.ratio", source=source, assumed=assumed, **ctx))
    for cap, mask, used, paid_before in st.cap_steps:
        if not mask[j]:
            continue
        cap_def = ed.caps.get(cap)
        source, assumed = cite(ed, cap_def)
        amount = cap_def.lookup(*_keys_at(run, j)) if cap_def else None
        steps.append(
            Step(
                "cap",
                {
                    "cap": cap,
                    "name": cap_def.name if cap_def else cap,
                    "amount": format_yuan(amount or 0),
                    "per": cap_def.per if cap_def else "year",
                    "used_before": format_yuan(used[j]),
                    "before": format_yuan(paid_before[j]),
                    "after": format_yuan(_after_cap(st, cap, j)),
                },
                rule=f"{ed.ref}:caps.{cap}",
                source=source,
                assumed=assumed,
                **ctx,
            )
        )
    steps.append(
        Step(
            "payment",
            {"paid": format_yuan(st.paid[j]), "name": benefit.name, "name_en": benefit.name_en or st.name},
            rule=prefix,
            **ctx,
        )
    )
    return steps


def _after_cap(st: BenefitState, cap: str, j: int) -> int:
    names = [c for c, *_ in st.cap_steps]
    k = names.index(cap)
    if k + 1 < len(st.cap_steps):
        return int(st.cap_steps[k + 1][3][j])
    assert st.paid is not None
    return int(st.paid[j])


def _keys_at(run: PolicyRun, j: int) -> tuple[str, str, str]:
    return run.keys.category.at(j), run.keys.variant.at(j), run.keys.level.at(j)
