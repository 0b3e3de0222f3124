"""Flow vs diffusion, measured on the same data: samples, time per sample, network evaluations,
whether an exact likelihood exists, training time, and held-out likelihood (exact for the flow, a bound
for the DDPM).
"""

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import torch
from torch import nn

from core.flows import ddpm, train2d
from core.flows.choices import MAX_SAMPLES, MAX_TEMPERATURE
from core.flows.digits import dequantize, load_split, noise_images
from core.flows.flow import FlowConfig, log_prob
from core.flows.flow import sample as flow_sample
from core.flows.likelihood import digit_bits_per_dim, fit_gaussian, mean_log_likelihood
from core.flows.models import DDPM_MODEL, FLOW_MODEL, DigitDDPM, DigitFlow
from core.runtime import get_model
from core.runtime.registry import building
from core.runtime.seeding import check_seed, make_generator, reset_parameters
from core.runtime.validate import number, whole_number

DDPM_2D = ddpm.DenoiserConfig(features=2, hidden=128, depth=3, timesteps=1000)
BATCH_2D = 256
SCORE_SEED = 1234  # dequantization and ELBO noise for the digit scores
MAX_OFF_DATA_LEARNED = 0.25  # samples off the data above which a model has not learned the data, bridges or not


@dataclass
class Sampled:
    samples: torch.Tensor  # (n, D) in the model's data space
    seconds: float  # wall time for all n
    evaluations: int  # calls of the neural network(s) for the whole batch

    @property
    def ms_per_sample(self) -> float:
        return 1000 * self.seconds / len(self.samples)


@dataclass(frozen=True)
class Fit:
    """How n samples sit on 2-D data, judged against n real points: a check of "mode collapse" (data left
    uncovered) and of "density between the modes" (samples off the data)."""

    covered: float  # share of held-out points with a sample as close as real points usually are
    off_data: float  # share of samples farther from the data than 99% of held-out points are

    @property
    def learned(self) -> bool:
        """Whether most samples sit on the data: a model that learned it leaves about 1% off (the 99% quantile), a
        flow a few more on the bridges between modes; a filled blob of an undertrained model leaves far more."""
        return self.off_data <= MAX_OFF_DATA_LEARNED


@dataclass
class Row:
    """One model's line of the comparison table."""

    model: str
    sampled: Sampled
    exact_likelihood: bool
    train_seconds: float
    heldout: float  # 2-D: mean log p in nats (higher is better); digits: bits/dim (lower is better)
    fit: Fit | None = None  # 2-D only: where the samples fall relative to the data


@contextmanager
def count_calls(networks: list[nn.Module]) -> Iterator[list[int]]:
    """Counts forward calls of `networks` inside the block; the count is in the yielded list's one element."""
    counter = [0]

    def hook(*_):
        counter[0] += 1

    handles = [net.register_forward_hook(hook) for net in networks]
    try:
        yield counter
    finally:
        for handle in handles:
            handle.remove()


def flow_networks(flow: nn.Module) -> list[nn.Module]:
    """The conditioner networks inside a zuko flow's coupling layers."""
    return [m.hyper for m in flow.modules() if isinstance(getattr(m, "hyper", None), nn.Module)]


def sample_flow(flow: nn.Module, n: int, seed: int, temperature: float = 1.0) -> Sampled:
    with count_calls(flow_networks(flow)) as calls:
        start = time.perf_counter()
        samples = flow_sample(flow, n, seed, temperature)
        seconds = time.perf_counter() - start
    return Sampled(samples, seconds, calls[0])


def sample_ddpm(model: ddpm.Denoiser, scheduler, n: int, seed: int) -> Sampled:
    with count_calls([model]) as calls:
        start = time.perf_counter()
        samples, _ = ddpm.p_sample_loop(model, scheduler, n, seed)
        seconds = time.perf_counter() - start
    return Sampled(samples, seconds, calls[0])


