"""Multi-step arithmetic word problems in the style of the notes' tennis-ball example.

The corpus draws each sentence from TRAIN_SLOTS; HELD_OUT holds wordings it never writes.
"""

import random

from core.prompting.tasks import Family, Problem, compose, objects, quote
from core.prompting.tasks.names import NAMES

THINGS = ("balls", "apples", "pens", "cards", "shells", "eggs")
BOXES = ("cans", "bags", "boxes", "packs")
MAX_TOTAL = 99
TRAIN_SLOTS = {  # the first alternative of each slot is the canonical wording
    "start": ("{name} has {total} {thing}.", "{name} starts with {total} {thing}."),
    "buy": ("{name} gets {n} more.", "{name} finds {n} more.", "{name} adds {n}."),
    "give": ("{name} gives away {n}.", "{name} loses {n}.", "{name} gives {n} away."),
    "boxes": ("{name} buys {count} {box} of {each}.", "{name} gets {count} {box} with {each} each."),
    "ask": ("How many {thing} does {name} have now?", "How many {thing} are there now?", "How many does {name} have?"),
}
HELD_OUT = {
    "owns": {
        "start": "{name} owns {total} {thing}.",
        "buy": "Then {name} receives {n} more {thing}.",
        "give": "Then {name} hands {n} {thing} to a friend.",
        "boxes": "Then {name} purchases {count} {box} with {each} {thing} in each.",
        "ask": "How many {thing} does {name} own in the end?",
    },
    "past": {
        "start": "At first {name} had {total} {thing}.",
        "buy": "Later {name} collected {n} more.",
        "give": "Later {name} donated {n}.",
        "boxes": "Later {name} bought {count} {box} holding {each} each.",
        "ask": "What is the number of {thing} {name} has?",
    },
}
HELD_OUT_MARKS = ("owns", "receives", "hands", "purchases", "At first", "collected", "donated", "holding", "number of")
# Paraphrases composed from pools (`compose`): a step may open with "Then" and name the thing counted, as a
# student's own wording does, so "{thing}" no longer marks the question's first and last sentences.
STEP_OPENERS = ("", "Then ", "Next, ", "Later ", "After that, ", "Now ")
THING = ("", " {thing}")
PARAPHRASE_SLOTS = {
    "start": compose(
        ("{name} has {total} {thing}", "{name} starts with {total} {thing}", "{name} keeps {total} {thing}"),
        ("", " to begin with"),
        (".",),
        marks=HELD_OUT_MARKS,
    ),
    "buy": compose(
        STEP_OPENERS,
        objects(
            (
                "{name} gets {n} more{o}",
                "{name} finds {n} more{o}",
                "{name} adds {n}{o}",
                "{name} gets another {n}{o}",
                "{name} is given {n} more{o}",
                "{name} wins {n} more{o}",
            ),
            THING,
        ),
        (".",),
        marks=HELD_OUT_MARKS,
    ),
    "give": compose(
        STEP_OPENERS,
        objects(
            (
                "{name} gives away {n}{o}",
                "{name} loses {n}{o}",
                "{name} gives {n}{o} away",
                "{name} sells {n}{o}",
                "{name} drops {n}{o}",
                "{name} gives {n}{o} to a neighbour",
            ),
            THING,
        ),
        (".",),
        marks=HELD_OUT_MARKS,
    ),
    "boxes": compose(
        STEP_OPENERS,
        objects(
            (
                "{name} buys {count} {box} of {each}{o}",
                "{name} gets {count} {box} with {each}{o} each",
                "{name} buys {count} {box}, each with {each}{o}",
            ),
            THING,
        ),
        (".",),
        marks=HELD_OUT_MARKS,
    ),
    "ask": compose(
        (
            "How many {thing} does {name} have",
            "How many {thing} are there",
            "How many does {name} have",
        ),
        ("?", " now?", " in the end?", " at the end?"),
        marks=HELD_OUT_MARKS,
    )
    + ("How many {thing} does {name} end up with?",),
}


def make(rng: random.Random, length: int, wording: dict[str, str] | None = None) -> Problem:
    say = wording or {slot: options[0] for slot, options in TRAIN_SLOTS.items()}
    name, thing = rng.choice(NAMES), rng.choice(THINGS)
    total = rng.randint(1, 9)
    sentences = [say["start"].format(name=name, total=total, thing=thing)]
    steps = [f"{name} starts with {total}."]
    for _ in range(length):
        kind = rng.choice(
            ("give", "give", "buy") if total > 60 else ("buy", "give", "boxes") if total > 1 else ("buy", "boxes")
        )
        if kind == "buy":
            n = rng.randint(1, 9)
            sentences.append(say["buy"].format(name=name, n=n, thing=thing))
            steps.append(f"{total} + {n} = {total + n}.")
            total += n
        elif kind == "give":
            n = rng.randint(1, total - 1)
            sentences.append(say["give"].format(name=name, n=n, thing=thing))
            steps.append(f"{total} - {n} = {total - n}.")
            total -= n
        else:
            box, count, each = rng.choice(BOXES), rng.randint(2, 3), rng.randint(2, 5)
            sentences.append(say["boxes"].format(name=name, count=count, box=box, each=each, thing=thing))
            steps.append(
                f"{count} {box} of {each} is {count * each}. {total} + {count * each} = {total + count * each}."
            )
            total += count * each
        if total > MAX_TOTAL:
            return make(rng, length, wording)
    quoted = tuple(quote(sentence, step) for sentence, step in zip(sentences, steps, strict=True))
    sentences.append(say["ask"].format(name=name, thing=thing))
    return Problem("arithmetic", " ".join(sentences), tuple(steps), str(total), length, quoted)


FAMILY = Family(
    "arithmetic",
    "Arithmetic word problems",
    "steps",
    (1, 2, 3, 4, 5, 6),
    (7, 8, 9),
    make,
    multi_step=(3, 4, 5, 6),
    train_slots=TRAIN_SLOTS,
    held_out=HELD_OUT,
    held_out_marks=HELD_OUT_MARKS,
    paraphrase_slots=PARAPHRASE_SLOTS,
)
