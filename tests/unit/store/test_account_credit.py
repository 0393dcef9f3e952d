"""The personal-account credit rule as policy data: [personal_account.credit]."""

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from yibao.policy.checks import check_policy
from yibao.policy.describe import assumed_parameters
from yibao.policy.load import builtin_pack_dir
from yibao.policy.lookup import PolicySet
from yibao.policy.models import Policy

EMPLOYEE = builtin_pack_dir() / "basic" / "cn-371500-employee-2025.toml"


def test_active_employees_earn_a_share_of_the_base_and_retirees_a_fixed_amount(policies: PolicySet):
    account = policies.get("cn-371500.employee@2025").personal_account
    assert account is not None and account.credit is not None
    assert account.credit.monthly_fen("active", 518_200) == 10_364  # 5,182 × 2 % = 103.64 (seed 001)
    assert account.credit.monthly_fen("retired", None) == 10_000
    assert account.credit.monthly_fen("active", None) is None
    assert account.credit.monthly_fen("student", 100_000) == 0


def test_half_a_fen_rounds_up():
    credit = Policy.model_validate(_edited(lambda raw: raw)).personal_account.credit  # type: ignore[union-attr]
    assert credit is not None
    assert credit.monthly_fen("active", 25) == 1  # 0.25 yuan × 2 % = 0.5 fen → 1 fen


def test_the_rule_is_listed_as_assumed(policies: PolicySet):
    keys = [key for key, _ in assumed_parameters(policies.get("cn-371500.employee@2025"))]
    assert "personal_account.credit" in keys


def _edited(change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    raw = tomllib.loads(Path(EMPLOYEE).read_text(encoding="utf-8"))
    return change(raw)


def test_unknown_and_doubled_categories_are_problems():
    def bad(raw: dict[str, Any]) -> dict[str, Any]:
        raw["personal_account"]["credit"]["base_ratio"] = {
            "active": "0.02",
            "retired": "0.01",
            "pupil": "0.01",
        }
        return raw

    found = check_policy(Policy.model_validate(_edited(bad)))
    assert (
        "personal_account.credit.base_ratio",
        "unknown category 'pupil'; expected active, retired",
    ) in found
    assert (
        "personal_account.credit",
        "category 'retired' is in both base_ratio and fixed; a category earns one or the other",
    ) in found
