"""The flows page's likelihood claims, each as a paired gap over the same held-out points with its 95% t interval,
the paired t-test's p-value and a verdict (core.stats): a flow beats a single Gaussian, and the DDPM's bound is
looser than the flow's exact likelihood."""

import numpy as np
import torch

from core.flows.compare import DIFFUSION, FLOW, GAUSSIAN, DigitScores
from core.flows.likelihood import LogDensity
from core.stats import Difference, paired_seed_difference


@torch.no_grad()
def better_held_out_likelihood(better: LogDensity, baseline: LogDensity, heldout: torch.Tensor) -> Difference:
    """log p_better(x) - log p_baseline(x) in nats, paired over the held-out points x (N, D); the claim: above 0."""
    return paired_seed_difference(baseline(heldout).numpy(), better(heldout).numpy())


def digit_claims(scores: DigitScores) -> list[tuple[str, Difference]]:
    """(claim, gap in bits/dim, positive = the claim holds) for the held-out digits, paired digit by digit."""
    bits = {name: np.asarray(values) for name, values in scores.per_digit.items()}
    return [
        (
            "the flow's exact likelihood beats a full-covariance Gaussian (bits/dim saved)",
            paired_seed_difference(bits[FLOW], bits[GAUSSIAN]),
        ),
        (
            "the DDPM's bound is looser than the flow's exact value (bits/dim above the flow)",
            paired_seed_difference(bits[FLOW], bits[DIFFUSION]),
        ),
    ]
