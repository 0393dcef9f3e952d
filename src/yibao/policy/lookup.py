"""Find the edition of a policy in force on a date, as known on a date (corrections included).

For a bill's date, the candidates are the editions valid on that date and, with
`as_known_on`, published by then. An edition superseded by another candidate drops out;
of the rest the latest published wins.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from yibao.errors import InputError, NotFoundError, Problem, YibaoError
from yibao.policy.load import load_or_raise, policy_dirs
from yibao.policy.models import Policy

SPANS_CACHED = 1024
"""Most (policy, as-known-on) pairs whose edition spans a PolicySet keeps (as_known_on is any date)."""


@dataclass(frozen=True)
class EditionSpans:
    """When the edition of a policy in force changes, and which edition applies from each change.

    `cuts` are sorted dates; from `cuts[i]` (until the next cut) the edition in force is
    `used[segment[i]]`, none where `segment[i]` is -1 (and before the first cut).
    """

    cuts: tuple[date, ...]
    used: tuple[Policy, ...]
    segment: tuple[int, ...]


@dataclass
class PolicySet:
    """All loaded editions, indexed by policy id; not changed once loaded (its spans are cached)."""

    editions: dict[str, list[Policy]] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    _spans: dict[tuple[str, date | None], EditionSpans] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_policies(cls, loaded: Sequence[tuple[Path, Policy]]) -> PolicySet:
        """Index loaded editions by id, oldest first."""
        by_id: dict[str, list[Policy]] = defaultdict(list)
        paths = {}
        for path, policy in loaded:
            by_id[policy.id].append(policy)
            paths[policy.ref] = path
        for editions in by_id.values():
            editions.sort(key=lambda p: (p.valid_from, p.published_on))
        return cls(dict(by_id), paths)

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> PolicySet:
        """Built-in packs plus the user's folders; raises PolicyError listing every problem."""
        return cls.from_policies(load_or_raise(policy_dirs(extra_dirs)))

    def all(self) -> list[Policy]:
        """Every edition, sorted by id then validity."""
        return [p for pid in sorted(self.editions) for p in self.editions[pid]]

    def get(self, ref: str) -> Policy:
        """An edition by 'id@edition', or the newest edition by plain id."""
        pid, _, edition = ref.partition("@")
        editions = self._editions_of(pid, "policy")
        if not edition:
            return max(editions, key=lambda p: (p.valid_from, p.published_on))
        for policy in editions:
            if policy.edition == edition:
                return policy
        known = ", ".join(p.edition for p in editions)
        raise NotFoundError(Problem("policy", f"{pid} has no edition {edition!r}; editions: {known}", ref))

    def in_force(self, ref: str, on: date, as_known_on: date | None = None, where: str = "policy") -> Policy:
        """The edition of `ref` that applies to a bill dated `on`."""
        pid, _, pinned = ref.partition("@")
        if pinned:
            policy = self.get(ref)
            if not policy.valid_from <= on <= policy.valid_to:
                raise InputError(
                    Problem(
                        where,
                        f"{policy.ref} is valid {policy.valid_from} to {policy.valid_to}, "
                        f"not on {on}; drop '@{pinned}' to pick the edition in force",
                        ref,
                    )
                )
            return policy
        editions = self._editions_of(pid, where)
        valid = [p for p in editions if p.valid_from <= on <= p.valid_to]
        if not valid:
            spans = "; ".join(f"{p.edition}: {p.valid_from} to {p.valid_to}" for p in editions)
            raise InputError(
                Problem(where, f"no edition of {pid} is in force on {on}; editions: {spans}", ref)
            )
        known = [p for p in valid if as_known_on is None or p.published_on <= as_known_on]
        if not known:
            first = min(p.published_on for p in valid)
            raise InputError(
                Problem(
                    where,
                    f"no edition of {pid} for {on} was published by {as_known_on}; the first was "
                    f"published on {first}",
                    ref,
                )
            )
        superseded = {p.supersedes for p in known}
        current = [p for p in known if p.ref not in superseded]
        return max(current, key=lambda p: (p.published_on, p.valid_from))

    def edition_spans(self, pid: str, as_known_on: date | None) -> EditionSpans:
        """The editions of `pid` in force over time, as known on a date (found once, then cached).

        The engine asks this for every policy of every batch; `in_force` on each span's
        first day costs far more than the lookup.
        """
        key = (pid, as_known_on)
        found = self._spans.get(key)
        if found is None:
            found = self._find_spans(pid, as_known_on)
            if len(self._spans) >= SPANS_CACHED:
                self._spans.clear()
            self._spans[key] = found
        return found

    def _find_spans(self, pid: str, as_known_on: date | None) -> EditionSpans:
        editions = self.editions.get(pid, [])
        cuts = sorted({e.valid_from for e in editions} | {e.valid_to + timedelta(days=1) for e in editions})
        used: list[Policy] = []
        segment = []
        for start in cuts:
            try:
                policy = self.in_force(pid, start, as_known_on)
            except YibaoError:
                segment.append(-1)
                continue
            if policy not in used:
                used.append(policy)
            segment.append(used.index(policy))
        return EditionSpans(tuple(cuts), tuple(used), tuple(segment))

    def covering(self, kind: str, scheme_id: str, on: date, as_known_on: date | None) -> list[Policy]:
        """Plans of `kind` (critical) that cover a scheme on a date, one edition each."""
        ids = sorted(
            pid
            for pid, eds in self.editions.items()
            if any(p.kind == kind and scheme_id in p.covers for p in eds)
        )
        found = []
        for pid in ids:
            try:
                policy = self.in_force(pid, on, as_known_on)
            except InputError:
                continue
            if scheme_id in policy.covers:
                found.append(policy)
        return found

    def province_rules(self, province: str, on: date, as_known_on: date | None) -> Policy | None:
        """The crossregion rules of a province in force on a date, if any."""
        for pid, eds in sorted(self.editions.items()):
            if eds[0].kind == "crossregion" and eds[0].province == province:
                try:
                    return self.in_force(pid, on, as_known_on)
                except InputError:
                    return None
        return None

    def _editions_of(self, pid: str, where: str) -> list[Policy]:
        if pid in self.editions:
            return self.editions[pid]
        close = difflib.get_close_matches(pid, list(self.editions), n=3, cutoff=0.9)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `yibao policies list` shows them"
        raise NotFoundError(Problem(where, f"unknown policy {pid!r}{hint}", pid))
