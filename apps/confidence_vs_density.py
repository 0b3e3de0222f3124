"""Confidence vs. distance from the class centres: a classifier's max probability beside a density
model's distance on the same grid, with test points to poke and out-of-distribution sets to measure.

Run alone from the repository root with `python -m apps.confidence_vs_density` (it starts
`python -m streamlit run` on this file); the launcher runs it the same way.
"""

import os
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st
from streamlit import runtime

from core.stats import Estimate, format_claim, format_estimate
from core.uncertainty import charts
from core.uncertainty.claims import ScalingRow, auroc_estimates, density_vs_confidence, scaling_row
from core.uncertainty.classifiers import CLASSIFIERS, MIN_SCALE, SCALINGS
from core.uncertainty.data import DATASET_LABELS, DATASETS, OOD_SETS, PUSH_FACTOR, ood_sets_for
from core.uncertainty.density import DENSITIES, K_RANGE, K_UNUSED
from core.uncertainty.link import DEFAULTS, MAX_POINTS, PUSH_RANGE, THRESHOLD_RANGE, link_from_state, state_from_link
from core.uncertainty.probe import Probe, probe, probe_table
from core.uncertainty.setup import (
    MAX_SEED,
    RARE_PERCENTILE,
    SPACES,
    FittedSetup,
    OodReport,
    Scores,
    Setup,
    evaluate_ood,
    fit,
    score_grid,
)

INTRO = """
A discriminative classifier learns p(y | x) and nothing else. Its probability is often read as
certainty, yet it ignores where a point lies relative to each class's centre of mass: a point can be
classified "blue" with probability 0.99 while it is far from both centres, **like a hologram of a chair
classified as a chair**. A model of the density over the whole feature space would catch it.
Left: what the classifier says. Right: how far from the training data the point is.
"""

SCORE_NOTES = r"""
**Max softmax probability** (Hendrycks & Gimpel 2017): $\max_c p(c \mid x)$ with
$p = \operatorname{softmax}(z)$. As an out-of-distribution score it is used negated: low confidence = suspicious.

**Entropy** of the prediction: $H = -\sum_c p_c \log p_c$, from 0 (certain) to $\log C$ (uniform).

**Energy** (Liu et al. 2020, *Energy-based out-of-distribution detection*): $E(x) = -T \log \sum_c e^{z_c / T}$
with $T = 1$. scikit-learn gives a two-class model one logit $z$; it becomes $[-z/2, z/2]$.

All three read only p(y | x). A ReLU network is piecewise linear, so far from the data its logits grow
linearly and the softmax saturates (Hein et al. 2019, *Why ReLU networks yield high-confidence predictions
far away from the training data*).

**Mahalanobis distance** (Lee et al. 2018): $\min_c (f - \mu_c)^\top \Sigma^{-1} (f - \mu_c)$ with one
covariance $\Sigma$ shared by all classes (squared distance; Ledoit-Wolf shrinkage, since some digit
pixels never vary).

**Class-conditional Gaussian** (Gaussian discriminant analysis, as in DDU, Mukhoti et al. 2021):
$-\log \sum_c \pi_c\, \mathcal{N}(f; \mu_c, \Sigma_c)$, one covariance per class.

**Gaussian mixture** with k components, fitted by EM without labels: $-\log \sum_j w_j\, \mathcal{N}(f; \mu_j, \Sigma_j)$.

**kNN distance** (Sun et al. 2022, *Out-of-distribution detection with deep nearest neighbors*):
$\lVert f - f_{(k)} \rVert$, the distance to the k-th nearest training point.

Here $f$ is the input or the MLP's last hidden layer, as chosen in the sidebar. Models that build the
distance into the network itself: DUQ (van Amersfoort et al. 2020, an RBF distance to learned class
centroids) and SNGP (Liu et al. 2020, a distance-aware output layer).
"""


