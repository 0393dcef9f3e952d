"""Bills the service tests record, with their amounts worked out by hand beside them.

All for 聊城市职工医保 2025 (cn-371500.employee@2025, numbers assumed in the pack):
outpatient pooling: annual deductible 500 (active) / 300 (retired); 70/60/50 % by level
(active), 75/65/55 % (retired); annual limit 2,000 / 2,500. 乙类先行自付 10 %.
Inpatient: deductible 200/500/800 by level, halved from the 2nd admission; active
92/88/85 %. The personal account pays what is left of in_policy + class_b_copay.
"""

from __future__ import annotations

from typing import Any

LOCAL = {"region": "371502", "level": "level_2"}


def outpatient(day: str = "2025-03-02", level: str = "level_2", **split: str) -> dict[str, Any]:
    return {
        "id": f"op-{day}",
        "date": day,
        "kind": "outpatient",
        "institution": {"region": "371502", "level": level},
        "split": split or {"class_a": "800.00", "class_b": "200.00"},
    }


def inpatient(day: str = "2025-05-10", level: str = "level_3", class_a: str = "10000.00") -> dict[str, Any]:
    return {
        "id": f"ip-{day}",
        "date": day,
        "kind": "inpatient",
        "institution": {"region": "371502", "level": level},
        "split": {"class_a": class_a},
    }


FIRST_OUTPATIENT = {
    # class_b 200 → 先行自付 20; in_policy 800 + 180 = 980; deductible 500 → 480 × 60 % = 288.00.
    # left: in_policy 692 + class_b_copay 20 = 712; account balance 100 → pays 100.00.
    "basic": "288.00",
    "personal_account": "100.00",
    "out_of_pocket": "612.00",
    "accumulators": {
        "cn-371500.employee/account/used": "100.00",
        "cn-371500.employee/cap/outpatient_annual": "288.00",
        "cn-371500.employee/deductible/outpatient": "500.00",
    },
}


def amounts(recorded: dict[str, Any]) -> dict[str, str]:
    """Payments by payer (summed) and out-of-pocket of a recorded settlement."""
    doc = recorded["settlement"]
    found: dict[str, int] = {}
    for line in doc["payments"]:
        whole, _, cents = line["amount"].partition(".")
        found[line["payer"]] = found.get(line["payer"], 0) + int(whole) * 100 + int(cents)
    out = {payer: f"{fen // 100}.{fen % 100:02d}" for payer, fen in found.items()}
    out["out_of_pocket"] = doc["out_of_pocket"]
    return out
