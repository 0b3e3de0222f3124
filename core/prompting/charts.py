"""Charts of an evaluation: accuracy per strategy, against problem length, and against the number of
examples k, with 95% Wilson intervals as error bars where the stored evaluation has them."""

from core.prompting.prompts import STRATEGIES
from core.prompting.tasks.families import FAMILIES
from core.stats import Estimate

PERCENT = dict(range=[0, 1.05], tickformat=".0%")
COLOURS = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#b279a2",
    "#9d755d",
    "#72b7b2",
)  # one per line, a line's chance level in its colour


def accuracy_bars(accuracies: dict[str, float], chance: float):
    """One bar per strategy, with the chance baseline as a dashed line."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[STRATEGIES[s] for s in accuracies], y=list(accuracies.values()), marker_color="#4c78a8"))
    fig.add_hline(y=chance, line_dash="dash", annotation_text=f"chance {chance:.0%}")
    fig.update_layout(yaxis=dict(title="accuracy", **PERCENT), height=320, margin=dict(t=30))
    return fig


def shade_trained(fig, task: str) -> None:
    family = FAMILIES[task]
    fig.add_vrect(
        x0=min(family.train_lengths) - 0.5,
        x1=max(family.train_lengths) + 0.5,
        fillcolor="#dddddd",
        opacity=0.4,
        line_width=0,
        annotation_text="trained lengths",
        annotation_position="top left",
    )


def error_bars(points: dict[int, Estimate]) -> dict:
    return dict(
        type="data",
        symmetric=False,
        array=[e.high - e.effect for e in points.values()],
        arrayminus=[e.effect - e.low for e in points.values()],
    )


def accuracy_by_length(task: str, curves: dict[str, dict[int, float]] | dict[str, dict[int, Estimate]]):
    """Accuracy against problem length, one line per strategy (with interval bars when the points
    are estimates); the trained lengths are shaded."""
    import plotly.graph_objects as go

    fig = go.Figure()
    shade_trained(fig, task)
    for strategy, curve in curves.items():
        estimates = all(isinstance(v, Estimate) for v in curve.values())
        y = [v.effect for v in curve.values()] if estimates else list(curve.values())
        fig.add_trace(
            go.Scatter(
                x=list(curve),
                y=y,
                mode="lines+markers",
                name=STRATEGIES[strategy],
                error_y=error_bars(curve) if estimates else None,
            )
        )
    fig.update_layout(
        xaxis=dict(title=f"problem length ({FAMILIES[task].length_unit})", dtick=1),
        yaxis=dict(title="accuracy", **PERCENT),
        height=340,
        margin=dict(t=30),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def accuracy_by_k(
    curves: dict[str, dict[int, Estimate]],
    chances: dict[str, dict[int, float]],
    target: float | None,
    y_title: str = "accuracy",
):
    """Accuracy against the number of examples k, one line per probe, each with its chance level dotted, and the
    target dashed where the probe has one."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (name, curve) in enumerate(curves.items()):
        colour = COLOURS[i % len(COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=list(curve),
                y=[e.effect for e in curve.values()],
                error_y=error_bars(curve),
                mode="lines+markers",
                name=name,
                line=dict(color=colour),
            )
        )
        chance = chances.get(name)
        if chance is None:  # a line that is no guess's accuracy (a share of replies) has no chance level
            continue
        fig.add_trace(
            go.Scatter(
                x=list(chance),
                y=list(chance.values()),
                mode="lines",
                name=f"chance ({name})",
                line=dict(color=colour, dash="dot"),
            )
        )
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#888", annotation_text=f"target {target:.0%}")
    fig.update_layout(
        xaxis=dict(title="worked examples in the prompt (k)", tickvals=sorted({k for c in curves.values() for k in c})),
        yaxis=dict(title=y_title, **PERCENT),
        height=360,
        margin=dict(t=30),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def label_split(probs: dict[str, float]):
    """The model's probability for each of a prompt's answer words at its last line, as horizontal bars."""
    import plotly.graph_objects as go

    words = list(probs)
    fig = go.Figure(go.Bar(x=[probs[w] for w in words], y=words, orientation="h", marker_color=COLOURS[0]))
    fig.update_layout(
        xaxis=dict(title="probability among your answer words", **PERCENT),
        yaxis=dict(title="", autorange="reversed", automargin=True),
        height=120 + 30 * len(words),
        margin=dict(t=20),
    )
    return fig