SCALER_NOTE = """
**What the scaler does to far-away inputs.** Both classifiers first standardise each pixel:
(x - mean) / std, with the mean and std of the training digits. Border pixels are almost always blank,
so their std is tiny. An inverted digit lights them all up, and after standardising its most extreme pixel
sits **{deviations:.0f} standard deviations** from the mean (median over the inverted digits, this setup).
The logits grow with the input, the softmax saturates, and the classifier is certain: most of the dramatic
failure on inverted digits is the scaler's doing. Floor each std at {floor:g}, or drop the scaler, and the
same classifiers rank inverted digits as unusual far more often. The lesson stands (a classifier's confidence
is not a distance from the data), but read it from all three columns, not from the first alone.
"""

NEAR_FAR_NOTE = """
**Density wins far from the data; near it, it depends.** Inverted digits lie far from every training digit:
every density or distance score catches them. Novel digits 8 and 9 look like the training digits, and there
the classifier's confidence is a strong detector too: only some density models beat it, and which ones
depends on the space the density is computed in. Each row: the density score's AUROC, its gap to the
max-probability AUROC on the same points, and whether "the density score beats confidence" holds.
"""


@st.cache_resource(show_spinner="Fitting the classifier and the density model ...", max_entries=16)
def fitted_setup(setup: Setup) -> FittedSetup:
    return fit(setup)


@st.cache_resource(show_spinner="Scoring the grid ...", max_entries=16)
def grid_scores(setup: Setup) -> Scores:
    return score_grid(fitted_setup(setup))


@st.cache_resource(max_entries=64)
def ood_report(setup: Setup, name: str) -> OodReport:
    return evaluate_ood(fitted_setup(setup), name)


@st.cache_resource(max_entries=64)
def auroc_intervals(setup: Setup, name: str) -> dict[str, Estimate]:
    fitted = fitted_setup(setup)
    return auroc_estimates(fitted, ood_report(setup, name))


@st.cache_resource(show_spinner="Measuring each input scaling ...", max_entries=16)
def scaling_rows(setup: Setup) -> list[ScalingRow]:
    rows = []
    for scaling in SCALINGS:
        other = replace(setup, scaling=scaling)
        rows.append(scaling_row(fitted_setup(other), ood_report(other, "inverted")))
    return rows


@st.cache_resource(show_spinner="Fitting every density model ...", max_entries=16)
def near_and_far(setup: Setup) -> dict[str, tuple]:
    fitted = fitted_setup(setup)
    return {name: density_vs_confidence(fitted, name) for name in ("inverted", "novel")}


def add_points(new: list[tuple[float, float]]) -> None:
    st.session_state.points = [*st.session_state.points, *new][-MAX_POINTS:]


def add_typed_point() -> None:
    add_points([(float(st.session_state.x), float(st.session_state.y))])


def add_clicked_points() -> None:
    selected = st.session_state.maps.selection.points
    add_points([(p["x"], p["y"]) for p in selected if p["curve_number"] in st.session_state.click_curves])


def clear_points() -> None:
    st.session_state.points = []


def sidebar() -> tuple[Setup, float]:
    ss = st.session_state
    with st.sidebar:
        st.header("Setup")
        st.selectbox("Data", list(DATASETS), format_func=DATASET_LABELS.get, key="data")
        st.radio("Classifier", list(CLASSIFIERS), format_func=CLASSIFIERS.get, key="clf")
        st.radio("Classifier input scaling", list(SCALINGS), format_func=SCALINGS.get, key="scale")
        st.selectbox("Density or distance model", list(DENSITIES), format_func=DENSITIES.get, key="density")
        low, high = K_RANGE.get(ss.density, K_UNUSED)
        ss.k = min(max(ss.k, low), high)
        st.slider(
            "k (mixture components, or neighbours)",
            low,
            high,
            key="k",
            disabled=ss.density not in K_RANGE,
            help="Used by the Gaussian mixture and by kNN distance.",
        )
        if ss.clf != "mlp":
            ss.space = "input"
        st.radio(
            "Space the density is computed in",
            list(SPACES),
            format_func=SPACES.get,
            key="space",
            disabled=ss.clf != "mlp",
            help="Hidden features exist only for the MLP.",
        )
        st.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key="seed")
        st.slider("Confidence threshold", *THRESHOLD_RANGE, step=0.01, key="threshold")
    k = ss.k if ss.density in K_RANGE else Setup.k
    setup = Setup(ss.data, ss.clf, ss.density, k, ss.space, int(ss.seed), ss.scale)
    return setup, ss.threshold


