"""Confidence scores read off a classifier's logits: max softmax probability (Hendrycks & Gimpel 2017),
predictive entropy, and energy (Liu et al. 2020, "Energy-based out-of-distribution detection").

All three are functions of p(y|x) alone, so they cannot tell how far x lies from the training data.
"""

import numpy as np
from scipy.special import logsumexp


def softmax(z: np.ndarray) -> np.ndarray:
    """p_c = exp(z_c) / sum_j exp(z_j), row by row: (n, C) -> (n, C)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted by the row max, so exp never overflows
    return e / e.sum(axis=1, keepdims=True)


def max_probability(p: np.ndarray) -> np.ndarray:
    """max_c p_c (n,): the classifier's confidence; its negative is the MSP out-of-distribution score."""
    return p.max(axis=1)


def entropy(p: np.ndarray) -> np.ndarray:
    """H = -sum_c p_c log p_c in nats (n,): 0 when certain, log C when uniform."""
    return -(p * np.log(np.clip(p, 1e-300, None))).sum(axis=1)


def energy(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """E = -T logsumexp(z / T) (n,): lower energy means more in-distribution."""
    return -temperature * logsumexp(z / temperature, axis=1)
