"""Plotly figures of the tuning lab: accuracy before vs after instruction tuning, and the per-step curves of
feedback tuning (reward, KL, right answers, reply length) for PPO and DPO side by side."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.tuning.feedback import StepLog

COLOURS = {"ppo": "#1f77b4", "dpo": "#ff7f0e"}


def accuracy_before_after(rows: list[tuple[str, float, float]]) -> go.Figure:
    """Grouped horizontal bars, (label, before, after) per task and phrasing: one row each, so a long label stays
    whole, first row at the top."""
    labels = [r[0] for r in rows]
    fig = go.Figure(
        [
            go.Bar(name="before tuning", y=labels, x=[r[1] for r in rows], orientation="h", marker_color="#aaaaaa"),
            go.Bar(name="after tuning", y=labels, x=[r[2] for r in rows], orientation="h", marker_color="#2ca02c"),
        ]
    )
    fig.update_layout(
        barmode="group",
        xaxis=dict(title="zero-shot accuracy", range=[0, 1], tickformat=".0%"),
        yaxis=dict(autorange="reversed", automargin=True),
        height=120 + 28 * len(rows),  # px: 28 per row of two bars, plus the axis and legend
        margin=dict(l=10, r=10, t=40, b=60),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
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
        subplot_titles=(
            "training-batch reward<br>(reward-model score)",
            "KL to the start (nats)",
            "right answers in the<br>training batches (gold)",
            "reply length (characters)",
        ),
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
