"""分段报销: the banded payment function of an amount (fen × basis points, rounded by the caller).

f(amount) = Σ over bands of rate × the part of the amount inside the band. Annual bands use
it in cumulative-difference form: payment = f(C_i) − f(C_{i−1}) for the running base C.
"""

from __future__ import annotations

import numpy as np

from yibao.engine.columns import IntArray


def banded_fen_bp(amount: IntArray, band_from: IntArray, band_rate: IntArray) -> IntArray:
    """Σ over bands of rate × the part of `amount` inside the band, in fen × basis points."""
    total = np.zeros(len(amount), np.int64)
    bands = band_from.shape[1]
    for b in range(bands):  # inside band b: min(amount, next band's start) - its start, at least 0
        inside = np.minimum(amount, band_from[:, b + 1]) if b + 1 < bands else amount.copy()
        inside -= band_from[:, b]
        np.maximum(inside, 0, out=inside)
        inside *= band_rate[:, b]
        total += inside
    return total