def sample_digits(model: DigitFlow | DigitDDPM, n: int, seed: int, temperature: float = 1.0) -> Sampled:
    """n digits as (n, 64) pixel intensities in [0, 1]; temperature scales the flow's latent noise only."""
    n, seed = whole_number(n, "number of samples", 1, MAX_SAMPLES), check_seed(seed)
    temperature = number(
        temperature, "temperature", 0.0, MAX_TEMPERATURE, above_low=True, hint="1 samples the model as trained"
    )
    if isinstance(model, DigitFlow):
        drawn = sample_flow(model.flow, n, seed, temperature)
    else:
        drawn = sample_ddpm(model.model, model.scheduler, n, seed)
    drawn.samples = model.scaling.inverse(drawn.samples)
    return drawn


def sample_fit(samples: torch.Tensor, data: torch.Tensor, heldout: torch.Tensor, quantile: float = 0.99) -> Fit:
    """`samples` (n, 2) against training `data` (N, 2) and `heldout` (M, 2) points of the same distribution.

    "As close as real points usually are" is the 99th percentile of the distance from a held-out point to its
    nearest neighbour among n training points, so the samples and the reference have the same count."""
    reference = data[: len(samples)]  # (n, 2)
    reach = torch.cdist(heldout, reference).min(1).values.quantile(quantile)
    covered = torch.cdist(heldout, samples).min(1).values <= reach  # (M,)
    off = torch.cdist(samples, data).min(1).values > reach  # (n,)
    return Fit(covered=float(covered.float().mean()), off_data=float(off.float().mean()))


def new_ddpm_2d(seed: int) -> ddpm.Denoiser:
    """A fresh 2-D denoiser whose weights are drawn from `seed`."""
    with building():
        return reset_parameters(ddpm.Denoiser(DDPM_2D), make_generator(seed))


def train_ddpm_2d(model: ddpm.Denoiser, data: torch.Tensor, steps: int, seed: int) -> Iterator[int]:
    """Train a 2-D DDPM on `data` (N, 2); yields the step every 25 steps and at the end."""
    steps = train2d.check_steps(steps)
    scheduler = ddpm.make_scheduler(DDPM_2D)

    def draw_batch(generator: torch.Generator) -> torch.Tensor:
        return data[torch.randint(0, len(data), (BATCH_2D,), generator=generator)]  # (BATCH_2D, 2)

    for step, _ in ddpm.train(model, scheduler, draw_batch, steps, seed):
        if step % 25 == 0 or step == steps:
            yield step


@dataclass
class Race:
    """Progress of `race_2d`: which model is training and how far; `rows` holds the flow's row as soon as it is
    measured, then both."""

    stage: str
    fraction: float
    rows: tuple[Row, ...] = ()
    message: str = ""


def race_2d(
    data: torch.Tensor,
    heldout: torch.Tensor,
    config: FlowConfig,
    flow_steps: int,
    ddpm_steps: int,
    seed: int,
    n: int = 1000,
) -> Iterator[Race]:
    """Train a flow and a DDPM on the same data (N, 2), timing each; sample n points from each and score `heldout`
    (M, 2). The flow is measured before the DDPM starts training, so a page can show it while the DDPM trains."""
    yield Race("training the flow", 0.0)
    start = time.perf_counter()
    progress = None
    for progress in train2d.train(data, config, flow_steps, seed):
        yield Race("training the flow", progress.step / progress.steps)
    flow_seconds = time.perf_counter() - start
    flow_sampled = sample_flow(progress.flow, n, seed)
    flow_row = Row(
        model=f"flow ({config.kind}, {config.transforms} layers)",
        sampled=flow_sampled,
        exact_likelihood=True,
        train_seconds=flow_seconds,
        heldout=mean_log_likelihood(lambda x: log_prob(progress.flow, x), heldout),
        fit=sample_fit(flow_sampled.samples, data, heldout),
    )
    yield Race("training the DDPM", 0.0, rows=(flow_row,), message=progress.diverged)
    start = time.perf_counter()
    model = new_ddpm_2d(seed)
    for step in train_ddpm_2d(model, data, ddpm_steps, seed):
        yield Race("training the DDPM", step / ddpm_steps, rows=(flow_row,), message=progress.diverged)
    ddpm_seconds = time.perf_counter() - start
    yield Race("sampling and scoring the DDPM", 1.0, rows=(flow_row,), message=progress.diverged)
    scheduler = ddpm.make_scheduler(DDPM_2D)
    ddpm_sampled = sample_ddpm(model, scheduler, n, seed)
    ddpm_row = Row(
        model=f"DDPM ({DDPM_2D.timesteps} steps)",
        sampled=ddpm_sampled,
        exact_likelihood=False,
        train_seconds=ddpm_seconds,
        heldout=mean_log_likelihood(lambda x: -ddpm.negative_elbo(model, scheduler, x, seed), heldout),
        fit=sample_fit(ddpm_sampled.samples, data, heldout),
    )
    yield Race("done", 1.0, rows=(flow_row, ddpm_row), message=progress.diverged)


