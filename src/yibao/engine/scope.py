"""Where a bill was incurred relative to home: scope, effective registration, settlement mode.

"就医地目录、参保地政策": the bill's split already follows the treatment place's catalogue;
everything decided here feeds the home scheme's rules (its `[[adjust]]` entries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yibao.engine.columns import BillBatch, Cat, IntArray
from yibao.engine.combos import unique_combos

PROVINCE_DIGITS = 2  # the first two digits of a region code name its province
SCOPES = ("local", "in_province", "cross_province")
REGISTRATIONS = ("none", "long_term", "referral", "emergency", "temporary", "waived")
MODES = ("direct", "manual")
MODE_REASONS = (
    "given",  # the bill says how it was settled
    "local_designated",  # 本地定点: settled at the counter
    "not_designated",  # 非定点医疗机构
    "not_networked",  # 未开通异地就医直接结算
    "not_registered",  # 未备案
    "registered_networked",  # 已备案且联网: 直接结算
)


def pooling_prefix(region: str) -> str:
    """The digits that identify a pooling region: 371500 -> 3715, 310000 -> 31."""
    prefix = region
    while prefix.endswith("00") and len(prefix) > PROVINCE_DIGITS:
        prefix = prefix[:-2]
    return prefix


def scope_of(home_region: str, treatment_region: str) -> str:
    """local, in_province or cross_province."""
    if treatment_region.startswith(pooling_prefix(home_region)):
        return "local"
    if treatment_region[:2] == home_region[:2]:
        return "in_province"
    return "cross_province"


@dataclass(frozen=True)
class Whereabouts:
    """Per-row scope, effective registration and settlement mode (codes into the tuples above)."""

    scope: IntArray
    registration: IntArray
    mode: IntArray
    mode_reason: IntArray

    def scope_cat(self) -> Cat:
        """Scope as a categorical column."""
        return Cat(self.scope.astype(np.int32), list(SCOPES))


def locate(batch: BillBatch, home_region: Cat, waives_in_province: Cat) -> Whereabouts:
    """Scope, registration (waived where not needed) and mode for every bill.

    `home_region` is each row's pooling region; `waives_in_province` is "1" for rows whose
    home province needs no in-province registration (省内无异地), else "0". All four follow
    from a few categorical columns, so they are decided once per distinct combination of
    those (`_decide`) and spread with one gather each.
    """
    flags = [Cat(column.astype(np.int32), ["0", "1"]) for column in (batch.designated, batch.networked)]
    columns = [home_region, batch.region, batch.registration, waives_in_province, *flags, batch.settlement]
    combos, inverse = unique_combos(columns)
    decided = np.array([_decide(*combo) for combo in combos], dtype=np.int64).reshape(-1, 4)
    scope, registration, mode, reason = (decided[:, i].take(inverse) for i in range(4))
    return Whereabouts(scope, registration, mode, reason)


def _decide(
    home: str, region: str, given: str, waived: str, designated: str, networked: str, settlement: str
) -> tuple[int, int, int, int]:
    """Scope, effective registration, mode and its reason for one combination of a bill's columns.

    Direct settlement needs a designated institution; away from home also a network and a
    registration. A mode the bill gives is taken as it is.
    """
    scope = scope_of(home, region)
    local = scope == "local"
    waives = local or (scope == "in_province" and waived == "1")
    registration = "waived" if waives else given
    if designated == "0":
        reason = "not_designated"
    elif not local and networked == "0":
        reason = "not_networked"
    elif not local and registration == "none":
        reason = "not_registered"
    else:
        reason = "local_designated" if local else "registered_networked"
    mode = "direct" if reason in ("local_designated", "registered_networked") else "manual"
    if settlement:
        mode, reason = settlement, "given"
    return (
        SCOPES.index(scope),
        REGISTRATIONS.index(registration),
        MODES.index(mode),
        MODE_REASONS.index(reason),
    )
