"""Last-letter concatenation: join the last letters of the words of a name list."""

import random

from core.prompting.tasks import Family, Problem
from core.prompting.tasks.names import NAMES


def make(rng: random.Random, length: int) -> Problem:
    words = rng.choices(NAMES, k=length)
    letters = "".join(w[-1] for w in words)
    question = f'Take the last letters of the words in "{" ".join(words)}" and concatenate them.'
    steps = tuple(f'The last letter of "{w}" is "{w[-1]}".' for w in words)
    steps += (f'Concatenating them is "{letters}".',)
    return Problem("last_letter", question, steps, letters, length)


FAMILY = Family(
    "last_letter", "Last-letter concatenation", "words", (2, 3, 4, 5, 6), (7, 8), make, multi_step=(4, 5, 6)
)
