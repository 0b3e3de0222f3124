"""The model being tuned: a private copy of the prompting lab's base model, never the registry's shared one.

The base model comes from the registry (`lab-lm`, the prompting lab's: the bundled model on a CPU, a hub model on a
GPU), so the same code tunes both. A copy is made for every run, and only the copy's weights change.
"""

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from core.prompting.models import LanguageModel
from core.tuning.models import NAME


def base_model(source: str | None = None) -> LanguageModel:
    """The registry's (shared, read-only) base model: `source`, else `GENAI_MODEL_LAB_LM`, else the bundled one."""
    from core.runtime import get_model

    return get_model(NAME, source)


def private_copy(lm: LanguageModel) -> LanguageModel:
    """A deep copy of `lm` whose weights can be trained without touching the shared model."""
    return replace(lm, model=without_trainer_patch(copy.deepcopy(lm.model)))


def without_trainer_patch(model: Any) -> Any:
    """`model` with its class's own forward. TRL's SFT and DPO trainers replace `model.forward` on the instance with
    a fused-LM-head forward whose closure holds that very model (`trl.trainer.utils.add_fused_lm_head`); a deep copy
    keeps the closure, so the copy would run the original's weights, and training the copy would change nothing.
    `private_copy` drops it from every copy; the trained model keeps it, a closure over itself, which is harmless."""
    model.__dict__.pop("forward", None)
    return model


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


def changed_fraction(before: Any, after: Any) -> float:
    """The fraction of `before`'s weights whose value differs in `after` (same architecture)."""
    changed = total = 0
    after_params = dict(after.named_parameters())
    for name, p in before.named_parameters():
        q = after_params[name]
        changed += int((p.detach() != q.detach().to(p.device)).sum())
        total += p.numel()
    return changed / total


def lora_config(rank: int = 8):
    """LoRA (Hu et al. 2021) on every linear layer: the bundled Llama-style model's or Qwen's q/k/v/o and MLP projections."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")


@contextlib.contextmanager
def own_random_state() -> Iterator[None]:
    """Run a Hugging Face Trainer, which seeds Python, NumPy and torch globally, and put the global state back after,
    so one request's training leaves the randomness of others alone."""
    import random

    import numpy as np
    import torch

    py_state, np_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


@dataclass(frozen=True)
class TrainerLog:
    """What a Trainer logged at each optimisation step."""

    steps: tuple[dict, ...]

    def series(self, key: str) -> list[float]:
        return [row[key] for row in self.steps if key in row]