def comparison_table(rows: tuple[Row, ...], score: str) -> pd.DataFrame:
    """One line per model: measured cost, whether its likelihood is exact, the held-out `score`, and (2-D) the fit."""
    fitted = all(r.fit for r in rows)
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
                if fitted
                else {}
            ),
        }
    )


@dataclass
class DigitScores:
    """Bits per dimension (lower is better) of held-out digits and of three probe images under each model."""

    test: dict[str, float]  # model name -> mean bits/dim over the held-out digits
    per_digit: dict[str, torch.Tensor]  # model name -> bits/dim of each held-out digit, (n_test,)
    probes: dict[str, torch.Tensor]  # "typical digit" / "unusual digit" / "noise" -> integer image (64,)
    probe_bits: dict[str, dict[str, float]]  # probe -> model name -> bits/dim


GAUSSIAN = "Gaussian (full covariance)"
FLOW = "flow (exact)"
DIFFUSION = "DDPM (upper bound)"


@functools.cache
def digit_scores() -> DigitScores:
    """Scores the bundled digit flow, a Gaussian in the flow's space, and the DDPM bound on the held-out digits.

    The typical digit is the held-out digit of median flow score, the unusual one the held-out digit
    the flow finds least likely; noise has every pixel uniform over the 17 levels.
    """
    flow_model: DigitFlow = get_model(FLOW_MODEL)
    ddpm_model: DigitDDPM = get_model(DDPM_MODEL)
    x_train, _, x_test, _ = load_split()
    y_train, _ = flow_model.scaling.forward(dequantize(x_train, make_generator(SCORE_SEED)))  # (1500, 64)
    gaussian = fit_gaussian(y_train)
    densities = {
        FLOW: (lambda y: log_prob(flow_model.flow, y), flow_model.scaling),
        GAUSSIAN: (gaussian.log_prob, flow_model.scaling),
        DIFFUSION: (
            lambda y: -ddpm.negative_elbo(ddpm_model.model, ddpm_model.scheduler, y, SCORE_SEED),
            ddpm_model.scaling,
        ),
    }
    per_digit = {name: digit_bits_per_dim(fn, scaling, x_test, SCORE_SEED) for name, (fn, scaling) in densities.items()}
    order = per_digit[FLOW].argsort()
    probes = {
        "typical digit": x_test[order[len(order) // 2]],
        "unusual digit": x_test[order[-1]],
        "noise": noise_images(1, make_generator(SCORE_SEED))[0],
    }
    probe_bits = {
        probe: {
            name: digit_bits_per_dim(fn, scaling, image[None], SCORE_SEED).item()
            for name, (fn, scaling) in densities.items()
        }
        for probe, image in probes.items()
    }
    test = {name: bits.mean().item() for name, bits in per_digit.items()}
    return DigitScores(test=test, per_digit=per_digit, probes=probes, probe_bits=probe_bits)


def digit_rows(seed: int, labels: dict[str, str], n: int = 100) -> tuple[Row, ...]:
    """The bundled digit models, `labels` (registry name -> shown name): n samples each, measured, with the
    held-out bits/dim (the flow's exact, the DDPM's an upper bound)."""
    seed = check_seed(seed)
    scores = digit_scores().test
    rows = []
    for registered, label in labels.items():
        model = get_model(registered)
        score = scores[FLOW] if registered == FLOW_MODEL else scores[DIFFUSION]
        exact = registered == FLOW_MODEL
        rows.append(Row(label, sample_digits(model, n, seed), exact, model.meta["train_seconds"], score))
    return tuple(rows)
