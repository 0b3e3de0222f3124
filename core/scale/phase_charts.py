"""The phase change as a picture: three panels along training steps (the held-out loss, the in-context score and
the strongest head's prefix-matching score), each with its 95% band, every seed a line, the window in which the
induction head forms shaded and the in-context score's steepest fall dotted."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.scale.phase_report import Run

PANELS = (
    ("loss", "held-out loss (nats)"),
    ("icl", "in-context score:<br>loss at token 500 - token 50"),
    ("heads", "strongest head's<br>prefix-matching score"),
)
COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d")


def _band(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.2)"


def phase_curves(runs: list[Run]) -> go.Figure:
    """The three curves of every run against training step, sharing the step axis."""
    if not runs:
        raise ValueError("no measured run: make one with python -m core.scale.phase_change")
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    for i, run in enumerate(runs):
        colour = COLOURS[i % len(COLOURS)]
        for row, (key, title) in enumerate(PANELS, start=1):
            curve = getattr(run, key)
            steps = list(curve.steps)
            fig.add_trace(
                go.Scatter(
                    x=steps + steps[::-1],
                    y=list(curve.high) + list(curve.low)[::-1],
                    fill="toself",
                    fillcolor=_band(colour),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=list(curve.mean),
                    mode="lines",
                    line={"color": colour},
                    name=f"seed {run.seed}",
                    legendgroup=f"seed {run.seed}",
                    showlegend=row == 1,
                    hovertemplate=f"seed {run.seed}, step %{{x}}<br>%{{y:.3f}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            if key == "heads" and curve.induction:  # where the induction head forms, shaded in every panel
                for panel in (1, 2, 3):
                    fig.add_vrect(
                        x0=curve.window[0], x1=curve.window[1], fillcolor=colour, opacity=0.08, line_width=0,
                        row=panel, col=1,
                    )  # fmt: skip
            if key == "icl" and curve.changed:
                fig.add_vline(x=curve.jump.effect, line={"dash": "dot", "color": colour, "width": 1}, row=row, col=1)
            fig.update_yaxes(title_text=title, row=row, col=1)
    fig.update_xaxes(title_text="training step (8 x 1024 tokens each)", row=3, col=1)
    fig.update_layout(
        title="Inside one run: shaded, the induction head forms (10-90% of its rise); dotted, the in-context score's "
        "steepest fall",
        height=720,
        legend={"orientation": "h", "y": -0.1},
        margin={"l": 80, "r": 20, "t": 70, "b": 70},
    )
    return fig
