"""Confidence vs. distance from the class centres: a classifier's max probability beside a density
model's distance on the same grid, with test points to poke and out-of-distribution sets to measure.

Run alone from the repository root with `python -m apps.confidence_vs_density` (it starts
`python -m streamlit run` on this file); the launcher runs it the same way.
"""

import os
import sys
from dataclasses import replace

import numpy as np
import streamlit as st
from streamlit import runtime

from core.stats import Estimate, format_claim
from core.uncertainty import charts
from core.uncertainty.claims import ScalingRow, auroc_estimates, density_vs_confidence, scaling_row
from core.uncertainty.classifiers import CLASSIFIERS, MIN_SCALE, SCALINGS
from core.uncertainty.data import DATASET_LABELS, DATASETS, OOD_SETS, PUSH_FACTOR, ood_sets_for
from core.uncertainty.density import DENSITIES, K_RANGE, K_UNUSED
from core.uncertainty.experiment import (
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
from core.uncertainty.link import DEFAULTS, MAX_POINTS, PUSH_RANGE, THRESHOLD_RANGE, link_from_state, state_from_link
from core.uncertainty.notes import (
    DIGITS_PLANE_NOTE,
    INTRO,
    MAPS_NOTE,
    NEAR_FAR_NOTE,
    OOD_NOTE,
    PAIRED_NOTE,
    POINTS_NOTE,
    SCALER_NOTE,
    SCALING_AUROC_NOTE,
    SCORE_NOTES,
)
from core.uncertainty.probe import Probe, flag_messages, flagged, probe, probe_table
from core.uncertainty.tables import near_far_table, ood_table


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
    st.caption(OOD_NOTE.format(held_out=len(fitted.data.x_test), ood=len(report.x)))
    roc_col, table_col = st.columns([3, 2])
    roc_col.plotly_chart(charts.roc_curves(fitted, report), key="roc")
    table_col.dataframe(
        ood_table(fitted, report, intervals),
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
    for column, row in zip(st.columns(len(rows)), rows, strict=True):
        with column:
            st.markdown(f"**{SCALINGS[row.scaling]}**")
            st.image([charts.digit_image(x) for x in row.inverted], caption=row.captions, width=60)
            unit = "raw pixel value" if row.scaling == "none" else "in training standard deviations"
            st.caption(
                f"Held-out accuracy {row.accuracy:.1%}; most extreme pixel of an inverted digit: "
                f"{row.deviations_out:.0f} (median, {unit})."
            )
            for key, title in (("msp", "Max probability"), ("energy", "Energy"), ("density", "Density")):
                st.markdown(f"{title} AUROC: {format_claim(row.auroc[key], '{:.2f}')}")
    st.caption(SCALING_AUROC_NOTE)


def near_far_section(fitted: FittedSetup, results: dict[str, tuple]) -> None:
    st.subheader("Far from the data and near it")
    st.markdown(NEAR_FAR_NOTE)
    for column, (name, (msp, rows)) in zip(st.columns(len(results)), results.items(), strict=True):
        with column:
            st.markdown(f"**{OOD_SETS[name].capitalize()}**: max-probability AUROC {format_claim(msp, '{:.2f}')}")
            st.dataframe(near_far_table(rows), hide_index=True)
    setup = fitted.setup
    st.caption(
        f"Classifier: {CLASSIFIERS[setup.classifier]}, {SCALINGS[setup.scaling]}, seed {setup.seed}. {PAIRED_NOTE}"
    )


def digits_gallery(fitted: FittedSetup, sets: list[tuple[str, np.ndarray, Scores]], threshold: float) -> None:
    st.subheader("Digits flagged as confident but far")
    st.caption("Each image: the predicted class, its max probability and its density percentile among held-out digits.")
    for label, x, s in sets:
        if len(x) == 0:
            continue
        found = flagged(fitted, s, threshold)
        st.markdown(f"**{label}**: {found.count} of {found.total} flagged")
        if len(found.shown):
            st.image([charts.digit_image(x[i]) for i in found.shown], caption=found.captions, width=80)


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
    st.caption(MAPS_NOTE.format(columns=len(fitted.grid.xs), rows=len(fitted.grid.ys)))


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
    for message in flag_messages(points, threshold):
        st.error(message)
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
