"""What the cross-region routes and commands take in and give back: registrations, institutions, claims.

Dates are ISO dates; amounts yuan strings; materials the policy files' names (`invoice`,
`referral_letter` …, see `yibao.policy.crossregion_models.Material`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from yibao.documents.settlement import Amount, Out, Settlement
from yibao.policy.crossregion_models import Material, RegistrationType
from yibao.policy.fields import Strict
from yibao.store.documents import RECORD_ID, BillBody, RecordedSettlement

REGION = r"^\d{6}$"
INSTITUTION_CODE = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"
Channel = Literal["online", "counter"]
RegistrationState = Literal["filed", "effective", "changed", "cancelled", "expired"]
ClaimState = Literal["incomplete", "submitted", "adjudicated", "approved", "rejected", "paid"]
Reason = str
MAX_REASON = 500
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2099, 12, 31)


def _in_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is outside {FIRST_DAY} to {LAST_DAY}; check the year")
    return day


Day = Annotated[dt.date, AfterValidator(_in_range)]
"""A day of a registration or claim step (1990 to 2099, so deadlines and terms can be computed)."""


class RegistrationIn(Strict):
    """File a registration (备案): its type, where treatment happens, when and how it was filed."""

    type: RegistrationType = Field(description="long_term, referral, emergency or temporary")
    treatment_region: str = Field(pattern=REGION, description="GB/T 2260 code (a city or a province)")
    filed_on: Day
    channel: Channel = Field(default="online", description="online (app) or counter (after review)")
    treatment_started_on: Day | None = Field(
        default=None, description="When treatment began, if before filing (emergencies filed afterwards)"
    )
    discharged_on: Day | None = Field(default=None, description="When treatment ended, if it has")


class DayIn(Strict):
    """The day a registration step takes effect (review done, cancellation)."""

    on: Day


class ChangeIn(Strict):
    """Change a registration to another treatment region, from a day on."""

    on: Day
    treatment_region: str = Field(pattern=REGION)
    channel: Channel = "online"


class RegistrationOut(Out):
    """A registration as recorded, with the rule that governs it."""

    id: str
    person_id: str
    scheme: str = Field(description="The edition whose rule allowed it (id@edition)")
    rule: str = Field(description="Rule id: SCHEME@EDITION:registrations.TYPE")
    type: RegistrationType
    name: str
    treatment_region: str
    filed_on: dt.date
    channel: Channel
    treatment_started_on: dt.date | None
    state: RegistrationState
    effective_from: dt.date | None
    effective_to: dt.date | None = Field(description="Last day covered; null: until cancelled or used")
    admissions_limit: int | None
    admissions_used: int
    replaces: str | None
    replaced_by: str | None
    ended_on: dt.date | None
    end_reason: str | None


class RegistrationCheck(Out):
    """Is the person registered for a treatment region on a day, and with which type?"""

    person_id: str
    region: str
    date: dt.date
    scope: Literal["local", "in_province", "cross_province"]
    needed: bool = Field(description="False at home and where the province needs no in-province registration")
    registered: bool
    type: RegistrationType | None
    registration: RegistrationOut | None
    explanation: str


class RegistrationApplied(Out):
    """The stored registration a settlement used, and whether the bill named it or the store found it."""

    id: str
    type: RegistrationType
    treatment_region: str
    matched: Literal["found", "confirmed"]
    explanation: str


class RecordedWithRegistration(RecordedSettlement):
    """A recorded settlement, with the stored registration it used (if any)."""

    registration: RegistrationApplied | None = None


class InstitutionIn(Strict):
    """Where a bill was incurred: a directory code, or region and level (and flags) written out."""

    code: str | None = Field(
        default=None, pattern=INSTITUTION_CODE, description="Code in the directory (GET /v1/institutions)"
    )
    name: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, pattern=REGION)
    level: str | None = Field(default=None, max_length=20)
    designated: bool | None = None
    networked: bool | None = None

    @model_validator(mode="after")
    def _code_or_place(self) -> InstitutionIn:
        if self.code is None and (self.region is None or self.level is None):
            raise ValueError("give 'code' (from the institutions directory) or both 'region' and 'level'")
        return self


class BillIn(BillBody):
    """A bill whose institution may be named by its directory code."""

    institution: InstitutionIn  # type: ignore[assignment]  # the code form; filled into Institution


class SettlementRequestIn(Strict):
    """Settle and record one bill for a registered person (the institution may be a directory code)."""

    person_id: str = Field(pattern=RECORD_ID, description="The id POST /v1/persons returned (per_…)")
    bill: BillIn


class InstitutionOut(Out):
    """A designated institution of the directory."""

    code: str
    name: str
    region: str
    level: str
    kind: Literal["hospital", "pharmacy"]
    networked: bool = Field(description="开通跨省异地就医直接结算")
    schemes: list[str] = Field(description="Schemes it is designated (定点) for")
    note: str | None = None


class RowProblem(Out):
    """One thing wrong with one row of an institutions file."""

    row: int = Field(description="Line number in the file (the header is line 1)")
    field: str
    value: str | None
    message: str


class ImportResult(Out):
    """What an import wrote and which rows it refused."""

    imported: int
    refused: int
    strict: bool
    errors: list[RowProblem]


class ClaimIn(Strict):
    """Submit a manual claim (手工报销) for a bill paid in full."""

    person_id: str = Field(pattern=RECORD_ID)
    bill: BillIn | None = Field(default=None, description="The bill, adjudicated (and recorded) later")
    settlement_id: str | None = Field(
        default=None, pattern=RECORD_ID, description="Or a settlement already recorded in manual mode"
    )
    discharged_on: Day = Field(description="出院日期 (or the visit's date)")
    submitted_on: Day | None = Field(default=None, description="Default: today")
    materials: list[Material] = Field(default_factory=list, max_length=20, description="Materials provided")

    @model_validator(mode="after")
    def _bill_or_settlement(self) -> ClaimIn:
        if (self.bill is None) == (self.settlement_id is None):
            raise ValueError("give either 'bill' or 'settlement_id', not both or neither")
        return self


class MaterialsIn(Strict):
    """Materials handed in later."""

    materials: list[Material] = Field(min_length=1, max_length=20)


class DecisionIn(Strict):
    """Approve (reasons optional) or reject (at least one reason)."""

    reasons: list[Reason] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _plain_text(self) -> DecisionIn:
        for reason in self.reasons:
            if not reason.strip() or len(reason) > MAX_REASON or not reason.isprintable():
                raise ValueError("each reason is one line of text (1-500 characters)")
        return self


class PaymentIn(Strict):
    """The reimbursement was paid."""

    paid_on: Day
    reference: str | None = Field(default=None, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")


class MaterialLine(Out):
    """One material of the case: required, and whether it was handed in."""

    material: Material
    name: str
    name_en: str
    provided: bool


class CaseEvent(Out):
    """One step taken on a registration or a claim."""

    at: dt.datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    detail: dict[str, object]


class ClaimOut(Out):
    """A manual claim: the case, its checklist and deadline, the adjudication and the decision."""

    id: str
    person_id: str
    state: ClaimState
    scheme: str
    bill_id: str
    bill_date: dt.date
    kind: str | None = Field(description="The bill's kind (null for a claim of a recorded settlement)")
    registration: str = Field(description="The registration the case is judged by")
    registration_id: str | None
    discharged_on: dt.date
    submitted_on: dt.date
    deadline: dt.date
    deadline_rule: str
    checklist: list[MaterialLine]
    missing: list[Material]
    settlement_id: str | None
    total: Amount | None
    reimbursed: Amount | None = Field(description="What the payers reimburse: total minus out of pocket")
    settlement: Settlement | None = None
    reasons: list[str]
    paid_on: dt.date | None
    payment_reference: str | None
    events: list[CaseEvent]
