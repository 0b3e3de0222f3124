"""Normalizing flows vs. diffusion: watch a chain of invertible layers turn Gaussian noise into data,
score data with an exact likelihood, invert digits to latents and back, and race a flow against a DDPM.

torch, zuko and scikit-learn load on the first click (inside the handlers), so the page itself builds fast.
"""

from typing import TYPE_CHECKING

import gradio as gr
import numpy as np
import pandas as pd

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
DENSITY_UPDATES = 8  # density redraws while training
FLOW_STEPS = 300  # default training steps: a live answer within seconds
RACE_FLOW_STEPS, RACE_DDPM_STEPS = 300, 1500
SCORE_2D = "held-out log p, nats (DDPM: lower bound)"
PEN = gr.Brush(default_size=4, colors=["#000000"], default_color="#000000", color_mode="fixed")  # thin strokes

CLAIMS_BEFORE = """**What the course says, checked by the race**: press **Train both on the same 2-D data**.
- Flows: *tractable exact likelihood*, *exact, efficient sampling*, *invertible*, *stable training*; but
  *trouble with highly multimodal data* and *careful architecture design* (every layer must stay invertible
  with a cheap Jacobian).
- Diffusion: *fewer mode-collapse issues*; but *computationally expensive* (one network call per denoising
  step) and *no exact likelihood* (only a bound, the ELBO).
"""


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


def train_2d(dataset, steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):  # noqa: B008 - Gradio's progress idiom
    """Train a 2-D flow live; the density redraws as it learns, then the chain of layers is drawn."""
    from core.flows import train2d
    from core.flows.charts import chain_figure, density_figure
    from core.flows.claims import better_held_out_likelihood
    from core.flows.flow import log_prob
    from core.flows.likelihood import fit_gaussian, mean_log_likelihood
    from core.stats import format_claim

    with user_errors():
        steps = train2d.check_steps(steps)
    data, heldout, seed = _data(dataset, seed, drawing)
    with user_errors():
        config = train2d.flow_config(kind, layers)
    last = None
    for last in time_limited(train2d.train(data, config, steps, seed), "ask for fewer training steps"):
        progress((last.step, last.steps), desc=f"training, -log p = {last.loss:.3f}", unit="steps")
        if last.diverged:
            break
        if train2d.redraw_due(last, DENSITY_UPDATES):
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


def digit_scores():
    """Bits/dim of held-out digits under the flow, a Gaussian and the DDPM bound, and of three probe images."""
    from core.flows import compare
    from core.flows.charts import GREY, digit_panels
    from core.flows.claims import digit_claims
    from core.flows.digits import LEVELS, to_image
    from core.stats import format_claim

    scores = compare.digit_scores()
    table = pd.DataFrame(
        {"model": list(scores.test), "held-out bits/dim (lower is better)": [round(v, 3) for v in scores.test.values()]}
    )
    for probe, bits in scores.probe_bits.items():  # one column per probe image, in the figure's order
        table[f"{probe}: bits/dim"] = [round(bits[name], 2) for name in scores.test]
    images = [to_image((image.float() + 0.5)[None] / LEVELS)[0] for image in scores.probes.values()]
    fig = digit_panels(images, list(scores.probes), [GREY] * 3, "Three probe images, scored in the table above", 320)
    note = f"A model that knows nothing (uniform over {LEVELS} levels) scores {np.log2(LEVELS):.2f} bits/dim."
    claims = [
        f"- {claim}: {format_claim(gap, '{:+.3f}', n_label='held-out digits')}" for claim, gap in digit_claims(scores)
    ]
    note += "\n\n**Claims, paired digit by digit** (mean gap, 95% t interval, paired t-test):\n" + "\n".join(claims)
    return table, fig, note


def _seed(seed) -> int:
    with user_errors():
        return check_seed(seed)


def _digit(index, name: str = "held-out digit") -> "torch.Tensor":
    from core.flows.digits import load_split

    with user_errors():
        return load_split()[2][whole_number(index, name, 0, TEST_SIZE - 1)]


def roundtrip_digit(index, seed):
    """Held-out digit -> latent z -> digit again, with the largest pixel error."""
    from core.flows.charts import DIVERGING, GREY, digit_panels
    from core.flows.invertibility import roundtrip

    trip = roundtrip(get_model(FLOW_MODEL), _digit(index), _seed(seed))
    panels = [trip.x, trip.z, trip.x_back, (trip.x_back - trip.x).abs()]
    titles = ["digit x", "latent z = f(x)", "f<sup>-1</sup>(z)", "|error|"]
    fig = digit_panels(
        [p.numpy() for p in panels],
        titles,
        [GREY, DIVERGING, GREY, GREY],
        "Invertibility: a digit to its latent and back",
        300,
    )
    message = f"Largest pixel error after the round trip: **{trip.max_error:.2e}** (pixels range over 0 to 1)."
    return fig, message


