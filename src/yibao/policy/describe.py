"""Describe policies for people and machines: the listing row and every parameter with its source."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy

PARAMETER_BLOCKS = ("deductible", "ratio", "fixed")


def listing_row(policy: Policy) -> dict[str, str]:
    """One line of `policies list`."""
    return {
        "id": policy.id,
        "edition": policy.edition,
        "ref": policy.ref,
        "name": policy.name,
        "region": policy.region,
        "kind": policy.kind,
        "valid_from": policy.valid_from.isoformat(),
        "valid_to": policy.valid_to.isoformat(),
        "published_on": policy.published_on.isoformat(),
        "supersedes": policy.supersedes or "",
        "source": "; ".join(s.title for s in policy.sources.values()),
        "assumed": str(len(assumed_parameters(policy))),
    }


def assumed_parameters(policy: Policy) -> list[tuple[str, str]]:
    """(key, why) of every parameter block whose numbers are assumed rather than sourced."""
    found = []
    for name, benefit in policy.benefits.items():
        for part in PARAMETER_BLOCKS:
            block = getattr(benefit, part)
            if block is not None and block.assumed:
                found.append((f"benefits.{name}.{part}", block.assumed))
    for name, cap in policy.caps.items():
        if cap.assumed:
            found.append((f"caps.{name}", cap.assumed))
    for rule in policy.adjust:
        if rule.assumed:
            found.append((f"adjust.{rule.id}", rule.assumed))
    account = policy.personal_account
    blocks = {
        "class_b_copay": policy.class_b_copay,
        "personal_account": account,
        "personal_account.credit": account.credit if account is not None else None,
    }
    found.extend((key, block.assumed) for key, block in blocks.items() if block is not None and block.assumed)
    return found


def full_description(policies: PolicySet, ref: str) -> dict[str, Any]:
    """Every parameter as the file writes it (yuan and ratios as strings), with its sources."""
    policy = policies.get(ref)
    path = policies.paths[policy.ref]
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {
        "ref": policy.ref,
        "path": str(path),
        "listing": listing_row(policy),
        "assumed": [{"key": k, "why": why} for k, why in assumed_parameters(policy)],
        "editions": [p.ref for p in policies.editions[policy.id]],
        "policy": _plain(raw),
    }


def _plain(value: Any) -> Any:
    """TOML values as JSON-friendly values (dates as ISO strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
