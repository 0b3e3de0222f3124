"""One decorator for GPU work: `spaces.GPU(duration=...)` on a ZeroGPU Space, nothing elsewhere."""

import os
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def on_zerogpu() -> bool:
    """True on a Hugging Face ZeroGPU Space (it sets SPACES_ZERO_GPU=true)."""
    return os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "t", "true")


def gpu_available() -> bool:
    """True on ZeroGPU (checked by its environment variable, so CUDA stays uninitialised here) or with a CUDA GPU."""
    if on_zerogpu():
        return True
    import torch

    return torch.cuda.is_available()


def gpu(duration: int = 60) -> Callable[[F], F]:
    """Mark `fn` as GPU work lasting at most `duration` seconds per call."""

    def wrap(fn: F) -> F:
        if not on_zerogpu():
            return fn
        import spaces  # only on ZeroGPU: importing it elsewhere patches nothing useful

        if not hasattr(spaces, "GPU"):
            found = getattr(spaces, "__file__", None) or list(getattr(spaces, "__path__", []))
            raise ImportError(f"`import spaces` found {found}, not ZeroGPU's package: install it (pip install spaces)")
        return spaces.GPU(duration=duration)(fn)

    return wrap
