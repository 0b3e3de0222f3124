"""Last-letter concatenation: join the last letters of the words of a name list.

The corpus draws the question from TRAIN_SLOTS; HELD_OUT holds wordings it never writes.
"""

import random

from core.prompting.tasks import Family, Problem, compose, objects
from core.prompting.tasks.names import NAMES

TRAIN_SLOTS = {
    "ask": (
        'Take the last letters of the words in "{words}" and concatenate them.',
        'Join the last letters of "{words}".',
        'Concatenate the last letters of the words in "{words}".',
    )
}
HELD_OUT = {
    "final": {"ask": 'What do you get by putting together the final letter of each word in "{words}"?'},
    "ending": {"ask": 'Write the ending letter of every word of "{words}" as one string.'},
}
HELD_OUT_MARKS = ("final letter", "ending letter", "putting together", "one string")
# Paraphrases composed from pools (`compose`); none holds a held-out mark.
LETTERS = (
    'the last letters of the words in "{words}"',
    'the last letters of "{words}"',
    'the last letter of each word in "{words}"',
    'the last letter of every word of "{words}"',
)
PARAPHRASE_SLOTS = {
    "ask": compose(
        objects(
            (
                "Take {o} and concatenate them",
                "Join {o}",
                "Concatenate {o}",
                "Put together {o}",
                "Combine {o}",
                "Take {o} and join them",
                "Write {o} side by side",
            ),
            LETTERS,
        ),
        (".",),
        marks=HELD_OUT_MARKS,
    )
}


def make(rng: random.Random, length: int, wording: dict[str, str] | None = None) -> Problem:
    say = wording or {slot: options[0] for slot, options in TRAIN_SLOTS.items()}
    words = rng.choices(NAMES, k=length)
    letters = "".join(w[-1] for w in words)
    question = say["ask"].format(words=" ".join(words))
    steps = tuple(f'The last letter of "{w}" is "{w[-1]}".' for w in words)
    steps += (f'Concatenating them is "{letters}".',)
    return Problem("last_letter", question, steps, letters, length)


FAMILY = Family(
    "last_letter",
    "Last-letter concatenation",
    "words",
    (2, 3, 4, 5, 6),
    (7, 8),
    make,
    multi_step=(4, 5, 6),
    train_slots=TRAIN_SLOTS,
    held_out=HELD_OUT,
    held_out_marks=HELD_OUT_MARKS,
    paraphrase_slots=PARAPHRASE_SLOTS,
)
