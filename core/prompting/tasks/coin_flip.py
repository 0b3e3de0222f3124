"""Coin flip (state tracking): is the coin still heads up after some people flip it or not?

The chain tracks the coin's side person by person, so each step only needs the one before it.
"""

import random

from core.prompting.tasks import Family, Problem
from core.prompting.tasks.names import NAMES


def make(rng: random.Random, length: int) -> Problem:
    people = rng.sample(NAMES, length)
    flips = [rng.random() < 0.5 for _ in people]
    sentences = ["A coin is heads up."]
    steps = []
    heads = True
    for person, flipped in zip(people, flips, strict=True):
        if flipped:
            heads = not heads
            sentences.append(f"{person} flips it.")
            steps.append(f"{person} flips: {'heads' if heads else 'tails'}.")
        else:
            sentences.append(f"{person} does not flip it.")
            steps.append(f"{person} does not: {'heads' if heads else 'tails'}.")
    sentences.append("Is the coin still heads up?")
    return Problem("coin_flip", " ".join(sentences), tuple(steps), "yes" if heads else "no", length)


FAMILY = Family(
    "coin_flip", "Coin flip", "people", tuple(range(1, 13)), (13, 14, 15, 16), make, multi_step=(8, 9, 10, 11, 12)
)
