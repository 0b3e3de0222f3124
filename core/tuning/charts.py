"""Plotly figures of the tuning lab: accuracy before vs after instruction tuning, and the per-step curves of
feedback tuning (reward, KL, right answers, reply length) for PPO and DPO side by side."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.tuning.feedback import StepLog

COLOURS = {"ppo": "#1f77b4", "dpo": "#ff7f0e"}


def accuracy_before_after(rows: list[tuple[str, float, float]]) -> go.Figure:
    """Grouped bars: (label, before, after) per task and phrasing."""
    labels = [r[0] for r in rows]
    fig = go.Figure(
        [
            go.Bar(name="before tuning", x=labels, y=[r[1] for r in rows], marker_color="#aaaaaa"),
            go.Bar(name="after tuning", x=labels, y=[r[2] for r in rows], marker_color="#2ca02c"),
        ]
    )
    fig.update_layout(barmode="group", yaxis=dict(title="zero-shot accuracy", range=[0, 1]), height=380)
    return fig


def loss_curve(losses: list[float]) -> go.Figure:
    fig = go.Figure(go.Scatter(y=losses, x=list(range(1, len(losses) + 1)), mode="lines"))
    fig.update_layout(xaxis_title="step", yaxis_title="SFT loss (response tokens)", height=300)
    return fig


def feedback_curves(logs: dict[str, StepLog]) -> go.Figure:
    """Reward, KL, right answers and reply length per step, one line per method."""
    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=("reward (reward model)", "KL to the reference (nats)", "right answers (gold)", "reply length"),
    )
    for method, log in logs.items():
        steps = list(range(1, len(log.reward) + 1))
        for col, values in enumerate((log.reward, log.kl, log.correct, log.length), start=1):
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=values,
                    mode="lines+markers",
                    name=method.upper(),
                    legendgroup=method,
                    showlegend=col == 1,
                    line=dict(color=COLOURS.get(method)),
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="step")
    fig.update_layout(height=340, margin=dict(t=40))
    return fig
