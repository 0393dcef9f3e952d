"""The home scheme's registration rules (备案) applied to one filing, change or lookup. Pure.

Whether a registration is needed at all: never at home (the pooling region); inside the
home province only where the province's crossregion file does not say
`in_province_registration = false` (省内无异地); always outside the province. A filing is
checked against `[registrations.TYPE]` of the scheme edition in force on the filing day:
the type must exist, filing after treatment began needs `file_after_treatment`, and a
change needs `change_after_months` to have passed. How long it lasts follows `lasts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from yibao.crossregion.guidance import add_months
from yibao.engine.scope import pooling_prefix, scope_of
from yibao.errors import Problem
from yibao.policy.crossregion_models import RegistrationRule
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy

PRIORITY = ("long_term", "referral", "emergency", "temporary")
"""When several registrations cover one bill, the first type here is used (long-term pays as at home)."""


@dataclass(frozen=True)
class Need:
    """Where a treatment region lies from home, and whether a registration is needed there."""

    scope: str
    needed: bool
    explanation: str


def need_for(policies: PolicySet, scheme: Policy, region: str, day: date) -> Need:
    """Whether treatment in `region` on `day` needs a registration under `scheme`."""
    scope = scope_of(scheme.region, region)
    if scope == "local":
        return Need(
            scope,
            False,
            f"{region} is inside the home pooling region {scheme.region}: no registration is needed",
        )
    rules = policies.province_rules(scheme.province, day, None)
    if scope == "in_province" and rules is not None and rules.in_province_registration is False:
        return Need(
            scope,
            False,
            f"{region} is in the home province and {rules.ref} says in-province treatment needs no "
            "registration (省内无异地)",
        )
    return Need(
        scope, True, f"{region} is {scope.replace('_', '-')} from {scheme.region}: a registration is needed"
    )


def rule_id(scheme_ref: str, reg_type: str) -> str:
    """The id of a registration rule: SCHEME@EDITION:registrations.TYPE."""
    return f"{scheme_ref}:registrations.{reg_type}"


def rule_of(scheme: Policy, reg_type: str) -> RegistrationRule | Problem:
    """The scheme's rule for a type, or the problem naming the types it has."""
    rule = scheme.registrations.get(reg_type)
    if rule is not None:
        return rule
    known = ", ".join(scheme.registrations) or "none (its file has no [registrations])"
    return Problem(
        "type",
        f"{scheme.ref} defines no {reg_type!r} registration; it defines {known}",
        reg_type,
    )


@dataclass(frozen=True)
class Filing:
    """A registration as filed."""

    type: str
    region: str
    filed_on: date
    channel: str
    treatment_started_on: date | None = None
    discharged_on: date | None = None

    @property
    def retroactive_from(self) -> date | None:
        """The day treatment began, when that was before filing (the registration reaches back to it)."""
        started = self.treatment_started_on
        return started if started is not None and started < self.filed_on else None


def check_filing(
    scheme: Policy, need: Need, rule: RegistrationRule | Problem, filing: Filing
) -> list[Problem]:
    """Every reason the scheme refuses this filing (empty: allowed)."""
    problems = [rule] if isinstance(rule, Problem) else []
    if not need.needed:
        problems.append(Problem("treatment_region", need.explanation + "; do not file one", filing.region))
    started, discharged = filing.treatment_started_on, filing.discharged_on
    if started is not None and discharged is not None and discharged < started:
        problems.append(
            Problem(
                "discharged_on", f"is before treatment began on {started}; check both dates", str(discharged)
            )
        )
    if isinstance(rule, RegistrationRule) and filing.retroactive_from is not None:
        problems.extend(_after_treatment(scheme, rule, filing))
    return problems


def _after_treatment(scheme: Policy, rule: RegistrationRule, filing: Filing) -> list[Problem]:
    where = f"{rule_id(scheme.ref, filing.type)}.file_after_treatment = {rule.file_after_treatment!r}"
    if rule.file_after_treatment == "no":
        return [
            Problem(
                "treatment_started_on",
                f"treatment began on {filing.treatment_started_on}, before filing on {filing.filed_on}; "
                f"a {filing.type} registration must be filed before treatment ({where}); the bill is "
                "settled as unregistered",
                str(filing.treatment_started_on),
            )
        ]
    discharged = filing.discharged_on
    if (
        rule.file_after_treatment == "until_discharge"
        and discharged is not None
        and filing.filed_on > discharged
    ):
        return [
            Problem(
                "filed_on",
                f"filed after discharge on {discharged}; {where} allows filing after "
                "treatment began only until discharge",
                str(filing.filed_on),
            )
        ]
    return []


@dataclass(frozen=True)
class Opening:
    """The state and dates a registration starts with (or gets when its review is done)."""

    state: str
    effective_from: date | None
    effective_to: date | None
    admissions_limit: int | None


def opening(rule: RegistrationRule, filing: Filing, reviewed_on: date | None = None) -> Opening:
    """Effective at once (online, or a counter without review) or filed until `reviewed_on`."""
    limit = rule.lasts.admissions
    at_once = getattr(rule.effective, filing.channel) == "immediately"
    if not at_once and reviewed_on is None:
        return Opening("filed", None, None, limit)
    start = filing.retroactive_from or (filing.filed_on if at_once else reviewed_on)
    assert start is not None
    return Opening("effective", start, last_day(rule, start), limit)


def last_day(rule: RegistrationRule, start: date) -> date | None:
    """The last day covered by `lasts.months` from `start`; None when it lasts until cancelled or used."""
    if rule.lasts.months is None:
        return None
    return add_months(start, rule.lasts.months) - timedelta(days=1)


def earliest_change(rule: RegistrationRule, effective_from: date) -> date | None:
    """The first day a change is allowed (`change_after_months` after it took effect)."""
    if not rule.change_after_months:
        return None
    return add_months(effective_from, rule.change_after_months)


def covers(registered_region: str, treatment_region: str) -> bool:
    """A registration for a city covers its districts; one for a province covers the province."""
    return treatment_region.startswith(pooling_prefix(registered_region))
