"""A normalizing flow is a chain of invertible layers f = f_L o ... o f_1 from data x to a Gaussian latent z.

Change of variables: log p(x) = log N(f(x); 0, I) + sum_l log|det df_l/dh_{l-1}|, so the likelihood is
exact; sampling runs Gaussian noise back through the inverses f_1^-1 o ... o f_L^-1. The layers are
zuko's affine couplings (RealNVP, Dinh et al., 2017) and rational-quadratic spline couplings
(neural spline flows, Durkan et al., 2019).
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import zuko
from safetensors.torch import load_file, save_file

from core.flows.choices import KINDS, REALNVP, SPLINE
from core.runtime.seeding import make_generator
from core.runtime.validate import shown

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


@dataclass(frozen=True)
class FlowConfig:
    kind: str = REALNVP
    features: int = 2
    transforms: int = 6
    hidden: int = 64  # width of each coupling network's two hidden layers
    bins: int = 8  # spline bins (neural spline flow only)


def build_flow(config: FlowConfig) -> zuko.flows.Flow:
    """A coupling flow: each layer transforms half of the features given the other half, alternating halves."""
    hidden = (config.hidden, config.hidden)
    if config.kind == REALNVP:
        return zuko.flows.RealNVP(config.features, transforms=config.transforms, hidden_features=hidden)
    if config.kind == SPLINE:
        return zuko.flows.NSF(
            config.features, transforms=config.transforms, bins=config.bins, passes=2, hidden_features=hidden
        )
    raise ValueError(f"unknown flow kind {shown(config.kind)}: choose one of {', '.join(KINDS)}")


def layers(flow: zuko.flows.Flow) -> tuple:
    """The invertible layers f_1, ..., f_L, in the data -> latent order."""
    return flow().transform.transforms


def forward(flow: zuko.flows.Flow, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Data (N, D) -> latent z = f(x) (N, D) and log|det df/dx| (N,)."""
    return flow().transform.call_and_ladj(x)


def inverse(flow: zuko.flows.Flow, z: torch.Tensor) -> torch.Tensor:
    """Latent (N, D) -> data x = f^-1(z) (N, D)."""
    return flow().transform.inv(z)


def log_prob(flow: zuko.flows.Flow, x: torch.Tensor) -> torch.Tensor:
    """Exact log p(x) (N,): the base log-density of f(x) plus the log-determinant of every layer."""
    return flow().log_prob(x)


def latent_noise(n: int, features: int, seed: int, temperature: float = 1.0) -> torch.Tensor:
    """(n, features) draws from N(0, temperature^2 I): temperature < 1 trades diversity for typical samples."""
    return temperature * torch.randn((n, features), generator=make_generator(seed))


def sample(flow: zuko.flows.Flow, n: int, seed: int, temperature: float = 1.0) -> torch.Tensor:
    """n samples (n, D): latent noise through the inverse chain, one network pass per layer."""
    features = flow().base.event_shape[-1]
    with torch.no_grad():
        return inverse(flow, latent_noise(n, features, seed, temperature))


def chain(flow: zuko.flows.Flow, z: torch.Tensor) -> list[torch.Tensor]:
    """Latent z carried back through f_L^-1, ..., f_1^-1: [z, h_{L-1}, ..., x], L + 1 tensors of shape (N, D)."""
    steps = [z]
    with torch.no_grad():
        for layer in reversed(layers(flow)):
            steps.append(layer.inv(steps[-1]))
    return steps


def latent_grid(lines: int, points: int, half_width: float = 3.0) -> torch.Tensor:
    """A square grid in latent space: `lines` horizontal then `lines` vertical lines across [-w, w]^2,
    `points` points each, (2 * lines, points, 2)."""
    ticks = torch.linspace(-half_width, half_width, lines)  # (lines,)
    along = torch.linspace(-half_width, half_width, points)  # (points,)
    across, down = torch.broadcast_tensors(along[None, :], ticks[:, None])  # (lines, points) each
    horizontal = torch.stack([across, down], -1)  # (lines, points, 2): y fixed per line
    return torch.cat([horizontal, horizontal.flip(-1)])  # vertical lines swap x and y


def chain_with_grid(
    flow: zuko.flows.Flow, n: int, seed: int, lines: int, points: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """n latent samples and a latent grid carried back through the chain, stage by stage from z to x:
    L + 1 pairs of samples (n, 2) and grid lines (2 * lines, points, 2)."""
    z = latent_noise(n, 2, seed)  # (n, 2)
    grid = latent_grid(lines, points)  # (2 * lines, points, 2)
    stages = chain(flow, torch.cat([z, grid.reshape(-1, 2)]))  # each (n + 2 * lines * points, 2)
    return [(stage[:n], stage[n:].reshape(grid.shape)) for stage in stages]


def save_flow(flow: zuko.flows.Flow, config: FlowConfig, directory: Path, extra: dict | None = None) -> None:
    """config.json (the constructor arguments plus `extra` metadata) and model.safetensors."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_NAME).write_text(json.dumps({**asdict(config), **(extra or {})}, indent=2) + "\n")
    save_file({k: v.contiguous() for k, v in flow.state_dict().items()}, directory / WEIGHTS_NAME)


def load_flow(directory: str | Path) -> tuple[zuko.flows.Flow, FlowConfig, dict]:
    """The flow saved by `save_flow`, its config and the remaining metadata of config.json."""
    directory = Path(directory)
    meta = json.loads((directory / CONFIG_NAME).read_text())
    config = FlowConfig(**{k: meta.pop(k) for k in FlowConfig.__dataclass_fields__})
    flow = build_flow(config)
    flow.load_state_dict(load_file(directory / WEIGHTS_NAME))
    return flow.eval(), config, meta
