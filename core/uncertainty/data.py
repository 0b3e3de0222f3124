"""In-distribution data and the out-of-distribution sets the page tests against.

Two moons, three blobs and scikit-learn's 8x8 digits (classes 0-7 in distribution, 8 and 9 held back
as novel classes). Everything ships with scikit-learn, so the page works offline.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits, make_blobs, make_moons
from sklearn.model_selection import train_test_split

DATASET_LABELS = {"moons": "two moons", "blobs": "three blobs", "digits": "digits (8x8, classes 0-7)"}
DATASETS = tuple(DATASET_LABELS)  # the menu's values
OOD_SETS = {
    "far": "a far cluster",
    "pushed": "held-out points pushed 5x from the data mean",
    "uniform": "uniform noise over the data's range",
    "inverted": "inverted digits",
    "novel": "novel digit classes 8 and 9",
}
DIGITS_ONLY = ("inverted", "novel")
IN_CLASSES = 8  # digits 0-7 are in distribution
TEST_FRACTION = 0.3
N_SAMPLES = 1000  # moons and blobs
FAR_DISTANCE = 2.0  # the far cluster's centre, in data radii from the mean
FAR_SPREAD = 0.1  # the far cluster's standard deviation, in data radii
PUSH_FACTOR = 5.0


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    x_train: np.ndarray  # (n_train, d)
    y_train: np.ndarray  # (n_train,) class labels 0..n_classes-1
    x_test: np.ndarray  # (n_test, d) held-out in-distribution points
    y_test: np.ndarray  # (n_test,)
    x_novel: np.ndarray  # (n_novel, d) digits 8 and 9; (0, d) for the 2-D sets
    n_classes: int

    @property
    def mean(self) -> np.ndarray:
        return self.x_train.mean(axis=0)  # (d,)

    @property
    def radius(self) -> float:
        """The 95th percentile of the training points' distance from their mean."""
        return float(np.percentile(np.linalg.norm(self.x_train - self.mean, axis=1), 95))


def check_dataset(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")


def load(name: str, seed: int) -> Dataset:
    """The dataset `name`, split 70/30 into training and held-out points with `seed`."""
    check_dataset(name)
    x_novel = np.empty((0, 2))
    if name == "moons":
        x, y = make_moons(n_samples=N_SAMPLES, noise=0.1, random_state=seed)
    elif name == "blobs":
        x, y = make_blobs(n_samples=N_SAMPLES, centers=3, cluster_std=1.0, random_state=seed)
    else:
        digits = load_digits()
        x, y = digits.data / 16.0, digits.target  # (1797, 64) pixels in [0, 1]
        x_novel, x, y = x[y >= IN_CLASSES], x[y < IN_CLASSES], y[y < IN_CLASSES]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=TEST_FRACTION, random_state=seed, stratify=y)
    return Dataset(name, x_train, y_train, x_test, y_test, x_novel, n_classes=int(y.max()) + 1)


def ood_sets_for(name: str) -> tuple[str, ...]:
    """The out-of-distribution sets that make sense for dataset `name`."""
    check_dataset(name)
    return tuple(o for o in OOD_SETS if name == "digits" or o not in DIGITS_ONLY)


def push(x: np.ndarray, mean: np.ndarray, factor: float) -> np.ndarray:
    """Move points along the ray from the data mean: `mean + factor * (x - mean)`."""
    return mean + factor * (x - mean)


def ood_set(data: Dataset, name: str, seed: int) -> np.ndarray:
    """Out-of-distribution points (n, d) of kind `name`, as many as there are held-out points."""
    if name not in ood_sets_for(data.name):
        raise ValueError(
            f"OOD set {name!r} does not apply to {data.name}: choose one of {', '.join(ood_sets_for(data.name))}"
        )
    rng = np.random.default_rng(seed)
    n, d = data.x_test.shape
    if name == "far":
        direction = rng.standard_normal(d)
        centre = data.mean + FAR_DISTANCE * data.radius * direction / np.linalg.norm(direction)
        return centre + FAR_SPREAD * data.radius * rng.standard_normal((n, d))
    if name == "pushed":
        return push(data.x_test, data.mean, PUSH_FACTOR)
    if name == "uniform":
        return rng.uniform(data.x_train.min(axis=0), data.x_train.max(axis=0), size=(n, d))
    if name == "inverted":
        return 1.0 - data.x_test
    return data.x_novel
