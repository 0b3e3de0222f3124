"""The page's claims at seed 0, with the margins the intervals leave: the StandardScaler alone makes the
classifiers certain on inverted digits; far from the data density wins, near it (novel digits) it depends."""

from functools import cache

import pytest

from core.stats import FAILS, HOLDS
from core.uncertainty.claims import density_vs_confidence, scaling_row
from core.uncertainty.experiment import Setup, evaluate_ood, fit

N_BOOT = 400


@cache
def fitted(classifier: str, scaling: str = "standard"):
    return fit(Setup("digits", classifier, "gaussian", scaling=scaling))


@cache
def inverted(classifier: str, scaling: str):
    f = fitted(classifier, scaling)
    return scaling_row(f, evaluate_ood(f, "inverted"), n_boot=N_BOOT)


@pytest.mark.parametrize("classifier", ["logreg", "mlp"])
def test_the_scaler_puts_inverted_digits_hundreds_of_stds_out_and_makes_confidence_certain(classifier):
    scaled, raw = inverted(classifier, "standard"), inverted(classifier, "none")
    assert scaled.deviations_out > 300  # 509 at seed 0: border pixels barely vary in training
    assert raw.deviations_out <= 1.0  # raw pixels stay in [0, 1]
    # scaled: confidence ranks inverted digits as *more* in-distribution than real ones (AUROC 0.00)
    assert scaled.auroc["msp"].high < 0.1 and scaled.auroc["msp"].verdict == FAILS
    assert scaled.auroc["energy"].high < 0.1
    # unscaled: the same models separate them better than chance (0.80 logreg, 0.62 MLP)
    assert raw.auroc["msp"].low > 0.5 and raw.auroc["msp"].verdict == HOLDS
    assert raw.auroc["energy"].effect > scaled.auroc["energy"].effect + 0.4  # 0.69 and 0.51 vs 0.00
    # the input-space density does not see the scaler, and wins either way
    assert scaled.auroc["density"].low > 0.99 and raw.auroc["density"].low > 0.99
    # the classifiers are as accurate on real digits without the scaler
    assert raw.accuracy > 0.97 and scaled.accuracy > 0.97


def test_a_variance_floor_bounds_the_distance_and_rescues_the_mlp():
    floored = inverted("mlp", "floored")
    assert floored.deviations_out <= 10.0  # |x - mean| <= 1 divided by at least 0.1
    assert floored.auroc["msp"].low > 0.75  # 0.87 at seed 0


def test_far_from_the_data_every_density_beats_confidence_near_it_it_depends():
    f = fitted("mlp")
    _, far = density_vs_confidence(f, "inverted", n_boot=N_BOOT)
    assert all(row.versus_confidence.verdict == HOLDS for row in far)

    msp, near = density_vs_confidence(f, "novel", n_boot=N_BOOT)
    assert msp.low > 0.9  # 0.96: confidence is good at novel classes
    verdicts = {(row.density, row.space): row.versus_confidence.verdict for row in near}
    assert verdicts[("gaussian", "input")] == HOLDS  # 0.98: only the input-space class Gaussian wins
    assert verdicts[("mahalanobis", "input")] == FAILS  # 0.87
    assert all(verdicts[(d, "hidden")] == FAILS for d in ("mahalanobis", "gaussian", "gmm", "knn"))  # 0.86-0.90
