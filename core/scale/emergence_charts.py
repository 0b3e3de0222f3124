"""Abilities against scale: one panel per ability, the ladder's members along a log axis of parameters or of
training FLOPs, each point with its 95% interval, and guessing's level where it has one."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.scale.abilities import chance_level, estimate
from core.scale.ladder_files import ABILITIES, AXES, METRICS


def ability_curves(ladder: dict, results: dict, metric: str, axis: str = "parameters") -> go.Figure:
    """`metric` (a key of METRICS) of every ability against the members' parameters or FLOPs (a key of AXES)."""
    if metric not in METRICS or axis not in AXES:
        raise ValueError(f"metric must be one of {', '.join(METRICS)} and axis one of {', '.join(AXES)}")
    key, title = AXES[axis]
    names = [m for m in ladder if m in results["members"]]
    xs = [ladder[m][key] for m in names]
    fig = make_subplots(rows=2, cols=2, subplot_titles=[ABILITIES[a] for a in ABILITIES], vertical_spacing=0.18)
    for i, ability in enumerate(ABILITIES):
        row, col = i // 2 + 1, i % 2 + 1
        cells = results["abilities"][ability]["members"]
        est = [estimate(cells[m], metric) for m in names]
        scale = 100 if metric == "exact" else 1  # exact match in percent
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[scale * e.effect for e in est],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [scale * (e.high - e.effect) for e in est],
                    "arrayminus": [scale * (e.effect - e.low) for e in est],
                },
                mode="lines+markers",
                text=names,
                hovertemplate="<b>%{text}</b><br>%{x:.3s}<br>%{y:.2f}<extra></extra>",
                name="measured (95% interval)",
                line={"color": "#4c78a8"},
                showlegend=i == 0,
            ),
            row=row,
            col=col,
        )
        guess = chance_level(results["abilities"][ability], metric)
        if guess is not None:
            fig.add_trace(
                go.Scatter(
                    x=[min(xs), max(xs)],
                    y=[scale * guess] * 2,
                    mode="lines",
                    line={"dash": "dash", "color": "#999"},
                    name="chance",
                    showlegend=i == 0,
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(type="log", title_text=title if row == 2 else None, row=row, col=col)
    unit = " (%)" if metric == "exact" else ""
    fig.update_yaxes(title_text=METRICS[metric] + unit, col=1)
    fig.update_layout(
        title=f"Our ladder: {METRICS[metric]} against {axis}",
        height=640,
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 90, "b": 80},
    )
    return fig
