"""Normalizing flows vs. diffusion: watch a chain of invertible layers turn Gaussian noise into data,
score data with an exact likelihood, invert digits to latents and back, and race a flow against a DDPM.

torch, zuko and scikit-learn load on the first click (inside the handlers), so the page itself builds fast.
"""

from typing import TYPE_CHECKING

import gradio as gr
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from apps.deep_links import link_inputs, number_in
from apps.errors import user_errors
from core.flows.choices import (
    DATASETS,
    DDPM_MODEL,
    FLOW_MODEL,
    KINDS,
    MAX_LAYERS,
    MAX_SAMPLES,
    MAX_STEPS,
    MOONS,
    REALNVP,
    RINGS,
    TEST_SIZE,
)
from core.runtime import get_model
from core.runtime.limits import time_limited
from core.runtime.seeding import MAX_SEED, check_seed
from core.runtime.validate import choice, whole_number

if TYPE_CHECKING:
    import torch

    from core.flows import compare

FLOW_CHOICE = "digits: neural spline flow"
DDPM_CHOICE = "digits: DDPM"
SAMPLE_MODELS = {FLOW_CHOICE: FLOW_MODEL, DDPM_CHOICE: DDPM_MODEL}
CHAIN_POINTS = 600
GRID_LINES = 11  # latent grid lines per direction in the chain figure
PLOT_POINTS = 1000
DENSITY_UPDATES = 8  # density redraws while training
FLOW_STEPS = 300  # default training steps: a live answer within seconds
RACE_FLOW_STEPS, RACE_DDPM_STEPS = 300, 1500
PEN = gr.Brush(default_size=4, colors=["#000000"], default_color="#000000", color_mode="fixed")  # thin strokes

CLAIMS_BEFORE = """**What the course says, checked by the race**: press **Train both on the same 2-D data**.
- Flows: *tractable exact likelihood*, *exact, efficient sampling*, *invertible*, *stable training*; but
  *trouble with highly multimodal data* and *careful architecture design* (every layer must stay invertible
  with a cheap Jacobian).
- Diffusion: *fewer mode-collapse issues*; but *computationally expensive* (one network call per denoising
  step) and *no exact likelihood* (only a bound, the ELBO).
"""


def _holds(holds: bool) -> str:
    return "**holds here**" if holds else "**does not hold here**"


def race_claims(flow: "compare.Row", ddpm: "compare.Row", dataset: str) -> str:
    """The course's claims about flows and diffusion, each with this race's numbers and whether they agree."""
    f, d = flow.fit, ddpm.fit
    between = f"{f.off_data:.0%} of the flow's samples and {d.off_data:.0%} of the DDPM's fall off the data"
    covered = f"the flow's samples cover {f.covered:.0%} of the held-out points, the DDPM's {d.covered:.0%}"
    faster = flow.sampled.ms_per_sample < ddpm.sampled.ms_per_sample
    return f"""**What the course says, checked on {dataset} with these settings**
- Flows, *exact likelihood*: the flow's held-out log p ({flow.heldout:.3f} nats) is exact; the DDPM's
  ({ddpm.heldout:.3f}) is only a lower bound.
- Flows, *exact, efficient sampling*: {flow.sampled.evaluations} network calls against the DDPM's
  {ddpm.sampled.evaluations}; {flow.sampled.ms_per_sample:.3f} against {ddpm.sampled.ms_per_sample:.3f} ms per
  sample: {_holds(faster)}.
- Flows, *trouble with highly multimodal data* (density left on the bridges between modes): {between}:
  {_holds(f.off_data > d.off_data)}.
- Diffusion, *fewer mode-collapse issues*: {covered}: {_holds(d.covered >= f.covered)}.
- Diffusion, *computationally expensive*: one network call per denoising step, {ddpm.sampled.evaluations} in all.

"Off the data": farther from every training point than 99% of held-out points are. "Cover": a sample lies as
close to the held-out point as real points usually do. Other datasets, step counts and seeds can turn a verdict.
"""


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=30, r=20, t=60, b=30), template="plotly_white")
    return fig


def _scatter(points: "torch.Tensor", name: str, color: str) -> go.Scatter:
    xy = points[:PLOT_POINTS].numpy()
    return go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=name, marker=dict(size=3, color=color))


