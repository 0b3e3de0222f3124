"""Plotly figures of model and dataset scale; every figure names its source.

The figures are read on a phone as well as on a projector: titles and the source line wrap to short lines,
and the legend sits inside the plot, so nothing is cut off or overlaps in a plot about 330 pixels wide."""

import textwrap

import plotly.graph_objects as go

from core.runtime.validate import shown
from core.scale.chinchilla import CHINCHILLA_RATIO, NOTES_RATIO, ScaleVerdict
from core.scale.tables import CHINCHILLA_PAPER, CORPORA, MODELS, NOTES

# Models that sit almost on top of each other get their labels pushed apart.
LABEL_POSITIONS = {
    "GPT-3": "middle left",
    "Jurassic-1": "middle right",
    "OPT-175B": "bottom center",
    "LLaMA-65B": "top left",
    "Chinchilla": "middle right",
    "LaMDA": "bottom left",
    "MT-NLG": "bottom center",
}


def _lines(text: str, width: int) -> str:
    """Plotly does not wrap text: break it into lines of at most `width` characters."""
    return "<br>".join(textwrap.wrap(text, width))


def _source_line(fig: go.Figure, text: str, below_px: int) -> go.Figure:
    """The source under the plot, `below_px` pixels under the plot area (below the tick labels and axis title)."""
    fig.add_annotation(
        text=_lines(f"Source: {text}", 50),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        xshift=-50,  # from the figure's left edge, under the y-axis title: the lines have the width to fit
        yshift=-below_px,
        showarrow=False,
        font={"size": 10, "color": "#666"},
        align="left",
    )
    fig.update_layout(margin={"l": 60, "r": 20, "t": 80, "b": below_px + 50})
    return fig


def model_sizes(highlight: ScaleVerdict | None = None) -> go.Figure:
    """Parameters against training tokens, with the 15:1 and 20:1 lines; bubble area ~ training compute."""
    fig = go.Figure()
    flops = [6 * m.params_b * m.tokens_b for m in MODELS]
    fig.add_trace(
        go.Scatter(
            x=[m.params_b for m in MODELS],
            y=[m.tokens_b for m in MODELS],
            mode="markers+text",
            text=[m.name for m in MODELS],
            textposition=[LABEL_POSITIONS.get(m.name, "top center") for m in MODELS],
            marker={"size": [max(8, (f / max(flops)) ** 0.5 * 45) for f in flops], "color": "#4c78a8", "opacity": 0.7},
            customdata=[[m.year, m.tokens_b / m.params_b, m.source] for m in MODELS],
            hovertemplate=(
                "<b>%{text}</b> (%{customdata[0]})<br>%{x}B parameters<br>%{y}B training tokens"
                "<br>%{customdata[1]:.1f} tokens per parameter<br>%{customdata[2]}<extra></extra>"
            ),
            name="language models",
        )
    )
    xs = [1, 1000]
    for ratio, label, dash in (
        (NOTES_RATIO, "15:1 (course notes)", "dot"),
        (CHINCHILLA_RATIO, "20:1 (Chinchilla)", "dash"),
    ):
        fig.add_trace(go.Scatter(x=xs, y=[ratio * x for x in xs], mode="lines", line={"dash": dash}, name=label))
    if highlight is not None:
        fig.add_trace(
            go.Scatter(
                x=[highlight.params_b],
                y=[highlight.tokens_b],
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": "#e45756"},
                name=f"your model ({highlight.ratio:.1f}:1)",
            )
        )
    fig.update_layout(
        title="Language model sizes:<br>parameters vs. training tokens",
        xaxis={"title": "parameters (billions, log)", "type": "log"},
        yaxis={"title": "training tokens (billions, log)", "type": "log"},
        legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.7)"},
        height=560,
    )
    return _source_line(fig, f"{CHINCHILLA_PAPER}, and each model's own paper (hover a bubble).", below_px=60)


def dataset_sizes(unit: str = "tokens") -> go.Figure:
    """Training datasets in billions of tokens or in terabytes (log scale: GPT-4's estimate dwarfs the rest)."""
    if unit not in ("tokens", "TB"):
        raise ValueError(f"unit must be 'tokens' or 'TB', got {shown(unit)}")
    values = [d.tokens_b if unit == "tokens" else d.size_tb for d in CORPORA]
    labels = [f"{d.tokens_b / 1000:.3g}T tokens / {d.size_tb:g}TB" for d in CORPORA]
    fig = go.Figure(
        go.Bar(
            x=[d.name for d in CORPORA],
            y=values,
            text=labels,
            textposition="outside",
            marker_color=["#e45756" if d.estimate else "#72b7b2" for d in CORPORA],
            customdata=[d.used_by for d in CORPORA],
            hovertemplate="<b>%{x}</b><br>used by %{customdata}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Datasets for language models<br>(red: an estimate)",
        xaxis={"tickangle": -45},
        yaxis={"title": "billions of tokens (log)" if unit == "tokens" else "terabytes (log)", "type": "log"},
        height=520,
    )
    return _source_line(fig, NOTES + ", 'Datasets for language models: simple view'.", below_px=90)
