"""The service's documents: what the store takes in and gives back (persons, coverage, accounts, settlements).

Amounts are yuan strings in and out, fen inside; national ID numbers go in whole and
come out masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from yibao.documents.bill import BillRegistration, Institution, Item, Split
from yibao.documents.settlement import Amount, Out, Settlement
from yibao.policy.fields import Strict, Yuan
from yibao.policy.models import BillKind, SettlementMode

ContributionStatus = Literal["paid", "unpaid"]
"""缴费状态: 正常缴费 (paid) or not (unpaid: no benefits that year)."""
POLICY_ID = r"^[a-z0-9][a-z0-9\-]*(\.[a-z0-9][a-z0-9_\-]*)*$"
RECORD_ID = r"^[a-z]{3}_[0-9a-f]{20}$"


class PersonIn(Strict):
    """A person to register: name, national ID number, home scheme (参保地) and category."""

    name: str = Field(
        min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="No control characters"
    )
    national_id: str = Field(
        min_length=1, max_length=40, description="公民身份号码, 18 characters with a valid check digit"
    )
    scheme: str = Field(
        pattern=POLICY_ID, max_length=120, description="Basic scheme id, e.g. cn-371500.employee"
    )
    category: str = Field(min_length=1, max_length=60, description="A category the scheme declares")


class ProductHeld(Strict):
    """A supplementary product held in a coverage year."""

    id: str = Field(pattern=POLICY_ID, max_length=120)
    pre_existing: bool = Field(default=False, description="既往症: treated as pre-existing by the product")


class CoverageIn(Strict):
    """One coverage year: contribution status, contribution base (employees) and products held."""

    contribution_status: ContributionStatus
    contribution_base: Yuan | None = Field(
        default=None, description="缴费基数 a month (employees), for account credits"
    )
    products: list[ProductHeld] = Field(default_factory=list, max_length=20)


class CoverageOut(Out):
    """A coverage year as recorded."""

    year: int
    contribution_status: ContributionStatus
    contribution_base: Amount | None
    products: list[ProductHeld]


class PersonOut(Out):
    """A registered person; the national ID is masked."""

    id: str
    name: str
    national_id: str = Field(description="Masked: first four and last four characters")
    scheme: str
    category: str
    created_at: dt.datetime
    coverage: list[CoverageOut]


class LookupIn(Strict):
    """Find a person by national ID (in the body, so the number never reaches an access log)."""

    national_id: str = Field(min_length=1, max_length=40)


class BillBody(Strict):
    """A bill to record for a registered person: a bill document without `person` and `year_to_date`.

    The person's scheme, category, products, contribution status, account balance and
    year-to-date accumulators come from the store.
    """

    id: str = Field(default="bill", max_length=100)
    date: dt.date
    kind: BillKind
    institution: Institution
    registration: BillRegistration = "none"
    settlement: SettlementMode | None = None
    split: Split | None = None
    items: list[Item] | None = Field(default=None, max_length=2000)
    variant: str | None = None
    contribution_months: int | None = Field(default=None, ge=0, le=1200)
    flags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _split_or_items(self) -> BillBody:
        if (self.split is None) == (self.items is None):
            raise ValueError("give the amounts either as 'split' or as 'items', not both or neither")
        if self.items is not None and not self.items:
            raise ValueError("'items' is empty; list at least one item")
        return self


class SettlementIn(Strict):
    """Settle and record one bill for a registered person."""

    person_id: str = Field(pattern=RECORD_ID, description="The id POST /v1/persons returned (per_…)")
    bill: BillBody


class AccountPayment(Out):
    """What one account paid of a settlement: the person's own account first, then linked ones (家庭共济)."""

    account: str = Field(description="The person id owning the account")
    own: bool
    amount: Amount


class RecordedSettlement(Out):
    """A settlement as recorded: its id, status, the account payments and the settlement document."""

    id: str
    person_id: str
    status: Literal["recorded", "reversed"]
    recorded_at: dt.datetime
    reversed_at: dt.datetime | None = None
    account_payments: list[AccountPayment]
    settlement: Settlement


class AccumulatorsOut(Out):
    """A person's accumulators for the periods starting in one year."""

    person_id: str
    year: int
    accumulators: dict[str, str | int] = Field(description="POLICY/KIND/NAME -> yuan or count")
    periods: dict[str, str] = Field(description="Policy id -> its period label")


class CreditIn(Strict):
    """Credit a month (个人账户划入) by the scheme's rule."""

    month: str = Field(pattern=r"^(199\d|20\d\d)-(0[1-9]|1[0-2])$", description="YYYY-MM, 1990-01 to 2099-12")


class LinkIn(Strict):
    """Let this account pay a relative's bills after the relative's own account (家庭共济)."""

    relative_id: str = Field(pattern=RECORD_ID, description="The relative's person id (per_…)")


class AccountEntryOut(Out):
    """One movement of an account."""

    id: int
    kind: Literal["credit", "payment", "refund"]
    amount: Amount
    month: str | None = None
    settlement_id: str | None = None
    for_person_id: str | None = None
    recorded_at: dt.datetime


class AccountOut(Out):
    """A personal account: balance, movements, and the family-sharing links in their order."""

    person_id: str
    balance: Amount
    entries: list[AccountEntryOut]
    pays_for: list[str] = Field(description="Relatives this account may pay for")
    paid_by: list[str] = Field(description="Accounts that pay this person's bills after their own, in order")