def _ink(drawing) -> np.ndarray | None:
    """The (H, W) mask of dark strokes in the sketchpad's composite image, or None when nothing is drawn."""
    if not drawing or drawing.get("composite") is None:
        return None
    image = np.asarray(drawing["composite"])
    ink = image[..., :3].mean(-1) < 128
    if image.shape[-1] == 4:
        ink &= image[..., 3] > 0
    return ink


def _data(dataset: str, seed, drawing) -> tuple["torch.Tensor", "torch.Tensor", int]:
    from core.flows import datasets2d

    with user_errors():
        seed = check_seed(seed)
        return *datasets2d.train_and_heldout(
            dataset, seed, _ink(drawing) if dataset == datasets2d.DRAWN else None
        ), seed


def density_figure(flow, data: "torch.Tensor", title: str) -> go.Figure:
    from core.flows import datasets2d
    from core.flows.flow import log_prob
    from core.flows.likelihood import density_grid

    axis, logp = density_grid(lambda x: log_prob(flow, x), datasets2d.LIMIT)
    fig = go.Figure(
        go.Heatmap(x=axis, y=axis, z=np.clip(logp, -12, None), colorscale="Viridis", colorbar=dict(title="log p(x)"))
    )
    fig.add_trace(_scatter(data[:300], "data", "rgba(255,255,255,0.6)"))
    fig.update_xaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT], constrain="domain")
    fig.update_yaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT], scaleanchor="x", constrain="domain")
    return _layout(fig, title, height=460)


def chain_figure(flow, seed: int) -> go.Figure:
    """Base samples and a latent grid carried back through each layer, one panel per stage."""
    import torch

    from core.flows import datasets2d
    from core.flows.flow import chain, latent_noise

    z = latent_noise(CHAIN_POINTS, 2, seed)
    ticks = torch.linspace(-3, 3, GRID_LINES)
    along = torch.linspace(-3, 3, 60)
    lines = [torch.stack([along, torch.full_like(along, t)], -1) for t in ticks]
    lines += [torch.stack([torch.full_like(along, t), along], -1) for t in ticks]
    grid = torch.cat(lines)  # (2 * GRID_LINES * 60, 2)
    stages = chain(flow, torch.cat([z, grid]))
    count = len(stages)
    titles = ["z ~ N(0, I)"] + [f"after f<sub>{count - 1 - i}</sub><sup>-1</sup>" for i in range(1, count - 1)] + ["x"]
    fig = make_subplots(rows=1, cols=count, subplot_titles=titles, horizontal_spacing=0.01)
    for col, stage in enumerate(stages, start=1):
        points, warped = stage[:CHAIN_POINTS].numpy(), stage[CHAIN_POINTS:].reshape(len(lines), 60, 2).numpy()
        gx = np.concatenate([np.append(line[:, 0], np.nan) for line in warped])
        gy = np.concatenate([np.append(line[:, 1], np.nan) for line in warped])
        fig.add_trace(go.Scatter(x=gx, y=gy, mode="lines", line=dict(width=0.6, color="#bbb")), row=1, col=col)
        fig.add_trace(
            go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", marker=dict(size=2, color="#1f77b4")),
            row=1,
            col=col,
        )
    fig.update_xaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT], showticklabels=False)
    fig.update_yaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT], showticklabels=False)
    fig.update_layout(showlegend=False)
    return _layout(fig, "The chain of transformations: Gaussian samples (blue) and a latent grid, layer by layer", 300)


