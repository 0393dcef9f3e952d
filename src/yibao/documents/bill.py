"""The bill document: one medical bill, who it is for, where it was incurred and how it splits.

Amounts are yuan strings with at most two decimals. A bill gives either `split` (the
amounts by class, as on a settlement slip) or `items` (an itemised bill, 费用清单); both
become the same components: 甲类, 乙类, 丙类, 超限价 and special-drug lists.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from yibao.errors import InputError, Problem
from yibao.money import format_yuan
from yibao.policy.fields import Strict, Yuan
from yibao.policy.models import BillKind, SettlementMode
from yibao.validation import problems_from

BillRegistration = Literal["none", "long_term", "referral", "emergency", "temporary"]


class Split(Strict):
    """The bill by class (费用分类). 丙类 and over-limit amounts are self-pay (自费)."""

    class_a: Yuan = Field(default=0, description="甲类: fully inside the catalogue")
    class_b: Yuan = Field(default=0, description="乙类: inside, after 乙类先行自付")
    class_c: Yuan = Field(default=0, description="丙类/自费: outside the catalogue")
    over_limit: Yuan = Field(default=0, description="超限价: above price limits, self-pay")
    special_drugs: dict[str, Yuan] = Field(
        default_factory=dict, description="特药: amounts by special-drug list (e.g. high_cost)"
    )
    class_b_copay: Yuan | None = Field(
        default=None, description="乙类先行自付 as computed by the hospital; else the scheme's share"
    )


class Item(Strict):
    """One line of an itemised bill."""

    name: str
    amount: Yuan
    category: Literal["class_a", "class_b", "class_c"]
    over_limit: Yuan = Field(default=0, description="Part of the amount above the price limit")
    special_drug: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")

    @model_validator(mode="after")
    def _over_limit_within(self) -> Item:
        if self.over_limit > self.amount:
            raise ValueError(
                f"over_limit {format_yuan(self.over_limit)} is more than the amount "
                f"{format_yuan(self.amount)}; it is the part of the amount above the price limit"
            )
        return self


class Holding(Strict):
    """A supplementary product the person holds for the bill's period."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9\-]*(\.[a-z0-9][a-z0-9_\-]*)*(@[A-Za-z0-9.\-_]+)?$",
        description="Product id, e.g. cn-371500.liaohuibao ('@edition' pins one)",
    )
    pre_existing: bool = Field(default=False, description="The bill treats a pre-existing condition (既往症)")


class Person(Strict):
    """Who is treated: home scheme (参保地), category, products, account."""

    scheme: str = Field(description="Basic scheme id, e.g. cn-371500.resident; '@edition' pins one")
    category: str = Field(description="A category the scheme declares (active, retired, adult ...)")
    products: list[Holding] = Field(default_factory=list)
    contribution_paid: bool = Field(default=True, description="正常缴费 for the bill's year")
    personal_account_balance: Yuan | None = Field(default=None, description="个人账户余额")


class Institution(Strict):
    """Where the bill was incurred (就医地)."""

    name: str | None = None
    region: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of the treatment region")
    level: str = Field(description="A hospital level the home scheme declares (level_3 ...)")
    designated: bool = Field(default=True, description="医保定点")
    networked: bool = Field(default=True, description="开通异地就医直接结算")


class Bill(Strict):
    """One bill to settle."""

    id: str = "bill"
    date: date
    kind: BillKind
    person: Person
    institution: Institution
    registration: BillRegistration = Field(default="none", description="备案 for this treatment")
    settlement: SettlementMode | None = Field(
        default=None, description="direct or manual; derived from the institution when omitted"
    )
    split: Split | None = None
    items: list[Item] | None = None
    variant: str | None = Field(default=None, description="e.g. normal or difficult birth")
    contribution_months: int | None = Field(default=None, ge=0)
    flags: list[str] = Field(default_factory=list, description="e.g. occupational_disease, third_party_paid")
    year_to_date: dict[str, str | int] = Field(
        default_factory=dict, description="Accumulators before this bill, from a previous settlement"
    )

    @model_validator(mode="after")
    def _split_or_items(self) -> Bill:
        if (self.split is None) == (self.items is None):
            raise ValueError("give the amounts either as 'split' or as 'items', not both or neither")
        if self.items is not None and not self.items:
            raise ValueError("'items' is empty; list at least one item")
        return self

    def components(self) -> dict[str, int]:
        """The bill's amounts in fen by component: class_a, class_b, class_c, over_limit, special_drug.X."""
        if self.split is not None:
            parts = {
                "class_a": self.split.class_a,
                "class_b": self.split.class_b,
                "class_c": self.split.class_c,
                "over_limit": self.split.over_limit,
            }
            for name, fen in self.split.special_drugs.items():
                parts[f"special_drug.{name}"] = fen
            return parts
        parts = {"class_a": 0, "class_b": 0, "class_c": 0, "over_limit": 0}
        for item in self.items or []:
            if item.special_drug is not None:
                key = f"special_drug.{item.special_drug}"
                parts[key] = parts.get(key, 0) + item.amount
                continue
            parts[item.category] += item.amount - item.over_limit
            parts["over_limit"] += item.over_limit
        return parts


def parse_bill(raw: object, where: str = "bill") -> Bill:
    """Validate a bill document; every problem is an InputError naming its field path."""
    try:
        bill = Bill.model_validate(raw)
    except ValidationError as exc:
        raise InputError(problems_from(exc, raw, where)) from None
    return bill


def read_bill(path: Path) -> Bill:
    """Read a bill from a JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(Problem(str(path), "no such file; give the path of a bill JSON file")) from None
    except json.JSONDecodeError as exc:
        raise InputError(Problem(f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}")) from None
    return parse_bill(raw)
