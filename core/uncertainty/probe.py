"""A student's test points, scored: each point placed on the map's plane, pushed away from the data mean, then
given every score, its percentile among held-out points and the "confident but far" flag."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.uncertainty.data import push
from core.uncertainty.experiment import RARE_PERCENTILE, FittedSetup, Scores


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


def flag_messages(p: Probe, threshold: float) -> list[str]:
    """Why each flagged point is flagged: its max probability against `threshold`, its density percentile."""
    return [
        f"Point {i + 1}: confident but far. Max probability {p.scores.max_probability[i]:.3f} is at least "
        f"{threshold:.2f}, yet its density sits at percentile {p.percentiles['density'][i]:.1f} "
        f"of held-out in-distribution points (below {RARE_PERCENTILE:g})."
        for i in np.nonzero(p.flags)[0]
    ]


@dataclass(frozen=True, eq=False)
class Flagged:
    """The points of one set flagged as confident but far, and the first few of them to show."""

    count: int
    total: int
    shown: np.ndarray  # (<= most,) indices of the first flagged points
    captions: list[str]  # per shown point: predicted class, max probability, density percentile


def flagged(fitted: FittedSetup, scores: Scores, threshold: float, most: int = 12) -> Flagged:
    """Which of the points that `scores` scored are confident but far, with a caption for the first `most`."""
    flags = fitted.confident_but_far(scores, threshold)
    shown = np.nonzero(flags)[0][:most]
    density_pct = fitted.percentiles(scores)["density"]
    captions = [f"{scores.predicted[i]} · p {scores.max_probability[i]:.2f} · pct {density_pct[i]:.1f}" for i in shown]
    return Flagged(int(flags.sum()), len(flags), shown, captions)
