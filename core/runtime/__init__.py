"""What every demo shares: where a model runs, how seeds work, and how models are found and loaded."""

from core.runtime.device import pick_device, pick_dtype
from core.runtime.gpu import gpu, gpu_available, on_zerogpu
from core.runtime.registry import (
    ModelSpec,
    ModelUnavailable,
    default_source,
    get_model,
    register,
    resolve,
    spec_for,
    warm_up,
)
from core.runtime.seeding import check_seed, make_generator

__all__ = [
    "ModelSpec",
    "ModelUnavailable",
    "check_seed",
    "default_source",
    "get_model",
    "gpu",
    "gpu_available",
    "make_generator",
    "on_zerogpu",
    "pick_device",
    "pick_dtype",
    "register",
    "resolve",
    "spec_for",
    "warm_up",
]
