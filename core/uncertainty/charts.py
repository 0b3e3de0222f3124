"""Plotly figures for the page: the two heat maps side by side, the ROC curves, and digit images."""

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from core import pictures
from core.uncertainty.experiment import FittedSetup, OodReport, Scores
from core.uncertainty.grid import Grid, boundary_mask

CLICK_LAYER = "click to add a test point"
CLICK_STRIDE = 3  # one invisible clickable marker every 3 grid nodes: a 50 x 50 layer on a 150 x 150 grid
CLASS_COLOURS = qualitative.D3
SCORE_LABELS = {"msp": "max probability (MSP)", "entropy": "entropy", "energy": "energy"}


def score_label(key: str, fitted: FittedSetup) -> str:
    return fitted.density_name if key == "density" else SCORE_LABELS[key]


def log_colour(values: np.ndarray, floor: float) -> np.ndarray:
    """log10(1 + value - floor): a log colour scale that also fits scores below zero, such as -log p."""
    return np.log10(1.0 + np.maximum(values - floor, 0.0))


def _log_ticks(floor: float, top: float) -> tuple[np.ndarray, list[str]]:
    """Colour-bar ticks where 1 + score - floor is 1, 2, 5, 10, 20, 50, ..., labelled with the score itself."""
    steps = np.array([m * 10.0**j for j in range(int(np.ceil(top)) + 1) for m in (1, 2, 5)])
    tickvals = np.log10(steps[np.log10(steps) <= top])
    return tickvals, [f"{floor + 10**c - 1:.3g}" for c in tickvals]


MAPS_HEIGHT_PX, MAPS_TOP_PX, MAPS_BOTTOM_PX = 600, 140, 10
MAPS_PLOT_PX = MAPS_HEIGHT_PX - MAPS_TOP_PX - MAPS_BOTTOM_PX  # the maps' plot area, in pixels
BAR_GAP_PX, TITLE_PX = 6, 66  # from the top of the maps to the bottom of a colour bar, of a title


def _bar_over(fig: go.Figure, col: int) -> dict:
    """A horizontal colour bar above the map in column `col`, as wide as the map's column."""
    x0, x1 = fig.get_subplot(1, col).xaxis.domain
    return {
        "orientation": "h",
        "x": (x0 + x1) / 2,
        "xanchor": "center",
        "len": x1 - x0,
        "y": 1 + BAR_GAP_PX / MAPS_PLOT_PX,
        "yanchor": "bottom",
        "thickness": 10,
    }


