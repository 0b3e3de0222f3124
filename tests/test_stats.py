"""core.stats against the reference libraries (statsmodels, scipy, scikit-learn) and published values."""

import itertools

import numpy as np
import pytest
from scipy.stats import bootstrap, mannwhitneyu, ttest_rel, wilcoxon
from sklearn.metrics import roc_auc_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from core.stats import (
    FAILS,
    HOLDS,
    UNCLEAR,
    Difference,
    Estimate,
    auroc_with_interval,
    format_claim,
    paired_accuracy_difference,
    paired_auroc_difference,
    paired_seed_difference,
    proportion,
    proportion_difference,
    verdict,
    wilson,
)
from core.stats.intervals import _bootstrap_auc


@pytest.mark.parametrize("successes,n", [(0, 10), (3, 10), (10, 10), (38, 120), (1, 1), (57, 61)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(successes, n, confidence):
    expected = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(wilson(successes, n, confidence), expected, atol=1e-12)


def test_proportion_rejects_impossible_counts():
    with pytest.raises(ValueError, match="successes"):
        proportion(11, 10)
    with pytest.raises(ValueError, match="confidence"):
        wilson(3, 10, confidence=95)


def _paired_table(both, only_a, only_b, neither):
    """Right/wrong vectors for two arms from the cells of their paired 2x2 table."""
    a = np.repeat([True, True, False, False], [both, only_a, only_b, neither])
    b = np.repeat([True, False, True, False], [both, only_a, only_b, neither])
    return a, b


def test_paired_accuracy_interval_matches_published_newcombe_value():
    # Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables (2017), ch. 8: complete response
    # before (a) and after (b) consolidation therapy, table [[59, 6], [16, 80]]; Newcombe's square-and-add
    # interval for a - b is -0.0621 (-0.1186 to -0.0046), so b - a is +0.0621 (0.0046 to 0.1186).
    d = paired_accuracy_difference(*_paired_table(59, 6, 16, 80))
    assert d.n == 161
    assert d.effect == pytest.approx(10 / 161)
    assert (d.low, d.high) == pytest.approx((0.0046, 0.1186), abs=5e-5)
    assert (d.a_mean, d.b_mean) == pytest.approx((65 / 161, 75 / 161))


@pytest.mark.parametrize("cells", [(59, 6, 16, 80), (40, 2, 9, 49), (5, 0, 0, 5), (0, 3, 1, 0), (30, 12, 11, 27)])
def test_paired_accuracy_p_value_is_mcnemar_exact(cells):
    both, only_a, only_b, neither = cells
    d = paired_accuracy_difference(*_paired_table(*cells))
    expected = mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue
    assert d.p_value == pytest.approx(expected)
    assert -1 <= d.low <= d.effect <= d.high <= 1


def test_paired_accuracy_interval_agrees_with_a_paired_bootstrap():
    rng = np.random.default_rng(3)
    a = rng.random(400) < 0.6
    b = np.where(rng.random(400) < 0.8, a, rng.random(400) < 0.75)  # correlated with a, a little better
    d = paired_accuracy_difference(a, b)
    boot = bootstrap(
        (a.astype(float), b.astype(float)),
        lambda x, y, axis: y.mean(axis) - x.mean(axis),
        paired=True,
        method="percentile",
        n_resamples=4000,
        rng=np.random.default_rng(0),
    ).confidence_interval
    assert (d.low, d.high) == pytest.approx((boot.low, boot.high), abs=0.01)


def test_proportion_difference_matches_published_newcombe_hybrid_score_value():
    # Fagerland et al. (2017), ch. 4: high vs standard dose of epinephrine (Perondi et al. 2004), 7/34 vs 1/34;
    # Newcombe's hybrid score interval 0.1765 (0.0189 to 0.3404).
    d = proportion_difference(1, 34, 7, 34)
    assert d.effect == pytest.approx(6 / 34)
    assert (d.low, d.high) == pytest.approx((0.0189, 0.3404), abs=5e-5)


SEEDS_A = np.array([0.712, 0.698, 0.731, 0.705, 0.689, 0.722, 0.701, 0.715, 0.694, 0.709])
SEEDS_B = np.array([0.735, 0.702, 0.744, 0.731, 0.688, 0.741, 0.725, 0.719, 0.716, 0.712])


def test_paired_seed_difference_matches_scipy_and_statsmodels():
    d = paired_seed_difference(SEEDS_A, SEEDS_B)
    diffs = DescrStatsW(SEEDS_B - SEEDS_A)
    assert d.effect == pytest.approx(diffs.mean)
    assert (d.low, d.high) == pytest.approx(diffs.tconfint_mean(alpha=0.05))
    assert d.p_value == pytest.approx(diffs.ttest_mean(0)[1])
    assert d.p_value == pytest.approx(ttest_rel(SEEDS_B, SEEDS_A).pvalue)
    assert d.wilcoxon_p == pytest.approx(wilcoxon(SEEDS_B, SEEDS_A).pvalue)
    assert d.n == 10
    assert d.verdict == HOLDS


def test_wilcoxon_p_is_the_exact_signed_rank_tail():
    """Enumerate all 2^10 sign flips of the ranked differences: the two-sided exact p-value."""
    d = SEEDS_B - SEEDS_A
    ranks = np.argsort(np.argsort(np.abs(d))) + 1  # no ties in |d|
    observed = ranks[d > 0].sum()
    sums = np.array([np.dot(signs, ranks) for signs in itertools.product((0, 1), repeat=len(d))])
    centre = ranks.sum() / 2
    exact = np.mean(np.abs(sums - centre) >= abs(observed - centre))
    assert paired_seed_difference(SEEDS_A, SEEDS_B).wilcoxon_p == pytest.approx(exact)


def test_paired_seed_difference_degenerate_cases():
    one = paired_seed_difference([0.5], [0.6])
    assert np.isnan(one.low) and one.verdict == UNCLEAR
    same = paired_seed_difference([0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert (same.effect, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    assert same.wilcoxon_p is None and same.verdict == UNCLEAR
    # every seed saves exactly 5 epochs: no spread for a t-test, so the signed-rank test decides (p = 2 / 2^n)
    steady = paired_seed_difference([20] * 10, [15] * 10)
    assert (steady.effect, steady.low, steady.high) == (-5.0, -5.0, -5.0)
    assert steady.p_value == pytest.approx(2 / 2**10) and steady.verdict == FAILS
    assert paired_seed_difference([20] * 3, [15] * 3).verdict == UNCLEAR  # p = 0.25 with 3 seeds
    with pytest.raises(ValueError, match="same items"):
        paired_seed_difference([0.5, 0.6], [0.5])


def _scores(n_neg=150, n_pos=90, shift=0.8, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.r_[np.zeros(n_neg, int), np.ones(n_pos, int)]
    return labels, rng.normal(size=n_neg + n_pos) + shift * labels


def test_auroc_is_sklearn_and_interval_agrees_with_scipy_bootstrap():
    labels, scores = _scores()
    est = auroc_with_interval(labels, scores, n_boot=4000, seed=0)
    assert est.effect == pytest.approx(roc_auc_score(labels, scores))
    boot = bootstrap(
        (scores[labels == 1], scores[labels == 0]),
        lambda pos, neg, axis: mannwhitneyu(pos, neg, axis=axis).statistic / (pos.shape[axis] * neg.shape[axis]),
        method="percentile",
        n_resamples=4000,
        rng=np.random.default_rng(0),
    ).confidence_interval
    assert (est.low, est.high) == pytest.approx((boot.low, boot.high), abs=0.01)
    assert est.null == 0.5 and est.verdict == HOLDS


def test_auroc_with_ties_matches_sklearn_and_below_chance_reads_does_not_hold():
    labels, scores = _scores(shift=-1.5, seed=1)
    scores = np.round(scores)  # many ties
    est = auroc_with_interval(labels, scores, n_boot=500)
    assert est.effect == pytest.approx(roc_auc_score(labels, scores))
    assert est.high < 0.5 and est.verdict == FAILS
    assert auroc_with_interval(labels, scores, n_boot=500, direction=-1).verdict == HOLDS


def test_each_bootstrap_replicate_auroc_is_sklearn_on_the_resampled_points():
    labels, scores = _scores(n_neg=40, n_pos=25, seed=4)
    scores = np.round(scores, 1)  # with ties
    pos, neg = scores[labels == 1], scores[labels == 0]
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, 25, size=(6, 25)), rng.integers(0, 40, size=(6, 40))
    expected = [
        roc_auc_score(np.r_[np.ones(25), np.zeros(40)], np.r_[pos[a], neg[b]]) for a, b in zip(i, j, strict=True)
    ]
    np.testing.assert_allclose(_bootstrap_auc(pos, neg, i, j), expected)


def test_paired_auroc_difference():
    labels, scores = _scores(seed=2)
    noisy = scores + np.random.default_rng(5).normal(size=len(scores))
    d = paired_auroc_difference(labels, noisy, scores, n_boot=1000)
    assert d.effect == pytest.approx(roc_auc_score(labels, scores) - roc_auc_score(labels, noisy))
    assert d.low < d.effect < d.high
    same = paired_auroc_difference(labels, scores, scores, n_boot=200)
    assert (same.effect, same.low, same.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="positive and one negative"):
        auroc_with_interval(np.zeros(5, int), np.arange(5.0))


@pytest.mark.parametrize(
    "low,high,direction,margin,expected",
    [
        (0.01, 0.05, 1, None, HOLDS),
        (-0.05, -0.01, 1, None, FAILS),
        (-0.05, -0.01, -1, None, HOLDS),
        (-0.01, 0.05, 1, None, UNCLEAR),
        (-0.01, 0.01, 1, 0.02, FAILS),  # within the equivalence margin
        (-0.01, 0.03, 1, 0.02, UNCLEAR),
        (float("nan"), float("nan"), 1, None, UNCLEAR),
    ],
)
def test_verdict_reads_the_interval(low, high, direction, margin, expected):
    assert verdict(low, high, 0.0, direction, margin) == expected


def test_verdict_against_a_non_zero_null_and_a_disagreeing_p_value():
    assert Estimate(0.7, 0.55, 0.8, 40, null=0.5).verdict == HOLDS
    assert Estimate(0.7, 0.45, 0.8, 40, null=0.5).verdict == UNCLEAR
    # the interval excludes 0 but the test beside it does not reject: not enough evidence
    assert Difference(0.06, 0.005, 0.12, 161, p_value=0.052).verdict == UNCLEAR
    assert Difference(0.06, 0.005, 0.12, 161, p_value=0.04).verdict == HOLDS
    with pytest.raises(ValueError, match="direction"):
        Estimate(0.1, 0.0, 0.2, 5, direction=2)


def test_format_claim():
    d = Difference(0.041, -0.003, 0.086, 10, p_value=0.066)
    assert format_claim(d, "{:+.1f}", 100, " pp", "seeds") == (
        "+4.1 pp [-0.3, +8.6], n = 10 seeds, p = 0.066: not enough evidence"
    )
    assert format_claim(Estimate(0.97, 0.95, 0.99, 300, null=0.5), "{:.2f}") == "0.97 [0.95, 0.99], n = 300: holds"
    assert "p < 0.001" in format_claim(Difference(0.2, 0.1, 0.3, 500, p_value=1e-6))
