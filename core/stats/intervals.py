"""Intervals for one measured quantity: a proportion (Wilson score interval), the gap between two proportions
from independent samples (Newcombe's hybrid score interval), and an AUROC (stratified bootstrap percentile
interval), alone or as a paired difference of two scores on the same points."""

import numpy as np
from scipy.stats import fisher_exact, norm
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import confint_proportions_2indep

from core.stats.verdict import Difference, Estimate

N_BOOT = 2000


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a fraction between 0 and 1, e.g. 0.95, got {confidence!r}")
    return float(confidence)


def _check_count(successes: int, n: int) -> None:
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes} successes out of {n}")


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (Wilson 1927): the p whose score test at this level does not
    reject successes/n. Unlike p ± z·se it stays inside [0, 1] and keeps its width at 0/n and n/n."""
    _check_count(successes, n)
    z = norm.ppf(0.5 + check_confidence(confidence) / 2)
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def proportion(successes: int, n: int, confidence: float = 0.95, null: float = 0.0, direction: int = 1) -> Estimate:
    """successes/n with its Wilson score interval; the claim is that it lies on the `direction` side of `null`."""
    low, high = wilson(successes, n, confidence)
    return Estimate(
        successes / n,
        low,
        high,
        n,
        method="Wilson score interval",
        null=null,
        direction=direction,
        confidence=confidence,
    )


def proportion_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = 0.95, margin: float | None = None
) -> Difference:
    """p_b - p_a for two independent samples: Newcombe's hybrid score interval (Newcombe 1998, method 10, built
    from the two Wilson intervals; statsmodels' "newcomb") and Fisher's exact test."""
    _check_count(successes_a, n_a)
    _check_count(successes_b, n_b)
    low, high = confint_proportions_2indep(
        successes_b, n_b, successes_a, n_a, method="newcomb", compare="diff", alpha=1 - check_confidence(confidence)
    )
    table = [[successes_b, n_b - successes_b], [successes_a, n_a - successes_a]]
    pa, pb = successes_a / n_a, successes_b / n_b
    return Difference(
        pb - pa,
        float(low),
        float(high),
        n_a + n_b,
        p_value=float(fisher_exact(table).pvalue),
        method="Newcombe hybrid score interval, Fisher's exact test",
        margin=margin,
        confidence=confidence,
        a_mean=pa,
        b_mean=pb,
    )


def _split(labels, scores) -> tuple[np.ndarray, np.ndarray]:
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    if labels.shape != scores.shape or labels.ndim != 1:
        raise ValueError(f"labels and scores must be 1-d arrays of one length, got {labels.shape} and {scores.shape}")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 (negative) or 1 (positive)")
    positives, negatives = scores[labels == 1], scores[labels == 0]
    if len(positives) == 0 or len(negatives) == 0:
        raise ValueError("AUROC needs at least one positive and one negative point")
    return positives, negatives


def _bootstrap_auc(positives: np.ndarray, negatives: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The AUROC of each bootstrap replicate, positives[i[r]] against negatives[j[r]], as the Mann-Whitney
    statistic P(positive > negative) + P(tie)/2, exactly. positives (P,), negatives (N,), i (B, P) and
    j (B, N) resampled indices -> (B,).

    Sorting each replicate would cost B sorts; instead each replicate counts how often it drew each point
    (w, v) and, for each negative t, sums the weights of the positives above and tied with t through a
    cumulative sum over the positives sorted once.
    """
    b, p, n = len(i), len(positives), len(negatives)
    order = np.argsort(positives)
    rank = np.empty(p, dtype=int)
    rank[order] = np.arange(p)  # position of each positive in sorted order
    rows = np.arange(b)[:, None]
    w = np.bincount((rows * p + rank[i]).ravel(), minlength=b * p).reshape(b, p)  # (B, P) draws, sorted order
    v = np.bincount((rows * n + j).ravel(), minlength=b * n).reshape(b, n)  # (B, N) draws of each negative
    cum = np.concatenate([np.zeros((b, 1)), np.cumsum(w, axis=1)], axis=1)  # (B, P + 1) weight of the k lowest
    sorted_positives = positives[order]
    below = np.searchsorted(sorted_positives, negatives, side="left")  # (N,) positives < t
    not_above = np.searchsorted(sorted_positives, negatives, side="right")  # (N,) positives <= t
    above = p - cum[:, not_above]  # (B, N) drawn positives > t (each replicate draws p positives)
    ties = cum[:, not_above] - cum[:, below]  # (B, N) drawn positives == t
    return (v * (above + 0.5 * ties)).sum(axis=1) / (p * n)


def _resample(rng: np.random.Generator, n_boot: int, size: int) -> np.ndarray:
    return rng.integers(0, size, size=(n_boot, size))  # (n_boot, size) indices, drawn with replacement


def auroc_with_interval(
    labels, scores, n_boot: int = N_BOOT, seed: int = 0, confidence: float = 0.95, direction: int = 1
) -> Estimate:
    """AUROC (scikit-learn's roc_auc_score) with a stratified bootstrap percentile interval: positives and
    negatives are resampled separately, so each replicate keeps the class sizes. The claim is that the score
    ranks positives above negatives (AUROC above the chance level 0.5) or, with direction=-1, below."""
    positives, negatives = _split(labels, scores)
    rng = np.random.default_rng(seed)
    i, j = _resample(rng, n_boot, len(positives)), _resample(rng, n_boot, len(negatives))
    boot = _bootstrap_auc(positives, negatives, i, j)  # (n_boot,)
    tail = 50 * (1 - check_confidence(confidence))
    low, high = np.percentile(boot, [tail, 100 - tail])
    return Estimate(
        float(roc_auc_score(labels, scores)),
        float(low),
        float(high),
        len(positives) + len(negatives),
        method=f"stratified bootstrap percentile interval, {n_boot} resamples",
        null=0.5,
        direction=direction,
        confidence=confidence,
    )


def paired_auroc_difference(
    labels, scores_a, scores_b, n_boot: int = N_BOOT, seed: int = 0, confidence: float = 0.95, margin=None
) -> Difference:
    """AUROC(b) - AUROC(a) for two scores of the same points, with a paired stratified bootstrap percentile
    interval: each replicate resamples points (within each class) and scores both on them."""
    pos_a, neg_a = _split(labels, scores_a)
    pos_b, neg_b = _split(labels, scores_b)
    rng = np.random.default_rng(seed)
    i, j = _resample(rng, n_boot, len(pos_a)), _resample(rng, n_boot, len(neg_a))
    boot = _bootstrap_auc(pos_b, neg_b, i, j) - _bootstrap_auc(pos_a, neg_a, i, j)  # (n_boot,)
    tail = 50 * (1 - check_confidence(confidence))
    low, high = np.percentile(boot, [tail, 100 - tail])
    a, b = float(roc_auc_score(labels, scores_a)), float(roc_auc_score(labels, scores_b))
    return Difference(
        b - a,
        float(low),
        float(high),
        len(pos_a) + len(neg_a),
        method=f"paired stratified bootstrap percentile interval, {n_boot} resamples",
        margin=margin,
        confidence=confidence,
        a_mean=a,
        b_mean=b,
    )
