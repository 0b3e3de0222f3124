"""Tokens per parameter and the Chinchilla rule (Hoffmann et al. 2022).

A compute-optimal model sees about 20 training tokens per parameter; the course notes call a
model "Chinchilla scale" above 15:1. Training compute is about C = 6 N D FLOPs (Kaplan et al. 2020).
"""

import math
from dataclasses import dataclass

from core.runtime.validate import shown

MAX_PARAMS_B = 100_000.0  # 100 trillion parameters: far above any model trained so far (about 2 trillion)
MAX_TOKENS_B = 10_000_000.0  # 10 quadrillion tokens: far above any training set so far (tens of trillions)
NOTES_RATIO = 15.0  # the notes' threshold: T:P > 15:1
CHINCHILLA_RATIO = 20.0  # the Chinchilla paper's rule of thumb


@dataclass(frozen=True)
class ScaleVerdict:
    params_b: float
    tokens_b: float
    ratio: float  # training tokens per parameter
    notes_scale: bool  # ratio > 15
    chinchilla_scale: bool  # ratio >= 20
    optimal_tokens_b: float  # 20 x params
    train_flops: float  # 6 N D

    def summary(self) -> str:
        notes = "meets" if self.notes_scale else "falls short of"
        paper = "meets" if self.chinchilla_scale else "falls short of"
        return (
            f"{self.tokens_b:,.4g}B tokens / {self.params_b:,.4g}B parameters = {self.ratio:.1f} tokens per parameter. "
            f"It {notes} the course's Chinchilla scale (> {NOTES_RATIO:.0f}:1) and {paper} the paper's "
            f"{CHINCHILLA_RATIO:.0f}:1 rule, which asks for {self.optimal_tokens_b:,.4g}B tokens. "
            f"Training cost is about 6·N·D = {self.train_flops:.2e} FLOPs."
        )


def _positive(value: float, what: str, example: str, most: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, e.g. {example}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{what} must be a positive number of billions, e.g. {example}; got {shown(value)}")
    if number > most:
        raise ValueError(f"{what} must be at most {most:,.0f} billion, e.g. {example}; got {shown(value)} billion")
    return number


def tokens_per_parameter(params_b: float, tokens_b: float) -> ScaleVerdict:
    """Judge a model of `params_b` billion parameters trained on `tokens_b` billion tokens."""
    params = _positive(params_b, "parameters", "70 for Chinchilla", MAX_PARAMS_B)
    tokens = _positive(tokens_b, "training tokens", "1400 for Chinchilla", MAX_TOKENS_B)
    ratio = tokens / params
    return ScaleVerdict(
        params_b=params,
        tokens_b=tokens,
        ratio=ratio,
        notes_scale=ratio > NOTES_RATIO,
        chinchilla_scale=ratio >= CHINCHILLA_RATIO,
        optimal_tokens_b=CHINCHILLA_RATIO * params,
        train_flops=6 * params * 1e9 * tokens * 1e9,
    )
