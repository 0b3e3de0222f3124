"""Our own compute-optimal ratio on the page: the IsoFLOP profiles as a chart and the fitted ratio in words,
from the runs of `core.scale.isoflop` (its JSON, parsed)."""

import numpy as np
import plotly.graph_objects as go

from core.scale.isoflop_fit import Profile, compared, pooled_ratio, profile
from core.stats.verdict import format_p

COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2")


def profiles(result: dict) -> list[Profile]:
    """One profile per budget with at least 4 runs made, smallest budget first."""
    fits = []
    for budget in sorted({run["budget"] for run in result["runs"]}):
        made = [run for run in result["runs"] if run["budget"] == budget and "loss" in run]
        if len(made) >= 4:
            fits.append(profile(budget, [run["parameters"] for run in made], [run["loss"] for run in made]))
    return fits


def isoflop_chart(result: dict) -> go.Figure:
    """Held-out loss against parameters at each budget, its parabola and its vertex with the Fieller interval."""
    fig = go.Figure()
    for i, fit in enumerate(profiles(result)):
        colour = COLOURS[i % len(COLOURS)]
        name = f"{fit.budget:.0e} FLOPs"
        fig.add_trace(go.Scatter(x=fit.parameters, y=fit.losses, mode="markers", marker={"color": colour}, name=name))
        x = np.linspace(np.log10(fit.parameters.min()), np.log10(fit.parameters.max()), 60)
        a, b, c = fit.coefficients
        fig.add_trace(
            go.Scatter(x=10**x, y=a + b * x + c * x * x, mode="lines", line={"color": colour}, showlegend=False)
        )
        if fit.optimum is not None:
            at = fit.optimum
            fig.add_trace(
                go.Scatter(
                    x=[10**at.effect],
                    y=[a + b * at.effect + c * at.effect**2],
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": [10**at.high - 10**at.effect],
                        "arrayminus": [10**at.effect - 10**at.low],
                    },
                    mode="markers",
                    marker={"symbol": "star", "size": 14, "color": colour},
                    name=f"optimum at {name}",
                    showlegend=False,
                )
            )
    fig.update_xaxes(type="log", title_text="parameters N (log)")
    fig.update_yaxes(title_text="held-out loss (nats)")
    fig.update_layout(
        title="IsoFLOP profiles: each budget spent by models of every size (star: the fitted minimum, 95% interval)",
        height=480,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    return fig


def isoflop_markdown(result: dict) -> str:
    """Each budget's optimum and tokens per parameter, the pooled ratio and how it compares with 20 and 15."""
    lines = []
    for fit in profiles(result):
        if fit.optimum is None:
            lines.append(f"- {fit.budget:.0e} FLOPs: no optimum claimed, {fit.why_not}.")
            continue
        n, r = fit.optimum, fit.ratio
        lines.append(
            f"- {fit.budget:.0e} FLOPs: loss-minimising size {10**n.effect:,.0f} parameters [{10**n.low:,.0f}, "
            f"{10**n.high:,.0f}], so {r.effect:.1f} tokens per parameter [{r.low:.1f}, {r.high:.1f}]."
        )
    pooled = pooled_ratio(profiles(result))
    if pooled is None:
        told = (
            "Fewer than two budgets have a clear optimum, so no ratio is claimed: the runs are too small or too few "
            "to place the minimum of the loss."
        )
    else:
        ratio, p = pooled
        told = (
            f"**Our ratio: {ratio.effect:.1f} tokens per parameter [{ratio.low:.1f}, {ratio.high:.1f}]** (95% "
            f"interval, {ratio.n} budgets pooled; a ratio that changes with the budget: Cochran's Q {format_p(p)}). "
            f"{compared(ratio).capitalize()}."
        )
    return "\n".join(lines) + "\n\n" + told
