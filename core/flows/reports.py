"""What the flows page reports after each measurement: the figures, tables and sentences of a trained 2-D flow,
the digit scores with their claims, a digit's round trip, sampled digits and the flow-vs-DDPM race, as dataclasses
that apps/flows.py lays out."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from core.flows import compare
from core.flows.charts import (
    DIVERGING,
    GREY,
    chain_figure,
    density_figure,
    digit_panels,
    digits_picture,
    samples_figure,
)
from core.flows.claims import better_held_out_likelihood, digit_claims, race_claims
from core.flows.digits import LEVELS, to_image
from core.flows.flow import log_prob
from core.flows.invertibility import interpolate, roundtrip
from core.flows.likelihood import fit_gaussian, mean_log_likelihood
from core.flows.models import DigitDDPM, DigitFlow
from core.flows.train2d import Progress
from core.stats import format_claim

SCORE_2D = "held-out log p, nats (DDPM: lower bound)"
SCORE_DIGITS = "held-out bits/dim (DDPM: upper bound)"
WAITING = (("flow: not measured yet", "#1f77b4"), ("DDPM: not measured yet", "#d62728"))  # (panel title, colour)


@dataclass
class Training:
    """A live 2-D flow: a status line (markdown), its exact log p(x) so far, and once trained its chain of layers."""

    message: str
    density: go.Figure
    chain: go.Figure | None = None


def training(progress: Progress, data: torch.Tensor) -> Training:
    """The flow part-way through training on `data` (N, 2)."""
    title = f"log p(x) after {progress.step} of {progress.steps} steps"
    message = f"Training: step {progress.step} of {progress.steps}, -log p = {progress.loss:.3f} nats"
    return Training(message, density_figure(progress.flow, data, title))


def trained(last: Progress, data: torch.Tensor, heldout: torch.Tensor, seed: int) -> Training:
    """The trained flow scored on `heldout` (M, 2) against the single Gaussian fitted to `data` (N, 2)."""
    flow_density, gaussian = (lambda x: log_prob(last.flow, x)), fit_gaussian(data).log_prob
    gap = better_held_out_likelihood(flow_density, gaussian, heldout)
    report = (
        f"**Held-out log-likelihood** (1000 points not used for training, higher is better): "
        f"flow **{mean_log_likelihood(flow_density, heldout):.3f}** nats vs. single Gaussian "
        f"**{mean_log_likelihood(gaussian, heldout):.3f}** nats.\n\n"
        f"The flow beats the Gaussian, point by point: {format_claim(gap, '{:+.3f}', unit=' nats', n_label='points')} "
        "(mean gap, 95% t interval, paired t-test)."
    )
    if last.diverged:
        report = f"**Warning:** {last.diverged}\n\n{report}"
    title = f"Exact log p(x) of the trained flow ({last.step} steps)"
    return Training(report, density_figure(last.flow, data, title), chain_figure(last.flow, seed))


@dataclass
class DigitScoresReport:
    table: pd.DataFrame  # one row per model: held-out bits/dim, then one column per probe image
    probes: go.Figure  # the three probe images, in the table's column order
    note: str  # the uniform baseline and the paired claims (markdown)


def digit_scores() -> DigitScoresReport:
    """Bits/dim of held-out digits under the flow, a Gaussian and the DDPM bound, and of three probe images."""
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
    return DigitScoresReport(table, fig, note)


@dataclass
class RoundTripReport:
    figure: go.Figure  # digit, latent, digit again, and the pixel error
    message: str  # the largest pixel error (markdown)


def roundtrip_report(model: DigitFlow, image: torch.Tensor, seed: int) -> RoundTripReport:
    """Integer digit (64,) -> latent z -> digit again, drawn in four panels, with the largest pixel error."""
    trip = roundtrip(model, image, seed)
    panels = [trip.x, trip.z, trip.x_back, (trip.x_back - trip.x).abs()]
    titles = ["digit x", "latent z = f(x)", "f<sup>-1</sup>(z)", "|error|"]
    styles = [GREY, DIVERGING, GREY, GREY]
    fig = digit_panels(
        [p.numpy() for p in panels], titles, styles, "Invertibility: a digit to its latent and back", 300
    )
    message = f"Largest pixel error after the round trip: **{trip.max_error:.2e}** (pixels range over 0 to 1)."
    return RoundTripReport(fig, message)


def interpolation_picture(model: DigitFlow, image_a: torch.Tensor, image_b: torch.Tensor, seed: int) -> np.ndarray:
    """Ten digits decoded from a straight line between the latents of two integer digits (64,), as one picture."""
    return digits_picture(to_image(interpolate(model, image_a, image_b, 10, seed)))


@dataclass
class SampledReport:
    picture: np.ndarray  # (H, W) uint8, the digits side by side
    message: str  # measured time and network calls


def sampled_digits(model: DigitFlow | DigitDDPM, n: object, seed: object, temperature: object = 1.0) -> SampledReport:
    """n digits from the bundled flow or DDPM, with the measured time and network calls; a ValueError names a bad
    input."""
    drawn = compare.sample_digits(model, n, seed, temperature)
    message = (
        f"{len(drawn.samples)} samples in {drawn.seconds:.3f} s ({drawn.ms_per_sample:.2f} ms per sample), "
        f"{drawn.evaluations} network evaluations."
    )
    if isinstance(model, DigitDDPM):
        message += " Temperature applies to the flow only."
    return SampledReport(digits_picture(to_image(drawn.samples)), message)


@dataclass
class RaceReport:
    figure: go.Figure  # the data, then each model's samples once measured
    table: pd.DataFrame | None  # the measured rows, None before the first
    note: str  # a warning and the stage in progress (markdown)
    claims: str | None  # the course's claims checked on both rows (markdown), None until both are measured


def race_report(state: compare.Race, data: torch.Tensor, dataset: str) -> RaceReport:
    """The race so far: the data (N, 2) at once, each model's samples and row once it is measured."""
    done = [(row.model, row.sampled.samples, color) for row, (_, color) in zip(state.rows, WAITING, strict=False)]
    waiting = [(title, None, color) for title, color in WAITING[len(done) :]]
    figure = samples_figure([("data", data, "#555"), *done, *waiting], f"1000 samples each on {dataset}")
    table = compare.comparison_table(state.rows, SCORE_2D) if state.rows else None
    note = f"**Warning:** {state.message}\n\n" if state.message else ""
    note += "" if state.stage == "done" else f"*{state.stage} ...*"
    claims = race_claims(*state.rows, dataset) if len(state.rows) == 2 else None
    return RaceReport(figure, table, note, claims)


@dataclass
class DigitRace:
    pictures: list[np.ndarray]  # 50 samples of each model, as one picture each
    table: pd.DataFrame  # measured cost and held-out bits/dim


def digit_race(seed: int, labels: dict[str, str]) -> DigitRace:
    """The bundled digit models, `labels` (registry name -> shown name): 100 samples each, measured."""
    rows = compare.digit_rows(seed, labels)
    pictures = [digits_picture(to_image(r.sampled.samples[:50])) for r in rows]
    return DigitRace(pictures, compare.comparison_table(rows, SCORE_DIGITS))