def ood_section(fitted: FittedSetup, report: OodReport, intervals: dict[str, Estimate]) -> None:
    st.subheader("Measure out-of-distribution detection")
    st.caption(
        "Out-of-distribution points are the positives; every score is oriented so that higher means "
        '"more likely out of distribution" (the max probability is negated). AUROC 1 separates perfectly, '
        "0.5 is chance, below 0.5 the score finds the out-of-distribution points *more* in-distribution "
        "than real held-out data. FPR@95TPR: the share of held-out points flagged once 95% of the "
        "out-of-distribution points are caught. The 95% interval is a stratified bootstrap of the AUROC "
        f"({len(fitted.data.x_test)} held-out and {len(report.x)} out-of-distribution points)."
    )
    roc_col, table_col = st.columns([3, 2])
    roc_col.plotly_chart(charts.roc_curves(fitted, report), key="roc")
    table_col.dataframe(
        pd.DataFrame(
            {
                "score": [charts.score_label(key, fitted) for key in report.auroc],
                "AUROC": list(report.auroc.values()),
                "95% interval": [f"[{intervals[key].low:.3f}, {intervals[key].high:.3f}]" for key in report.auroc],
                "FPR@95TPR": list(report.fpr_at_95_tpr.values()),
            }
        ),
        hide_index=True,
        column_config={
            "AUROC": st.column_config.NumberColumn(format="%.3f"),
            "FPR@95TPR": st.column_config.NumberColumn(format="%.3f"),
        },
    )


def scaling_section(fitted: FittedSetup, rows: list[ScalingRow]) -> None:
    st.subheader("Inverted digits with and without the scaler")
    current = next(r for r in rows if r.scaling == "standard")
    st.markdown(SCALER_NOTE.format(deviations=current.deviations_out, floor=MIN_SCALE))
    inverted = 1.0 - fitted.data.x_test[:6]  # (6, 64) the first inverted held-out digits
    for column, row in zip(st.columns(len(rows)), rows, strict=True):
        other = fitted_setup(replace(fitted.setup, scaling=row.scaling))
        s = other.score(inverted)
        with column:
            st.markdown(f"**{SCALINGS[row.scaling]}**")
            st.image(
                [charts.digit_image(x) for x in inverted],
                caption=[f"{c} · p {p:.2f}" for c, p in zip(s.predicted, s.max_probability, strict=True)],
                width=60,
            )
            unit = "raw pixel value" if row.scaling == "none" else "in training standard deviations"
            st.caption(
                f"Held-out accuracy {row.accuracy:.1%}; most extreme pixel of an inverted digit: "
                f"{row.deviations_out:.0f} (median, {unit})."
            )
            for key, title in (("msp", "Max probability"), ("energy", "Energy"), ("density", "Density")):
                st.markdown(f"{title} AUROC: {format_claim(row.auroc[key], '{:.2f}')}")
    st.caption(
        "AUROC on held-out digits vs their inverted copies, with its 95% interval, n and the verdict on "
        '"the score detects inverted digits better than chance" (AUROC above 0.5). "Does not hold" below 0.5 '
        "means the score finds inverted digits *more* in-distribution than real ones."
    )


