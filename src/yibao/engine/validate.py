"""Row checks before settling: every problem of every bill, named by its field path.

A single bill with problems is refused as a whole (InputError); a book keeps its good
rows and reports the bad ones with their row number.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np

from yibao.engine.columns import BillBatch, Cat, IntArray, positions
from yibao.engine.combos import unique_combos
from yibao.engine.editions import date_span, edition_over, editions_by_date
from yibao.errors import Problem, YibaoError
from yibao.money import format_yuan
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy

RowProblems = dict[int, list[Problem]]


def validate(batch: BillBatch, policies: PolicySet, as_known_on: date | None) -> RowProblems:
    """Problems by row (rows without problems are absent)."""
    found: RowProblems = defaultdict(list)
    whole: dict[str, Policy] = {}  # schemes with one basic edition in force over all the batch's dates
    span = date_span(batch.date)
    for code, ref in enumerate(batch.scheme.values):
        edition = edition_over(policies, ref, span, as_known_on)
        if edition is not None and edition.kind == "basic":
            whole[ref] = edition
        else:
            rows = positions(batch.scheme.codes == code)
            _check_scheme(batch, policies, as_known_on, ref, rows, found)
    if whole:
        _check_schemes_at_once(batch, whole, found)
    scheme_ok = np.ones(len(batch), dtype=bool)
    scheme_ok[list(found)] = False  # a product cannot be checked against a scheme that is itself wrong
    for pid, holding in batch.products.items():
        _check_product(batch, policies, as_known_on, pid, positions(holding.held & scheme_ok), found)
    for row in positions(batch.total_fen() <= 0).tolist():
        found[row].append(Problem("bill.split", "the bill's amounts add up to 0; give what was charged"))
    given = batch.class_b_copay_given
    for row in positions(given > batch.components["class_b"]).tolist():
        found[row].append(
            Problem(
                "bill.split.class_b_copay",
                f"{format_yuan(given[row])} is more than class_b "
                f"{format_yuan(batch.components['class_b'][row])}; "
                "乙类先行自付 is a share of the 乙类 amount",
                format_yuan(given[row]),
            )
        )
    return dict(found)


def _check_schemes_at_once(batch: BillBatch, whole: dict[str, Policy], found: RowProblems) -> None:
    """Check the rows of schemes with one basic edition over the batch's dates at once, per combination.

    The other schemes (editions change within the batch, a date has none, the scheme is
    unknown or not basic) are checked row by row, where each problem is named.
    """
    has_months = Cat((batch.contribution_months >= 0).astype(np.int32), ["0", "1"])
    columns = [batch.scheme, batch.category, batch.level, batch.variant, batch.kind, has_months]
    combos, inverse = unique_combos(columns)
    for c, (ref, category, level, variant, kind, months) in enumerate(combos):
        if ref not in whole:
            continue
        problems = _combo_problems(whole[ref], category, level, variant, kind, months == "1")
        if problems:
            for row in positions(inverse == c).tolist():
                found[row].extend(problems)


def _check_scheme(
    batch: BillBatch,
    policies: PolicySet,
    as_known_on: date | None,
    ref: str,
    rows: IntArray,
    found: RowProblems,
) -> None:
    where = "bill.person.scheme"
    try:
        editions, index = editions_by_date(policies, ref, batch.date[rows], as_known_on)
        if editions and editions[0].kind != "basic":
            raise YibaoError(
                Problem(where, f"{ref} is a {editions[0].kind} policy; name the basic scheme here", ref)
            )
    except YibaoError as exc:
        for row in rows.tolist():
            found[row].extend(exc.problems)
        return
    _missing_edition(batch, policies, as_known_on, ref, rows[index < 0], where, found)
    good = index >= 0
    rows, index = rows[good], index[good]
    ed_cat = Cat(index.astype(np.int32), [str(i) for i in range(len(editions))])
    columns = [
        ed_cat,
        batch.category.take(rows),
        batch.level.take(rows),
        batch.variant.take(rows),
        batch.kind.take(rows),
        Cat((batch.contribution_months[rows] >= 0).astype(np.int32), ["0", "1"]),
    ]
    combos, inverse = unique_combos(columns)
    for c, (e, category, level, variant, kind, has_months) in enumerate(combos):
        problems = _combo_problems(editions[int(e)], category, level, variant, kind, has_months == "1")
        if problems:
            for row in rows[inverse == c].tolist():
                found[row].extend(problems)


def _combo_problems(
    scheme: Policy, category: str, level: str, variant: str, kind: str, has_months: bool
) -> list[Problem]:
    problems = []
    if scheme.categories and category not in scheme.categories:
        problems.append(
            Problem(
                "bill.person.category",
                (f"unknown category {category!r} for {scheme.ref}; expected {_listing(scheme.categories)}"),
                category,
            )
        )
    if level not in scheme.levels:
        problems.append(
            Problem(
                "bill.institution.level",
                (f"unknown hospital level {level!r} for {scheme.ref}; expected {_listing(scheme.levels)}"),
                level,
            )
        )
    if variant and variant not in scheme.variants:
        expected = _listing(scheme.variants) if scheme.variants else "none (omit variant)"
        problems.append(
            Problem(
                "bill.variant", f"unknown variant {variant!r} for {scheme.ref}; expected {expected}", variant
            )
        )
    for benefit in scheme.benefits.values():
        fixed = benefit.fixed
        if kind not in benefit.kinds or fixed is None:
            continue
        if not variant and fixed.dimension_keys()["variants"]:
            problems.append(
                Problem(
                    "bill.variant",
                    (f"required for {kind} bills under {scheme.ref}; expected {_listing(scheme.variants)}"),
                )
            )
        if fixed.per_contribution_month is not None and not has_months:
            problems.append(
                Problem(
                    "bill.contribution_months",
                    (
                        f"required for {kind} bills under {scheme.ref}: the benefit is paid in full after "
                        f"{fixed.full_after_months} months of contribution, else per month"
                    ),
                )
            )
    return problems


def _check_product(
    batch: BillBatch,
    policies: PolicySet,
    as_known_on: date | None,
    pid: str,
    rows: IntArray,
    found: RowProblems,
) -> None:
    where = "bill.person.products"
    try:
        editions, index = editions_by_date(policies, pid, batch.date[rows], as_known_on)
        if editions and editions[0].kind != "supplementary":
            raise YibaoError(Problem(where, f"{pid} is a {editions[0].kind} policy, not a product", pid))
    except YibaoError as exc:
        for row in rows.tolist():
            found[row].extend(Problem(where, p.message, p.value) for p in exc.problems)
        return
    _missing_edition(batch, policies, as_known_on, pid, rows[index < 0], where, found)
    good = index >= 0
    rows, index = rows[good], index[good]
    ed_cat = Cat(index.astype(np.int32), [str(i) for i in range(len(editions))])
    combos, inverse = unique_combos([ed_cat, batch.scheme.take(rows)])
    for c, (e, scheme_ref) in enumerate(combos):
        product, scheme_id = editions[int(e)], scheme_ref.partition("@")[0]
        if scheme_id in product.covers:
            continue
        problem = Problem(
            where,
            f"{product.ref} covers people insured under {', '.join(product.covers)}, not {scheme_id}",
            pid,
        )
        for row in rows[inverse == c].tolist():
            found[row].append(problem)


def _missing_edition(
    batch: BillBatch,
    policies: PolicySet,
    as_known_on: date | None,
    ref: str,
    rows: IntArray,
    where: str,
    found: RowProblems,
) -> None:
    for row in rows.tolist():
        day = batch.date[row].astype(object)
        try:
            policies.in_force(ref, day, as_known_on, where)
        except YibaoError as exc:
            found[row].extend(Problem(where, p.message, p.value) for p in exc.problems)


def _listing(keys: dict[str, str]) -> str:
    names = list(keys)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
