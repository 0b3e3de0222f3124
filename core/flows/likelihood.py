"""Scoring data with a density: log p(x) on a grid, held-out log-likelihood, bits per dimension on digits,
and the single Gaussian every model should beat.
"""

from collections.abc import Callable

import numpy as np
import torch

from core.flows.digits import bits_per_dim, dequantize
from core.runtime.seeding import make_generator

LogDensity = Callable[[torch.Tensor], torch.Tensor]  # (N, D) -> log p (N,)


def fit_gaussian(x: torch.Tensor, ridge: float = 1e-3) -> torch.distributions.MultivariateNormal:
    """The maximum-likelihood Gaussian of x (N, D): sample mean and covariance (plus `ridge` on the diagonal)."""
    cov = torch.cov(x.T).reshape(x.shape[1], x.shape[1]) + ridge * torch.eye(x.shape[1])  # (D, D)
    return torch.distributions.MultivariateNormal(x.mean(0), covariance_matrix=cov)


@torch.no_grad()
def mean_log_likelihood(log_density: LogDensity, x: torch.Tensor) -> float:
    """Average log p(x) in nats over the rows of x (N, D)."""
    return log_density(x).mean().item()


@torch.no_grad()
def density_grid(log_density: LogDensity, limit: float, resolution: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """log p on a resolution x resolution grid over [-limit, limit]^2: axis (R,) and values (R, R), rows along y."""
    axis = torch.linspace(-limit, limit, resolution)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=-1)  # (R*R, 2)
    return axis.numpy(), log_density(points).reshape(resolution, resolution).numpy()


@torch.no_grad()
def digit_bits_per_dim(log_density: LogDensity, scaling, images: torch.Tensor, seed: int) -> torch.Tensor:
    """Bits per pixel (N,) of integer images (N, 64) under a density on `scaling`'s space, one dequantization draw.

    For a model whose log_density is a lower bound (the DDPM's ELBO) the result is an upper bound.
    """
    y, ladj = scaling.forward(dequantize(images, make_generator(seed)))
    return bits_per_dim(log_density(y), ladj)
