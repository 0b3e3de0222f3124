"""The 2-D view: a plane through the input space and a grid on it, where every model is evaluated.

For two moons and blobs the plane is the input itself. For digits it is the plane through the mean
image spanned by the first two principal components: each grid node is mapped back to a full
64-pixel image before anything is scored, so every number is computed in 64 dimensions.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

RESOLUTION = 150  # grid nodes per side
ZOOM = 2.5  # the grid spans the data's widest extent times this, centred on the data


@dataclass(frozen=True, eq=False)
class Plane:
    origin: np.ndarray  # (d,)
    axes: np.ndarray  # (2, d) orthonormal rows

    def to_plane(self, x: np.ndarray) -> np.ndarray:
        """Coordinates (n, 2) of the orthogonal projection of x (n, d) onto the plane."""
        return (x - self.origin) @ self.axes.T

    def from_plane(self, p: np.ndarray) -> np.ndarray:
        """The input-space points (n, d) at plane coordinates p (n, 2)."""
        return self.origin + p @ self.axes


@dataclass(frozen=True, eq=False)
class Grid:
    xs: np.ndarray  # (RESOLUTION,) column coordinates
    ys: np.ndarray  # (RESOLUTION,) row coordinates

    @property
    def points(self) -> np.ndarray:
        """All nodes (ny * nx, 2), x varying fastest, so values reshape to (ny, nx) rows of a heat map."""
        gx, gy = np.meshgrid(self.xs, self.ys)  # (ny, nx) each
        return np.column_stack([gx.ravel(), gy.ravel()])

    @property
    def x_range(self) -> tuple[float, float]:
        return float(self.xs[0]), float(self.xs[-1])

    @property
    def y_range(self) -> tuple[float, float]:
        return float(self.ys[0]), float(self.ys[-1])

    def reshape(self, values: np.ndarray) -> np.ndarray:
        """Values at `points` (ny * nx,) -> (ny, nx)."""
        return values.reshape(len(self.ys), len(self.xs))

    def contains(self, p: np.ndarray) -> np.ndarray:
        """Which rows of p (n, 2) lie on the grid (n,)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)


def fit_plane(x: np.ndarray) -> Plane:
    """The input plane for 2-D data; otherwise the first two principal components through the mean."""
    if x.shape[1] == 2:
        return Plane(origin=np.zeros(2), axes=np.eye(2))
    pca = PCA(n_components=2).fit(x)
    return Plane(origin=pca.mean_, axes=pca.components_)


def grid_around(p: np.ndarray, resolution: int = RESOLUTION, zoom: float = ZOOM) -> Grid:
    """A square grid centred on plane points p (n, 2), `zoom` times as wide as their widest extent."""
    low, high = p.min(axis=0), p.max(axis=0)
    centre, half = (low + high) / 2, zoom * (high - low).max() / 2
    return Grid(
        xs=np.linspace(centre[0] - half, centre[0] + half, resolution),
        ys=np.linspace(centre[1] - half, centre[1] + half, resolution),
    )


def boundary_mask(labels: np.ndarray) -> np.ndarray:
    """Grid cells (ny, nx) whose predicted class differs from the cell to the right or above."""
    mask = np.zeros(labels.shape, dtype=bool)
    mask[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    mask[:-1, :] |= labels[:-1, :] != labels[1:, :]
    return mask
