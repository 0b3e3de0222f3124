"""The course's claim, measured: softmax stays confident far from the data while distances and densities grow."""

from functools import cache

import numpy as np
import pytest
from scipy.spatial.distance import mahalanobis
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.covariance import LedoitWolf

from core.uncertainty import charts, ood_metrics
from core.uncertainty.classifiers import logits
from core.uncertainty.data import load, ood_set, ood_sets_for, push
from core.uncertainty.density import fit_class_gaussians, fit_knn, fit_mahalanobis
from core.uncertainty.experiment import Setup, evaluate_ood, fit, score_grid
from core.uncertainty.grid import RESOLUTION, boundary_mask
from core.uncertainty.scores import energy, entropy, max_probability, softmax


@cache
def fitted(setup: Setup):
    return fit(setup)


# The claims, at seed 0


def test_on_moons_the_mlp_is_more_confident_on_a_far_cluster_than_on_real_data():
    report = evaluate_ood(fitted(Setup("moons", "mlp", "gaussian")), "far")
    assert report.auroc["msp"] <= 0.05
    assert report.auroc["density"] >= 0.99


@pytest.mark.parametrize("dataset", ["digits", "moons"])
def test_pushed_5x_the_mlp_stays_confident_while_the_mahalanobis_distance_explodes(dataset):
    f = fitted(Setup(dataset, "mlp", "mahalanobis"))
    pushed = f.score(push(f.data.x_test, f.data.mean, 5.0))
    assert pushed.max_probability.mean() >= 0.95
    assert np.median(pushed.density) >= 20 * np.median(f.held_out.density)


def test_inverted_digits_are_caught_by_the_density():
    assert evaluate_ood(fitted(Setup("digits", "mlp", "gaussian")), "inverted").auroc["density"] >= 0.99


def test_novel_digit_classes_8_and_9_are_caught_by_class_conditional_gaussians():
    assert evaluate_ood(fitted(Setup("digits", "mlp", "gaussian")), "novel").auroc["density"] >= 0.95


def test_a_far_point_is_confident_but_far_and_a_training_point_is_not():
    f = fitted(Setup("moons", "mlp", "gaussian"))
    s = f.score(np.array([[4.0, 4.0], f.data.x_train[0]]))
    assert s.max_probability[0] >= 0.9
    assert f.confident_but_far(s, 0.9).tolist() == [True, False]
    assert f.percentiles(s)["density"][0] == 0.0


def test_about_5_percent_of_held_out_points_fall_below_the_5th_density_percentile():
    f = fitted(Setup("moons", "mlp", "gaussian"))
    rare = f.percentiles(f.held_out)["density"] < 5
    assert 0.03 <= rare.mean() <= 0.05


def test_the_same_seed_gives_the_same_numbers():
    a, b = fit(Setup(density="knn", seed=3)), fit(Setup(density="knn", seed=3))
    np.testing.assert_array_equal(a.held_out.max_probability, b.held_out.max_probability)
    np.testing.assert_array_equal(a.held_out.density, b.held_out.density)
    assert not np.array_equal(a.held_out.density, fit(Setup(density="knn", seed=4)).held_out.density)


# The scores against their formulas


def test_confidence_scores_follow_their_formulas():
    z = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, -5.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(max_probability(p), [1 / 3, np.exp(10) / np.exp([10, 0, -5]).sum()])
    np.testing.assert_allclose(entropy(p)[0], np.log(3))
    np.testing.assert_allclose(energy(z), -logsumexp(z, axis=1))


@pytest.mark.parametrize("dataset", ["moons", "blobs"])
@pytest.mark.parametrize("classifier", ["logreg", "mlp"])
def test_softmax_of_the_logits_is_the_classifiers_probability(dataset, classifier):
    f = fitted(Setup(dataset, classifier))
    data, model = f.data, f.classifier
    z = logits(model, data.x_test)
    np.testing.assert_allclose(softmax(z), model.predict_proba(data.x_test), atol=1e-10)
    if data.n_classes == 2:
        np.testing.assert_allclose(z[:, 0], -z[:, 1])


