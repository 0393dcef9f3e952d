"""Rows of several benefits that share one annual room (a pooled deductible or cap), in bill order.

Each benefit keeps its columns over its own rows; a pool gathers the (row, benefit) pairs it
sees into one sequence, ordered by bill then benefit (the order a loop over bills would
take from the room), and scatters the results back to each benefit's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from yibao.engine.benefit_state import BenefitState
from yibao.engine.columns import BoolArray, IntArray, positions


@dataclass
class Pooled:
    """A pool's sequence: `rows` (positions among the run's rows) in bill order, then benefit order."""

    parts: list[tuple[BenefitState, IntArray | slice]]  # each member and its positions (among its own rows)
    order: IntArray | None  # the concatenation of the parts put in sequence order (None: one part)
    rows: IntArray

    def gather(self, column: Callable[[BenefitState], IntArray]) -> IntArray:
        """One column of every member, in sequence order."""
        if self.order is None:
            st, at = self.parts[0]
            one: IntArray = column(st)[at] if isinstance(at, slice) else column(st).take(at)
            return one  # every row of the member (the usual case): the column itself, read only
        joined: IntArray = np.concatenate([column(st)[at] for st, at in self.parts]).take(self.order)
        return joined

    def scatter(self, *columns: IntArray) -> Iterator[tuple[BenefitState, IntArray | slice, list[IntArray]]]:
        """Each member, its positions and its share of each column (given in sequence order)."""
        if self.order is not None:
            unsorted = []
            for values in columns:
                back = np.empty_like(values)
                back[self.order] = values
                unsorted.append(back)
            columns = tuple(unsorted)
        offset = 0
        for st, at in self.parts:
            count = len(st.at) if isinstance(at, slice) else len(at)
            yield st, at, [values[offset : offset + count] for values in columns]
            offset += count


def pooled(
    states: list[BenefitState], members: list[int], pick: Callable[[BenefitState], BoolArray]
) -> Pooled | None:
    """The pairs of the members' rows where `pick` holds, in bill order (then benefit order)."""
    parts = [(states[w], positions(pick(states[w]))) for w in members]
    keep = [(w, part) for w, part in zip(members, parts, strict=True) if len(part[1])]
    if not keep:
        return None
    if len(keep) == 1:
        st, at = keep[0][1]
        if len(at) == len(st.at):  # every row of the one member: no gathers at all
            return Pooled([(st, slice(None))], None, st.at)
        return Pooled([(st, at)], None, st.at.take(at))
    k = len(states)
    key = np.concatenate([st.at.take(at) * k + w for w, (st, at) in keep])
    order = np.argsort(key, kind="stable")
    return Pooled([part for _, part in keep], order, key.take(order) // k)
