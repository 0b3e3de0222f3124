"""Flows, as the course describes them: invertible, with an exact likelihood that prefers data to noise."""

import numpy as np
import pytest
import torch

from core.flows import FLOW_MODEL, compare, datasets2d, ddpm, train2d
from core.flows.choices import DDPM_MODEL, MIXTURE, RINGS
from core.flows.digits import dequantize, load_split, noise_images
from core.flows.flow import KINDS, REALNVP, FlowConfig, build_flow, forward, inverse, latent_grid, layers, log_prob
from core.flows.invertibility import roundtrip
from core.flows.likelihood import digit_bits_per_dim, fit_gaussian, mean_log_likelihood
from core.runtime import get_model
from core.runtime.seeding import make_generator

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # small networks: a second thread only contends


@pytest.fixture(scope="module")
def digit_flow():
    return get_model(FLOW_MODEL)


@pytest.mark.parametrize("kind", KINDS)
def test_inverse_of_forward_is_identity_in_2d(kind):
    torch.manual_seed(0)
    flow = build_flow(FlowConfig(kind=kind, features=2, transforms=4))
    x = datasets2d.make(datasets2d.MOONS, 500, seed=0)
    z, _ = forward(flow, x)
    assert not torch.allclose(z, x, atol=1e-2)  # the flow really moves the points
    assert torch.allclose(inverse(flow, z), x, atol=1e-4)


def test_inverse_of_forward_is_identity_on_digits(digit_flow):
    x = dequantize(load_split()[2], make_generator(0))  # (297, 64) held-out digits
    y, _ = digit_flow.scaling.forward(x)
    z, _ = forward(digit_flow.flow, y)
    assert torch.allclose(inverse(digit_flow.flow, z), y, atol=1e-4)
    assert roundtrip(digit_flow, load_split()[2][0], seed=0).max_error < 1e-4


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("features", [2, 4])
def test_log_determinant_matches_autograd_jacobian(kind, features):
    torch.manual_seed(1)
    flow = build_flow(FlowConfig(kind=kind, features=features, transforms=3, hidden=16))
    x = torch.randn(5, features)
    _, ladj = forward(flow, x)
    for row, expected in zip(x, ladj, strict=True):
        jacobian = torch.autograd.functional.jacobian(lambda v: forward(flow, v[None])[0][0], row)  # (D, D)
        assert torch.slogdet(jacobian).logabsdet.item() == pytest.approx(expected.item(), abs=1e-4)


def test_log_likelihood_is_base_density_plus_log_determinant():
    torch.manual_seed(2)
    flow = build_flow(FlowConfig(features=2, transforms=3))
    x = torch.randn(10, 2)
    z, ladj = forward(flow, x)
    base = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1)
    assert torch.allclose(log_prob(flow, x), base + ladj, atol=1e-5)


def test_trained_2d_flow_beats_a_gaussian_and_prefers_data_to_noise():
    data, heldout = datasets2d.train_and_heldout(datasets2d.MOONS, seed=0)
    *_, last = train2d.train(data, FlowConfig(kind=REALNVP, transforms=6), steps=300, seed=0)
    assert last.step == 300 and not last.diverged
    flow_ll = mean_log_likelihood(lambda x: log_prob(last.flow, x), heldout)
    gauss_ll = mean_log_likelihood(fit_gaussian(data).log_prob, heldout)
    noise = 8 * torch.rand(1000, 2, generator=make_generator(3)) - 4  # uniform over the plot
    assert flow_ll > gauss_ll + 0.3
    assert flow_ll > mean_log_likelihood(lambda x: log_prob(last.flow, x), noise) + 1.0


def test_bundled_digit_flow_beats_gaussian_baseline_and_scores_noise_low(digit_flow):
    x_train, _, x_test, _ = load_split()
    gaussian = fit_gaussian(digit_flow.scaling.forward(dequantize(x_train, make_generator(0)))[0])
    flow_bits = digit_bits_per_dim(lambda y: log_prob(digit_flow.flow, y), digit_flow.scaling, x_test, 1).mean()
    gauss_bits = digit_bits_per_dim(gaussian.log_prob, digit_flow.scaling, x_test, 1).mean()
    noise = noise_images(50, make_generator(2))
    noise_bits = digit_bits_per_dim(lambda y: log_prob(digit_flow.flow, y), digit_flow.scaling, noise, 1).mean()
    assert flow_bits < gauss_bits - 0.2
    assert flow_bits < np.log2(17)  # better than knowing nothing
    assert noise_bits > flow_bits + 5


def test_nan_in_training_stops_and_keeps_the_last_good_model():
    data = datasets2d.make(datasets2d.RINGS, 500, seed=0)
    *_, last = train2d.train(data, FlowConfig(), steps=200, seed=0, lr=1e6)
    assert "stopped at step" in last.diverged and "is kept" in last.diverged
    assert last.step < 200
    assert all(torch.isfinite(p).all() for p in last.flow.parameters())
    assert torch.isfinite(log_prob(last.flow, data)).all()


@pytest.mark.parametrize("steps", ["abc", "1e9", -5, 2.5, None, "nan"])
def test_bad_step_counts_are_refused_with_a_message(steps):
    with pytest.raises(ValueError, match="whole number from 1 to 5000"):
        train2d.check_steps(steps)


def test_too_few_drawn_points_are_refused():
    ink = np.zeros((100, 100), dtype=bool)
    ink[50, 40:50] = True
    with pytest.raises(ValueError, match="draw at least 30"):
        datasets2d.train_and_heldout(datasets2d.DRAWN, seed=0, ink=ink)
    ink[20:80, 50] = True
    points, _ = datasets2d.train_and_heldout(datasets2d.DRAWN, seed=0, ink=ink)
    assert points.shape == (datasets2d.TRAIN_SIZE, 2)


