"""What the estimator form offers, read from the installed packs (GET /web/form.json).

For every basic scheme (基本医保): its editions with validity, hospital levels, person
categories, bill kinds and variants, and the supplementary products (惠民保) that cover
it. The page picks the edition in force on the bill's date; the server still decides.
"""

from __future__ import annotations

from typing import Any

from yibao.policy.lookup import PolicySet
from yibao.policy.models import BILL_KINDS, Policy
from yibao.web.regions import regions_document
from yibao.web.typical import ASSUMED_WHY, SHARES_BP

SPECIAL_DRUG_PREFIX = "special_drug."


def _names(policy: Policy) -> dict[str, str]:
    return {"zh": policy.name, "en": policy.name_en or policy.name}


def _keyed(table: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "name": name} for key, name in table.items()]


def _kinds(policy: Policy) -> list[str]:
    used = {kind for benefit in policy.benefits.values() for kind in benefit.kinds}
    return [kind for kind in BILL_KINDS if kind in used]


def _edition(policy: Policy) -> dict[str, Any]:
    return {
        "ref": policy.ref,
        "edition": policy.edition,
        "name": _names(policy),
        "valid_from": policy.valid_from.isoformat(),
        "valid_to": policy.valid_to.isoformat(),
        "levels": _keyed(policy.levels),
        "categories": _keyed(policy.categories),
        "variants": _keyed(policy.variants),
        "kinds": _kinds(policy),
    }


def _product(editions: list[Policy]) -> dict[str, Any]:
    newest = editions[-1]
    return {
        "id": newest.id,
        "name": _names(newest),
        "region": newest.region,
        "covers": sorted({scheme for p in editions for scheme in p.covers}),
        "editions": [
            {"edition": p.edition, "valid_from": p.valid_from.isoformat(), "valid_to": p.valid_to.isoformat()}
            for p in editions
        ],
    }


def special_drug_lists(policies: PolicySet) -> list[dict[str, Any]]:
    """Special-drug lists (特药目录) some benefit pays from, named after the first such benefit."""
    found: dict[str, dict[str, Any]] = {}
    for policy in policies.all():
        for benefit in policy.benefits.values():
            for component in benefit.base:
                if component.startswith(SPECIAL_DRUG_PREFIX):
                    key = component.removeprefix(SPECIAL_DRUG_PREFIX)
                    names = {"zh": benefit.name, "en": benefit.name_en or benefit.name}
                    found.setdefault(key, {"key": key, "name": names})
    return [found[key] for key in sorted(found)]


def form_document(policies: PolicySet) -> dict[str, Any]:
    """Everything the form needs, as one JSON document."""
    basic = {pid: eds for pid, eds in policies.editions.items() if eds[0].kind == "basic"}
    products = {pid: eds for pid, eds in policies.editions.items() if eds[0].kind == "supplementary"}
    schemes = [
        {
            "id": pid,
            "region": eds[-1].region,
            "name": _names(eds[-1]),
            "editions": [_edition(p) for p in eds],
            "products": sorted(prod for prod, peds in products.items() if any(pid in p.covers for p in peds)),
            "critical": sorted(
                cid
                for cid, ceds in policies.editions.items()
                if ceds[0].kind == "critical" and any(pid in p.covers for p in ceds)
            ),
        }
        for pid, eds in sorted(basic.items())
    ]
    return {
        "schemes": schemes,
        "products": {pid: _product(eds) for pid, eds in sorted(products.items())},
        "special_drugs": special_drug_lists(policies),
        "regions": regions_document(),
        "typical_split": {"shares_bp": SHARES_BP, "assumed": ASSUMED_WHY},
    }
