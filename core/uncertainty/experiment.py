"""One setup of the page, fitted once: the data, a classifier, a density model, the space the density
lives in (the input, or the MLP's last hidden layer) and the seed.

`fit` trains both models and scores the held-out in-distribution points; those scores set every
percentile and threshold, so nothing is tuned on out-of-distribution data.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from core.uncertainty import ood_metrics
from core.uncertainty.classifiers import (
    HIDDEN_NEEDS_MLP,
    check_classifier,
    check_scaling,
    fit_classifier,
    hidden_features,
    logits,
)
from core.uncertainty.data import Dataset, check_dataset, load, ood_set
from core.uncertainty.density import SCORE_NAMES, check_density, fit_density
from core.uncertainty.grid import Grid, Plane, fit_plane, grid_around
from core.uncertainty.scores import energy, entropy, max_probability, softmax

SPACES = {"input": "the input", "hidden": "the MLP's hidden features"}
BLAS_THREADS = 1  # the matrices are small: one BLAS thread beats several fighting over shared cores
RARE_PERCENTILE = 5.0  # "far" means a density below this percentile of held-out in-distribution points

fit_counts: Counter = Counter()  # fits per Setup in this process; a cached page must not add to it

MAX_SEED = 2**31 - 1  # every demo's seed range (core.runtime.seeding); core.uncertainty imports nothing of core.runtime


@dataclass(frozen=True)
class Setup:
    dataset: str = "moons"
    classifier: str = "mlp"
    density: str = "gaussian"
    k: int = 5  # mixture components (gmm) or neighbours (knn); ignored by the other densities
    space: str = "input"
    seed: int = 0
    scaling: str = "standard"  # how the classifier scales its inputs: core.uncertainty.classifiers.SCALINGS

    def __post_init__(self):
        check_dataset(self.dataset)
        check_classifier(self.classifier)
        check_scaling(self.scaling)
        if isinstance(self.k, bool) or not isinstance(self.k, int):
            raise ValueError(f"k must be a whole number, got {self.k!r}")
        check_density(self.density, self.k)
        if self.space not in SPACES:
            raise ValueError(f"unknown space {self.space!r}: choose one of {', '.join(SPACES)}")
        if self.space == "hidden" and self.classifier != "mlp":
            raise ValueError(HIDDEN_NEEDS_MLP)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed {self.seed!r} is out of range: use a whole number from 0 to {MAX_SEED}")


@dataclass(frozen=True, eq=False)
class Scores:
    """Every score of n points; each array is (n,)."""

    predicted: np.ndarray  # argmax_c p_c
    max_probability: np.ndarray
    entropy: np.ndarray
    energy: np.ndarray
    density: np.ndarray  # the density model's score: a distance or -log p(f), higher = farther

    def ood_scores(self) -> dict[str, np.ndarray]:
        """The scores oriented so that higher means "more likely out of distribution"."""
        return {"msp": -self.max_probability, "entropy": self.entropy, "energy": self.energy, "density": self.density}


@dataclass(frozen=True, eq=False)
class FittedSetup:
    setup: Setup
    data: Dataset
    classifier: Pipeline
    density_model: object  # one of core.uncertainty.density's models: `.score(f)` -> (n,)
    plane: Plane
    grid: Grid
    held_out: Scores  # the held-out in-distribution points' scores: the reference for percentiles

    @property
    def density_name(self) -> str:
        return SCORE_NAMES[self.setup.density]

    def score(self, x: np.ndarray) -> Scores:
        """All scores of input points x (n, d)."""
        return score(self.classifier, self.density_model, self.setup.space, x)

    def percentiles(self, s: Scores) -> dict[str, np.ndarray]:
        """Each score's percentile among the held-out in-distribution points (0-100, each (n,)).

        For max probability, entropy and energy: the percent of held-out points with a value at most
        this one. For the density: the percent of held-out points that are at most as dense, so a
        point farther than every held-out point sits at percentile 0.
        """
        out = {}
        for name in ("max_probability", "entropy", "energy"):
            reference = np.sort(getattr(self.held_out, name))
            out[name] = 100 * np.searchsorted(reference, getattr(s, name), side="right") / len(reference)
        reference = np.sort(self.held_out.density)
        out["density"] = 100 * (1 - np.searchsorted(reference, s.density, side="left") / len(reference))
        return out

    def confident_but_far(self, s: Scores, threshold: float) -> np.ndarray:
        """(n,) True where max probability >= threshold while the density is below the 5th held-out percentile."""
        if not 0 < threshold <= 1:
            raise ValueError(f"confidence threshold {threshold} is out of range: use a probability in (0, 1]")
        return (s.max_probability >= threshold) & (self.percentiles(s)["density"] < RARE_PERCENTILE)


def features(classifier: Pipeline, space: str, x: np.ndarray) -> np.ndarray:
    """Where the density lives: the input x (n, d) itself, or the MLP's hidden features (n, 64)."""
    return x if space == "input" else hidden_features(classifier, x)


