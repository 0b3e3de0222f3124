"""Normalizing flows vs. diffusion: watch a chain of invertible layers turn Gaussian noise into data,
score data with an exact likelihood, invert digits to latents and back, and race a flow against a DDPM.

torch, zuko and scikit-learn load on the first click (inside the handlers), so the page itself builds fast.
"""

import gradio as gr
import pandas as pd

from apps.deep_links import link_inputs, number_in
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

FLOW_CHOICE = "digits: neural spline flow"
DDPM_CHOICE = "digits: DDPM"
SAMPLE_MODELS = {FLOW_CHOICE: FLOW_MODEL, DDPM_CHOICE: DDPM_MODEL}
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


def _data(dataset: str, seed, drawing):
    """Training and held-out points of the chosen dataset (the sketchpad's drawing for 'drawn points'), and the seed."""
    from core.flows import datasets2d

    seed = check_seed(seed)
    ink = datasets2d.ink_mask(drawing.get("composite")) if dataset == datasets2d.DRAWN and drawing else None
    return *datasets2d.train_and_heldout(dataset, seed, ink), seed


def train_2d(dataset, steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):
    """Train a 2-D flow live; the density redraws as it learns, then the chain of layers is drawn."""
    from core.flows import reports, train2d

    steps = train2d.check_steps(steps)
    data, heldout, seed = _data(dataset, seed, drawing)
    config = train2d.flow_config(kind, layers)
    last = None
    for last in time_limited(train2d.train(data, config, steps, seed), "ask for fewer training steps"):
        progress((last.step, last.steps), desc=f"training, -log p = {last.loss:.3f}", unit="steps")
        if last.diverged:
            break
        if train2d.redraw_due(last, DENSITY_UPDATES):
            shown = reports.training(last, data)
            yield shown.message, shown.density, None
    shown = reports.trained(last, data, heldout, seed)
    yield shown.message, shown.density, shown.chain


def digit_scores():
    """Bits/dim of held-out digits under the flow, a Gaussian and the DDPM bound, and of three probe images."""
    from core.flows import reports

    scores = reports.digit_scores()
    return scores.table, scores.probes, scores.note


def _seed(seed) -> int:
    return check_seed(seed)


def _digit(index, name: str = "held-out digit"):
    from core.flows.digits import load_split

    return load_split()[2][whole_number(index, name, 0, TEST_SIZE - 1)]


def roundtrip_digit(index, seed):
    """Held-out digit -> latent z -> digit again, with the largest pixel error."""
    from core.flows.reports import roundtrip_report

    trip = roundtrip_report(get_model(FLOW_MODEL), _digit(index), _seed(seed))
    return trip.figure, trip.message


def interpolate_digits(index_a, index_b, seed):
    """Decode a straight line between the latents of two held-out digits."""
    from core.flows.reports import interpolation_picture

    return interpolation_picture(get_model(FLOW_MODEL), _digit(index_a), _digit(index_b, "second digit"), _seed(seed))


def sample(model, n, seed, temperature=1.0):
    """Sample digits from the bundled flow or DDPM; reports measured time and network calls."""
    from core.flows.reports import sampled_digits

    drawn = sampled_digits(get_model(SAMPLE_MODELS[choice(model, "model", SAMPLE_MODELS)]), n, seed, temperature)
    return drawn.picture, drawn.message


def race(dataset, flow_steps, ddpm_steps, seed, kind=REALNVP, layers=6, drawing=None, progress=gr.Progress()):
    """Train a flow and a DDPM on the same 2-D data and compare their samples and measured costs. The data shows at
    once, the flow's samples and row as soon as it is measured, the DDPM's when it is done."""
    from core.flows import compare, reports, train2d

    flow_steps = train2d.check_steps(flow_steps, "steps to train the flow")
    ddpm_steps = train2d.check_steps(ddpm_steps, "steps to train the DDPM")
    data, heldout, seed = _data(dataset, seed, drawing)
    config = train2d.flow_config(kind, layers)
    states = compare.race_2d(data, heldout, config, flow_steps, ddpm_steps, seed)
    shown = -1  # rows on the page
    for state in time_limited(states, "ask for fewer training steps"):
        progress(state.fraction, desc=f"{state.stage}: {state.fraction:.0%}")
        if len(state.rows) != shown:
            shown = len(state.rows)
            view = reports.race_report(state, data, dataset)
            table = gr.skip() if view.table is None else view.table
            yield view.figure, table, view.note, view.claims or CLAIMS_BEFORE


def compare_digits(seed):
    """The bundled digit flow and DDPM: 100 samples each, measured, with their held-out bits/dim."""
    from core.flows.reports import digit_race

    measured = digit_race(_seed(seed), {FLOW_MODEL: FLOW_CHOICE, DDPM_MODEL: DDPM_CHOICE})
    return *measured.pictures, measured.table


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

    launch(demo, "flows")
