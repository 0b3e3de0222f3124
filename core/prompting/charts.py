"""Charts of an evaluation: accuracy per strategy against chance, and accuracy against problem length."""

from core.prompting.prompts import STRATEGIES
from core.prompting.tasks.families import FAMILIES


def accuracy_bars(accuracies: dict[str, float], chance: float):
    """One bar per strategy, with the chance baseline as a dashed line."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[STRATEGIES[s] for s in accuracies], y=list(accuracies.values()), marker_color="#4c78a8"))
    fig.add_hline(y=chance, line_dash="dash", annotation_text=f"chance {chance:.0%}")
    fig.update_layout(yaxis=dict(title="accuracy", range=[0, 1], tickformat=".0%"), height=320, margin=dict(t=30))
    return fig


def accuracy_by_length(task: str, curves: dict[str, dict[int, float]]):
    """Accuracy against problem length, one line per strategy; the trained lengths are shaded."""
    import plotly.graph_objects as go

    family = FAMILIES[task]
    fig = go.Figure()
    fig.add_vrect(
        x0=min(family.train_lengths) - 0.5,
        x1=max(family.train_lengths) + 0.5,
        fillcolor="#dddddd",
        opacity=0.4,
        line_width=0,
        annotation_text="trained lengths",
    )
    for strategy, curve in curves.items():
        fig.add_trace(
            go.Scatter(x=list(curve), y=list(curve.values()), mode="lines+markers", name=STRATEGIES[strategy])
        )
    fig.update_layout(
        xaxis=dict(title=f"problem length ({family.length_unit})", dtick=1),
        yaxis=dict(title="accuracy", range=[0, 1.05], tickformat=".0%"),
        height=340,
        margin=dict(t=30),
    )
    return fig
