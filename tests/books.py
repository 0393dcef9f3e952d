"""Turn bill documents into rows of a columnar book (the batch format), for tests and benchmarks."""

from __future__ import annotations

from typing import Any

from yibao.batch.format import LIST_SEPARATOR


def bill_row(bill: dict[str, Any], person_id: str, bill_id: str | None = None) -> dict[str, Any]:
    """One book row (all values as text, the way a CSV holds them) for a bill document."""
    person, institution = bill["person"], bill["institution"]
    row: dict[str, Any] = {
        "bill_id": bill_id or bill.get("id", "bill"),
        "person_id": person_id,
        "date": str(bill["date"]),
        "kind": bill["kind"],
        "scheme": person["scheme"],
        "category": person["category"],
        "level": institution["level"],
        "region": institution["region"],
        "registration": bill.get("registration", "none"),
        "settlement": bill.get("settlement") or "",
        "designated": str(institution.get("designated", True)).lower(),
        "networked": str(institution.get("networked", True)).lower(),
        "contribution_paid": str(person.get("contribution_paid", True)).lower(),
        "contribution_months": ""
        if bill.get("contribution_months") is None
        else str(bill["contribution_months"]),
        "variant": bill.get("variant") or "",
        "products": LIST_SEPARATOR.join(p["id"] for p in person.get("products", [])),
        "pre_existing": LIST_SEPARATOR.join(
            p["id"] for p in person.get("products", []) if p.get("pre_existing")
        ),
        "flags": LIST_SEPARATOR.join(bill.get("flags", [])),
        "personal_account_balance": person.get("personal_account_balance") or "",
    }
    split = bill.get("split") or {}
    for name in ("class_a", "class_b", "class_c", "over_limit"):
        row[name] = split.get(name, "0")
    row["class_b_copay"] = split.get("class_b_copay") or ""
    for name, amount in (split.get("special_drugs") or {}).items():
        row[f"special_drug.{name}"] = amount
    return row
