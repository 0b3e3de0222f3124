"""Plotly figures and pictures of the flows page: a 2-D density heatmap, the chain of layers bending a latent grid,
samples side by side, and digits as one enlarged picture."""

import numpy as np
import plotly.graph_objects as go
import torch
import zuko
from plotly.subplots import make_subplots

from core.flows.datasets2d import LIMIT
from core.flows.flow import chain_with_grid, log_prob
from core.flows.likelihood import density_grid

PLOT_POINTS = 1000  # points drawn per scatter
CHAIN_POINTS = 600  # latent samples carried through the chain
GRID_LINES, GRID_POINTS = 11, 60  # latent grid lines per direction, points per line
DIGIT_PIXELS = 6  # screen pixels per digit pixel: an 8x8 digit shows at 48x48


def layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=30, r=20, t=60, b=30), template="plotly_white")
    return fig


def scatter(points: torch.Tensor, name: str, color: str) -> go.Scatter:
    """The first PLOT_POINTS of (N, 2) points as markers."""
    xy = points[:PLOT_POINTS].numpy()
    return go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=name, marker=dict(size=3, color=color))


def density_figure(flow: zuko.flows.Flow, data: torch.Tensor, title: str) -> go.Figure:
    """The flow's exact log p(x) on a grid over [-LIMIT, LIMIT]^2, with training points (N, 2) on top."""
    axis, logp = density_grid(lambda x: log_prob(flow, x), LIMIT)
    fig = go.Figure(
        go.Heatmap(x=axis, y=axis, z=np.clip(logp, -12, None), colorscale="Viridis", colorbar=dict(title="log p(x)"))
    )
    fig.add_trace(scatter(data[:300], "data", "rgba(255,255,255,0.6)"))
    fig.update_xaxes(range=[-LIMIT, LIMIT], constrain="domain")
    fig.update_yaxes(range=[-LIMIT, LIMIT], scaleanchor="x", constrain="domain")
    return layout(fig, title, height=460)


def _polyline(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K, P, 2) lines -> x and y of one trace, (K * (P + 1),) each, a NaN between lines so they stay apart."""
    gap = np.full((len(lines), 1, 2), np.nan)
    joined = np.concatenate([lines, gap], axis=1).reshape(-1, 2)
    return joined[:, 0], joined[:, 1]


def chain_figure(flow: zuko.flows.Flow, seed: int) -> go.Figure:
    """Base samples and a latent grid carried back through each layer, one panel per stage."""
    stages = chain_with_grid(flow, CHAIN_POINTS, seed, GRID_LINES, GRID_POINTS)
    count = len(stages)
    titles = ["z ~ N(0, I)"] + [f"after f<sub>{count - 1 - i}</sub><sup>-1</sup>" for i in range(1, count - 1)] + ["x"]
    fig = make_subplots(rows=1, cols=count, subplot_titles=titles, horizontal_spacing=0.01)
    for col, (points, grid) in enumerate(stages, start=1):
        gx, gy = _polyline(grid.numpy())
        fig.add_trace(go.Scatter(x=gx, y=gy, mode="lines", line=dict(width=0.6, color="#bbb")), row=1, col=col)
        xy = points.numpy()
        marker = dict(size=2, color="#1f77b4")
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", marker=marker), row=1, col=col)
    fig.update_xaxes(range=[-LIMIT, LIMIT], showticklabels=False)
    fig.update_yaxes(range=[-LIMIT, LIMIT], showticklabels=False)
    fig.update_layout(showlegend=False)
    return layout(fig, "The chain of transformations: Gaussian samples (blue) and a latent grid, layer by layer", 300)


def samples_figure(panels: list[tuple[str, torch.Tensor | None, str]], title: str) -> go.Figure:
    """One panel per (title, points (N, 2) or None while not drawn yet, colour), side by side."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[name for name, _, _ in panels])
    for col, (_, points, color) in enumerate(panels, start=1):
        if points is not None:
            fig.add_trace(scatter(points, "", color), row=1, col=col)
    fig.update_xaxes(range=[-LIMIT, LIMIT])
    fig.update_yaxes(range=[-LIMIT, LIMIT])
    fig.update_layout(showlegend=False)
    return layout(fig, title, 380)


GREY = dict(colorscale="gray_r", zmin=0, zmax=1)  # ink in [0, 1], dark on white
DIVERGING = dict(colorscale="RdBu", zmid=0)  # signed values, such as a latent


def digit_panels(panels: list[np.ndarray], titles: list[str], styles: list[dict], title: str, height: int) -> go.Figure:
    """Images of 64 values (64,) or (8, 8), one heatmap each in a row, each with its colour `styles` entry."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=titles)
    for col, (panel, style) in enumerate(zip(panels, styles, strict=True), start=1):
        fig.add_trace(go.Heatmap(z=np.asarray(panel).reshape(8, 8), showscale=False, **style), row=1, col=col)
    fig.update_yaxes(autorange="reversed", visible=False)
    fig.update_xaxes(visible=False)
    return layout(fig, title, height)


def digits_picture(images: np.ndarray, columns: int = 10) -> np.ndarray:
    """(N, 8, 8) digits in [0, 1] (1 = ink) -> one enlarged (H, W) uint8 picture, dark ink on white, 1-pixel gaps."""
    rows = -(-len(images) // columns)
    side = images.shape[1]
    canvas = np.zeros((rows * (side + 1) - 1, columns * (side + 1) - 1))  # 0 = white paper
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * (side + 1) : r * (side + 1) + side, c * (side + 1) : c * (side + 1) + side] = image
    picture = np.round(255 * (1 - np.clip(canvas, 0, 1))).astype(np.uint8)
    return np.kron(picture, np.ones((DIGIT_PIXELS, DIGIT_PIXELS), dtype=np.uint8))  # nearest-neighbour enlargement