def test_distances_and_densities_match_scipy():
    data = load("blobs", 0)
    f, y, x = data.x_train, data.y_train, data.x_test[:20]
    shared = fit_mahalanobis(f, y)
    expected = [min(mahalanobis(v, mu, shared.precision) ** 2 for mu in shared.means) for v in x]
    np.testing.assert_allclose(shared.score(x), expected)

    joint = np.zeros(len(x))
    for c in range(data.n_classes):
        cov = LedoitWolf().fit(f[y == c]).covariance_
        joint += np.mean(y == c) * multivariate_normal(f[y == c].mean(axis=0), cov).pdf(x)
    np.testing.assert_allclose(fit_class_gaussians(f, y).score(x), -np.log(joint))

    brute = np.sort(np.linalg.norm(x[:, None] - f[None], axis=2), axis=1)[:, 4]  # (20,) 5th nearest
    np.testing.assert_allclose(fit_knn(f, 5).score(x), brute)


def test_ood_metrics_on_known_separations():
    inside, outside = np.arange(100.0), np.arange(50.0, 150.0)
    assert ood_metrics.auroc(inside, inside + 1000) == 1.0
    assert ood_metrics.auroc(inside + 1000, inside) == 0.0
    assert ood_metrics.fpr_at_95_tpr(inside, inside + 1000) == 0.0
    # catching 95 of the 100 outside points needs a threshold of 55, which flags 45 inside points
    assert ood_metrics.fpr_at_95_tpr(inside, outside) == pytest.approx(0.45)


# The view and the setup


def test_grid_values_reshape_into_heat_map_rows():
    f = fitted(Setup("moons", "mlp", "gaussian"))
    grid = f.grid
    assert len(grid.xs) == len(grid.ys) == RESOLUTION >= 150
    z = grid.reshape(grid.points[:, 0] + 10 * grid.points[:, 1])  # (ny, nx)
    np.testing.assert_allclose(z[7, 3], grid.xs[3] + 10 * grid.ys[7])
    assert score_grid(f).density.shape == (RESOLUTION * RESOLUTION,)


def test_digits_are_scored_in_64_dimensions_on_a_plane_through_the_mean():
    f = fitted(Setup("digits", "mlp", "gaussian"))
    p = np.array([[1.5, -0.5], [0.0, 0.0]])
    x = f.plane.from_plane(p)
    assert x.shape == (2, 64)
    np.testing.assert_allclose(x[1], f.data.mean)
    np.testing.assert_allclose(f.plane.to_plane(x), p, atol=1e-12)


def test_boundary_mask_marks_where_the_class_changes():
    labels = np.array([[0, 0, 1], [0, 0, 1], [2, 2, 2]])
    expected = np.array([[0, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(boundary_mask(labels), expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "cifar"}, "choose one of moons, blobs, digits"),
        ({"classifier": "svm"}, "choose one of logreg, mlp"),
        ({"density": "flow"}, "choose one of mahalanobis"),
        ({"density": "gmm", "k": 30}, "from 1 to 10"),
        ({"classifier": "logreg", "space": "hidden"}, "hidden features exist only for the MLP"),
        ({"seed": -1}, "use a whole number from 0"),
        ({"k": 2.5}, "k must be a whole number"),
    ],
)
def test_a_bad_setup_says_what_to_choose(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Setup(**kwargs)


def test_digit_only_ood_sets_are_refused_for_moons():
    assert ood_sets_for("moons") == ("far", "pushed", "uniform")
    with pytest.raises(ValueError, match="does not apply to moons"):
        ood_set(load("moons", 0), "inverted", 0)


def test_no_points_give_empty_scores():
    assert len(fitted(Setup("moons", "mlp", "gaussian")).score(np.empty((0, 2))).density) == 0


def test_maps_share_one_grid_and_point_off_map_test_points_the_right_way():
    f = fitted(Setup("moons", "mlp", "gaussian"))
    points = np.array([[0.5, 0.2], [100.0, 0.5]])
    fig = charts.maps(f, score_grid(f), points, np.array([False, True]))
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [h.z.shape for h in heatmaps] == [(RESOLUTION, RESOLUTION)] * 2
    assert [t.xaxis for t in fig.data if t.name == charts.CLICK_LAYER] == ["x", "x2"]
    test = next(t for t in fig.data if (t.name or "").startswith("test points"))
    assert list(test.marker.symbol) == ["star", "arrow"]
    assert test.x[1] == f.grid.xs[-1] and test.marker.angle[1] == pytest.approx(90, abs=1)


def test_the_page_accepts_the_same_seeds_as_every_other_demo():
    from core.runtime.seeding import MAX_SEED
    from core.uncertainty import experiment

    assert experiment.MAX_SEED == MAX_SEED
