"""The policy file format: one validated, dated, sourced edition of a scheme or product.

Kinds: `basic` (基本医保 of one pooling region), `critical` (大病保险 plan covering
basic schemes), `supplementary` (惠民保 or commercial product, by responsibility) and
`crossregion` (province-wide cross-region rules such as 省内无异地). Every parameter
block names a `source` (a key of `[sources]`) or says why it is `assumed`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from yibao.memo import ByIdentity
from yibao.money import apply_ratio
from yibao.policy.fields import Factor, MoneyTable, Points, Ratio, RatioTable, Strict, Yuan

PolicyKind = Literal["basic", "critical", "supplementary", "crossregion"]
BillKind = Literal["inpatient", "outpatient", "chronic", "maternity_prenatal", "maternity_delivery"]
"""住院, 门诊统筹, 门诊慢特病, 产前检查, 分娩."""
BILL_KINDS: tuple[str, ...] = BillKind.__args__  # type: ignore[attr-defined]

Scope = Literal["local", "in_province", "cross_province"]
"""本统筹区, 省内异地, 跨省异地."""
Registration = Literal["none", "long_term", "referral", "emergency", "temporary", "waived"]
"""备案: 未备案, 长期(异地安置/长期居住), 转诊, 急诊, 其他临时外出, 无需备案(省内无异地)."""
SettlementMode = Literal["direct", "manual"]
"""直接结算, 手工(零星)报销."""

COMPONENT_PATTERN = re.compile(r"^(in_policy|class_b_copay|class_c|over_limit|special_drug\.[a-z0-9_]+)$")
COMPONENT_HELP = "in_policy, class_b_copay, class_c, over_limit or special_drug.<list>"
_ID = r"^[a-z0-9][a-z0-9\-]*(\.[a-z0-9][a-z0-9_\-]*)*$"


class Source(Strict):
    """Where numbers come from: an official notice, a seed article, a product's terms."""

    title: str
    url: str | None = None
    file: str | None = None
    section: str | None = None
    published_by: str | None = None
    note: str | None = None


