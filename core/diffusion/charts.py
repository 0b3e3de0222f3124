"""Plotly figures of the noise schedules: how much signal is left at each step, and the signal-to-noise ratio."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.diffusion.forward import SCHEDULES, curves


def schedule_figure(t_marker: int | None = None) -> go.Figure:
    """alpha-bar_t and log10 SNR(t) for every schedule, with a line at the explorer's current t."""
    # two-line titles, so that they do not run into each other where the figure is a phone's width
    fig = make_subplots(rows=1, cols=2, subplot_titles=("alpha-bar<br>(signal kept)", "log10 SNR<br>(signal-to-noise)"))
    for i, name in enumerate(SCHEDULES):
        c = curves(name)
        colour = ("#1f77b4", "#ff7f0e")[i % 2]
        fig.add_scatter(x=c["t"], y=c["alpha_bar"], name=name, line_color=colour, row=1, col=1)
        fig.add_scatter(x=c["t"], y=c["log10_snr"], name=name, line_color=colour, showlegend=False, row=1, col=2)
    if t_marker is not None:
        for col in (1, 2):
            fig.add_vline(x=t_marker, line_dash="dot", line_color="grey", row=1, col=col)
    fig.update_xaxes(title_text="timestep t")
    fig.update_annotations(font_size=13)  # the subplot titles
    fig.update_layout(height=340, margin=dict(l=40, r=20, t=60, b=40), legend=dict(orientation="h", y=-0.25))
    return fig
