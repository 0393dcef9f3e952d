"""The policy browser's view of the installed packs: editions grouped by kind, one edition in full.

Built on `yibao.policy.describe`, the same functions behind GET /v1/policies, so the page
and the API show the same parameters, sources and assumed numbers.
"""

from __future__ import annotations

from typing import Any

from yibao.policy.describe import full_description, listing_row
from yibao.policy.lookup import PolicySet
from yibao.web.i18n import Lang

KIND_ORDER = ("basic", "critical", "supplementary", "crossregion")
IDENTITY_KEYS = frozenset(
    {"id", "name", "name_en", "kind", "region", "edition", "valid_from", "valid_to", "published_on"}
    | {"supersedes", "summary", "sources"}
)


def title_of(row: dict[str, Any], name_en: str | None, lang: Lang) -> str:
    """The edition's name in the page language (English only where the file gives one)."""
    return name_en if lang == "en" and name_en else str(row["name"])


def policy_groups(policies: PolicySet, lang: Lang) -> list[tuple[str, list[dict[str, Any]]]]:
    """(kind, rows) in a fixed kind order; each row is a listing row plus its display title."""
    groups: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KIND_ORDER}
    for policy in policies.all():
        row: dict[str, Any] = dict(listing_row(policy))
        row["name_en"] = policy.name_en or ""
        row["title"] = title_of(row, policy.name_en, lang)
        groups.setdefault(policy.kind, []).append(row)
    return [(kind, rows) for kind, rows in groups.items() if rows]


def policy_page(policies: PolicySet, ref: str, lang: Lang) -> dict[str, Any]:
    """Everything the edition page shows: title, description, parameters and sources apart."""
    doc = full_description(policies, ref)
    raw: dict[str, Any] = doc["policy"]
    return {
        "doc": doc,
        "title": title_of(raw, raw.get("name_en"), lang),
        "parameters": {k: v for k, v in raw.items() if k not in IDENTITY_KEYS},
        "sources": raw.get("sources", {}),
    }