def score(classifier: Pipeline, density_model, space: str, x: np.ndarray) -> Scores:
    """All scores of input points x (n, d); no points give empty scores."""
    if len(x) == 0:
        return Scores(np.empty(0, dtype=int), *(np.empty(0) for _ in range(4)))
    with threadpool_limits(BLAS_THREADS):
        z = logits(classifier, x)  # (n, C)
        p = softmax(z)
        return Scores(
            predicted=p.argmax(axis=1),
            max_probability=max_probability(p),
            entropy=entropy(p),
            energy=energy(z),
            density=density_model.score(features(classifier, space, x)),
        )


def fit(setup: Setup) -> FittedSetup:
    """Load the data, fit the classifier and the density model, and score the held-out points."""
    fit_counts[setup] += 1
    data = load(setup.dataset, setup.seed)
    with threadpool_limits(BLAS_THREADS):
        classifier = fit_classifier(setup.classifier, data.x_train, data.y_train, setup.seed, setup.scaling)
        density_model = fit_density(
            setup.density, features(classifier, setup.space, data.x_train), data.y_train, setup.k, setup.seed
        )
    plane = fit_plane(data.x_train)
    return FittedSetup(
        setup,
        data,
        classifier,
        density_model,
        plane,
        grid=grid_around(plane.to_plane(data.x_train)),
        held_out=score(classifier, density_model, setup.space, data.x_test),
    )


def score_grid(fitted: FittedSetup) -> Scores:
    """Scores at every grid node, each (ny * nx,), computed in the full input space."""
    return fitted.score(fitted.plane.from_plane(fitted.grid.points))


@dataclass(frozen=True, eq=False)
class OodReport:
    """How the scores separate held-out in-distribution points from one out-of-distribution set."""

    name: str
    x: np.ndarray  # (n_ood, d) the out-of-distribution points
    scores: Scores
    roc: dict[str, tuple[np.ndarray, np.ndarray]]  # score name -> (fpr, tpr)
    auroc: dict[str, float]
    fpr_at_95_tpr: dict[str, float]


def evaluate_ood(fitted: FittedSetup, name: str) -> OodReport:
    """Score the out-of-distribution set `name` and compare each score with the held-out points'."""
    x = ood_set(fitted.data, name, fitted.setup.seed)
    scores = fitted.score(x)
    held_out = fitted.held_out.ood_scores()
    pairs = {key: (held_out[key], out) for key, out in scores.ood_scores().items()}
    return OodReport(
        name,
        x,
        scores,
        roc={key: ood_metrics.roc(*pair) for key, pair in pairs.items()},
        auroc={key: ood_metrics.auroc(*pair) for key, pair in pairs.items()},
        fpr_at_95_tpr={key: ood_metrics.fpr_at_95_tpr(*pair) for key, pair in pairs.items()},
    )