def near_far_section(fitted: FittedSetup, results: dict[str, tuple]) -> None:
    st.subheader("Far from the data and near it")
    st.markdown(NEAR_FAR_NOTE)
    for column, (name, (msp, rows)) in zip(st.columns(len(results)), results.items(), strict=True):
        with column:
            st.markdown(f"**{OOD_SETS[name].capitalize()}**: max-probability AUROC {format_claim(msp, '{:.2f}')}")
            st.dataframe(
                pd.DataFrame(
                    {
                        "density model": [DENSITIES[r.density] for r in rows],
                        "space": [SPACES[r.space] for r in rows],
                        "AUROC [95%]": [format_estimate(r.auroc, "{:.3f}") for r in rows],
                        "vs confidence [95%]": [format_estimate(r.versus_confidence, "{:+.3f}") for r in rows],
                        "density beats confidence": [r.versus_confidence.verdict for r in rows],
                    }
                ),
                hide_index=True,
            )
    st.caption(
        f"Classifier: {CLASSIFIERS[fitted.setup.classifier]}, {SCALINGS[fitted.setup.scaling]}, seed "
        f"{fitted.setup.seed}. Intervals: paired stratified bootstrap over the same points; a verdict holds when "
        "the interval of the AUROC gap excludes 0."
    )


def digits_gallery(fitted: FittedSetup, sets: list[tuple[str, np.ndarray, Scores]], threshold: float) -> None:
    st.subheader("Digits flagged as confident but far")
    st.caption("Each image: the predicted class, its max probability and its density percentile among held-out digits.")
    for label, x, s in sets:
        if len(x) == 0:
            continue
        flags = fitted.confident_but_far(s, threshold)
        shown = np.nonzero(flags)[0][:12]
        st.markdown(f"**{label}**: {flags.sum()} of {len(flags)} flagged")
        if shown.size:
            density_pct = fitted.percentiles(s)["density"]
            st.image(
                [charts.digit_image(x[i]) for i in shown],
                caption=[f"{s.predicted[i]} · p {s.max_probability[i]:.2f} · pct {density_pct[i]:.1f}" for i in shown],
                width=80,
            )


DIGITS_PLANE_NOTE = (
    "Digits live in 64 dimensions. The maps show one plane through that space: the plane through the mean image "
    "spanned by the first two principal components. Every grid node and test point is a full 64-pixel image on "
    "that plane, and every score is computed in the full 64-dimensional space."
)
POINTS_NOTE = (
    "Density score: {density}. Percentiles are among {n} held-out in-distribution points. Density pct: the share "
    "of held-out points that are at most as dense (0 = farther than all of them). A point is flagged when max p is "
    "at least the threshold and density pct is below {rare:g}."
)
POINT_FORMATS = (
    {name: st.column_config.NumberColumn(format="%.3g") for name in ("x", "y", "energy")}
    | {name: st.column_config.NumberColumn(format="%.3f") for name in ("max p", "entropy")}  # 0.000, not 3e-190
    | {name: st.column_config.NumberColumn(format="%.1f") for name in ("max p pct", "entropy pct", "energy pct")}
    | {"density pct": st.column_config.NumberColumn(format="%.1f")}
)


def start_state() -> list[str]:
    """On the first run, the page state from the link; the link's refused values."""
    ss = st.session_state
    problems = []
    if "points" not in ss:
        state, problems = state_from_link(st.query_params.to_dict())
        for key, value in state.items():
            ss[key] = value
        ss.x, ss.y, ss.click_curves = 0.0, 0.0, []
    if ss.ood not in ood_sets_for(ss.data):
        ss.ood = DEFAULTS["ood"]
    return problems


def maps_section(fitted: FittedSetup, on_grid: Scores, points: Probe, report: OodReport) -> None:
    if fitted.setup.dataset == "digits":
        st.info(DIGITS_PLANE_NOTE)
    ood_shown = fitted.plane.to_plane(report.x) if st.session_state.show_ood else None  # (n_ood, 2)
    fig = charts.maps(fitted, on_grid, points.on_plane, points.flags, ood_shown)
    st.session_state.click_curves = [i for i, trace in enumerate(fig.data) if trace.name == charts.CLICK_LAYER]
    st.plotly_chart(fig, key="maps", on_select=add_clicked_points, selection_mode="points")
    st.caption(
        f"Both maps share one {len(fitted.grid.xs)} x {len(fitted.grid.ys)} grid. White dots on the left: the "
        "decision boundary. Right: the density model's score on a log colour scale, labelled with the score; "
        "bright means far from the data. Click either map to add a test point there."
    )


