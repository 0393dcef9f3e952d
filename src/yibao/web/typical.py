"""A typical split (费用分类) of a bill total, for people who know only the total.

The shares are ASSUMED, not sourced: no public statistic of how bills split into 甲类,
乙类 and 丙类 by kind was found, so these are round illustrative figures. The page says
so next to the choice and asks for the itemised split when the person has it. The page
does the same integer arithmetic in JavaScript (static/bill.js); a test pins both.
"""

from __future__ import annotations

from yibao.money import BP_ONE, Fen, apply_ratio

ASSUMED_WHY = (
    "illustrative shares; no public statistic of how bills split by class was found. "
    "Use the split by class from the itemised bill (费用清单) when you have it."
)

SHARES_BP: dict[str, dict[str, int]] = {
    "inpatient": {"class_a": 5500, "class_b": 3000, "class_c": 1500},
    "outpatient": {"class_a": 7000, "class_b": 2500, "class_c": 500},
    "chronic": {"class_a": 6000, "class_b": 3500, "class_c": 500},
    "maternity_prenatal": {"class_a": 8000, "class_b": 1500, "class_c": 500},
    "maternity_delivery": {"class_a": 7000, "class_b": 2000, "class_c": 1000},
}
"""Shares of the total in basis points by bill kind; 丙类 takes the rounding remainder."""

for _kind, _shares in SHARES_BP.items():
    assert sum(_shares.values()) == BP_ONE, _kind


def typical_split(total_fen: int, kind: str) -> dict[str, Fen]:
    """甲类 and 乙类 by their share (half up to the fen); 丙类 is the rest, so the parts add up."""
    shares = SHARES_BP[kind]
    class_a = apply_ratio(total_fen, shares["class_a"])
    class_b = apply_ratio(total_fen, shares["class_b"])
    return {"class_a": class_a, "class_b": class_b, "class_c": Fen(total_fen - class_a - class_b)}