def interpolate_digits(index_a, index_b, seed):
    """Decode a straight line between the latents of two held-out digits."""
    from core.flows.charts import digits_picture
    from core.flows.digits import to_image
    from core.flows.invertibility import interpolate

    frames = interpolate(get_model(FLOW_MODEL), _digit(index_a), _digit(index_b, "second digit"), 10, _seed(seed))
    return digits_picture(to_image(frames))


def sample(model, n, seed, temperature=1.0):
    """Sample digits from the bundled flow or DDPM; reports measured time and network calls."""
    from core.flows import compare
    from core.flows.charts import digits_picture
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


def race(dataset, flow_steps, ddpm_steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):  # noqa: B008 - Gradio's progress idiom
    """Train a flow and a DDPM on the same 2-D data and compare their samples and measured costs. The data shows at
    once, the flow's samples and row as soon as it is measured, the DDPM's when it is done."""
    from core.flows import compare, train2d

    with user_errors():
        flow_steps = train2d.check_steps(flow_steps, "steps to train the flow")
        ddpm_steps = train2d.check_steps(ddpm_steps, "steps to train the DDPM")
    data, heldout, seed = _data(dataset, seed, drawing)
    with user_errors():
        config = train2d.flow_config(kind, layers)
    states = compare.race_2d(data, heldout, config, flow_steps, ddpm_steps, seed)
    shown = -1  # rows on the page
    for state in time_limited(states, "ask for fewer training steps"):
        progress(state.fraction, desc=f"{state.stage}: {state.fraction:.0%}")
        if len(state.rows) != shown:
            shown = len(state.rows)
            yield _race_view(state, data, dataset)


def _race_view(state: "compare.Race", data: "torch.Tensor", dataset: str) -> tuple:
    """The race's outputs so far: the data at once, each model's samples and row once it is measured."""
    from core.flows import compare
    from core.flows.charts import samples_figure
    from core.flows.claims import race_claims

    waiting = [("flow: not measured yet", None, "#1f77b4"), ("DDPM: not measured yet", None, "#d62728")]
    done = [(row.model, row.sampled.samples, color) for row, (_, _, color) in zip(state.rows, waiting, strict=False)]
    figure = samples_figure([("data", data, "#555"), *done, *waiting[len(done) :]], f"1000 samples each on {dataset}")
    table = compare.comparison_table(state.rows, SCORE_2D) if state.rows else gr.skip()
    note = f"**Warning:** {state.message}\n\n" if state.message else ""
    note += "" if state.stage == "done" else f"*{state.stage} ...*"
    claims = race_claims(*state.rows, dataset) if len(state.rows) == 2 else CLAIMS_BEFORE
    return figure, table, note, claims


def compare_digits(seed):
    """The bundled digit flow and DDPM: 100 samples each, measured, with their held-out bits/dim."""
    from core.flows import compare
    from core.flows.charts import digits_picture
    from core.flows.digits import to_image

    rows = compare.digit_rows(_seed(seed), {FLOW_MODEL: FLOW_CHOICE, DDPM_MODEL: DDPM_CHOICE})
    figures = [digits_picture(to_image(r.sampled.samples[:50])) for r in rows]
    return *figures, compare.comparison_table(rows, "held-out bits/dim (DDPM: upper bound)")


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
                # widths in pixels that fill the laptop's column; on a phone the tables scroll sideways
                race_table = gr.Dataframe(
                    pd.DataFrame(columns=["model", "ms per sample", "network calls", "held-out log p"]),
                    label="Measured", interactive=False, wrap=True, elem_id="race-table",
                    column_widths=["175px", "95px", "90px", "105px", "90px", "130px", "95px", "95px"],
                )  # fmt: skip
                race_claims_md = gr.Markdown(CLAIMS_BEFORE)
                with gr.Row():
                    flow_digits = gr.Image(label="Flow samples", format="png", interactive=False, elem_id="flow-digits")
                    ddpm_digits = gr.Image(label="DDPM samples", format="png", interactive=False, elem_id="ddpm-digits")
                digits_table = gr.Dataframe(
                    pd.DataFrame(columns=["model", "ms per sample", "network calls", "held-out bits/dim"]),
                    label="Measured on digits", interactive=False, wrap=True, elem_id="digits-table",
                    column_widths=["210px", "125px", "105px", "140px", "105px", "195px"],
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
