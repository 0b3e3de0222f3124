"""Two-dimensional toy distributions for flows and diffusion: moons, rings, a checkerboard, a Gaussian mixture,
and points a student draws. Each lives in roughly [-3, 3]^2 and comes back as a float tensor (n, 2).
"""

import math

import numpy as np
import torch
from sklearn.datasets import make_moons

from core.flows.choices import CHECKERBOARD, DRAWN, MIXTURE, MOONS, RINGS
from core.runtime.seeding import make_generator
from core.runtime.validate import shown

TRAIN_SIZE = 4000
HELDOUT_SIZE = 1000
LIMIT = 4.0  # plots and density grids cover [-LIMIT, LIMIT]^2
MIN_DRAWN = 30  # fewer distinct drawn pixels than this cannot describe a distribution
DRAWN_JITTER = 0.08


def moons(n: int, generator: torch.Generator) -> torch.Tensor:
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    points, _ = make_moons(n, noise=0.06, random_state=seed)  # (n, 2) in [-1, 2] x [-0.5, 1]
    return (torch.as_tensor(points, dtype=torch.float32) - torch.tensor([0.5, 0.25])) * 2.0


def rings(n: int, generator: torch.Generator) -> torch.Tensor:
    """Two concentric circles of radius 1 and 2.5: the hole in the middle is something a Gaussian must tear open."""
    radius = torch.where(torch.rand(n, generator=generator) < 1 / 3.5, 1.0, 2.5)  # points in proportion to length
    radius = radius + 0.08 * torch.randn(n, generator=generator)
    angle = 2 * math.pi * torch.rand(n, generator=generator)
    return torch.stack([radius * angle.cos(), radius * angle.sin()], dim=-1)


def checkerboard(n: int, generator: torch.Generator) -> torch.Tensor:
    """Uniform on the 8 dark squares of a 4x4 board over [-3, 3]^2."""
    x = 4 * torch.rand(n, generator=generator) - 2
    y = torch.rand(n, generator=generator) - 2 * torch.randint(0, 2, (n,), generator=generator) + torch.floor(x) % 2
    return 1.5 * torch.stack([x, y], dim=-1)


def gaussian_mixture(n: int, generator: torch.Generator, modes: int = 8) -> torch.Tensor:
    """`modes` narrow Gaussians evenly spaced on a circle of radius 2.5."""
    angle = 2 * math.pi * torch.randint(0, modes, (n,), generator=generator) / modes
    centres = 2.5 * torch.stack([angle.cos(), angle.sin()], dim=-1)
    return centres + 0.2 * torch.randn((n, 2), generator=generator)


def ink_mask(image: np.ndarray | None) -> np.ndarray | None:
    """The (H, W) mask of dark strokes in an RGB or RGBA drawing (H, W, 3 or 4), transparent pixels left out;
    None where nothing is drawn."""
    if image is None:
        return None
    image = np.asarray(image)
    ink = image[..., :3].mean(-1) < 128
    if image.shape[-1] == 4:
        ink &= image[..., 3] > 0
    return ink


def from_drawing(ink: np.ndarray, n: int, seed: int) -> torch.Tensor:
    """Resample the inked pixels of an (H, W) boolean mask as n points of [-3.5, 3.5]^2, jittered slightly."""
    rows, cols = np.nonzero(ink)
    if len(rows) < MIN_DRAWN:
        raise ValueError(
            f"only {len(rows)} drawn points: draw at least {MIN_DRAWN} (a few strokes on the canvas), "
            "or pick one of the ready-made datasets"
        )
    height, width = ink.shape
    scale = 7.0 / max(height, width)
    points = torch.tensor(np.stack([cols - width / 2, height / 2 - rows], axis=-1) * scale, dtype=torch.float32)
    generator = make_generator(seed)
    pick = torch.randint(0, len(points), (n,), generator=generator)
    return points[pick] + DRAWN_JITTER * torch.randn((n, 2), generator=generator)


def make(name: str, n: int, seed: int) -> torch.Tensor:
    """n points (n, 2) of the named dataset, drawn from `seed`."""
    makers = {MOONS: moons, RINGS: rings, CHECKERBOARD: checkerboard, MIXTURE: gaussian_mixture}
    if name not in makers:
        raise ValueError(f"unknown dataset {shown(name)}: choose one of {', '.join(makers)}")
    return makers[name](n, make_generator(seed))


def train_and_heldout(name: str, seed: int, ink: np.ndarray | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Training points (4000, 2) and held-out points (1000, 2) of one dataset, from different seeds.

    For "drawn points", `ink` is the (H, W) boolean mask of the drawing.
    """
    if name == DRAWN:
        if ink is None:
            raise ValueError(f"nothing is drawn: draw at least {MIN_DRAWN} points on the canvas first")
        return from_drawing(ink, TRAIN_SIZE, seed), from_drawing(ink, HELDOUT_SIZE, seed + 1)
    return make(name, TRAIN_SIZE, seed), make(name, HELDOUT_SIZE, seed + 1)
