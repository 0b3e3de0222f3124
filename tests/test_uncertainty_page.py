"""The confidence-vs-density page under Streamlit's AppTest: what a student sets, adds and reads."""

import json

import numpy as np
import pytest

from core.uncertainty.data import load
from core.uncertainty.experiment import Setup, fit_counts

PAGE = "apps/confidence_vs_density.py"


def run(app_test, **params):
    at = app_test(PAGE)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def add_point(at, x: float, y: float):
    at.number_input(key="x").set_value(x)
    at.number_input(key="y").set_value(y)
    at.button(key="add_point").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_page_shows_both_maps_on_one_150_by_150_grid(app_test):
    at = run(app_test)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    heatmaps = [trace for trace in spec["data"] if trace["type"] == "heatmap"]
    assert [h["z"]["shape"] for h in heatmaps] == ["150, 150", "150, 150"]
    assert [(h["xaxis"], h["yaxis"]) for h in heatmaps] == [("x", "y"), ("x2", "y2")]
    assert spec["layout"]["xaxis2"]["matches"] == "x"
    assert at.query_params["data"] == "moons" and at.query_params["density"] == "gaussian"


def test_adding_pushing_and_clearing_points_never_refits(app_test):
    setup = Setup(seed=11)
    before = fit_counts[setup]
    at = run(app_test, seed="11")
    assert fit_counts[setup] == before + 1

    add_point(at, 4.0, 4.0)
    assert "Point 1: confident but far" in at.error[0].value
    at.slider(key="push").set_value(10.0).run()
    add_point(at, 0.5, 0.25)
    at.button(key="clear_points").click().run()
    assert not at.exception
    assert len(at.error) == 0 and "points" not in at.query_params
    assert fit_counts[setup] == before + 1


def test_a_far_point_is_flagged_and_its_numbers_are_shown(app_test):
    at = add_point(run(app_test), 4.0, 4.0)
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert row["max p"] >= 0.9 and row["density pct"] < 5 and row["confident but far"]
    assert {"class", "entropy", "entropy pct", "energy", "energy pct", "density score", "max p pct"} <= set(table)
    assert at.query_params["points"] == "4,4"


def test_a_link_restores_a_setup_with_a_pushed_point(app_test):
    at = run(app_test, clf="mlp", data="moons", density="knn", k="7", points="1,0.5", push="10")
    assert at.selectbox(key="density").value == "knn" and at.slider(key="k").value == 7
    row = at.dataframe[0].value.iloc[0]
    mean = load("moons", 0).mean
    np.testing.assert_allclose([row["x"], row["y"]], mean + 10 * (np.array([1.0, 0.5]) - mean))
    assert row["confident but far"]
    assert at.query_params["push"] == "10" and at.query_params["points"] == "1,0.5" and at.query_params["k"] == "7"


def test_bad_link_values_warn_and_fall_back_to_defaults(app_test):
    at = run(
        app_test,
        data="cifar",
        k="many",
        seed="-3",
        threshold="2",
        push="abc",
        points="1,2,3",
        ood="novel",
    )
    warnings = " ".join(w.value for w in at.warning)
    for key in ("data", "k", "seed", "threshold", "push", "points", "ood"):
        assert f"`{key}=" in warnings
    assert len(at.warning) == 7
    assert at.selectbox(key="data").value == "moons" and at.number_input(key="seed").value == 0
    assert at.slider(key="threshold").value == 0.9 and at.slider(key="push").value == 1.0
    assert at.query_params["data"] == "moons" and at.query_params["seed"] == "0"


def test_hidden_features_need_the_mlp(app_test):
    at = run(app_test, clf="logreg", space="hidden")
    assert "hidden features exist only for the MLP" in at.warning[0].value
    assert at.radio(key="space").value == "input"


@pytest.mark.parametrize("ood", ["inverted", "novel"])
def test_digits_measure_ood_in_64_dimensions_and_show_flagged_images(app_test, ood):
    at = run(app_test, data="digits", ood=ood)
    assert "computed in the full 64-dimensional space" in at.info[0].value
    metrics = at.dataframe[0].value.set_index("score")
    assert metrics.loc["-log p(f), class-conditional Gaussian", "AUROC"] >= 0.95
    assert "flagged" in " ".join(m.value for m in at.markdown)
    assert len(at.get("image")) >= 1


def test_digits_show_the_scaler_side_by_side_and_the_near_far_verdicts(app_test):
    at = run(app_test, data="digits", ood="inverted", scale="floored")
    metrics = at.dataframe[0].value.set_index("score")
    assert metrics.loc["max probability (MSP)", "AUROC"] >= 0.75  # floored scaler: 0.87 at seed 0
    assert metrics.loc["max probability (MSP)", "95% interval"].startswith("[0.8")
    text = " ".join(m.value for m in at.markdown)
    assert "standard deviations" in text and "509" in text  # the standard scaler's inverted digits
    assert "Max probability AUROC: 0.00 [0.00, 0.00], n = 866: does not hold" in text
    near = at.dataframe[2].value.set_index(["density model", "space"])
    assert near.loc[("class-conditional Gaussian", "the input"), "density beats confidence"] == "holds"
    assert near.loc[("Mahalanobis distance (shared covariance)", "the input"), "density beats confidence"] == (
        "does not hold"
    )
