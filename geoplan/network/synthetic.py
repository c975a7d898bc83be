"""A deterministic synthetic road layer (perturbed grid) for tests and benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

#: Speed limits by road class used by the generator, km/h (typical posted limits).
_LIMIT_KMH = {"expressway": 100.0, "arterial": 60.0, "collector": 50.0}


def grid_roads(
    nx_: int,
    ny_: int,
    spacing_m: float = 200.0,
    jitter_m: float = 40.0,
    drop_share: float = 0.05,
    oneway_share: float = 0.15,
    arterial_every: int = 6,
    seed: int = 0,
    origin: tuple[float, float] = (500_000.0, 3_500_000.0),
    crs: str = "EPSG:4549",
) -> gpd.GeoDataFrame:
    """Roads layer of a jittered ``nx_`` × ``ny_`` street grid, one line per block side.

    Every ``arterial_every``-th street is an arterial (the ones halfway between are
    collectors), the middle east–west street is an expressway, the rest are local
    streets. A share of local block sides is missing (dead ends appear) and a share
    is one-way in a random direction, so some nodes fall outside the largest strongly
    connected component. Local streets get a 20 or 30 km/h limit at random.

    Returns
    -------
    GeoDataFrame
        Columns id, name, road_class, speed_kmh, oneway; LineStrings in ``crs``.
    """
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(nx_), np.arange(ny_), indexing="ij")
    xy = np.stack([ii * spacing_m + origin[0], jj * spacing_m + origin[1]], axis=-1).astype(np.float64)
    xy += rng.uniform(-jitter_m, jitter_m, size=xy.shape)
    xy = np.round(xy, 2)

    def street_class(k: int, n: int, east_west: bool) -> str:
        if east_west and k == n // 2:
            return "expressway"
        if k % arterial_every == 0:
            return "arterial"
        if k % arterial_every == arterial_every // 2:
            return "collector"
        return "local"

    starts, ends, classes = [], [], []
    # East-west block sides lie on street j; north-south ones on street i.
    for j in range(ny_):
        cls = street_class(j, ny_, True)
        for i in range(nx_ - 1):
            starts.append((i, j)), ends.append((i + 1, j)), classes.append(cls)
    for i in range(nx_):
        cls = street_class(i, nx_, False)
        for j in range(ny_ - 1):
            starts.append((i, j)), ends.append((i, j + 1)), classes.append(cls)
    starts_a, ends_a = np.array(starts), np.array(ends)
    classes_a = np.array(classes)
    local = classes_a == "local"
    keep = ~(local & (rng.random(len(classes_a)) < drop_share))
    oneway = local & (rng.random(len(classes_a)) < oneway_share)
    flip = rng.random(len(classes_a)) < 0.5
    limit = np.array([_LIMIT_KMH.get(c, 0.0) for c in classes_a])
    limit[local] = rng.choice([20.0, 30.0], size=int(local.sum()))

    a = xy[starts_a[:, 0], starts_a[:, 1]]
    b = xy[ends_a[:, 0], ends_a[:, 1]]
    a, b = np.where(flip[:, None] & oneway[:, None], b, a), np.where(flip[:, None] & oneway[:, None], a, b)
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    idx = np.flatnonzero(keep)
    return gpd.GeoDataFrame(
        {
            "id": [f"R{k}" for k in idx],
            "name": [f"{c} {k}" for c, k in zip(classes_a[idx], idx)],
            "road_class": classes_a[idx],
            "speed_kmh": limit[idx],
            "oneway": oneway[idx],
        },
        geometry=lines[idx],
        crs=crs,
    )