def train_2d(dataset, steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):  # noqa: B008 - Gradio's progress idiom
    """Train a 2-D flow live; the density redraws as it learns, then the chain of layers is drawn."""
    from core.flows import train2d
    from core.flows.claims import better_held_out_likelihood
    from core.flows.flow import log_prob
    from core.flows.likelihood import fit_gaussian, mean_log_likelihood
    from core.stats import format_claim

    with user_errors():
        steps = train2d.check_steps(steps)
    data, heldout, seed = _data(dataset, seed, drawing)
    with user_errors():
        config = train2d.flow_config(kind, layers)
    redraw = max(steps // DENSITY_UPDATES, 1)
    last = None
    for last in time_limited(train2d.train(data, config, steps, seed), "ask for fewer training steps"):
        progress((last.step, last.steps), desc=f"training, -log p = {last.loss:.3f}", unit="steps")
        if last.diverged:
            break
        if last.step % redraw < 25 and last.step < last.steps:
            title = f"log p(x) after {last.step} of {last.steps} steps"
            yield (
                f"Training: step {last.step} of {last.steps}, -log p = {last.loss:.3f} nats",
                density_figure(last.flow, data, title),
                None,
            )
    flow = last.flow
    flow_ll = mean_log_likelihood(lambda x: log_prob(flow, x), heldout)
    gauss_ll = mean_log_likelihood(fit_gaussian(data).log_prob, heldout)
    gap = better_held_out_likelihood(lambda x: log_prob(flow, x), fit_gaussian(data).log_prob, heldout)
    report = (
        f"**Held-out log-likelihood** (1000 points not used for training, higher is better): "
        f"flow **{flow_ll:.3f}** nats vs. single Gaussian **{gauss_ll:.3f}** nats.\n\n"
        f"The flow beats the Gaussian, point by point: {format_claim(gap, '{:+.3f}', unit=' nats', n_label='points')} "
        "(mean gap, 95% t interval, paired t-test)."
    )
    if last.diverged:
        report = f"**Warning:** {last.diverged}\n\n{report}"
    title = f"Exact log p(x) of the trained flow ({last.step} steps)"
    yield report, density_figure(flow, data, title), chain_figure(flow, seed)


DIGIT_PIXELS = 6  # screen pixels per digit pixel: an 8x8 digit shows at 48x48


def digits_picture(images: np.ndarray, columns: int = 10) -> np.ndarray:
    """(N, 8, 8) digits in [0, 1] (1 = ink) -> one enlarged (H, W) uint8 picture, dark ink on white, 1-pixel gaps."""
    rows = -(-len(images) // columns)
    side = images.shape[1]
    canvas = np.zeros((rows * (side + 1) - 1, columns * (side + 1) - 1))  # 0 = white paper
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * (side + 1) : r * (side + 1) + side, c * (side + 1) : c * (side + 1) + side] = image
    picture = np.round(255 * (1 - np.clip(canvas, 0, 1))).astype(np.uint8)
    return np.kron(picture, np.ones((DIGIT_PIXELS, DIGIT_PIXELS), dtype=np.uint8))  # nearest-neighbour enlargement


def digit_scores():
    """Bits/dim of held-out digits under the flow, a Gaussian and the DDPM bound, and of three probe images."""
    from core.flows import compare
    from core.flows.claims import digit_claims
    from core.flows.digits import LEVELS, to_image
    from core.stats import format_claim

    scores = compare.digit_scores()
    table = pd.DataFrame(
        {"model": list(scores.test), "held-out bits/dim (lower is better)": [round(v, 3) for v in scores.test.values()]}
    )
    for probe, bits in scores.probe_bits.items():  # one column per probe image, in the figure's order
        table[f"{probe}: bits/dim"] = [round(bits[name], 2) for name in scores.test]
    images = np.stack([to_image((image.float() + 0.5)[None] / LEVELS)[0] for image in scores.probes.values()])
    fig = make_subplots(rows=1, cols=3, subplot_titles=list(scores.probes))
    for col, image in enumerate(images, start=1):
        fig.add_trace(go.Heatmap(z=image, colorscale="gray_r", zmin=0, zmax=1, showscale=False), row=1, col=col)
    for col in range(1, 4):  # square pixels
        fig.update_yaxes(scaleanchor=f"x{col if col > 1 else ''}", constrain="domain", row=1, col=col)
    fig.update_yaxes(autorange="reversed", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    note = f"A model that knows nothing (uniform over {LEVELS} levels) scores {np.log2(LEVELS):.2f} bits/dim."
    claims = [
        f"- {claim}: {format_claim(gap, '{:+.3f}', n_label='held-out digits')}" for claim, gap in digit_claims(scores)
    ]
    note += "\n\n**Claims, paired digit by digit** (mean gap, 95% t interval, paired t-test):\n" + "\n".join(claims)
    fig = _layout(fig, "Three probe images, scored in the table above", 320)
    return table, fig, note


def _seed(seed) -> int:
    with user_errors():
        return check_seed(seed)


def _digit(index) -> "torch.Tensor":
    from core.flows.digits import load_split

    with user_errors():
        return load_split()[2][whole_number(index, "digit index", 0, TEST_SIZE - 1)]


def roundtrip_digit(index, seed):
    """Held-out digit -> latent z -> digit again, with the largest pixel error."""
    from core.flows.invertibility import roundtrip

    trip = roundtrip(get_model(FLOW_MODEL), _digit(index), _seed(seed))
    panels = [trip.x, trip.z, trip.x_back, (trip.x_back - trip.x).abs()]
    titles = ["digit x", "latent z = f(x)", "f<sup>-1</sup>(z)", "|error|"]
    fig = make_subplots(rows=1, cols=4, subplot_titles=titles)
    for col, panel in enumerate(panels, start=1):
        scale = dict(colorscale="RdBu", zmid=0) if col == 2 else dict(colorscale="gray_r", zmin=0, zmax=1)
        fig.add_trace(go.Heatmap(z=panel.reshape(8, 8).numpy(), showscale=False, **scale), row=1, col=col)
    fig.update_yaxes(autorange="reversed", visible=False)
    fig.update_xaxes(visible=False)
    message = f"Largest pixel error after the round trip: **{trip.max_error:.2e}** (pixels range over 0 to 1)."
    return _layout(fig, "Invertibility: a digit to its latent and back", 300), message


def interpolate_digits(index_a, index_b, seed):
    """Decode a straight line between the latents of two held-out digits."""
    from core.flows.digits import to_image
    from core.flows.invertibility import interpolate

    frames = interpolate(get_model(FLOW_MODEL), _digit(index_a), _digit(index_b), 10, _seed(seed))
    return digits_picture(to_image(frames))


def sample(model, n, seed, temperature=1.0):
    """Sample digits from the bundled flow or DDPM; reports measured time and network calls."""
    from core.flows import compare
    from core.flows.digits import to_image

    with user_errors():
        drawn = compare.sample_digits(
            get_model(SAMPLE_MODELS[choice(model, "model", SAMPLE_MODELS)]), n, seed, temperature
        )
    n, temperature = len(drawn.samples), float(temperature)
    message = (
        f"{n} samples in {drawn.seconds:.3f} s ({drawn.ms_per_sample:.2f} ms per sample), "
        f"{drawn.evaluations} network evaluations."
    )
    if model == DDPM_CHOICE:
        message += " Temperature applies to the flow only."
    return digits_picture(to_image(drawn.samples)), message


def _table(rows: tuple["compare.Row", ...], score: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": [r.model for r in rows],
            "ms per sample": [round(r.sampled.ms_per_sample, 3) for r in rows],
            "network calls": [r.sampled.evaluations for r in rows],
            "exact likelihood": ["yes" if r.exact_likelihood else "no (bound only)" for r in rows],
            "training (s)": [round(r.train_seconds, 1) for r in rows],
            score: [round(r.heldout, 3) for r in rows],
            **(
                {
                    "held-out points covered": [f"{r.fit.covered:.0%}" for r in rows],
                    "samples off the data": [f"{r.fit.off_data:.0%}" for r in rows],
                }
                if all(r.fit for r in rows)
                else {}
            ),
        }
    )


def race(dataset, flow_steps, ddpm_steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):  # noqa: B008 - Gradio's progress idiom
    """Train a flow and a DDPM on the same 2-D data and compare their samples and measured costs."""
    from core.flows import compare, datasets2d, train2d

    with user_errors():
        flow_steps, ddpm_steps = train2d.check_steps(flow_steps), train2d.check_steps(ddpm_steps)
    data, heldout, seed = _data(dataset, seed, drawing)
    with user_errors():
        config = train2d.flow_config(kind, layers)
    race = compare.race_2d(data, heldout, config, flow_steps, ddpm_steps, seed)
    for state in time_limited(race, "ask for fewer training steps"):
        progress(state.fraction, desc=f"{state.stage}: {state.fraction:.0%}")
    flow_row, ddpm_row = state.rows
    fig = make_subplots(rows=1, cols=3, subplot_titles=["data", flow_row.model, ddpm_row.model])
    for col, (points, color) in enumerate(
        [(data, "#555"), (flow_row.sampled.samples, "#1f77b4"), (ddpm_row.sampled.samples, "#d62728")], start=1
    ):
        fig.add_trace(_scatter(points, "", color), row=1, col=col)
    fig.update_xaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT])
    fig.update_yaxes(range=[-datasets2d.LIMIT, datasets2d.LIMIT])
    fig.update_layout(showlegend=False)
    table = _table(state.rows, "held-out log p, nats (DDPM: lower bound)")
    message = f"**Warning:** {state.message}" if state.message else ""
    claims = race_claims(flow_row, ddpm_row, dataset)
    return _layout(fig, f"1000 samples each on {dataset}", 380), table, message, claims


