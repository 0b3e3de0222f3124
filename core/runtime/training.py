"""The settings a training run is given: how many optimisation steps, how many examples in each, at what learning
rate, from which seed (the tuning lab's trainers, the text-to-image training and distillation scripts)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Training:
    steps: int
    batch_size: int  # examples per step
    learning_rate: float  # the peak rate where a schedule warms up and decays
    seed: int = 0
