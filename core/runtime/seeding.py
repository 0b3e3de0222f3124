"""Seeds through a CPU `torch.Generator`: the same seed draws the same noise on any device.

Noise is drawn on the CPU and then moved, so CPU and GPU runs start from identical tensors.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

MAX_SEED = 2**31 - 1


def check_seed(seed: object) -> int:
    """`seed` as an int in [0, 2**31 - 1], or a ValueError that gives the range."""
    try:
        value = float(seed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(seed, bool) or not math.isfinite(value) or not value.is_integer() or not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return int(value)


def make_generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with `seed`."""
    import torch

    return torch.Generator(device="cpu").manual_seed(check_seed(seed))


def randn(shape: tuple[int, ...], seed: int, device: torch.device, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Standard normal noise of `shape`, drawn on the CPU from `seed`, then moved to `device` (float32 unless `dtype`)."""
    import torch

    return torch.randn(shape, generator=make_generator(seed), dtype=torch.float32).to(
        device=device, dtype=dtype or torch.float32
    )
