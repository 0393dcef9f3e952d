"""Which edition applies to each bill: only editions some bill uses are listed."""

from __future__ import annotations

import numpy as np

from yibao.engine.editions import editions_by_date
from yibao.policy.lookup import PolicySet

POLICIES = PolicySet.load()
EMPLOYEE = "cn-371500.employee"  # editions 2024 and 2025, one calendar year each


def _dates(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]")


def test_a_year_of_bills_sees_its_one_edition():
    eds, index = editions_by_date(POLICIES, EMPLOYEE, _dates("2024-03-01", "2024-11-30"), None)
    assert [e.edition for e in eds] == ["2024"]
    assert index.tolist() == [0, 0]


def test_bills_of_two_years_see_both_editions_in_date_order():
    eds, index = editions_by_date(POLICIES, EMPLOYEE, _dates("2025-02-01", "2024-12-31", "2025-01-01"), None)
    assert [e.edition for e in eds] == ["2024", "2025"]
    assert index.tolist() == [1, 0, 1]


def test_bills_before_any_edition_list_every_edition_and_none_applies():
    eds, index = editions_by_date(POLICIES, EMPLOYEE, _dates("2019-05-01"), None)
    assert [e.edition for e in eds] == ["2024", "2025"]
    assert index.tolist() == [-1]


def test_a_later_edition_alone_is_renumbered_from_zero():
    eds, index = editions_by_date(POLICIES, EMPLOYEE, _dates("2019-05-01", "2025-06-01"), None)
    assert [e.edition for e in eds] == ["2025"]
    assert index.tolist() == [-1, 0]
