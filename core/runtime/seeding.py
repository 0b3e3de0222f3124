"""Seeds through a CPU `torch.Generator`: the same seed draws the same noise on any device.

Noise is drawn on the CPU and then moved, so CPU and GPU runs start from identical tensors. Nothing here touches
the global RNG (`torch.manual_seed`), which every request of a server shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.runtime.validate import whole_number

if TYPE_CHECKING:
    import torch

MAX_SEED = 2**31 - 1


def check_seed(seed: object) -> int:
    """`seed` as an int in [0, 2**31 - 1], or a ValueError that gives the range."""
    return whole_number(seed, "seed", 0, MAX_SEED)


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


def reset_parameters(module: torch.nn.Module, generator: torch.Generator) -> torch.nn.Module:
    """Draw every layer's weight and bias from `generator` with PyTorch's default initialisation
    (uniform in +-1/sqrt(fan_in)), so a fresh model depends on its seed only. Every parameter must belong to
    such a layer (a weight of 2 or more dimensions, and its bias)."""
    import torch

    covered = set()
    with torch.no_grad():
        for layer in module.modules():
            weight = layer._parameters.get("weight")
            if weight is None or weight.dim() < 2:
                continue
            bound = 1.0 / weight[0].numel() ** 0.5
            for param in (weight, layer._parameters.get("bias")):
                if param is not None:
                    param.uniform_(-bound, bound, generator=generator)
                    covered.add(id(param))
    left = [name for name, p in module.named_parameters() if id(p) not in covered]
    if left:
        raise TypeError(f"reset_parameters does not know how to draw {', '.join(left)}")
    return module
