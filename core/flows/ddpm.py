"""A small denoising diffusion model (Ho et al., 2020) on the flows' data, with diffusers' DDPMScheduler.

`scheduler.add_noise` is the forward process q(x_t | x_0); `scheduler.step` is one reverse step
p(x_{t-1} | x_t). A network eps_theta(x_t, t) predicts the added noise; sampling calls it once per step.
Its likelihood is not exact: `negative_elbo` gives the variational bound of Ho et al., eq. (5).
"""

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from diffusers import DDPMScheduler
from safetensors.torch import load_file, save_file
from torch import nn

from core.runtime.seeding import make_generator

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


@dataclass(frozen=True)
class DenoiserConfig:
    features: int = 2
    hidden: int = 128
    depth: int = 3  # hidden layers
    timesteps: int = 1000
    clip_sample: bool = False  # clip the predicted x_0 to [-1, 1] while sampling (data scaled to [-1, 1])


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of integer steps t (N,) -> (N, dim), as in the Transformer and DDPM."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, dtype=torch.float32) / half)  # (half,)
    angles = t.float()[:, None] * freqs[None, :]  # (N, half)
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


class Denoiser(nn.Module):
    """eps_theta(x_t, t): an MLP on [x_t, embedding(t)] that predicts the noise in x_t."""

    def __init__(self, config: DenoiserConfig) -> None:
        super().__init__()
        self.config = config
        widths = [config.features + config.hidden] + [config.hidden] * config.depth
        blocks = []
        for w_in, w_out in zip(widths[:-1], widths[1:], strict=True):
            blocks += [nn.Linear(w_in, w_out), nn.SiLU()]
        self.net = nn.Sequential(*blocks, nn.Linear(config.hidden, config.features))

    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb = timestep_embedding(t, self.config.hidden)  # (N, hidden)
        return self.net(torch.cat([x_t, emb], dim=-1))  # (N, features)


def make_scheduler(config: DenoiserConfig) -> DDPMScheduler:
    """Ho et al.'s linear schedule (beta from 1e-4 to 0.02 over 1000 steps), rescaled to `timesteps` steps
    (Nichol & Dhariwal, 2021, section 3.2); the sampler uses the posterior variance beta-tilde_t."""
    return DDPMScheduler(
        num_train_timesteps=config.timesteps,
        beta_schedule="linear",
        beta_start=0.1 / config.timesteps,
        beta_end=20.0 / config.timesteps,
        clip_sample=config.clip_sample,
        variance_type="fixed_small",
    )


def q_sample(scheduler: DDPMScheduler, x_0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) noise (forward process, Ho et al. eq. 4)."""
    return scheduler.add_noise(x_0, noise, t)


def loss(model: Denoiser, scheduler: DDPMScheduler, x_0: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The simple DDPM objective: || noise - eps_theta(x_t, t) ||^2 at a random step t (Ho et al. eq. 14)."""
    t = torch.randint(0, scheduler.config.num_train_timesteps, (len(x_0),), generator=generator)
    noise = torch.randn(x_0.shape, generator=generator)
    return (model(q_sample(scheduler, x_0, noise, t), t) - noise).pow(2).mean()


def train(
    model: Denoiser,
    scheduler: DDPMScheduler,
    draw_batch: Callable[[torch.Generator], torch.Tensor],
    steps: int,
    seed: int,
    lr: float = 2e-3,
) -> Iterator[tuple[int, float]]:
    """Adam with cosine decay on `draw_batch(generator)` batches; yields (step, loss) after every step."""
    generator = make_generator(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(steps, 1))
    model.train()
    for step in range(1, steps + 1):
        value = loss(model, scheduler, draw_batch(generator), generator)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        decay.step()
        yield step, value.item()
    model.eval()


@torch.no_grad()
def p_sample_loop(model: Denoiser, scheduler: DDPMScheduler, n: int, seed: int) -> tuple[torch.Tensor, int]:
    """n samples (n, D) from x_T ~ N(0, I) through every reverse step; returns them and the network evaluations."""
    generator = make_generator(seed)
    scheduler.set_timesteps(scheduler.config.num_train_timesteps)
    x = torch.randn((n, model.config.features), generator=generator)
    for t in scheduler.timesteps:
        eps = model(x, t.expand(n))
        x = scheduler.step(eps, t, x, generator=generator).prev_sample
    return x, len(scheduler.timesteps)


@torch.no_grad()
def negative_elbo(model: Denoiser, scheduler: DDPMScheduler, x_0: torch.Tensor, seed: int) -> torch.Tensor:
    """-ELBO in nats (N,), an upper bound on -log p(x_0) (Ho et al. eq. 5), one noise draw per step.

    L_T = KL(q(x_T | x_0) || N(0, I)); L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) with the sampler's
    variance beta-tilde_t; L_0 = -log N(x_0; mu_theta(x_1, 1), beta_1) (a continuous decoder).
    """
    generator = make_generator(seed)
    abar, alphas, betas = scheduler.alphas_cumprod, scheduler.alphas, scheduler.betas
    n, steps = len(x_0), len(betas)
    var_T = 1 - abar[-1]
    total = 0.5 * (var_T + abar[-1] * x_0.pow(2) - 1 - torch.log(var_T)).sum(-1)  # L_T
    for t in range(steps):
        noise = torch.randn(x_0.shape, generator=generator)
        x_t = q_sample(scheduler, x_0, noise, torch.full((n,), t))
        eps = model(x_t, torch.full((n,), t))
        if t == 0:
            mean = (x_t - betas[0] / torch.sqrt(1 - abar[0]) * eps) / torch.sqrt(alphas[0])  # Ho et al. eq. 11
            total = total + 0.5 * ((x_0 - mean).pow(2) / betas[0] + torch.log(2 * math.pi * betas[0])).sum(-1)
        else:
            beta_tilde = (1 - abar[t - 1]) / (1 - abar[t]) * betas[t]
            weight = betas[t] ** 2 / (alphas[t] * (1 - abar[t]) * 2 * beta_tilde)  # ||mu~ - mu_theta||^2 / 2 sigma^2
            total = total + weight * (noise - eps).pow(2).sum(-1)
    return total


def save(model: Denoiser, scheduler: DDPMScheduler, directory: Path, extra: dict | None = None) -> None:
    """config.json, model.safetensors and the scheduler's scheduler_config.json."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_NAME).write_text(json.dumps({**asdict(model.config), **(extra or {})}, indent=2) + "\n")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, directory / WEIGHTS_NAME)
    scheduler.save_pretrained(directory)


def load(directory: str | Path) -> tuple[Denoiser, DDPMScheduler, dict]:
    """The denoiser and scheduler saved by `save`, and the remaining metadata of config.json."""
    directory = Path(directory)
    meta = json.loads((directory / CONFIG_NAME).read_text())
    model = Denoiser(DenoiserConfig(**{k: meta.pop(k) for k in DenoiserConfig.__dataclass_fields__}))
    model.load_state_dict(load_file(directory / WEIGHTS_NAME))
    return model.eval(), DDPMScheduler.from_pretrained(directory), meta
