"""Distance and density scores: how far a feature vector f lies from the training data, which p(y|x) never says.

- Mahalanobis distance with one covariance shared by all classes (Lee et al. 2018):
  min_c (f - mu_c)^T S^-1 (f - mu_c).
- Class-conditional Gaussians, one covariance per class (Gaussian discriminant analysis, as in DDU,
  Mukhoti et al. 2021): -log sum_c pi_c N(f; mu_c, S_c).
- A Gaussian mixture with k components, fitted by EM without labels: -log sum_j w_j N(f; mu_j, S_j).
- kNN distance (Sun et al. 2022): the distance to the k-th nearest training point.

Every score is higher for points that are farther from the data or less dense. Some digit pixels never
vary, so a plain covariance estimate is singular: the Gaussians use Ledoit-Wolf shrinkage, the mixture a
small ridge on the diagonal.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from sklearn.covariance import LedoitWolf
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors

DENSITIES = {
    "mahalanobis": "Mahalanobis distance (shared covariance)",
    "gaussian": "class-conditional Gaussian",
    "gmm": "Gaussian mixture (k components)",
    "knn": "kNN distance (k-th neighbour)",
}
SCORE_NAMES = {
    "mahalanobis": "squared Mahalanobis distance",
    "gaussian": "-log p(f), class-conditional Gaussian",
    "gmm": "-log p(f), Gaussian mixture",
    "knn": "distance to the k-th neighbour",
}
K_RANGE = {"gmm": (1, 10), "knn": (1, 50)}  # the densities that use k, and its allowed range
K_UNUSED = (1, 50)  # any k is accepted, and ignored, by the other densities
GMM_REG_COVAR = 1e-4  # added to each mixture covariance's diagonal, so constant features stay finite


def check_density(name: str, k: int) -> None:
    if name not in DENSITIES:
        raise ValueError(f"unknown density model {name!r}: choose one of {', '.join(DENSITIES)}")
    low, high = K_RANGE.get(name, K_UNUSED)
    if not low <= k <= high:
        raise ValueError(f"k = {k} is out of range for {name}: use a whole number from {low} to {high}")


@dataclass(frozen=True, eq=False)
class Mahalanobis:
    means: np.ndarray  # (C, d) class centres mu_c
    precision: np.ndarray  # (d, d) S^-1, shared by all classes

    def score(self, f: np.ndarray) -> np.ndarray:
        """min_c (f - mu_c)^T S^-1 (f - mu_c) for f (n, d) -> (n,)."""
        return np.min([_quadratic(f - mu, self.precision) for mu in self.means], axis=0)


@dataclass(frozen=True, eq=False)
class ClassGaussians:
    log_priors: np.ndarray  # (C,) log pi_c
    means: np.ndarray  # (C, d)
    precisions: np.ndarray  # (C, d, d) S_c^-1
    log_dets: np.ndarray  # (C,) log |S_c|

    def score(self, f: np.ndarray) -> np.ndarray:
        """-log sum_c pi_c N(f; mu_c, S_c) for f (n, d) -> (n,)."""
        d = f.shape[1]
        log_joint = np.stack(
            [
                log_prior - 0.5 * (d * np.log(2 * np.pi) + log_det + _quadratic(f - mu, precision))
                for log_prior, mu, precision, log_det in zip(
                    self.log_priors, self.means, self.precisions, self.log_dets, strict=True
                )
            ],
            axis=1,
        )  # (n, C): log pi_c + log N(f; mu_c, S_c)
        return -logsumexp(log_joint, axis=1)


@dataclass(frozen=True, eq=False)
class Mixture:
    gmm: GaussianMixture

    def score(self, f: np.ndarray) -> np.ndarray:
        """-log sum_j w_j N(f; mu_j, S_j) for f (n, d) -> (n,)."""
        return -self.gmm.score_samples(f)


@dataclass(frozen=True, eq=False)
class KNearest:
    index: NearestNeighbors

    def score(self, f: np.ndarray) -> np.ndarray:
        """Euclidean distance from each row of f (n, d) to its k-th nearest training point -> (n,)."""
        distances, _ = self.index.kneighbors(f)  # (n, k), nearest first
        return distances[:, -1]


def _quadratic(diff: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """diff^T P diff, row by row: (n, d) -> (n,)."""
    return ((diff @ precision) * diff).sum(axis=1)


def fit_mahalanobis(f: np.ndarray, y: np.ndarray) -> Mahalanobis:
    classes = np.unique(y)
    means = np.stack([f[y == c].mean(axis=0) for c in classes])  # (C, d)
    shared = LedoitWolf(assume_centered=True).fit(f - means[np.searchsorted(classes, y)])
    return Mahalanobis(means, shared.precision_)


def fit_class_gaussians(f: np.ndarray, y: np.ndarray) -> ClassGaussians:
    classes = np.unique(y)
    fits = [LedoitWolf().fit(f[y == c]) for c in classes]
    return ClassGaussians(
        log_priors=np.log(np.array([np.mean(y == c) for c in classes])),
        means=np.stack([fit.location_ for fit in fits]),
        precisions=np.stack([fit.precision_ for fit in fits]),
        log_dets=np.array([np.linalg.slogdet(fit.covariance_)[1] for fit in fits]),
    )


def fit_mixture(f: np.ndarray, k: int, seed: int) -> Mixture:
    return Mixture(GaussianMixture(n_components=k, reg_covar=GMM_REG_COVAR, random_state=seed).fit(f))


def fit_knn(f: np.ndarray, k: int) -> KNearest:
    return KNearest(NearestNeighbors(n_neighbors=k).fit(f))


def fit_density(name: str, f: np.ndarray, y: np.ndarray, k: int, seed: int):
    """Fit density model `name` to training features f (n, d) with labels y (n,); `k` is used by gmm and knn."""
    check_density(name, k)
    if name == "mahalanobis":
        return fit_mahalanobis(f, y)
    if name == "gaussian":
        return fit_class_gaussians(f, y)
    if name == "gmm":
        return fit_mixture(f, k, seed)
    return fit_knn(f, k)
