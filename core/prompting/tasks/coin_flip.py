"""Coin flip (state tracking): is the coin still heads up after some people flip it or not?

The chain tracks the coin's side person by person, so each step only needs the one before it.
A `Wording` says the same problem in other sentences: the corpus draws each sentence from TRAIN_SLOTS,
and HELD_OUT holds wordings the corpus never writes (the first is the benchmark's own, Wei et al. 2022).
"""

import random

from core.prompting.tasks import Family, Problem, compose, objects, quote
from core.prompting.tasks.names import NAMES

# Every slot's alternatives; the first of each is the canonical wording.
TRAIN_SLOTS = {
    "start": ("A coin is heads up.", "A coin starts heads up.", "A coin lies heads up.", "There is a coin, heads up."),
    "flip": ("{p} flips it.", "{p} turns it over.", "{p} flips it over.", "{p} turns it."),
    "keep": ("{p} does not flip it.", "{p} leaves it.", "{p} does not turn it.", "{p} leaves it alone."),
    "ask": ("Is the coin still heads up?", "Is it still heads up?", "Is the coin heads up now?", "Is it heads up now?"),
}
HELD_OUT = {
    "benchmark": {  # Wei et al. 2022, appendix: "A coin is heads up. Ka flips the coin. ..."
        "start": "A coin is heads up.",
        "flip": "{p} flips the coin.",
        "keep": "{p} does not flip the coin.",
        "ask": "Is the coin still heads up?",
    },
    "reverses": {
        "start": "A coin is heads up.",
        "flip": "{p} reverses the coin.",
        "keep": "{p} does not reverse the coin.",
        "ask": "Is the coin still heads up?",
    },
    "shows": {
        "start": "The coin shows heads.",
        "flip": "{p} flips the coin over.",
        "keep": "{p} leaves the coin as it is.",
        "ask": "Does the coin still show heads?",
    },
    "tosses": {
        "start": "We begin with a coin heads up.",
        "flip": "{p} tosses the coin over.",
        "keep": "{p} does not toss the coin.",
        "ask": "After that, is the coin heads up?",
    },
}
# Strings only the held-out wordings contain: the corpus rejects any document with one of them.
HELD_OUT_MARKS = ("the coin.", "the coin over", "revers", "toss", "show heads", "shows heads", "as it is", "We begin")
# Paraphrases composed from pools (`compose`): a step may open with "Then" and name the coin, as a student's
# own wording does, so "the coin" no longer marks the question's last sentence. None holds a held-out mark.
COIN = ("it", "the coin", "that coin", "this coin")
STEP_OPENERS = ("", "Then ", "Next, ", "Now ", "After that, ", "And ")
FLIPS = ("flips {o}", "turns {o} over", "flips {o} over", "turns {o}", "turns {o} around", "gives {o} a flip")
KEEPS = ("does not flip {o}", "leaves {o}", "does not turn {o}", "leaves {o} alone", "does not touch {o}")
PARAPHRASE_SLOTS = {
    "start": compose(
        (
            "A coin is heads up",
            "A coin starts heads up",
            "A coin lies heads up",
            "There is a coin, heads up",
            "We have a coin that is heads up",
            "A coin sits heads up",
        ),
        ("", " on the table"),
        (".",),
        marks=HELD_OUT_MARKS,
    ),
    "flip": compose(
        STEP_OPENERS, ("{p} ",), objects(FLIPS, COIN), ("", " again", " once"), (".",), marks=HELD_OUT_MARKS
    ),
    "keep": compose(STEP_OPENERS, ("{p} ",), objects(KEEPS, COIN), ("", " this time"), (".",), marks=HELD_OUT_MARKS),
    "ask": compose(
        ("", "Now, ", "In the end, "),
        ("is the coin", "is it", "is that coin"),
        (" still heads up?", " heads up?"),
        marks=HELD_OUT_MARKS,
    )
    + compose(("is the coin", "is it", "is that coin"), (" heads up now?",), marks=HELD_OUT_MARKS),
}


def make(rng: random.Random, length: int, wording: dict[str, str] | None = None) -> Problem:
    say = wording or {slot: options[0] for slot, options in TRAIN_SLOTS.items()}
    people = rng.sample(NAMES, length)
    flips = [rng.random() < 0.5 for _ in people]
    sentences = [say["start"]]
    steps, quoted = [], []
    heads = True
    for person, flipped in zip(people, flips, strict=True):
        heads = heads != flipped
        side, meaning = ("heads" if heads else "tails"), ("flips" if flipped else "does not")
        sentences.append(say["flip" if flipped else "keep"].format(p=person))
        steps.append(f"{person} {meaning}: {side}.")
        quoted.append(quote(sentences[-1], f"{meaning}, {side}."))
    sentences.append(say["ask"])
    answer = "yes" if heads else "no"
    return Problem("coin_flip", " ".join(sentences), tuple(steps), answer, length, tuple(quoted))


FAMILY = Family(
    "coin_flip",
    "Coin flip",
    "people",
    tuple(range(1, 13)),
    (13, 14, 15, 16),
    make,
    multi_step=(8, 9, 10, 11, 12),
    train_slots=TRAIN_SLOTS,
    held_out=HELD_OUT,
    held_out_marks=HELD_OUT_MARKS,
    paraphrase_slots=PARAPHRASE_SLOTS,
)
