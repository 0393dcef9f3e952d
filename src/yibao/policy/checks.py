"""Checks across fields of one policy file, after the typed models accepted each field.

Each check returns problems as (key path, message) so `policies check` can print every
one of them at once as `file: key: message`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from yibao.policy.fields import MoneyTable, _TableBase
from yibao.policy.models import Condition, Policy, Sourced

Finding = tuple[str, str]
MONTHS = 12
SAFE_DAY = 28  # periods start on a day every month has
"""(dotted key, message)."""


def check_policy(policy: Policy) -> list[Finding]:
    """Every cross-field problem of one policy edition."""
    found: list[Finding] = []
    checks = (_dates, _kind_shape, _sources, _tables, _caps, _deductible_pools, _bands, _bases, _adjusts)
    for check in (*checks, _account_credit):
        found.extend(check(policy))
    return found


def _dates(policy: Policy) -> Iterator[Finding]:
    if policy.valid_to < policy.valid_from:
        yield "valid_to", f"{policy.valid_to} is before valid_from {policy.valid_from}"
    month, day = (int(x) for x in policy.year_starts.split("-"))
    if not (1 <= month <= MONTHS and 1 <= day <= SAFE_DAY):
        yield "year_starts", f"{policy.year_starts!r} is not a month-day from 01-01 to 12-28"
    if policy.supersedes is not None:
        sid, _, edition = policy.supersedes.partition("@")
        if sid != policy.id or not edition or edition == policy.edition:
            yield (
                "supersedes",
                (
                    f"{policy.supersedes!r} must name another edition of this policy, "
                    f"as '{policy.id}@<edition>'"
                ),
            )


def _kind_shape(policy: Policy) -> Iterator[Finding]:
    if policy.kind == "crossregion":
        if policy.in_province_registration is None:
            yield "in_province_registration", "a crossregion file must say true or false"
        if policy.benefits:
            yield "benefits", "a crossregion file holds rules for a province, not benefits"
        return
    if policy.in_province_registration is not None:
        yield "in_province_registration", "only a crossregion file may set this"
    if not policy.benefits:
        yield "benefits", "define at least one benefit"
    if policy.kind == "basic" and not policy.levels:
        yield "levels", "a basic scheme must declare its hospital levels, e.g. level_1 = '一级医院'"
    if policy.kind in ("critical", "supplementary") and not policy.covers:
        yield "covers", "name the basic scheme ids this plan or product covers"
    yield from _basic_only(policy)


def _basic_only(policy: Policy) -> Iterator[Finding]:
    if policy.kind == "basic":
        for name in policy.registrations:
            if name not in ("long_term", "referral", "emergency", "temporary"):
                yield f"registrations.{name}", "expected long_term, referral, emergency or temporary"
        return
    if policy.registrations or policy.claims is not None:
        yield "registrations", "registrations and claims belong to the basic scheme"
    if policy.personal_account is not None:
        yield "personal_account", "only a basic scheme has a personal account"
    if policy.class_b_copay is not None:
        yield "class_b_copay", "乙类先行自付 belongs to the basic scheme"


def _sourced_blocks(policy: Policy) -> Iterator[tuple[str, Sourced]]:
    if policy.class_b_copay is not None:
        yield "class_b_copay", policy.class_b_copay
    if policy.personal_account is not None:
        yield "personal_account", policy.personal_account
        if policy.personal_account.credit is not None:
            yield "personal_account.credit", policy.personal_account.credit
    for name, benefit in policy.benefits.items():
        for part in ("deductible", "ratio", "fixed"):
            block = getattr(benefit, part)
            if block is not None:
                yield f"benefits.{name}.{part}", block
    for name, cap in policy.caps.items():
        yield f"caps.{name}", cap
    for i, rule in enumerate(policy.adjust):
        yield f"adjust[{i}]", rule
    yield from _crossregion_blocks(policy)


def _crossregion_blocks(policy: Policy) -> Iterator[tuple[str, Sourced]]:
    for name, registration in policy.registrations.items():
        yield f"registrations.{name}", registration
    if policy.claims is not None:
        yield "claims", policy.claims


def _sources(policy: Policy) -> Iterator[Finding]:
    known = ", ".join(sorted(policy.sources)) or "none defined"
    for key, block in _sourced_blocks(policy):
        if block.source is not None and block.source not in policy.sources:
            yield f"{key}.source", f"unknown source {block.source!r}; [sources] has {known}"
    for name, benefit in policy.benefits.items():
        ex = benefit.exclusions
        if ex is not None and ex.source is not None and ex.source not in policy.sources:
            yield f"benefits.{name}.exclusions.source", f"unknown source {ex.source!r}; [sources] has {known}"


def _tables(policy: Policy) -> Iterator[tuple[str, str]]:
    """Every table names only declared keys and has a number for every combination."""
    for key, table in _all_tables(policy):
        yield from _table_keys(policy, key, table)
        if table.is_empty():
            yield key, "give a number: 'value', or one per level with 'by_level'"
            continue
        dims = (policy.categories or {"": ""}, policy.variants or {"": ""}, policy.levels or {"": ""})
        for cat, var, lvl in itertools.product(*dims):
            if table.lookup(cat, var, lvl) is None:
                where = ", ".join(
                    f"{d} {v!r}"
                    for d, v in zip(("category", "variant", "level"), (cat, var, lvl), strict=True)
                    if v
                )
                yield key, f"has no number for {where}; add it or a 'value' fallback"
                break


def _all_tables(policy: Policy) -> Iterator[tuple[str, _TableBase]]:
    if policy.class_b_copay is not None:
        yield "class_b_copay", policy.class_b_copay
    for name, cap in policy.caps.items():
        yield f"caps.{name}", cap
    for name, benefit in policy.benefits.items():
        prefix = f"benefits.{name}"
        if benefit.deductible is not None:
            yield f"{prefix}.deductible", benefit.deductible
        if benefit.fixed is not None:
            yield f"{prefix}.fixed", benefit.fixed
        if benefit.ratio is not None:
            for i, band in enumerate(benefit.ratio.band_list()):
                yield (f"{prefix}.ratio.bands[{i}]" if benefit.ratio.bands else f"{prefix}.ratio"), band


def _table_keys(policy: Policy, key: str, table: _TableBase) -> Iterator[Finding]:
    declared = {"levels": policy.levels, "categories": policy.categories, "variants": policy.variants}
    for dim, keys in table.dimension_keys().items():
        for unknown in sorted(keys - set(declared[dim])):
            expected = ", ".join(declared[dim]) or f"none (declare [{dim}] first)"
            singular = dim.rstrip("s").replace("categorie", "category")
            yield key, f"unknown {singular} {unknown!r}; expected {expected}"


def _caps(policy: Policy) -> Iterator[Finding]:
    members: dict[str, set[str]] = {name: set() for name in policy.caps}
    for name, benefit in policy.benefits.items():
        for cap in benefit.caps:
            if cap not in policy.caps:
                known = ", ".join(policy.caps) or "none defined"
                yield f"benefits.{name}.caps", f"unknown cap {cap!r}; [caps] has {known}"
            else:
                members[cap].add(name)
    for name, benefit in policy.benefits.items():
        sets = sorted((members[c] for c in benefit.caps if c in members), key=len)
        for small, large in itertools.pairwise(sets):
            if not small <= large:
                yield (
                    f"benefits.{name}.caps",
                    (
                        "caps must nest: each cap's benefits must all share every larger cap it "
                        "meets; split the caps or name them on the same benefits"
                    ),
                )
                break
    for name, cap_def in policy.caps.items():
        if cap_def.per == "year" and cap_def.by_level:
            yield f"caps.{name}.by_level", "an annual cap cannot depend on the hospital level"


def _deductible_pools(policy: Policy) -> Iterator[Finding]:
    pools: dict[str, tuple[str, MoneyTable]] = {}
    for name, benefit in policy.benefits.items():
        ded = benefit.deductible
        if ded is None:
            continue
        key = f"benefits.{name}.deductible"
        if ded.per == "year" and ded.by_level:
            yield f"{key}.by_level", "an annual deductible cannot depend on the hospital level"
        if ded.repeat is not None and ded.per != "admission":
            yield f"{key}.repeat", "repeat factors need per = 'admission'"
        if ded.pool is not None:
            if ded.per != "year":
                yield f"{key}.pool", "only an annual deductible (per = 'year') can be pooled"
            table = MoneyTable.model_construct(value=ded.value, by_category=ded.by_category)
            if ded.pool in pools and pools[ded.pool][1] != table:
                yield f"{key}", f"pool {ded.pool!r} has another amount in benefits.{pools[ded.pool][0]}"
            pools.setdefault(ded.pool, (name, table))


def _bands(policy: Policy) -> Iterator[Finding]:
    for name, benefit in policy.benefits.items():
        if benefit.ratio is None or not benefit.ratio.bands:
            continue
        starts = [band.from_ for band in benefit.ratio.bands]
        if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)):
            yield f"benefits.{name}.ratio.bands", "bands must start 'from' 0 and rise strictly"


def _bases(policy: Policy) -> Iterator[Finding]:
    items = list(policy.benefits.items())
    for (a, ben_a), (b, ben_b) in itertools.combinations(items, 2):
        if _exclusive(ben_a.when, ben_b.when):
            continue
        if set(ben_a.kinds) & set(ben_b.kinds) and set(ben_a.base) & set(ben_b.base):
            shared = ", ".join(sorted(set(ben_a.base) & set(ben_b.base)))
            yield (
                f"benefits.{b}.base",
                (
                    f"shares {shared} with benefits.{a} for the same bill kinds; "
                    "two benefits of one file may not pay the same component"
                ),
            )


def _exclusive(a: Condition | None, b: Condition | None) -> bool:
    """True when no bill can match both conditions: some field lists values that do not meet."""
    if a is None or b is None:
        return False
    for name in ("scope", "registration", "settlement", "kinds", "levels"):
        left, right = getattr(a, name), getattr(b, name)
        if left is not None and right is not None and not set(left) & set(right):
            return True
    for name in ("designated", "networked"):
        left, right = getattr(a, name), getattr(b, name)
        if left is not None and right is not None and left != right:
            return True
    return False


def _adjusts(policy: Policy) -> Iterator[Finding]:
    for i, rule in enumerate(policy.adjust):
        for name in rule.benefits or []:
            if name not in policy.benefits:
                yield (
                    f"adjust[{i}].benefits",
                    f"unknown benefit {name!r}; expected {', '.join(policy.benefits)}",
                )
        yield from _levels_known(policy, f"adjust[{i}].when.levels", rule.when.levels)
    for name, benefit in policy.benefits.items():
        if benefit.when is not None:
            yield from _levels_known(policy, f"benefits.{name}.when.levels", benefit.when.levels)


def _levels_known(policy: Policy, key: str, levels: list[str] | None) -> Iterator[Finding]:
    for level in levels or []:
        if level not in policy.levels:
            yield key, f"unknown level {level!r}; expected {', '.join(policy.levels)}"


def _account_credit(policy: Policy) -> Iterator[Finding]:
    """Credit rules name declared categories, each at most once."""
    account = policy.personal_account
    if account is None or account.credit is None:
        return
    credit = account.credit
    expected = ", ".join(policy.categories) or "none (declare [categories] first)"
    for part in ("base_ratio", "fixed"):
        for category in sorted(set(getattr(credit, part)) - set(policy.categories)):
            yield f"personal_account.credit.{part}", f"unknown category {category!r}; expected {expected}"
    for category in sorted(set(credit.base_ratio) & set(credit.fixed)):
        yield (
            "personal_account.credit",
            f"category {category!r} is in both base_ratio and fixed; a category earns one or the other",
        )
    if not credit.base_ratio and not credit.fixed:
        yield "personal_account.credit", "give base_ratio or fixed for at least one category"
