"""Plotly charts of the transfer lab: learning curves, accuracy against labels, time to a target accuracy,
trainable parameters, and the text comparison. Each takes measured runs and draws them; none measures."""

import numpy as np
import plotly.graph_objects as go

from core.transfer.modes import ADAPTATIONS
from core.transfer.runs import ModeSummary, Run, accuracy_by_shots
from core.transfer.text_transfer import TextScore

COLOURS = {
    "scratch": "#636363",
    "last_layer": "#1f77b4",
    "last_2": "#2ca02c",
    "last_3": "#9467bd",
    "full": "#d62728",
}


def _band(fig: go.Figure, x, mean, sd, colour: str, name: str, group: str) -> None:
    """A mean line with a shaded band of +-1 standard deviation."""
    x, mean, sd = np.asarray(x), np.asarray(mean), np.asarray(sd)
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([mean + sd, (mean - sd)[::-1]]),
            mode="lines",
            fill="toself",
            fillcolor=colour,
            opacity=0.15,
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=group,
        )
    )
    fig.add_trace(go.Scatter(x=x, y=mean, mode="lines+markers", name=name, line={"color": colour}, legendgroup=group))


def _log_axis(fig: go.Figure, ticks: list[int]) -> None:
    """A log x axis labelled at the measured amounts only."""
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title, xaxis_title=x, yaxis_title=y, template="plotly_white", height=380, margin={"t": 50, "b": 40}
    )
    return fig


def learning_curves(runs: list[Run], target: float | None = None) -> go.Figure:
    """Test accuracy against epoch, mean +-1 sd over the seeds run so far, one colour per mode."""
    fig = go.Figure()
    for key, mode in ADAPTATIONS.items():
        curves = [[p.accuracy for p in r.curve] for r in runs if r.mode == key and r.curve]
        if not curves:
            continue
        length = min(len(c) for c in curves)  # the run in progress may be shorter
        acc = np.array([c[:length] for c in curves])  # (seeds, epochs + 1)
        _band(fig, np.arange(length), acc.mean(0), acc.std(0), COLOURS[key], f"{mode.label} ({len(curves)})", key)
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", annotation_text=f"target {target:.0%}")
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    return _layout(fig, "Learning curves on the target domain", "epoch", "test accuracy")


def accuracy_vs_labels(runs: list[Run], target: float | None = None) -> go.Figure:
    """Final test accuracy against labelled examples per class, mean +-1 sd over seeds."""
    fig = go.Figure()
    for key, by_shots in accuracy_by_shots(runs).items():
        shots = list(by_shots)
        mean = [by_shots[s].mean() for s in shots]
        sd = [by_shots[s].std() for s in shots]
        _band(fig, shots, mean, sd, COLOURS[key], ADAPTATIONS[key].label, key)
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", annotation_text=f"target {target:.0%}")
    _log_axis(fig, sorted({r.shots for r in runs}))
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    return _layout(fig, "How much labelled data does each mode need?", "labelled examples per class", "test accuracy")


def _mode_bars(summaries: list[ModeSummary], values: list, labels: list[str]) -> go.Figure:
    """One bar per mode, in the mode's colour, labelled."""
    x = [ADAPTATIONS[s.mode].label for s in summaries]
    return go.Figure(go.Bar(x=x, y=values, text=labels, marker_color=[COLOURS[s.mode] for s in summaries]))


def time_to_target(summaries: list[ModeSummary], target: float) -> go.Figure:
    """Epochs (bars) and seconds (labels) until the target accuracy was first reached; empty if never."""
    reached = [s for s in summaries if s.epochs_to_target is not None]
    missed = [ADAPTATIONS[s.mode].label for s in summaries if s.epochs_to_target is None]
    fig = _mode_bars(reached, [s.epochs_to_target for s in reached], [f"{s.seconds_to_target:.2f} s" for s in reached])
    title = f"Time to reach {target:.0%} test accuracy"
    if missed:
        title += f"<br><sub>never reached: {', '.join(missed)}</sub>"
    return _layout(fig, title, "", "epochs (bar label: seconds)")


def trainable_parameters(summaries: list[ModeSummary]) -> go.Figure:
    fig = _mode_bars(summaries, [s.trainable for s in summaries], [f"{s.trainable:,}" for s in summaries])
    return _layout(fig, "Trainable parameters per mode", "", "parameters that learn")


def text_comparison(scores: list[TextScore]) -> go.Figure:
    """Test accuracy against labelled sentences per class for both text models, mean +-1 sd over seeds."""
    fig = go.Figure()
    shots = sorted({s.shots for s in scores})
    sides = [("TF-IDF from scratch", "tfidf", "#636363"), ("Frozen encoder + classifier", "encoder", "#d62728")]
    for name, attr, colour in sides:
        values = [[getattr(s, attr) for s in scores if s.shots == n] for n in shots]
        if any(v is None for vs in values for v in vs):
            continue
        _band(fig, shots, [np.mean(v) for v in values], [np.std(v) for v in values], colour, name, attr)
    _log_axis(fig, shots)
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    return _layout(fig, "Sentence topics: transfer vs. from scratch", "labelled sentences per class", "test accuracy")
