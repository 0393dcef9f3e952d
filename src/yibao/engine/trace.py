"""The trace: what each operator did to each bill, as data (the shell renders it in words).

Values are already formatted ("1234.50", "85%") so that the document a person reads and
the numbers the engine used come from the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yibao.memo import ByIdentity
from yibao.policy.models import Policy, Sourced

_CITED: ByIdentity[dict[str, str] | None] = ByIdentity()


@dataclass(frozen=True)
class Step:
    """One operator's effect on one bill."""

    op: str
    values: dict[str, str]
    payer: str | None = None
    policy: str | None = None
    benefit: str | None = None
    rule: str | None = None
    source: dict[str, str] | None = None
    assumed: str | None = None


@dataclass
class Trace:
    """Steps per row, in the order the operators ran."""

    steps: list[list[Step]] = field(default_factory=list)

    @classmethod
    def for_rows(cls, n: int) -> Trace:
        """An empty trace for n bills."""
        return cls([[] for _ in range(n)])

    def add(self, row: int, step: Step) -> None:
        """Record one step for one row."""
        self.steps[row].append(step)

    def reorder(self, order: list[int]) -> Trace:
        """The trace with rows permuted: new row i is old row order[i]."""
        return Trace([self.steps[i] for i in order])


def cite(policy: Policy, block: Sourced | None) -> tuple[dict[str, str] | None, str | None]:
    """The source dict and the assumption note of a parameter block.

    The dict is built once per edition and block and shared by every step citing it
    (read only), so the sentence rendered from it can be cached too (explain.py).
    """
    if block is None:
        return None, None
    if block.source is None:
        return None, block.assumed
    return _CITED.get((policy, block), None, lambda: _cited(policy, block)), block.assumed


def _cited(policy: Policy, block: Sourced) -> dict[str, str]:
    assert block.source is not None
    src = policy.sources[block.source]
    cited = {"key": block.source, "title": src.title}
    for name in ("url", "file", "section"):
        value = getattr(src, name)
        if value:
            cited[name] = value
    return cited