def test_points_section(fitted: FittedSetup, points: Probe, threshold: float) -> None:
    st.subheader("Test points")
    typed_col, push_col = st.columns([3, 2])
    with typed_col, st.form("typed_point", border=False):
        x_col, y_col = st.columns(2)
        x_col.number_input("Test point x", key="x", step=0.1, format="%.3f")
        y_col.number_input("Test point y", key="y", step=0.1, format="%.3f")
        st.form_submit_button("Add test point", on_click=add_typed_point, key="add_point")
    with push_col:
        st.slider(
            "Push every test point away from the data mean",
            *PUSH_RANGE,
            step=0.5,
            format="%gx",
            key="push",
            help="Moves each point along the ray from the training data's mean: mean + a (x - mean).",
        )
        st.button("Clear test points", on_click=clear_points, disabled=not st.session_state.points, key="clear_points")
    if not len(points.flags):
        st.caption("No test points yet: click a map, or type x and y and press *Add test point*.")
        return
    for i in np.nonzero(points.flags)[0]:
        st.error(
            f"Point {i + 1}: confident but far. Max probability {points.scores.max_probability[i]:.3f} is at least "
            f"{threshold:.2f}, yet its density sits at percentile {points.percentiles['density'][i]:.1f} "
            f"of held-out in-distribution points (below {RARE_PERCENTILE:g})."
        )
    density_format = st.column_config.NumberColumn(format="%.3g", help=fitted.density_name)
    st.dataframe(probe_table(points), hide_index=True, column_config=POINT_FORMATS | {"density score": density_format})
    st.caption(POINTS_NOTE.format(density=fitted.density_name, n=len(fitted.data.x_test), rare=RARE_PERCENTILE))


def main() -> None:
    st.set_page_config(page_title="Confidence vs. density", layout="wide")
    problems = start_state()
    ss = st.session_state
    setup, threshold = sidebar()
    st.title("A classifier's confidence vs. distance from the class centres")
    for problem in problems:
        st.warning(problem)
    st.markdown(INTRO)

    fitted, report = fitted_setup(setup), ood_report(setup, ss.ood)
    points = probe(fitted, ss.points, ss.push, threshold)
    maps_section(fitted, grid_scores(setup), points, report)
    test_points_section(fitted, points, threshold)

    st.selectbox("Out-of-distribution set", ood_sets_for(setup.dataset), format_func=OOD_SETS.get, key="ood")
    st.checkbox("Show the out-of-distribution set on the maps", key="show_ood")
    if ss.ood == "pushed":
        st.caption(f"Held-out points moved to mean + {PUSH_FACTOR:g} (x - mean).")
    ood_section(fitted, report, auroc_intervals(setup, ss.ood))
    if setup.dataset == "digits":
        scaling_section(fitted, scaling_rows(setup))
        near_far_section(fitted, near_and_far(setup))
        sets = [
            ("Your test points", points.x, points.scores),
            ("Held-out digits 0-7", fitted.data.x_test, fitted.held_out),
            (f"Out-of-distribution set: {OOD_SETS[ss.ood]}", report.x, report.scores),
        ]
        digits_gallery(fitted, sets, threshold)

    with st.expander("The scores: formulas and papers", expanded=True):
        st.markdown(SCORE_NOTES)
    st.query_params.from_dict(link_from_state(ss))


if __name__ == "__main__":
    if runtime.exists():
        main()
    else:  # `python -m apps.confidence_vs_density`: start Streamlit on this file
        command = [sys.executable, "-m", "streamlit", "run", __file__, "--client.toolbarMode=viewer", *sys.argv[1:]]
        os.execv(sys.executable, command)
