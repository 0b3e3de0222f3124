"""Paired comparisons, where both arms are measured on the same items or the same seeds: accuracy on shared
questions (Newcombe's interval for paired proportions and McNemar's exact test) and a metric over shared seeds
(t interval, paired t-test and Wilcoxon signed-rank test)."""

import math

import numpy as np
from scipy.stats import t as student_t
from scipy.stats import ttest_rel, wilcoxon
from statsmodels.stats.contingency_tables import mcnemar

from core.stats.intervals import check_confidence, wilson
from core.stats.verdict import Difference


def _paired_arrays(a, b, kind) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=kind), np.asarray(b, dtype=kind)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(
            f"paired results must be two non-empty 1-d arrays over the same items, got {a.shape} and {b.shape}"
        )
    return a, b


def paired_accuracy_difference(a, b, confidence: float = 0.95, margin: float | None = None) -> Difference:
    """acc(b) - acc(a) for two systems scored right/wrong on the same n items.

    Interval: Newcombe's square-and-add interval for paired proportions (Newcombe 1998, method 10): the two
    Wilson intervals combined with the estimated correlation between the arms (phi, corrected towards 0).
    p-value: McNemar's exact test (binomial on the discordant pairs; statsmodels `mcnemar(exact=True)`).
    """
    a, b = _paired_arrays(a, b, bool)
    n = len(a)
    both, only_a, only_b, neither = (int(np.sum(x)) for x in (a & b, a & ~b, ~a & b, ~a & ~b))
    ca, cb = both + only_a, both + only_b  # correct answers per arm
    pa, pb = ca / n, cb / n
    la, ua = wilson(ca, n, confidence)
    lb, ub = wilson(cb, n, confidence)
    margins = ca * (n - ca) * cb * (n - cb)
    cross = both * neither - only_a * only_b
    if margins == 0 or 0 <= cross <= n / 2:
        phi = 0.0
    else:
        phi = (cross - n / 2 if cross > n / 2 else cross) / math.sqrt(margins)
    low = (pb - pa) - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2 - 2 * phi * (pb - lb) * (ua - pa))
    high = (pb - pa) + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2 - 2 * phi * (ub - pb) * (pa - la))
    p_value = float(mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue)
    return Difference(
        pb - pa,
        max(-1.0, low),
        min(1.0, high),
        n,
        p_value=p_value,
        method="Newcombe interval for paired proportions, McNemar's exact test",
        margin=margin,
        confidence=confidence,
        a_mean=pa,
        b_mean=pb,
    )


def paired_seed_difference(a, b, confidence: float = 0.95, margin: float | None = None) -> Difference:
    """mean(b - a) for a metric measured per seed for both arms (seed i of a paired with seed i of b).

    Interval: Student's t interval on the per-seed differences. p-value: the paired t-test (scipy `ttest_rel`);
    `wilcoxon_p` holds the Wilcoxon signed-rank test, which does not assume normal differences. Where the
    t-test is undefined: with one seed the interval and p-value are NaN; with differences that are all equal
    (whole epochs, say) the interval is that one value and the p-value is the Wilcoxon test's (1 when they
    are all 0).
    """
    a, b = _paired_arrays(a, b, float)
    d = b - a  # (seeds,)
    n, mean = len(d), float(d.mean())
    w = float(wilcoxon(b, a).pvalue) if np.any(d != 0) else None
    if n < 2:
        low = high = p = math.nan
    elif np.all(d == d[0]):
        low = high = mean
        p = 1.0 if w is None else w
    else:
        half = student_t.ppf(0.5 + check_confidence(confidence) / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)
        low, high = mean - half, mean + half
        p = float(ttest_rel(b, a).pvalue)
    return Difference(
        mean,
        float(low),
        float(high),
        n,
        p_value=p,
        method="t interval over seeds, paired t-test (Wilcoxon where the t-test is undefined)",
        margin=margin,
        confidence=confidence,
        a_mean=float(a.mean()),
        b_mean=float(b.mean()),
        wilcoxon_p=w,
    )
