"""Device policy: CUDA (half precision where the model allows), else Apple MPS, else CPU float32.

`GENAI_DEVICE=cpu|cuda|mps` forces a choice, e.g. to compare a GPU laptop against the CPU path.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

DEVICE_ENV = "GENAI_DEVICE"
CHOICES = ("cpu", "cuda", "mps")


def pick_device() -> torch.device:
    """The device every model of this process should run on."""
    import torch  # here, so that importing core.runtime stays cheap for demos that never touch torch

    forced = os.environ.get(DEVICE_ENV, "").strip().lower()
    if forced:
        if forced not in CHOICES:
            raise ValueError(f"{DEVICE_ENV}={forced!r} is not a device: use one of {', '.join(CHOICES)}")
        if forced == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{DEVICE_ENV}=cuda but no CUDA GPU is visible: unset {DEVICE_ENV} to run on the CPU")
        if forced == "mps" and not torch.backends.mps.is_available():
            raise ValueError(f"{DEVICE_ENV}=mps but Apple MPS is not available: unset {DEVICE_ENV} to run on the CPU")
        return torch.device(forced)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_dtype(device: torch.device, supports_half: bool = True) -> torch.dtype:
    """float16 on CUDA when the model supports it; float32 everywhere else."""
    import torch

    if device.type == "cuda" and supports_half:
        return torch.float16
    return torch.float32