def compare_digits(seed):
    """The bundled digit flow and DDPM: 100 samples each, measured, with their held-out bits/dim."""
    from core.flows import compare
    from core.flows.digits import to_image

    seed = _seed(seed)
    scores = compare.digit_scores()
    rows = []
    for name, registered, score in (
        (FLOW_CHOICE, FLOW_MODEL, compare.FLOW),
        (DDPM_CHOICE, DDPM_MODEL, compare.DIFFUSION),
    ):
        model = get_model(registered)
        drawn = compare.sample_digits(model, 100, seed)
        rows.append(compare.Row(name, drawn, registered == FLOW_MODEL, model.meta["train_seconds"], scores.test[score]))
    figures = [digits_picture(to_image(r.sampled.samples[:50])) for r in rows]
    return *figures, _table(tuple(rows), "held-out bits/dim (DDPM: upper bound)")


with gr.Blocks(title="Normalizing flows vs. diffusion") as demo:
    gr.Markdown(
        "# Normalizing flows vs. diffusion\n"
        "A flow is a chain of invertible layers from data to Gaussian noise. Because every layer can be undone "
        "and its Jacobian is cheap, the flow gives an **exact likelihood**, maps data **to a latent and back**, and "
        "**samples** by running noise through the inverse chain."
    )
    with gr.Tab("2-D flow, live"):
        with gr.Row():
            with gr.Column(scale=1):
                dataset = gr.Radio(list(DATASETS), value=MOONS, label="Dataset")
                drawing = gr.Sketchpad(
                    label="Draw points here, then pick 'drawn points'", canvas_size=(320, 320), brush=PEN,
                    layers=False, transforms=(),
                )  # fmt: skip
                kind = gr.Radio(list(KINDS), value=REALNVP, label="Flow")
                layers = gr.Slider(2, MAX_LAYERS, value=6, step=1, label="Coupling layers")
                steps = gr.Textbox(value=str(FLOW_STEPS), label=f"Training steps (1 to {MAX_STEPS})")
                seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed")
                with gr.Row():
                    train_button = gr.Button("Train the flow", variant="primary", scale=3)
                    train_stop = gr.Button("Stop", variant="stop", scale=1, min_width=80)
            with gr.Column(scale=2):
                report = gr.Markdown("Pick a dataset and press **Train the flow**.")
                density = gr.Plot(label="Exact log-likelihood log p(x)")
        chain_plot = gr.Plot(label="Chain of transformations")
    with gr.Tab("Digits: likelihood"):
        gr.Markdown(
            "scikit-learn's 8x8 digits (17 grey levels, 64 dimensions), dequantized with uniform noise. "
            "Bits per dimension on 297 held-out digits: the flow's value is exact, the DDPM's is a bound."
        )
        score_button = gr.Button("Score held-out digits", variant="primary")
        score_note = gr.Markdown()
        score_table = gr.Dataframe(label="Held-out bits per dimension", interactive=False)
        probe_plot = gr.Plot(label="Typical digit, unusual digit, noise")
    with gr.Tab("Digits: invertibility"):
        with gr.Row():
            index_a = gr.Slider(0, TEST_SIZE - 1, value=0, step=1, label="Held-out digit")
            index_b = gr.Slider(0, TEST_SIZE - 1, value=5, step=1, label="Second digit (for interpolation)")
            invert_seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Dequantization seed")
        with gr.Row():
            roundtrip_button = gr.Button("Map to the latent and back", variant="primary")
            interpolate_button = gr.Button("Interpolate between the two digits")
        roundtrip_note = gr.Markdown()
        roundtrip_plot = gr.Plot(label="Round trip")
        interpolate_plot = gr.Image(label="Latent interpolation", format="png", interactive=False)
    with gr.Tab("Digits: sampling"):
        with gr.Row():
            sample_model = gr.Radio(list(SAMPLE_MODELS), value=FLOW_CHOICE, label="Model")
            sample_n = gr.Slider(1, MAX_SAMPLES, value=40, step=1, label="Samples")
            sample_seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed")
            temperature = gr.Slider(0.1, 1.5, value=1.0, step=0.05, label="Temperature (flow)")
        sample_button = gr.Button("Sample", variant="primary")
        sample_note = gr.Markdown()
        sample_plot = gr.Image(label="Samples", format="png", interactive=False)
    with gr.Tab("Flow vs. diffusion"):
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                race_dataset = gr.Radio(
                    list(DATASETS), value=RINGS, label="Dataset", info="'drawn points' uses the 2-D flow tab's drawing"
                )
                race_kind = gr.Radio(list(KINDS), value=REALNVP, label="Flow")
                race_layers = gr.Slider(2, 12, value=6, step=1, label="Coupling layers")
                race_flow_steps = gr.Textbox(
                    value=str(RACE_FLOW_STEPS), label=f"Steps to train the flow (1 to {MAX_STEPS})"
                )
                race_ddpm_steps = gr.Textbox(
                    value=str(RACE_DDPM_STEPS), label=f"Steps to train the DDPM (1 to {MAX_STEPS})"
                )
                race_seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed")
                with gr.Row():
                    race_button = gr.Button("Train both on the same 2-D data", variant="primary", scale=3)
                    race_stop = gr.Button("Stop", variant="stop", scale=1, min_width=80)
                digits_button = gr.Button("Compare the bundled digit models")
            with gr.Column(scale=3):
                race_note = gr.Markdown()
                race_plot = gr.Plot(label="Samples side by side")
                race_table = gr.Dataframe(
                    pd.DataFrame(columns=["model", "ms per sample", "network calls", "held-out log p"]),
                    label="Measured", interactive=False, wrap=True, elem_id="race-table",
                    column_widths=["20%", "11%", "10%", "12%", "10%", "15%", "11%", "11%"],
                )  # fmt: skip
                race_claims_md = gr.Markdown(CLAIMS_BEFORE)
                with gr.Row():
                    flow_digits = gr.Image(label="Flow samples", format="png", interactive=False, elem_id="flow-digits")
                    ddpm_digits = gr.Image(label="DDPM samples", format="png", interactive=False, elem_id="ddpm-digits")
                digits_table = gr.Dataframe(
                    pd.DataFrame(columns=["model", "ms per sample", "network calls", "held-out bits/dim"]),
                    label="Measured on digits", interactive=False, wrap=True, elem_id="digits-table",
                    column_widths=["24%", "14%", "12%", "16%", "12%", "22%"],
                )  # fmt: skip

    training = train_button.click(
        train_2d,
        inputs=[dataset, steps, seed, kind, layers, drawing],
        outputs=[report, density, chain_plot],
        api_name="train2d",
    )
    train_stop.click(None, cancels=[training])
    score_button.click(digit_scores, outputs=[score_table, probe_plot, score_note], api_name="digit_scores")
    roundtrip_button.click(
        roundtrip_digit, inputs=[index_a, invert_seed], outputs=[roundtrip_plot, roundtrip_note], api_name="roundtrip"
    )
    interpolate_button.click(
        interpolate_digits, inputs=[index_a, index_b, invert_seed], outputs=interpolate_plot, api_name="interpolate"
    )
    sample_button.click(
        sample,
        inputs=[sample_model, sample_n, sample_seed, temperature],
        outputs=[sample_plot, sample_note],
        api_name="sample",
    )
    racing = race_button.click(
        race,
        inputs=[race_dataset, race_flow_steps, race_ddpm_steps, race_seed, race_kind, race_layers, drawing],
        outputs=[race_plot, race_table, race_note, race_claims_md],
        api_name="race2d",
    )
    race_stop.click(None, cancels=[racing])
    digits_button.click(
        compare_digits, inputs=race_seed, outputs=[flow_digits, ddpm_digits, digits_table], api_name="compare_digits"
    )
    link_inputs(
        demo,
        {
            "dataset": dataset,
            "flow": kind,
            "layers": layers,
            "steps": (steps, number_in(1, MAX_STEPS, whole=True)),
            "seed": seed,
            "digit": index_a,
            "digit_b": index_b,
            "sampler": sample_model,
            "samples": sample_n,
            "temperature": temperature,
            "race_dataset": race_dataset,
        },
    )


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo)
