"""Where a bill was incurred relative to home: scope, effective registration, settlement mode.

"就医地目录、参保地政策": the bill's split already follows the treatment place's catalogue;
everything decided here feeds the home scheme's rules (its `[[adjust]]` entries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yibao.engine.columns import BillBatch, Cat, IntArray
from yibao.engine.combos import codes_in, resolve

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
    home province needs no in-province registration (省内无异地), else "0".
    """
    scope = resolve([home_region, batch.region], lambda c: SCOPES.index(scope_of(c[0], c[1])))

    def effective(c: tuple[str, ...]) -> int:
        given, where, waived = c
        if SCOPES[int(where)] == "local" or (SCOPES[int(where)] == "in_province" and waived == "1"):
            return REGISTRATIONS.index("waived")
        return REGISTRATIONS.index(given)

    scope_cat = Cat(scope.astype(np.int32), [str(i) for i in range(len(SCOPES))])
    registration = resolve([batch.registration, scope_cat, waives_in_province], effective)
    mode, reason = _modes(batch, scope, registration)
    return Whereabouts(scope, registration, mode, reason)


def _modes(batch: BillBatch, scope: IntArray, registration: IntArray) -> tuple[IntArray, IntArray]:
    """Direct settlement needs a designated institution; away from home also a network and a registration."""
    local = scope == SCOPES.index("local")
    unregistered = registration == REGISTRATIONS.index("none")
    reason = np.full(len(scope), MODE_REASONS.index("registered_networked"), dtype=np.int64)
    reason[local] = MODE_REASONS.index("local_designated")
    reason[~local & unregistered] = MODE_REASONS.index("not_registered")
    reason[~local & ~batch.networked] = MODE_REASONS.index("not_networked")
    reason[~batch.designated] = MODE_REASONS.index("not_designated")
    derived_direct = codes_in(
        reason,
        [MODE_REASONS.index("local_designated"), MODE_REASONS.index("registered_networked")],
        len(MODE_REASONS),
    )
    mode = np.where(derived_direct, MODES.index("direct"), MODES.index("manual")).astype(np.int64)
    given = batch.settlement.codes >= 0
    if "" in batch.settlement.values:
        given &= batch.settlement.codes != batch.settlement.values.index("")
    given_mode = resolve([batch.settlement], lambda c: MODES.index(c[0]) if c[0] else 0)
    mode[given] = given_mode[given]
    reason[given] = MODE_REASONS.index("given")
    return mode, reason
