"""scikit-learn's 8x8 digits as continuous data: dequantization, logit scaling, and bits per dimension.

A pixel takes one of 17 levels (0..16). Adding uniform noise u ~ U[0, 1) and dividing by 17 turns a
digit into a point of [0, 1)^64 (Theis et al., 2016; Dinh et al., 2017, RealNVP section 4.1), so a
density model scores it and its log-likelihood bounds the log-probability of the discrete image.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits

from core.flows.choices import TEST_SIZE

LEVELS = 17  # pixel values 0..16
SIDE = 8
DIM = SIDE * SIDE
SPLIT_SEED = 0


def load_split() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Integer images and labels, split once with a fixed seed: (x_train (1500, 64), y_train, x_test (297, 64), y_test)."""
    bunch = load_digits()
    images = torch.as_tensor(bunch.data, dtype=torch.int64)  # (1797, 64), values 0..16
    labels = torch.as_tensor(bunch.target, dtype=torch.int64)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(SPLIT_SEED))
    test, train = order[:TEST_SIZE], order[TEST_SIZE:]
    return images[train], labels[train], images[test], labels[test]


def dequantize(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """(N, 64) integers 0..16 -> (N, 64) floats in [0, 1): (v + u) / 17 with u ~ U[0, 1)."""
    noise = torch.rand(images.shape, generator=generator)
    return (images.float() + noise) / LEVELS


def noise_images(n: int, generator: torch.Generator) -> torch.Tensor:
    """(n, 64) integer images whose pixels are uniform over the 17 levels: what "noise" looks like to a digit model."""
    return torch.randint(0, LEVELS, (n, DIM), generator=generator)


@dataclass
class LogitScaling:
    """x in [0, 1) -> y = (logit(alpha + (1 - 2 alpha) x) - mean) / std, the space the digit flow models.

    `alpha` keeps the logit finite at 0 and 1; `mean` and `std` (64,) standardize with training statistics
    so the spline flows' domain [-5, 5] covers the data. Every step is invertible with a known Jacobian.
    """

    alpha: float
    mean: torch.Tensor  # (64,)
    std: torch.Tensor  # (64,)

    @classmethod
    def fit(cls, x01: torch.Tensor, alpha: float = 0.05) -> "LogitScaling":
        logits = torch.logit(alpha + (1 - 2 * alpha) * x01)
        return cls(alpha=alpha, mean=logits.mean(0), std=logits.std(0))

    def forward(self, x01: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, 64) in [0, 1) -> (y (N, 64), log|det dy/dx| (N,))."""
        s = self.alpha + (1 - 2 * self.alpha) * x01
        y = (torch.logit(s) - self.mean) / self.std
        ladj = math.log(1 - 2 * self.alpha) - torch.log(s) - torch.log1p(-s) - torch.log(self.std)
        return y, ladj.sum(-1)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        s = torch.sigmoid(y * self.std + self.mean)
        return ((s - self.alpha) / (1 - 2 * self.alpha)).clamp(0.0, 1.0 - 1e-6)


@dataclass
class SignedScaling:
    """x in [0, 1) -> y = 2x - 1 in [-1, 1), the space the digit DDPM models (as in Ho et al., 2020)."""

    def forward(self, x01: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = 2 * x01 - 1
        return y, torch.full(x01.shape[:-1], x01.shape[-1] * math.log(2.0))

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        return ((y + 1) / 2).clamp(0.0, 1.0 - 1e-6)


def bits_per_dim(log_p_model: torch.Tensor, ladj: torch.Tensor, dim: int = DIM) -> torch.Tensor:
    """Bits per pixel of the discrete image, from log p(y) in the model's space.

    log p(x) = log p(y) + log|det dy/dx| is the density on [0, 1)^D; each pixel bin has width 1/17, so
    log P(image) >= log p(x) - D log 17 (the dequantization bound). Returns -log2 P(image) / D, shape (N,).
    A model that knows nothing (uniform over 17 levels) scores log2(17) = 4.09 bits/dim.
    """
    log_p_discrete = log_p_model + ladj - dim * math.log(LEVELS)
    return -log_p_discrete / (dim * math.log(2.0))


def to_image(x01: torch.Tensor) -> np.ndarray:
    """(N, 64) in [0, 1) -> (N, 8, 8) floats in [0, 1] for display."""
    return x01.detach().reshape(-1, SIDE, SIDE).clamp(0, 1).cpu().numpy()
