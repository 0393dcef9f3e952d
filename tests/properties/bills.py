"""Hypothesis strategies for valid bills drawn from the built-in policy packs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.policy.models import BILL_KINDS, Policy

POLICIES = PolicySet.load()
SCHEMES = [p for p in POLICIES.all() if p.kind == "basic"]
REGISTRATIONS = ["none", "long_term", "referral", "emergency", "temporary"]
DRUG_LISTS = ["high_cost", "special_effect", "huhuibao_drugs", "proton_heavy_ion"]
FLAGS = ["occupational_disease", "refused_discharge", "third_party_paid"]
amounts = st.one_of(st.just(0), st.integers(1, 5_000_00), st.integers(1, 400_000_00))


def regions(home: str) -> list[str]:
    """A local, an in-province and a cross-province treatment region for a home region."""
    local = home[:4] + "02" if home[2:4] != "00" else home[:2] + "0102"
    other_province = "110101" if home[:2] != "11" else "310104"
    in_province = home[:2] + ("9901" if home[2:4] != "99" else "0101")
    return [local, in_province, other_province]


def products_for(scheme: Policy, day: date) -> list[str]:
    found = []
    for policy in POLICIES.all():
        if (
            policy.kind == "supplementary"
            and scheme.id in policy.covers
            and policy.valid_from <= day <= policy.valid_to
        ):
            found.append(policy.id)
    return sorted(set(found))


@st.composite
def scheme_and_day(draw: st.DrawFn) -> tuple[Policy, date]:
    scheme = draw(st.sampled_from(SCHEMES))
    span = min((scheme.valid_to - scheme.valid_from).days, 366)
    day = scheme.valid_from + timedelta(days=draw(st.integers(0, span)))
    return scheme, day


@st.composite
def person_for(draw: st.DrawFn, scheme: Policy, day: date) -> dict[str, Any]:
    products = draw(st.lists(st.sampled_from(products_for(scheme, day) or ["-"]), unique=True, max_size=2))
    person: dict[str, Any] = {
        "scheme": scheme.id,
        "category": draw(st.sampled_from(sorted(scheme.categories) or ["any"])),
        "products": [{"id": p, "pre_existing": draw(st.booleans())} for p in products if p != "-"],
    }
    if scheme.personal_account is not None and draw(st.booleans()):
        person["personal_account_balance"] = format_yuan(draw(st.integers(0, 5_000_00)))
    return person


@st.composite
def bill_on(draw: st.DrawFn, scheme: Policy, day: date, person: dict[str, Any]) -> dict[str, Any]:
    kinds = sorted({k for b in scheme.benefits.values() for k in b.kinds})
    kind = draw(st.one_of(st.sampled_from(kinds), st.sampled_from(BILL_KINDS)))
    split = {name: draw(amounts) for name in ("class_a", "class_b", "class_c", "over_limit")}
    drugs = draw(st.dictionaries(st.sampled_from(DRUG_LISTS), amounts, max_size=2))
    if sum(split.values()) + sum(drugs.values()) == 0:
        split["class_a"] = 100_00
    bill: dict[str, Any] = {
        "date": day.isoformat(),
        "kind": kind,
        "person": person,
        "institution": {
            "region": draw(st.sampled_from(regions(scheme.region))),
            "level": draw(st.sampled_from(sorted(scheme.levels))),
            "designated": draw(st.booleans()),
            "networked": draw(st.booleans()),
        },
        "registration": draw(st.sampled_from(REGISTRATIONS)),
        "split": {k: format_yuan(v) for k, v in split.items()}
        | {"special_drugs": {k: format_yuan(v) for k, v in drugs.items()}},
        "flags": draw(st.lists(st.sampled_from(FLAGS), unique=True, max_size=1)),
        "contribution_months": draw(st.integers(0, 24)),
    }
    if scheme.variants:
        bill["variant"] = draw(st.sampled_from(sorted(scheme.variants)))
    if draw(st.booleans()):
        bill["settlement"] = draw(st.sampled_from(["direct", "manual"]))
    return bill


@st.composite
def bills(draw: st.DrawFn) -> dict[str, Any]:
    scheme, day = draw(scheme_and_day())
    return draw(bill_on(scheme, day, draw(person_for(scheme, day))))


@st.composite
def books(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """A few people, each with bills in date order under one scheme edition."""
    book = []
    for who in range(draw(st.integers(1, 3))):
        scheme, first_day = draw(scheme_and_day())
        person = draw(person_for(scheme, first_day))
        day = first_day
        for _ in range(draw(st.integers(1, 6))):
            day = min(day + timedelta(days=draw(st.integers(0, 60))), scheme.valid_to)
            bill = draw(bill_on(scheme, day, person))
            bill["person"]["products"] = [p for p in person["products"] if _valid(p["id"], day)]
            book.append((f"person-{who}", bill))
    return book


def _valid(pid: str, day: date) -> bool:
    return any(p.valid_from <= day <= p.valid_to for p in POLICIES.editions[pid])
