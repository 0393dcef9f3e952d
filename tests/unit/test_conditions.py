"""Adjust conditions are worked out once per batch, also when they hold on no bill."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from yibao.engine import params
from yibao.policy.models import Condition


@pytest.mark.parametrize("holds", [False, True])
def test_a_condition_is_worked_out_once_per_batch(monkeypatch, holds):
    calls = []

    def counted(when, batch, where, rows):
        calls.append(rows)
        return np.full(4, holds)

    monkeypatch.setattr(params, "condition_mask", counted)
    book = SimpleNamespace(conditions={}, batch=None, where=None)
    when = Condition(scope=["cross_province"], registration=["none"])
    for rows in (np.array([0, 2]), np.array([1, 3]), np.array([3])):
        found = params.matching(book, when, rows)  # type: ignore[arg-type]
        if holds:
            assert found is not None and found.tolist() == [True] * len(rows)
        else:
            assert found is None
    assert calls == [None]  # once, over the whole batch