def maps(
    fitted: FittedSetup,
    on_grid: Scores,
    points: np.ndarray,
    flagged: np.ndarray,
    ood_points: np.ndarray | None = None,
) -> go.Figure:
    """Max probability (left) and the density score on a log colour scale (right) over the same grid.

    `points` (m, 2) are test points in plane coordinates, `flagged` (m,) marks the confident-but-far
    ones, `ood_points` (n, 2) an out-of-distribution set to overlay.
    """
    grid, data = fitted.grid, fitted.data
    floor = float(min(on_grid.density.min(), fitted.held_out.density.min()))
    colour = grid.reshape(log_colour(on_grid.density, floor))  # (ny, nx)
    tickvals, ticktext = _log_ticks(floor, float(colour.max()))
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=(
            "Classifier:<br>max probability",
            "Density model (log colour):<br>" + fitted.density_name.replace(", ", ",<br>"),
        ),
    )
    # Titles and horizontal colour bars sit above the maps, each over its own map, and the square maps hang from the
    # top: on a phone the two maps are narrow, and vertical bars between them would cover the density map.
    for title in fig.layout.annotations:
        title.update(y=1 + TITLE_PX / MAPS_PLOT_PX, yanchor="bottom", font={"size": 13})
    fig.add_trace(
        go.Heatmap(
            x=grid.xs,
            y=grid.ys,
            z=grid.reshape(on_grid.max_probability).astype(np.float32),
            zmin=1 / data.n_classes,
            zmax=1.0,
            colorscale="Viridis",
            colorbar=_bar_over(fig, col=1) | {"title": {"text": "max p", "side": "right"}},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            x=grid.xs,
            y=grid.ys,
            z=colour.astype(np.float32),
            colorscale="Plasma",
            colorbar=_bar_over(fig, col=2) | {"tickvals": tickvals, "ticktext": ticktext},
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    _decision_boundary(fig, grid, grid.reshape(on_grid.predicted))
    train = fitted.plane.to_plane(data.x_train)  # (n_train, 2)
    for col in (1, 2):
        for c in range(data.n_classes):
            at = train[data.y_train == c]
            fig.add_trace(
                go.Scatter(
                    x=at[:, 0],
                    y=at[:, 1],
                    mode="markers",
                    name=f"class {c}",
                    legendgroup=f"class {c}",
                    showlegend=col == 1,
                    marker={"size": 4, "color": CLASS_COLOURS[c % len(CLASS_COLOURS)], "line": {"width": 0.5}},
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        if ood_points is not None:
            inside = ood_points[grid.contains(ood_points)]
            fig.add_trace(
                go.Scatter(
                    x=inside[:, 0],
                    y=inside[:, 1],
                    mode="markers",
                    name="out-of-distribution set",
                    legendgroup="ood",
                    showlegend=col == 1,
                    marker={"size": 5, "symbol": "x-thin", "line": {"width": 1, "color": "#bbbbbb"}},
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        _test_points(fig, grid, points, flagged, col)
        _click_layer(fig, grid, on_grid, col)
    (x0, x1), (y0, y1) = grid.x_range, grid.y_range
    fig.update_xaxes(range=[x0, x1], constrain="domain", matches="x")
    fig.update_yaxes(range=[y0, y1], scaleanchor="x", constrain="domain", constraintoward="top", matches="y")
    fig.update_layout(
        height=MAPS_HEIGHT_PX,
        margin={"l": 10, "r": 10, "t": MAPS_TOP_PX, "b": MAPS_BOTTOM_PX},
        legend={"orientation": "h", "y": -0.06},
        clickmode="event+select",
        dragmode="zoom",
        hovermode="closest",
    )
    return fig


def _decision_boundary(fig: go.Figure, grid: Grid, predicted: np.ndarray) -> None:
    rows, cols = np.nonzero(boundary_mask(predicted))
    fig.add_trace(
        go.Scatter(
            x=grid.xs[cols],
            y=grid.ys[rows],
            mode="markers",
            name="decision boundary",
            marker={"size": 2, "color": "white"},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )


def _test_points(fig: go.Figure, grid: Grid, points: np.ndarray, flagged: np.ndarray, col: int) -> None:
    """Numbered test points; one beyond the map sits on its edge as an arrow pointing the way it lies."""
    if len(points) == 0:
        return
    (x0, x1), (y0, y1) = grid.x_range, grid.y_range
    shown = np.column_stack([np.clip(points[:, 0], x0, x1), np.clip(points[:, 1], y0, y1)])
    inside = grid.contains(points)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    away = points - centre
    fig.add_trace(
        go.Scatter(
            x=shown[:, 0],
            y=shown[:, 1],
            mode="markers+text",
            text=[str(i + 1) for i in range(len(points))],
            textposition="top right",
            textfont={"color": "white", "size": 13, "shadow": "auto"},
            name="test points (red: confident but far)",
            legendgroup="test",
            showlegend=col == 1,
            marker={
                "size": 14,
                "symbol": np.where(inside, "star", "arrow"),
                "angle": np.degrees(np.arctan2(away[:, 0], away[:, 1])),
                "color": np.where(flagged, "#e4002b", "#00d0ff"),
                "line": {"width": 1, "color": "black"},
            },
            customdata=points,
            hovertemplate="test point %{text} at (%{customdata[0]:.3g}, %{customdata[1]:.3g})<extra></extra>",
        ),
        row=1,
        col=col,
    )


def _click_layer(fig: go.Figure, grid: Grid, on_grid: Scores, col: int) -> None:
    """Invisible markers on a coarser grid: heat maps fire no selection events, scatter points do."""
    rows = np.arange(0, len(grid.ys), CLICK_STRIDE)
    cols = np.arange(0, len(grid.xs), CLICK_STRIDE)
    r, c = np.meshgrid(rows, cols, indexing="ij")  # (rows, cols)
    max_p = grid.reshape(on_grid.max_probability)[r, c].ravel()
    density = grid.reshape(on_grid.density)[r, c].ravel()
    fig.add_trace(
        go.Scatter(
            x=grid.xs[c.ravel()],
            y=grid.ys[r.ravel()],
            mode="markers",
            name=CLICK_LAYER,
            showlegend=False,
            marker={"size": 9, "opacity": 0},
            customdata=np.column_stack([max_p, density]).astype(np.float32),
            hovertemplate="(%{x:.3g}, %{y:.3g})<br>max p %{customdata[0]:.3f}<br>score %{customdata[1]:.3g}"
            "<extra>click to add a test point</extra>",
        ),
        row=1,
        col=col,
    )


def roc_curves(fitted: FittedSetup, report: OodReport) -> go.Figure:
    """ROC curves of every score on one out-of-distribution set, AUROC in the legend."""
    fig = go.Figure()
    for key, (fpr, tpr) in report.roc.items():
        fig.add_trace(
            go.Scatter(x=fpr, y=tpr, mode="lines", name=f"{score_label(key, fitted)}: AUROC {report.auroc[key]:.3f}")
        )
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance: AUROC 0.5", line={"dash": "dot", "color": "grey"})
    )
    fig.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": {"text": "false-positive rate (in-distribution points flagged)"}, "range": [-0.02, 1.02]},
        yaxis={
            "title": {"text": "true-positive rate (out-of-distribution points caught)"},
            "range": [-0.02, 1.02],
        },  # padded: a curve of AUROC 0 or 1 runs along the edges, where a [0, 1] frame would hide it
        legend={"x": 0.98, "y": 0.02, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


def digit_image(x: np.ndarray, scale: int = 8) -> np.ndarray:
    """A 64-pixel digit (64,) as a grey image (8 * scale, 8 * scale) in [0, 1], ink dark on white."""
    return pictures.enlarge(1.0 - np.clip(x.reshape(8, 8), 0.0, 1.0), scale)  # (8, 8) -> (8 * scale, 8 * scale)
