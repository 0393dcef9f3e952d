"""A few rows' combinations (found in Python) are the ones the numpy path finds, in its order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from yibao.engine import combos
from yibao.engine.columns import Cat


def random_columns(rng: random.Random) -> list[Cat]:
    n = rng.randint(0, 64)
    columns = []
    for _ in range(rng.randint(1, 4)):
        size = rng.choice([0, 1, 1, 2, 3, 5])
        codes = np.array([rng.randrange(size) if size else 0 for _ in range(n)], dtype=np.int32)
        columns.append(Cat(codes, [f"v{j}" for j in range(size)]))
    return columns


def test_few_rows_give_the_combinations_of_the_numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    for _ in range(500):
        columns = random_columns(rng)
        found, inverse = combos.unique_combos(columns)
        with monkeypatch.context() as m:
            m.setattr(combos, "_FEW_ROWS", -1)
            expected, expected_inverse = combos.unique_combos(columns)
        assert found == expected
        assert inverse.dtype == np.int64
        assert inverse.tolist() == expected_inverse.tolist()
