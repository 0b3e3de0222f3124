"""A flow is a bijection: a digit maps to its latent z = f(x) and back, x = f^-1(z), up to float rounding;
straight lines between two latents decode to a path of digits.
"""

from dataclasses import dataclass

import torch

from core.flows.digits import dequantize
from core.flows.flow import forward, inverse
from core.flows.models import DigitFlow
from core.runtime.seeding import make_generator


@dataclass
class RoundTrip:
    x: torch.Tensor  # (64,) dequantized digit in [0, 1)
    z: torch.Tensor  # (64,) its latent
    x_back: torch.Tensor  # (64,) f^-1(f(x)), mapped back to [0, 1)
    max_error: float  # max |x_back - x|


@torch.no_grad()
def roundtrip(model: DigitFlow, image: torch.Tensor, seed: int) -> RoundTrip:
    """Integer image (64,) -> dequantize -> scale -> latent -> back again."""
    x = dequantize(image[None], make_generator(seed))  # (1, 64)
    y, _ = model.scaling.forward(x)
    z, _ = forward(model.flow, y)
    x_back = model.scaling.inverse(inverse(model.flow, z))
    return RoundTrip(x[0], z[0], x_back[0], (x_back - x).abs().max().item())


@torch.no_grad()
def interpolate(model: DigitFlow, image_a: torch.Tensor, image_b: torch.Tensor, frames: int, seed: int) -> torch.Tensor:
    """(frames, 64) digits decoded from z_a + t (z_b - z_a), t = 0 .. 1."""
    x = dequantize(torch.stack([image_a, image_b]), make_generator(seed))  # (2, 64)
    z, _ = forward(model.flow, model.scaling.forward(x)[0])
    t = torch.linspace(0, 1, frames)[:, None]  # (frames, 1)
    path = (1 - t) * z[0] + t * z[1]  # (frames, 64)
    return model.scaling.inverse(inverse(model.flow, path))