def test_sampling_counts_network_evaluations():
    torch.manual_seed(0)
    flow = build_flow(FlowConfig(transforms=5))
    assert compare.sample_flow(flow, 100, seed=0).evaluations == len(layers(flow)) == 5
    model = compare.new_ddpm_2d(seed=0)
    drawn = compare.sample_ddpm(model, ddpm.make_scheduler(compare.DDPM_2D), 100, seed=0)
    assert drawn.evaluations == compare.DDPM_2D.timesteps
    assert drawn.samples.shape == (100, 2)


# Golden values (diffusers' style): seed 0, 2 digits; row 3 (pixels 24-31) of the first, intensities in [0, 1].
# They change when `python -m core.flows.train_digits` retrains the bundled models or a sampler changes.
DIGIT_GOLDEN = {
    FLOW_MODEL: [0.0460, 0.1946, 0.5568, 0.8659, 0.9676, 0.8377, 0.4724, 0.0148],  # one pass through the inverse
    DDPM_MODEL: [0.0339, 0.1548, 0.8396, 0.9974, 0.7574, 0.4187, 0.1338, 0.0017],  # 1000 ancestral steps
}


@pytest.mark.parametrize("name", list(DIGIT_GOLDEN))
def test_a_seeded_sampler_draws_the_golden_digit(name):
    model = get_model(name)
    drawn = compare.sample_digits(model, 2, seed=0).samples  # (2, 64)
    assert drawn.shape == (2, 64)
    torch.testing.assert_close(drawn[0, 24:32], torch.tensor(DIGIT_GOLDEN[name]), atol=1e-3, rtol=0)
    assert (compare.sample_digits(model, 2, seed=1).samples - drawn).abs().mean() > 0.05


def test_the_ddpm_bound_is_finite():
    model = compare.new_ddpm_2d(seed=0)
    scheduler = ddpm.make_scheduler(compare.DDPM_2D)
    bound = ddpm.negative_elbo(model, scheduler, datasets2d.make(datasets2d.MOONS, 16, seed=0), seed=0)
    assert bound.shape == (16,) and torch.isfinite(bound).all()


@pytest.mark.parametrize("name", [MIXTURE, RINGS])
def test_sample_fit_sees_a_dropped_mode_and_samples_between_the_modes(name):
    """The race's check of "mode collapse": fresh samples of the data cover it; half the modes leave half the
    held-out points uncovered; one Gaussian blob over every mode puts most samples off the data."""
    data, heldout = datasets2d.train_and_heldout(name, 0)
    fresh = datasets2d.make(name, 1000, 5)
    fit = compare.sample_fit(fresh, data, heldout)
    assert fit.covered > 0.95 and fit.off_data < 0.02
    right = fresh[fresh[:, 0] > 0]
    half = right[torch.randint(0, len(right), (1000,), generator=torch.Generator().manual_seed(0))]
    fit = compare.sample_fit(half, data, heldout)
    assert 0.4 < fit.covered < 0.65 and fit.off_data < 0.02
    blob = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0)) * data.std(0) + data.mean(0)
    assert compare.sample_fit(blob, data, heldout).off_data > 0.5


def test_the_race_measures_the_flow_before_the_ddpm_trains_and_then_both():
    """The page can show the flow's samples and row while the DDPM is still training."""
    data, heldout = datasets2d.train_and_heldout(datasets2d.RINGS, seed=0)
    config = train2d.flow_config(REALNVP, 4)
    states = list(compare.race_2d(data, heldout[:200], config, flow_steps=50, ddpm_steps=50, seed=0, n=200))
    assert states[0].rows == () and states[0].stage == "training the flow"
    first_with_flow = next(i for i, s in enumerate(states) if s.rows)
    assert all(len(s.rows) == 1 for s in states[first_with_flow:-1])
    assert any(s.stage == "training the DDPM" and s.fraction < 1 for s in states[first_with_flow:])
    flow_row, ddpm_row = states[-1].rows
    assert states[-1].stage == "done" and flow_row is states[first_with_flow].rows[0]
    assert flow_row.exact_likelihood and not ddpm_row.exact_likelihood
    assert flow_row.sampled.evaluations == 4 and ddpm_row.sampled.evaluations == compare.DDPM_2D.timesteps
    table = compare.comparison_table(states[-1].rows, "held-out log p")
    assert list(table["exact likelihood"]) == ["yes", "no (bound only)"]
    assert list(table["network calls"]) == [4, compare.DDPM_2D.timesteps]


def test_redraws_fall_on_the_first_report_after_each_mark_and_never_at_the_end():
    due = [
        step
        for step in [*range(25, 300, 25), 300]
        if train2d.redraw_due(train2d.Progress(step, 300, 0.0, None), redraws=8)
    ]
    assert due == [50, 75, 125, 150, 200, 225, 275]  # marks every 37 steps: 37, 74, 111, 148, 185, 222, 259, 296


def test_the_latent_grid_crosses_the_square_in_both_directions():
    grid = latent_grid(lines=3, points=5)  # (6, 5, 2)
    assert grid.shape == (6, 5, 2)
    assert torch.equal(grid[0, :, 1], torch.full((5,), -3.0)) and torch.equal(grid[0, :, 0], torch.linspace(-3, 3, 5))
    assert torch.equal(grid[3:], grid[:3].flip(-1))
