"""The regional bound of benchmarks/siting_regional_bound.py against brute force."""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from siting_regional_bound import regional_bound  # noqa: E402


def instance(seed, n=12, m=8):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    weighted = rng.integers(1, 20, n)[:, None] * np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1))
    return weighted, rng


def optimum(weighted, p):
    return min(weighted[:, list(s)].min(axis=1).sum() for s in itertools.combinations(range(weighted.shape[1]), p))


def lagrangian(weighted, lam, p):
    rho = np.minimum(weighted - lam[:, None], 0.0).sum(axis=0)
    return lam.sum() + np.sort(rho)[:p].sum()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [2, 3])
def test_regional_bound_lies_between_the_lagrangian_bound_and_the_optimum(seed, p):
    weighted, rng = instance(seed)
    best = optimum(weighted, p)
    for _ in range(3):
        lam = rng.uniform(0, 1.5, weighted.shape[0]) * weighted.max(axis=1)
        region = rng.integers(0, 3, weighted.shape[1])
        bound = regional_bound(weighted, lam, region, p, q_max=weighted.shape[1])
        assert lagrangian(weighted, lam, p) <= bound + 1e-6 * best
        assert bound <= best + 1e-6 * best


@pytest.mark.parametrize("seed", range(3))
def test_one_region_gives_the_optimum(seed):
    weighted, rng = instance(seed)
    lam = rng.uniform(0, 1.5, weighted.shape[0]) * weighted.max(axis=1)
    bound = regional_bound(weighted, lam, np.zeros(weighted.shape[1], dtype=int), 3, q_max=weighted.shape[1])
    assert bound == pytest.approx(optimum(weighted, 3), rel=1e-9)
