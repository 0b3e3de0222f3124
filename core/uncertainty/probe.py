"""A student's test points, scored: each point placed on the map's plane, pushed away from the data mean, then
given every score, its percentile among held-out points and the "confident but far" flag."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.uncertainty.data import push
from core.uncertainty.setup import FittedSetup, Scores


@dataclass(frozen=True, eq=False)
class Probe:
    x: np.ndarray  # (m, d) the test points in input space, after the push
    on_plane: np.ndarray  # (m, 2) where they show on the maps
    scores: Scores  # each array (m,)
    percentiles: dict[str, np.ndarray]  # each score's percentile among held-out points, (m,) each
    flags: np.ndarray  # (m,) bool: confident but far


def probe(fitted: FittedSetup, points: list[tuple[float, float]], push_factor: float, threshold: float) -> Probe:
    """Score the test points typed or clicked at plane coordinates `points`, after `mean + push_factor (x - mean)`."""
    typed = np.array(points, dtype=float).reshape(-1, 2)  # (m, 2) plane coordinates
    x = push(fitted.plane.from_plane(typed), fitted.data.mean, push_factor)  # (m, d)
    scores = fitted.score(x)
    return Probe(
        x=x,
        on_plane=fitted.plane.to_plane(x),
        scores=scores,
        percentiles=fitted.percentiles(scores),
        flags=fitted.confident_but_far(scores, threshold),
    )


def probe_table(p: Probe) -> pd.DataFrame:
    """One row per test point: its plane coordinates, every score and its percentile, and the flag."""
    s, pct = p.scores, p.percentiles
    return pd.DataFrame(
        {
            "point": np.arange(1, len(p.flags) + 1),
            "x": p.on_plane[:, 0],
            "y": p.on_plane[:, 1],
            "class": s.predicted,
            "max p": s.max_probability,
            "max p pct": pct["max_probability"],
            "entropy": s.entropy,
            "entropy pct": pct["entropy"],
            "energy": s.energy,
            "energy pct": pct["energy"],
            "density score": s.density,
            "density pct": pct["density"],
            "confident but far": p.flags,
        }
    )
