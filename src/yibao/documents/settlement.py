"""The settlement document: the public contract other tools read (amounts as yuan strings)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Amount = str


class Out(BaseModel):
    """Output models keep field order and forbid nothing (they are produced, not parsed)."""

    model_config = ConfigDict(frozen=True)


class PaymentLine(Out):
    """One payer's payment under one benefit or responsibility."""

    payer: Literal["basic", "critical", "supplementary", "personal_account"]
    policy: str = Field(description="The edition that paid, 'id@edition'")
    policy_id: str
    benefit: str
    name: str
    name_en: str | None = None
    amount: Amount


class SplitDoc(Out):
    """The bill by component after 乙类先行自付."""

    class_a: Amount
    class_b: Amount
    class_b_copay: Amount
    in_policy: Amount
    class_c: Amount
    over_limit: Amount
    special_drugs: dict[str, Amount] = Field(default_factory=dict)


class SettlementMode(Out):
    """Where the bill was incurred relative to home, and how it is settled."""

    scope: Literal["local", "in_province", "cross_province"]
    registration: Literal["none", "long_term", "referral", "emergency", "temporary", "waived"]
    mode: Literal["direct", "manual"]
    reason: str
    explanation: str


class GuidanceStep(Out):
    """One thing the person must do: before going, at discharge, or to claim back."""

    phase: Literal["before", "at_discharge", "claim"]
    text: str
    deadline: dt.date | None = None
    materials: list[str] = Field(default_factory=list)
    rule: str | None = None
    source: dict[str, str] | None = None
    assumed: str | None = None


class TraceStep(Out):
    """One operator's effect, with the rule and its source."""

    step: int
    op: str
    payer: str | None = None
    policy: str | None = None
    benefit: str | None = None
    rule: str | None = None
    values: dict[str, str]
    source: dict[str, str] | None = None
    assumed: str | None = None
    text: str


class Settlement(Out):
    """Who pays what for one bill, why, and the accumulators after it."""

    bill_id: str
    date: dt.date
    scheme: str = Field(description="The basic scheme edition applied, 'id@edition'")
    as_known_on: dt.date | None = None
    total: Amount
    payments: list[PaymentLine]
    out_of_pocket: Amount = Field(description="个人现金支付: what the person pays in cash")
    split: SplitDoc
    settlement: SettlementMode
    guidance: list[GuidanceStep] = Field(description="What to do first, at discharge and to claim, in order")
    accumulators: dict[str, str | int] = Field(
        description="Year-to-date accumulators after this bill; pass them as the next bill's year_to_date"
    )
    periods: dict[str, str] = Field(description="The accumulation period of each policy for this bill")
    assumptions: list[str] = Field(description="Rules used whose numbers are assumed, not sourced")
    trace: list[TraceStep]
    lang: Literal["zh", "en"] = "zh"
