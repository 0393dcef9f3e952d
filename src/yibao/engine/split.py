"""Split a bill into the components payers take from (费用分割).

乙类先行自付 = 乙类 × the home scheme's share (unless the bill gives the hospital's figure);
政策范围内 = 甲类 + 乙类 − 乙类先行自付. The components always add up to the total.
"""

from __future__ import annotations

import numpy as np

from yibao.engine.columns import BillBatch, IntArray, positions
from yibao.engine.params import Keys
from yibao.engine.trace import Step, Trace, cite
from yibao.money import apply_ratio_columns, format_ratio, format_yuan
from yibao.policy.models import Policy


def split_components(
    sb: BillBatch, scheme_eds: list[Policy], scheme_index: IntArray, trace: Trace | None, keys: Keys
) -> dict[str, IntArray]:
    """The remaining amount of every component, before any payer."""
    n = len(sb)
    share_bp = np.zeros(n, np.int64)
    for e, ed in enumerate(scheme_eds):
        rows = positions(scheme_index == e)
        if ed.class_b_copay is None or len(rows) == 0:
            continue
        share_bp[rows] = np.maximum(keys.take(rows).table(ed.class_b_copay), 0)
    class_b = sb.components["class_b"]
    given = sb.class_b_copay_given
    copay = np.where(given >= 0, given, apply_ratio_columns(class_b, share_bp))
    remaining = {
        "in_policy": sb.components["class_a"] + class_b - copay,
        "class_b_copay": copay,
        "class_c": sb.components["class_c"].copy(),
        "over_limit": sb.components["over_limit"].copy(),
    }
    for name, column in sb.components.items():
        if name.startswith("special_drug."):
            remaining[name] = column.copy()
    if trace is not None:
        _trace_split(sb, scheme_eds, scheme_index, share_bp, remaining, given, trace)
    return remaining


def _trace_split(
    sb: BillBatch,
    scheme_eds: list[Policy],
    scheme_index: IntArray,
    share_bp: IntArray,
    remaining: dict[str, IntArray],
    given: IntArray,
    trace: Trace,
) -> None:
    total = sb.total_fen()
    for row in range(len(sb)):
        ed = scheme_eds[int(scheme_index[row])]
        source, assumed = cite(ed, ed.class_b_copay)
        values = {
            "total": format_yuan(total[row]),
            "class_a": format_yuan(sb.components["class_a"][row]),
            "class_b": format_yuan(sb.components["class_b"][row]),
            "class_b_copay_ratio": "given" if given[row] >= 0 else format_ratio(share_bp[row]),
            "class_b_copay": format_yuan(remaining["class_b_copay"][row]),
            "in_policy": format_yuan(remaining["in_policy"][row]),
            "class_c": format_yuan(remaining["class_c"][row]),
            "over_limit": format_yuan(remaining["over_limit"][row]),
        }
        specials = {k: v for k, v in remaining.items() if k.startswith("special_drug.") and v[row] > 0}
        for name, column in specials.items():
            values[name] = format_yuan(column[row])
        trace.add(
            row,
            Step(
                "split",
                values,
                payer="basic",
                policy=ed.ref,
                rule=f"{ed.ref}:class_b_copay",
                source=source,
                assumed=assumed,
            ),
        )
