"""A manual claim's case from the home scheme's `[claims]`: the materials it needs and its deadline. Pure.

The materials are the scheme's list plus those the registration adds (referral letter,
residence proof, emergency certificate); the deadline is `deadline_months` after
discharge, or the first matching exception's (e.g. students' emergencies: six months).
Both come from the same helpers as the settlement document's guidance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yibao.crossregion.guidance import Situation, add_months, claim_materials, deadline_months
from yibao.errors import Problem
from yibao.policy.crossregion_models import Claims
from yibao.policy.models import Policy

NO_MATCH = -1


@dataclass(frozen=True)
class ClaimCase:
    """What one claim needs: materials in order, the deadline, and the rule that set it."""

    required: list[str]
    months: int
    deadline: date
    rule: str


def claim_case(scheme: Policy, registration: str, category: str, discharged_on: date) -> ClaimCase | Problem:
    """The case for a bill discharged on a day, judged by a registration type (or none/waived)."""
    claims = scheme.claims
    if claims is None:
        return Problem(
            "person_id",
            f"the person's scheme {scheme.ref} gives no manual-claim rules ([claims] with materials and "
            "deadline); add them to its policy file before taking claims",
            scheme.ref,
        )
    where = Situation(
        kind="inpatient",
        day=discharged_on,
        category=category,
        registration=registration,
        scope="cross_province",
        effective_registration=registration,
        mode="manual",
        reason="given",
    )
    months = deadline_months(claims, where)
    return ClaimCase(
        required=claim_materials(claims, where),
        months=months,
        deadline=add_months(discharged_on, months),
        rule=f"{scheme.ref}:{_deadline_key(claims, where)}",
    )


def _deadline_key(claims: Claims, where: Situation) -> str:
    """Which key set the deadline: the first exception that matches, else `claims.deadline_months`."""
    for i, rule in enumerate(claims.exceptions):
        alone = claims.model_copy(update={"exceptions": [rule], "deadline_months": NO_MATCH})
        if deadline_months(alone, where) != NO_MATCH:  # the guidance's own matching decides
            return f"claims.exceptions[{i}]"
    return "claims.deadline_months"


def late(case: ClaimCase, discharged_on: date, submitted_on: date) -> Problem | None:
    """The refusal of a claim submitted after its deadline (the deadline day itself is in time)."""
    if submitted_on <= case.deadline:
        return None
    unit = "month" if case.months == 1 else "months"
    return Problem(
        "submitted_on",
        f"submitted on {submitted_on}, after the deadline {case.deadline}: a claim must reach the home "
        f"insurance office within {case.months} {unit} of discharge on {discharged_on} ({case.rule}); "
        "this claim can no longer be accepted",
        str(submitted_on),
    )
