"""Cross-region rules of a scheme as data: registration types (备案) and manual claims (手工报销).

They say who may file which registration, with which documents, how long it lasts, when it
takes effect, when it may be changed or filed after the fact, and, for bills not settled
directly, which materials a claim needs and by when.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from yibao.policy.fields import Strict
from yibao.policy.models import Sourced

RegistrationType = Literal["long_term", "referral", "emergency", "temporary"]
Material = Literal[
    "id_card",
    "insurance_card",
    "invoice",
    "itemised_bill",
    "discharge_summary_or_diagnosis",
    "referral_letter",
    "residence_proof",
    "bank_account",
    "emergency_proof",
    "application_form",
]
MATERIAL_NAMES: dict[str, tuple[str, str]] = {
    "id_card": ("身份证", "ID card"),
    "insurance_card": ("医保卡/社保卡或医保电子凭证", "insurance card or electronic insurance code"),
    "invoice": ("医疗费用发票（原件）", "original invoices"),
    "itemised_bill": ("费用清单", "itemised bill"),
    "discharge_summary_or_diagnosis": ("出院小结或诊断证明", "discharge summary or diagnosis certificate"),
    "referral_letter": ("转诊单/转院证明", "referral letter"),
    "residence_proof": (
        "居住证明（居住证、单位证明等）",
        "proof of residence (residence permit, employer letter)",
    ),
    "bank_account": ("本人银行账户", "your bank account"),
    "emergency_proof": ("急诊证明", "emergency certificate"),
    "application_form": ("报销申请表", "claim form"),
}


class Lasts(Strict):
    """How long a registration lasts: until cancelled, a number of months, or one admission."""

    until_cancelled: bool = False
    months: int | None = Field(default=None, ge=1)
    admissions: int | None = Field(default=None, ge=1)


class Effective(Strict):
    """When a registration takes effect, by channel."""

    online: Literal["immediately", "after_review"] = "immediately"
    counter: Literal["immediately", "after_review"] = "after_review"
    review_days: int | None = Field(default=None, ge=0, description="Working days a counter review takes")


class RegistrationRule(Sourced):
    """One registration type (备案类型) of a scheme."""

    name: str
    name_en: str | None = None
    who: list[str] = Field(description="Who may file, in words (异地安置退休人员 ...)")
    documents: list[Material] = Field(default_factory=list)
    lasts: Lasts
    effective: Effective = Field(default_factory=Effective)
    change_after_months: int | None = Field(default=None, ge=0, description="Earliest change after filing")
    file_after_treatment: Literal["no", "until_discharge", "with_claim"] = Field(
        default="no",
        description="Filed after treatment: before discharge (still settled directly) or with the claim",
    )


class DeadlineRule(Strict):
    """A different claim deadline for some bills (e.g. students' emergency admissions)."""

    categories: list[str] | None = None
    registration: list[RegistrationType | Literal["none"]] | None = None
    months: int = Field(ge=1)
    note: str | None = None


class Claims(Sourced):
    """手工报销: the materials a claim needs and the deadline after discharge."""

    materials: list[Material]
    when_referred: list[Material] = Field(default_factory=list)
    when_long_term: list[Material] = Field(default_factory=list)
    when_emergency: list[Material] = Field(default_factory=list)
    deadline_months: int = Field(ge=1, description="Months after discharge (or the visit) to claim")
    exceptions: list[DeadlineRule] = Field(default_factory=list)
    where: str | None = Field(default=None, description="Where to claim, in words (参保地医保经办机构 ...)")