class Sourced(Strict):
    """A parameter block: it names its source, or says why it is assumed."""

    source: str | None = None
    assumed: str | None = Field(
        default=None, description="Why the numbers are assumed, when no public source was found"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _source_or_assumed(self) -> Sourced:
        if (self.source is None) == (self.assumed is None):
            raise ValueError(
                "give exactly one of 'source' (a key of [sources]) or 'assumed' (why it is assumed)"
            )
        return self


class Deductible(MoneyTable, Sourced):
    """起付线/免赔额: per bill (每次/每次住院) or cumulative per year (年度累计)."""

    per: Literal["bill", "admission", "year"]
    repeat: list[Factor] | None = Field(
        default=None,
        description="Factors by admission ordinal in the year (1st, 2nd, ...); the last repeats",
    )
    pool: str | None = Field(
        default=None, description="Benefits naming the same pool share one annual deductible"
    )


class Band(RatioTable):
    """One band (分段) of a banded ratio: applies from `from` up to the next band."""

    from_: Yuan = Field(alias="from")


_ONE_BAND: ByIdentity[list[Band]] = ByIdentity()


class RatioSpec(RatioTable, Sourced):
    """报销比例/赔付比例: one ratio table, or bands measured on the bill or on the year."""

    bands: list[Band] | None = None
    banded_on: Literal["bill", "year"] = "bill"

    def band_list(self) -> list[Band]:
        """The bands, turning the one-table shorthand into a single band from zero (made once; read only)."""
        if self.bands:
            return self.bands
        return _ONE_BAND.get((self,), None, self._one_band)

    def _one_band(self) -> list[Band]:
        return [
            Band.model_construct(
                from_=0,
                value=self.value,
                by_level=self.by_level,
                by_variant=self.by_variant,
                by_category=self.by_category,
            )
        ]


class Cap(MoneyTable, Sourced):
    """封顶线/年度限额/单次限额: the most that benefits naming it pay, per year or per bill."""

    name: str
    name_en: str | None = None
    per: Literal["bill", "year"] = "year"


class Fixed(MoneyTable, Sourced):
    """定额: a fixed amount (maternity), optionally pro rata to months of contribution."""

    per_contribution_month: Yuan | None = None
    full_after_months: int | None = Field(default=None, ge=1)


class Exclusions(Strict):
    """责任免除: bills this benefit never pays."""

    kinds: list[BillKind] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    pre_existing: bool = Field(default=False, description="既往症 excluded from this benefit")
    source: str | None = None


class Benefit(Strict):
    """One benefit of a scheme or one responsibility (保障责任) of a product."""

    name: str
    name_en: str | None = None
    kinds: list[BillKind]
    base: list[str] = Field(description=f"Components it pays from: {COMPONENT_HELP}")
    deductible: Deductible | None = None
    ratio: RatioSpec | None = None
    fixed: Fixed | None = None
    caps: list[str] = Field(default_factory=list)
    exclusions: Exclusions | None = None
    when: Condition | None = Field(
        default=None, description="Only bills matching this (e.g. scope = ['in_province']) get the benefit"
    )

    @field_validator("base")
    @classmethod
    def _components(cls, base: list[str]) -> list[str]:
        for name in base:
            if not COMPONENT_PATTERN.match(name):
                raise ValueError(f"unknown component {name!r}; expected {COMPONENT_HELP}")
        if not base:
            raise ValueError(f"name at least one component: {COMPONENT_HELP}")
        return base

    @model_validator(mode="after")
    def _one_payment_rule(self) -> Benefit:
        if (self.ratio is None) == (self.fixed is None):
            raise ValueError("give exactly one of [ratio] or [fixed]")
        if self.fixed is not None and self.deductible is not None:
            raise ValueError("a fixed-amount benefit takes no deductible")
        return self


class Condition(Strict):
    """When an adjustment applies; every named field must match (lists mean any of)."""

    scope: list[Scope] | None = None
    registration: list[Registration] | None = None
    settlement: list[SettlementMode] | None = None
    designated: bool | None = None
    networked: bool | None = None
    kinds: list[BillKind] | None = None
    levels: list[str] | None = None


class Adjust(Sourced):
    """A cross-region or settlement adjustment (异地就医待遇调整), applied where `when` matches."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    name_en: str | None = None
    when: Condition
    benefits: list[str] | None = Field(default=None, description="Only these benefits (default all)")
    covered: bool = True
    ratio_points: Points = 0
    ratio_factor: Ratio | None = None
    deductible_factor: Factor | None = None
    first_self_pay: Ratio | None = Field(default=None, description="先自付 share before the rules")


Benefit.model_rebuild()


class ClassBCopay(RatioTable, Sourced):
    """乙类先行自付: the share of 乙类 items the person pays before in-policy rules."""


class AccountCredit(Sourced):
    """个人账户划入: what the account is credited each month, by person category.

    A category earns either a share of its monthly contribution base (缴费基数), e.g.
    active employees 2 %, or a fixed amount a month, e.g. retirees 100 yuan; a category
    named in neither earns nothing.
    """

    base_ratio: dict[str, Ratio] = Field(
        default_factory=dict, description="Share of the monthly contribution base, by category"
    )
    fixed: dict[str, Yuan] = Field(default_factory=dict, description="Yuan a month, by category")

    def monthly_fen(self, category: str, contribution_base_fen: int | None) -> int | None:
        """The credit for one month in fen; None when the category needs a base that is missing."""
        if category in self.fixed:
            return self.fixed[category]
        if category in self.base_ratio:
            if contribution_base_fen is None:
                return None
            return apply_ratio(contribution_base_fen, self.base_ratio[category])
        return 0


class PersonalAccount(Sourced):
    """个人账户: which remaining components the account may pay, after every other payer."""

    covers: list[str]
    credit: AccountCredit | None = Field(
        default=None, description="个人账户划入: the monthly credit rule, when the file gives it"
    )

    @field_validator("covers")
    @classmethod
    def _components(cls, covers: list[str]) -> list[str]:
        return Benefit._components(covers)


class Requires(Strict):
    """Conditions a person must meet for any benefit (e.g. 正常缴费)."""

    contribution_paid: bool = True


class Policy(Strict):
    """One edition of a scheme, critical-illness plan, supplementary product or regional rule set."""

    id: str = Field(pattern=_ID)
    name: str
    name_en: str | None = None
    kind: PolicyKind
    region: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of the pooling region")
    edition: str = Field(pattern=r"^[A-Za-z0-9.\-_]+$")
    valid_from: date
    valid_to: date
    published_on: date
    supersedes: str | None = Field(default=None, description="'id@edition' this edition corrects")
    year_starts: str = Field(default="01-01", pattern=r"^\d{2}-\d{2}$")
    summary: str | None = None
    sources: dict[str, Source]
    levels: dict[str, str] = Field(default_factory=dict)
    categories: dict[str, str] = Field(default_factory=dict)
    variants: dict[str, str] = Field(default_factory=dict)
    covers: list[str] = Field(default_factory=list, description="Scheme ids a plan/product covers")
    requires: Requires = Field(default_factory=Requires)
    class_b_copay: ClassBCopay | None = None
    benefits: dict[str, Benefit] = Field(default_factory=dict)
    caps: dict[str, Cap] = Field(default_factory=dict)
    adjust: list[Adjust] = Field(default_factory=list)
    personal_account: PersonalAccount | None = None
    registrations: dict[str, RegistrationRule] = Field(
        default_factory=dict, description="备案 types: long_term, referral, emergency, temporary"
    )
    claims: Claims | None = Field(default=None, description="手工报销: materials and deadline")
    in_province_registration: bool | None = Field(
        default=None, description="crossregion only: False where the province needs none (省内无异地)"
    )

    @property
    def ref(self) -> str:
        """The edition reference 'id@edition' used in traces and documents."""
        return f"{self.id}@{self.edition}"

    @property
    def province(self) -> str:
        """The two-digit province code of the pooling region."""
        return self.region[:2]


from yibao.policy.crossregion_models import Claims, RegistrationRule  # noqa: E402  (they build on Sourced)

Policy.model_rebuild()
