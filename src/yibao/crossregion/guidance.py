"""What a person must do, in order: before going, at discharge, and to claim back (with deadlines).

Pure: built from the home scheme's `[registrations.*]` and `[claims]` rules and where and how
the bill was settled; the settlement document carries the result as `guidance`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from yibao.engine.trace import cite
from yibao.policy.crossregion_models import MATERIAL_NAMES, Claims, RegistrationRule
from yibao.policy.models import Policy

Phase = Literal["before", "at_discharge", "claim"]
_TYPE_NAMES = {
    "long_term": ("异地长期居住/安置备案", "long-term registration"),
    "referral": ("转诊备案", "referral registration"),
    "emergency": ("急诊备案", "emergency registration"),
    "temporary": ("临时外出就医备案", "temporary-trip registration"),
}


@dataclass(frozen=True)
class Situation:
    """Where and how a bill was (or will be) settled, as the engine decided."""

    kind: str
    day: date
    category: str
    registration: str
    scope: str
    effective_registration: str
    mode: str
    reason: str
    refused_by_rules: bool = False


@dataclass
class Step:
    """One thing to do, with its deadline and the materials it needs."""

    phase: Phase
    text: str
    deadline: date | None = None
    materials: list[str] = field(default_factory=list)
    rule: str | None = None
    source: dict[str, str] | None = None
    assumed: str | None = None


def guidance(scheme: Policy, where: Situation, lang: str) -> list[Step]:
    """The steps for one bill, in order, in Chinese or English."""
    zh = lang == "zh"
    steps: list[Step] = []
    if where.scope != "local":
        steps.extend(_before(scheme, where, zh))
    steps.append(_at_discharge(where, zh))
    if where.mode == "manual":
        steps.append(_claim(scheme, where, zh))
    return steps


def _before(scheme: Policy, where: Situation, zh: bool) -> list[Step]:
    if where.effective_registration == "waived":
        text = (
            "省内异地就医无需备案，按参保地待遇结算。"
            if zh
            else "No registration is needed inside the home province."
        )
        return [Step("before", text)]
    if where.effective_registration != "none":
        return [_registered(scheme, where, zh)]
    warning = []
    if where.refused_by_rules:
        warning = [
            Step(
                "before",
                "按参保地规定，本次未备案的异地就医基本医保不予支付（见计算过程）：请先备案。"
                if zh
                else "Without a registration the home scheme pays nothing for this bill (see the steps): "
                "register first.",
            )
        ]
    options = [_option(scheme, name, rule, zh) for name, rule in scheme.registrations.items()]
    if not options:
        text = (
            "出发前办理异地就医备案（本方案文件未载明备案类型，请咨询参保地医保经办机构）。"
            if zh
            else "File a cross-region registration before you go (this scheme's file names no types; "
            "ask the home office)."
        )
        return [*warning, Step("before", text)]
    head = (
        "出发前在“国家医保服务平台”App 等渠道办理异地就医备案，可选："
        if zh
        else "Before you go, file a cross-region registration (e.g. in the national insurance app); options:"
    )
    return [*warning, Step("before", head), *options]


def _option(scheme: Policy, name: str, rule: RegistrationRule, zh: bool) -> Step:
    source, assumed = cite(scheme, rule)
    title = rule.name if zh else (rule.name_en or _TYPE_NAMES.get(name, (name, name))[1])
    parts = [f"{title}：{'、'.join(rule.who)}" if zh else f"{title}: {', '.join(rule.who)}"]
    parts.append(_effect(rule, zh))
    parts.append(_duration(rule, zh))
    if rule.file_after_treatment == "until_discharge":
        parts.append(
            "可在出院结算前补办，仍可直接结算"
            if zh
            else "may be filed before discharge and still settle directly"
        )
    elif rule.file_after_treatment == "with_claim":
        parts.append(
            "可先就医，回参保地报销时补办" if zh else "may be filed afterwards, with the claim at home"
        )
    if rule.change_after_months:
        parts.append(
            f"满{rule.change_after_months}个月后方可变更"
            if zh
            else f"can be changed only after {rule.change_after_months} months"
        )
    text = ("；".join(parts) + "。") if zh else ("; ".join(parts) + ".")
    return Step(
        "before",
        text,
        materials=_names(rule.documents, zh),
        rule=f"{scheme.ref}:registrations.{name}",
        source=source,
        assumed=assumed,
    )


def _effect(rule: RegistrationRule, zh: bool) -> str:
    online = rule.effective.online == "immediately"
    days = rule.effective.review_days
    if zh:
        counter = f"窗口办理审核后生效（约{days}个工作日）" if days else "窗口办理审核后生效"
        return ("线上办理即时生效，" if online else "线上办理审核后生效，") + counter
    counter = (
        f"at a counter after review (about {days} working days)" if days else "at a counter after review"
    )
    return ("effective at once online, " if online else "effective online after review, ") + counter


def _duration(rule: RegistrationRule, zh: bool) -> str:
    lasts = rule.lasts
    if lasts.until_cancelled:
        return "长期有效，直至取消" if zh else "valid until cancelled"
    if lasts.months:
        return f"有效期{lasts.months}个月" if zh else f"valid for {lasts.months} months"
    return "当次住院有效" if zh else "valid for that admission"


def _registered(scheme: Policy, where: Situation, zh: bool) -> Step:
    rule = scheme.registrations.get(where.effective_registration)
    names = _TYPE_NAMES.get(where.effective_registration, (where.effective_registration,) * 2)
    if rule is None:
        text = f"您已办理{names[0]}。" if zh else f"You have a {names[1]}."
        return Step("before", text)
    source, assumed = cite(scheme, rule)
    text = (
        f"您已办理{rule.name}（{_duration(rule, zh)}）。"
        if zh
        else f"You have a {rule.name_en or names[1]} ({_duration(rule, zh)})."
    )
    return Step(
        "before",
        text,
        rule=f"{scheme.ref}:registrations.{where.effective_registration}",
        source=source,
        assumed=assumed,
    )


def _at_discharge(where: Situation, zh: bool) -> Step:
    if where.mode == "direct":
        text = (
            "就医时出示医保卡或医保电子凭证，出院时在医院直接结算，只需支付个人负担部分。"
            if zh
            else "Show your insurance card or code; the hospital settles at discharge "
            "and you pay only your share."
        )
        return Step("at_discharge", text)
    text = (
        "出院时先全额垫付，并保留全部票据和材料，回参保地申请手工报销。"
        if zh
        else "Pay the whole bill at discharge, keep every receipt and document, and claim back at home."
    )
    return Step("at_discharge", text)


def _claim(scheme: Policy, where: Situation, zh: bool) -> Step:
    claims = scheme.claims
    if claims is None:
        text = (
            "本方案文件未载明手工报销材料和时限，请咨询参保地医保经办机构。"
            if zh
            else "This scheme's file gives no claim materials or deadline; ask the home insurance office."
        )
        return Step("claim", text)
    materials = claim_materials(claims, where)
    months = deadline_months(claims, where)
    deadline = add_months(where.day, months)
    place = claims.where or ("参保地医保经办机构" if zh else "the home insurance office")
    text = (
        f"在{deadline.isoformat()}前（出院后{months}个月内）向{place}申请报销，需提交{len(materials)}项材料。"
        if zh
        else f"Claim at {place} by {deadline.isoformat()} ({months} months after discharge) "
        f"with {len(materials)} documents."
    )
    source, assumed = cite(scheme, claims)
    return Step("claim", text, deadline, _names(materials, zh), f"{scheme.ref}:claims", source, assumed)


def claim_materials(claims: Claims, where: Situation) -> list[str]:
    """The materials a claim needs: the scheme's list plus those its registration type adds."""
    materials = list(claims.materials)
    extra = {
        "referral": claims.when_referred,
        "long_term": claims.when_long_term,
        "emergency": claims.when_emergency,
    }.get(where.registration, [])
    return list(dict.fromkeys([*materials, *extra]))


def deadline_months(claims: Claims, where: Situation) -> int:
    """Months after discharge to claim: the first matching exception, else the scheme's deadline."""
    for rule in claims.exceptions:
        if rule.categories is not None and where.category not in rule.categories:
            continue
        if rule.registration is not None and where.registration not in rule.registration:
            continue
        return rule.months
    return claims.deadline_months


def _names(materials: Sequence[str], zh: bool) -> list[str]:
    return [MATERIAL_NAMES[m][0 if zh else 1] for m in materials]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
