"""Multi-step arithmetic word problems in the style of the notes' tennis-ball example."""

import random

from core.prompting.tasks import Family, Problem
from core.prompting.tasks.names import NAMES

THINGS = ("balls", "apples", "pens", "cards", "shells", "eggs")
BOXES = ("cans", "bags", "boxes", "packs")
MAX_TOTAL = 99


def make(rng: random.Random, length: int) -> Problem:
    name, thing = rng.choice(NAMES), rng.choice(THINGS)
    total = rng.randint(1, 9)
    sentences = [f"{name} has {total} {thing}."]
    steps = [f"{name} starts with {total}."]
    for _ in range(length):
        kind = rng.choice(
            ("give", "give", "buy") if total > 60 else ("buy", "give", "boxes") if total > 1 else ("buy", "boxes")
        )
        if kind == "buy":
            n = rng.randint(1, 9)
            sentences.append(f"{name} gets {n} more.")
            steps.append(f"{total} + {n} = {total + n}.")
            total += n
        elif kind == "give":
            n = rng.randint(1, total - 1)
            sentences.append(f"{name} gives away {n}.")
            steps.append(f"{total} - {n} = {total - n}.")
            total -= n
        else:
            box, count, each = rng.choice(BOXES), rng.randint(2, 3), rng.randint(2, 5)
            sentences.append(f"{name} buys {count} {box} of {each}.")
            steps.append(
                f"{count} {box} of {each} is {count * each}. {total} + {count * each} = {total + count * each}."
            )
            total += count * each
        if total > MAX_TOTAL:
            return make(rng, length)
    sentences.append(f"How many {thing} does {name} have now?")
    return Problem("arithmetic", " ".join(sentences), tuple(steps), str(total), length)


FAMILY = Family(
    "arithmetic", "Arithmetic word problems", "steps", (1, 2, 3, 4, 5, 6), (7, 8, 9), make, multi_step=(3, 4, 5, 6)
)
