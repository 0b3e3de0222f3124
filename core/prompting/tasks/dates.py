"""Date understanding: MM/DD/YYYY arithmetic over a chain of moves, as in the notes' concert example.

The corpus draws each sentence from TRAIN_SLOTS; HELD_OUT holds wordings it never writes.
"""

import datetime as dt
import random

from core.prompting.tasks import Family, Problem, compose, objects, quote

FIRST = dt.date(1900, 1, 1).toordinal()
LAST = dt.date(2030, 12, 31).toordinal()
EVENTS = ("concert", "meeting", "party", "game", "trip")
TRAIN_SLOTS = {  # the first alternative of each slot is the canonical wording
    "set": ("The {event} was set for {day}.", "The {event} was planned for {day}."),
    "later": ("It was delayed by {n}", "It was pushed back by {n}"),
    "earlier": ("It was moved {n} earlier", "It was brought forward by {n}"),
    "today": ("Today is {day}.", "The date today is {day}."),
    "ask": ("What is the date {when} in MM/DD/YYYY?", "What date is {when}? Use MM/DD/YYYY."),
}
HELD_OUT = {
    "scheduled": {
        "set": "The {event} had been scheduled on {day}.",
        "later": "Someone postponed it by {n}",
        "earlier": "Someone advanced it by {n}",
        "today": "It is {day} today.",
        "ask": "Which date in MM/DD/YYYY is {when}?",
    },
    "calendar": {
        "set": "On the calendar the {event} stood at {day}.",
        "later": "Next it slipped {n} later",
        "earlier": "Next it shifted {n} sooner",
        "today": "The calendar says {day} for today.",
        "ask": "Give the date {when} as MM/DD/YYYY.",
    },
}
HELD_OUT_MARKS = (
    "scheduled",
    "postponed",
    "advanced",
    "It is ",
    "Which date",
    "calendar",
    "slipped",
    "sooner",
    "Give the",
)
# Paraphrases composed from pools (`compose`): a move may say who made it and name it with a verb of its own
# ("They pushed it back by 2 days"), so only that verb tells a later date from an earlier one.
MOVERS = ("It was ", "Then it was ", "Next it was ", "After that it was ", "The date was ")
ACTORS = ("They ", "Someone ", "Then they ", "The host ")


def moves(passive: tuple[str, ...], active: tuple[str, ...]) -> tuple[str, ...]:
    """A move said of the date ("It was delayed by {n}") or of someone who made it ("They delayed it by {n}")."""
    return compose(MOVERS, passive, marks=HELD_OUT_MARKS) + compose(
        ACTORS, objects(active, ("it", "the date")), marks=HELD_OUT_MARKS
    )


PARAPHRASE_SLOTS = {
    "set": compose(
        ("The {event} was ",),
        ("set for", "planned for", "booked for", "fixed for", "first set for", "going to be on"),
        (" {day}.",),
        marks=HELD_OUT_MARKS,
    ),
    "later": moves(
        ("delayed by {n}", "pushed back by {n}", "moved {n} later", "put off by {n}", "moved back by {n}"),
        ("delayed {o} by {n}", "pushed {o} back by {n}", "moved {o} {n} later", "put {o} off by {n}"),
    ),
    "earlier": moves(
        (
            "moved {n} earlier",
            "brought forward by {n}",
            "moved up by {n}",
            "moved forward by {n}",
            "pulled forward by {n}",
        ),
        ("moved {o} {n} earlier", "brought {o} forward by {n}", "moved {o} up by {n}", "pulled {o} forward by {n}"),
    ),
    "today": compose(
        (
            "Today is {day}.",
            "The date today is {day}.",
            "Today's date is {day}.",
            "Today the date is {day}.",
            "Today falls on {day}.",
        ),
        marks=HELD_OUT_MARKS,
    ),
    "ask": compose(
        ("What is the date {when}", "What date is {when}"),
        (" in MM/DD/YYYY?", "? Use MM/DD/YYYY.", "? Answer in MM/DD/YYYY."),
        marks=HELD_OUT_MARKS,
    )
    + ("Write the date {when} in MM/DD/YYYY.", "Tell me the date {when} in MM/DD/YYYY."),
}


def fmt(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


def shifted(day: dt.date, days: int) -> tuple[dt.date, str]:
    """`day` moved by `days`, and the sentence that says so."""
    new = day + dt.timedelta(days=days)
    word = "after" if days > 0 else "before"
    return new, f"{abs(days)} {'day' if abs(days) == 1 else 'days'} {word} {fmt(day)} is {fmt(new)}."


def make(rng: random.Random, length: int, wording: dict[str, str] | None = None) -> Problem:
    say = wording or {slot: options[0] for slot, options in TRAIN_SLOTS.items()}
    day = dt.date.fromordinal(rng.randint(FIRST + 60, LAST - 60))
    moves = [rng.choice((-1, 1)) * rng.randint(1, 9) for _ in range(length - 1)]
    ask = rng.choice((-1, 1)) * rng.randint(1, 9)
    if moves:
        sentences = [say["set"].format(event=rng.choice(EVENTS), day=fmt(day))]
        for i, days in enumerate(moves):
            n = f"{abs(days)} {'day' if abs(days) == 1 else 'days'}"
            how = say["later" if days > 0 else "earlier"].format(n=n)
            sentences.append(f"{how}{', to today' if i == len(moves) - 1 else ''}.")
    else:
        sentences = [say["today"].format(day=fmt(day))]
    when = f"{abs(ask)} {'day' if abs(ask) == 1 else 'days'} {'ago' if ask < 0 else 'from today'}"
    sentences.append(say["ask"].format(when=when))
    steps = []
    for days in moves:
        day, sentence = shifted(day, days)
        steps.append(sentence)
    day, sentence = shifted(day, ask)
    steps.append(sentence)
    quoted = tuple(quote(said, step) for said, step in zip(sentences[1:], steps, strict=True))
    return Problem("dates", " ".join(sentences), tuple(steps), fmt(day), length, quoted)


FAMILY = Family(
    "dates",
    "Date understanding",
    "date steps",
    (1, 2, 3),
    (4, 5),
    make,
    multi_step=(2, 3),
    train_slots=TRAIN_SLOTS,
    held_out=HELD_OUT,
    held_out_marks=HELD_OUT_MARKS,
    paraphrase_slots=PARAPHRASE_SLOTS,
)
