"""The flows page's likelihood claims come with a paired interval and a verdict that match the reference test."""

import numpy as np
import pytest
import torch
from scipy.stats import ttest_rel

from core.flows import compare
from core.flows.claims import better_held_out_likelihood, digit_claims, race_claims
from core.stats import FAILS, HOLDS


def test_the_right_density_beats_a_too_wide_one_on_held_out_points():
    heldout = torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    right = torch.distributions.MultivariateNormal(torch.zeros(2), torch.eye(2)).log_prob
    wide = torch.distributions.MultivariateNormal(torch.zeros(2), 4 * torch.eye(2)).log_prob
    gap = better_held_out_likelihood(right, wide, heldout)
    assert gap.effect == pytest.approx((right(heldout) - wide(heldout)).mean().item())
    assert gap.n == 500 and gap.verdict == HOLDS
    assert better_held_out_likelihood(wide, right, heldout).verdict == FAILS


def test_the_bundled_digit_models_claims_hold_digit_by_digit():
    scores = compare.digit_scores()
    (_, flow_vs_gaussian), (_, bound_vs_flow) = digit_claims(scores)
    flow, gaussian = scores.per_digit[compare.FLOW].numpy(), scores.per_digit[compare.GAUSSIAN].numpy()
    assert flow_vs_gaussian.effect == pytest.approx(scores.test[compare.GAUSSIAN] - scores.test[compare.FLOW], abs=1e-5)
    assert flow_vs_gaussian.p_value == pytest.approx(ttest_rel(gaussian, flow).pvalue)
    assert flow_vs_gaussian.n == len(flow) and flow_vs_gaussian.verdict == HOLDS
    assert bound_vs_flow.effect > 0 and bound_vs_flow.verdict == HOLDS
    assert np.isfinite([flow_vs_gaussian.low, bound_vs_flow.high]).all()


def _race_row(model: str, off_data: float) -> compare.Row:
    sampled = compare.Sampled(samples=torch.zeros(100, 2), seconds=0.01, evaluations=6)
    return compare.Row(model, sampled, True, 1.0, -1.5, compare.Fit(covered=0.9, off_data=off_data))


def test_the_race_says_when_neither_model_has_learned_the_data():
    flow, ddpm = _race_row("flow (realnvp, 6 layers)", 0.40), _race_row("DDPM (100 steps)", 0.48)
    claims = race_claims(flow, ddpm, "rings")
    assert claims.startswith(
        "**Neither model has learned the data yet**: 40% of the flow's samples and 48% of the DDPM's samples fall off"
    )
    ddpm_only = race_claims(_race_row("flow (realnvp, 6 layers)", 0.02), ddpm, "rings")
    assert ddpm_only.startswith("**The DDPM has not learned the data yet**: 48% of the DDPM's samples fall off")
    learned = race_claims(_race_row("flow (realnvp, 6 layers)", 0.02), _race_row("DDPM (100 steps)", 0.01), "rings")
    assert learned.startswith("**What the course says, checked on rings")
