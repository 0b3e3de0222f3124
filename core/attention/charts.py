"""Plotly drawings of the explorer: attention heat maps (one head, or every layer x head as thumbnails
like BertViz's model view), embeddings in 2-D, positional tables and next-token bars.

Axes are indexed by position and labelled with the tokens, so a repeated word keeps its own row.
"""

import textwrap

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.attention.embeddings import EmbeddingMap
from core.attention.positional import Scheme

MASKED_COLOUR = "#d9d9d9"  # cells a causal mask hides


def _safe(tokens: list[str]) -> list[str]:
    """Tokens as plotly labels: '<' escaped, so '</s>' is shown rather than read as an HTML tag."""
    return [t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for t in tokens]


def _masked(matrix: np.ndarray, causal: bool) -> np.ndarray:
    """The matrix with the future (above the diagonal) set to NaN, so it is drawn as masked."""
    m = np.asarray(matrix, dtype=float).copy()
    if causal:
        m[np.triu_indices(m.shape[0], k=1, m=m.shape[1])] = np.nan
    return m


def attention_heatmap(
    matrix, queries: list[str], keys: list[str], title: str, causal: bool = False, query_title: str = "query"
) -> go.Figure:
    """One head: row i is how query token i spreads its attention over the key tokens (each row sums to 1)."""
    m = _masked(matrix, causal)
    queries, keys = _safe(queries), _safe(keys)
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=list(range(len(keys))),
            y=list(range(len(queries))),
            zmin=0,
            zmax=1,
            colorscale="Blues",
            customdata=[[f"{q} → {k}" for k in keys] for q in queries],
            hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
            colorbar={"title": "weight"},
        )
    )
    axis = {"tickmode": "array", "showgrid": False}
    fig.update_xaxes(**axis, tickvals=list(range(len(keys))), ticktext=keys, title="key (attended to)", side="top")
    fig.update_yaxes(
        **axis, tickvals=list(range(len(queries))), ticktext=queries, title=query_title, autorange="reversed"
    )
    if causal:
        title += " · grey = masked future"
    # the title in short lines at the top (below the app's label), above the key tokens and their axis title: on a
    # phone the tokens stand upright and the title would otherwise be cut off and drawn over them
    lines = textwrap.wrap(title, 40)
    top = 138 + 22 * len(lines)  # pixels: label, title lines, then tokens and axis title
    fig.update_layout(
        title={"text": "<br>".join(lines), "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 44}},
        plot_bgcolor=MASKED_COLOUR,
        height=max(360, 28 * len(queries) + 160) + top - 110,
        margin={"t": top},
    )
    return fig


def model_view(
    maps: np.ndarray, title: str, causal: bool = False, selected: tuple[int, int] | None = None
) -> go.Figure:
    """Every layer (rows) x head (columns) as a small heat map; the selected head is outlined."""
    n_layers, n_heads = maps.shape[:2]
    fig = make_subplots(
        rows=n_layers,
        cols=n_heads,
        row_titles=[f"L{layer}" for layer in range(n_layers)],
        column_titles=[f"H{head}" for head in range(n_heads)],
        horizontal_spacing=0.01,
        vertical_spacing=0.02,
    )
    for layer in range(n_layers):
        for head in range(n_heads):
            fig.add_trace(
                go.Heatmap(
                    z=_masked(maps[layer, head], causal),
                    zmin=0,
                    zmax=1,
                    colorscale="Blues",
                    showscale=False,
                    hovertemplate=f"layer {layer} head {head}<br>query %{{y}} → key %{{x}}: %{{z:.2f}}<extra></extra>",
                ),
                row=layer + 1,
                col=head + 1,
            )
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, autorange="reversed")
    if selected is not None:
        layer, head = selected
        xref = "x domain" if layer == head == 0 else f"x{layer * n_heads + head + 1} domain"
        fig.add_shape(
            type="rect",
            xref=xref,
            yref=xref.replace("x", "y"),
            x0=0,
            y0=0,
            x1=1,
            y1=1,
            line={"color": "#d62728", "width": 3},
        )
    # square thumbnails that shrink with the page: a fixed width would be cut off on a phone
    fig.update_xaxes(constrain="domain")
    for i in range(n_layers * n_heads):
        fig.update_yaxes(
            scaleanchor=f"x{i + 1 if i else ''}", constrain="domain", row=i // n_heads + 1, col=i % n_heads + 1
        )
    cell = 110 if n_heads <= 8 else 80  # pixels per thumbnail
    fig.update_layout(
        title=title,
        plot_bgcolor=MASKED_COLOUR,
        height=min(cell * n_layers + 130, 1400),
        margin={"l": 20, "r": 40},
    )
    return fig


