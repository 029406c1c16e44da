"""Random quantisation parameters for kernel tests, as float32 values TFLite would store."""

from __future__ import annotations

import numpy as np


def scale(rng: np.random.RandomState, lo: float = 1e-3, hi: float = 1.0) -> float:
    """A log-uniform float32 scale in [lo, hi)."""
    return float(np.float32(np.exp(rng.uniform(np.log(lo), np.log(hi)))))


def zero_point(rng: np.random.RandomState, lo: int = -128, hi: int = 127) -> int:
    return int(rng.randint(lo, hi + 1))


def qparams(rng: np.random.RandomState, lo: float = 1e-3, hi: float = 1.0) -> dict:
    """Keyword arguments for ModelBuilder.tensor: a random per-tensor int8 quantisation."""
    return {"scale": scale(rng, lo, hi), "zero_point": zero_point(rng)}


ALL_INT8 = np.arange(-128, 128, dtype=np.int8)
