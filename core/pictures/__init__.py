"""Arrays shown as pictures, one way for every demo: pixels enlarged without blur (so students see the real
pixels), and a batch laid out as one grid with gutters."""

import numpy as np


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """(H, W) or (H, W, C) -> (H * factor, W * factor[, C]) by repeating each pixel (nearest neighbour)."""
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def tile(images: np.ndarray | list[np.ndarray], columns: int, gap: int, fill: float | int) -> np.ndarray:
    """(N, H, W[, C]) images of one size -> one (rows * (H + gap) - gap, columns * (W + gap) - gap[, C]) grid,
    filled left to right, top to bottom, with `gap` pixels of `fill` between cells."""
    images = np.asarray(images)
    if len(images) == 0:
        raise ValueError("no images to tile: give at least one")
    n, h, w = images.shape[:3]
    columns = min(columns, n)
    rows = -(-n // columns)
    grid = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, *images.shape[3:]), fill, dtype=images.dtype)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return grid