def step_attention(rows: np.ndarray, keys: list[str], title: str) -> go.Figure:
    """The attention of one generated token: one row per (layer, head), one column per token it could see."""
    n_layers, n_heads, n_keys = rows.shape
    labels = [f"L{layer} H{head}" for layer in range(n_layers) for head in range(n_heads)]
    return attention_heatmap(rows.reshape(n_layers * n_heads, n_keys), labels, keys, title, query_title="layer, head")


def top_tokens(tokens: list[str], probs: list[float], title: str, compare: list[float] | None = None) -> go.Figure:
    """The most likely next tokens as horizontal bars, most likely on top."""
    labels = [f"{i + 1}. {t!r}" for i, t in enumerate(_safe(tokens))]
    fig = go.Figure(go.Bar(x=probs, y=labels, orientation="h", name="full model", marker_color="#1f77b4"))
    if compare is not None:
        fig.add_trace(go.Bar(x=compare, y=labels, orientation="h", name="head removed", marker_color="#d62728"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=title, xaxis_title="probability", barmode="group", height=420)
    if compare is not None:  # small shifts of unlikely tokens show on a log scale
        fig.update_xaxes(type="log", title="probability (log scale)")
    return fig


def embedding_scatter(emb: EmbeddingMap, tokens: list[str], title: str) -> go.Figure:
    """The vocabulary in grey and the input's tokens in colour, on the first two principal components."""
    fig = go.Figure()
    fig.add_trace(
        go.Scattergl(
            x=emb.background[:, 0],
            y=emb.background[:, 1],
            mode="markers",
            marker={"color": "#c7c7c7", "size": 5},
            text=_safe(emb.background_tokens),
            hovertemplate="%{text}<extra>vocabulary</extra>",
            name="vocabulary",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=emb.points[:, 0],
            y=emb.points[:, 1],
            mode="markers+text",
            marker={"color": "#d62728", "size": 10},
            text=_safe(tokens),
            textposition="top center",
            name="your tokens",
        )
    )
    pc1, pc2 = emb.explained
    fig.update_layout(
        title=title, xaxis_title=f"PC1 ({pc1:.0%} of variance)", yaxis_title=f"PC2 ({pc2:.0%})", height=480
    )
    return fig


def positional_tables(formula: np.ndarray, scheme: Scheme, tokens: list[str]) -> go.Figure:
    """The sinusoid formula and the model's own scheme side by side, one row per position."""
    titles = ("sinusoidal formula (Vaswani et al. 2017)", f"this model: {scheme.kind}")
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.12)
    positions = [f"{i} {t}" for i, t in enumerate(_safe(tokens))]
    fig.add_trace(go.Heatmap(z=formula, colorscale="RdBu", zmid=0, coloraxis=None, showscale=False), row=1, col=1)
    if scheme.table is not None:
        fig.add_trace(
            go.Heatmap(z=np.asarray(scheme.table), colorscale="RdBu", zmid=0, colorbar={"x": 1.02}), row=1, col=2
        )
    fig.update_yaxes(
        tickmode="array", tickvals=list(range(len(tokens))), ticktext=positions, autorange="reversed", col=1
    )
    fig.update_yaxes(autorange="reversed", col=2, title="query position" if scheme.kind == "relative" else "position")
    fig.update_xaxes(title="feature", col=1)
    fig.update_xaxes(title="key position" if scheme.kind == "relative" else "feature", col=2)
    fig.update_layout(height=max(360, 22 * len(tokens) + 160))
    return fig


def kl_by_position(positions: list[str], kl: list[float], title: str) -> go.Figure:
    """How far each position's next-token distribution moved."""
    fig = go.Figure(go.Bar(x=list(range(len(kl))), y=kl, marker_color="#d62728", customdata=_safe(positions)))
    fig.update_traces(hovertemplate="after %{customdata}: %{y:.2e} nats<extra></extra>")
    fig.update_xaxes(
        tickmode="array", tickvals=list(range(len(kl))), ticktext=_safe(positions), title="position (input token)"
    )
    fig.update_layout(title=title, yaxis_title="KL (nats)", height=360)
    fig.update_yaxes(exponentformat="power")  # 2×10⁻⁶ rather than plotly's SI "2µ"
    return fig


def head_grid(values: np.ndarray, title: str, unit: str) -> go.Figure:
    """One number per (layer, head), e.g. the KL divergence when that head is removed."""
    n_layers, n_heads = values.shape
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[f"H{h}" for h in range(n_heads)],
            y=[f"L{layer}" for layer in range(n_layers)],
            colorscale="Reds",
            colorbar={"title": unit, "exponentformat": "power"},
            hovertemplate="%{y} %{x}: %{z:.2e}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=title, height=max(320, 180 + 50 * n_layers))
    return fig
