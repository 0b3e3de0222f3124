"""Date understanding: MM/DD/YYYY arithmetic over a chain of moves, as in the notes' concert example."""

import datetime as dt
import random

from core.prompting.tasks import Family, Problem

FIRST = dt.date(1900, 1, 1).toordinal()
LAST = dt.date(2030, 12, 31).toordinal()
EVENTS = ("concert", "meeting", "party", "game", "trip")


def fmt(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


def shifted(day: dt.date, days: int) -> tuple[dt.date, str]:
    """`day` moved by `days`, and the sentence that says so."""
    new = day + dt.timedelta(days=days)
    word = "after" if days > 0 else "before"
    return new, f"{abs(days)} {'day' if abs(days) == 1 else 'days'} {word} {fmt(day)} is {fmt(new)}."


def make(rng: random.Random, length: int) -> Problem:
    day = dt.date.fromordinal(rng.randint(FIRST + 60, LAST - 60))
    moves = [rng.choice((-1, 1)) * rng.randint(1, 9) for _ in range(length - 1)]
    ask = rng.choice((-1, 1)) * rng.randint(1, 9)
    if moves:
        sentences = [f"The {rng.choice(EVENTS)} was set for {fmt(day)}."]
        for i, days in enumerate(moves):
            how = f"delayed by {days}" if days > 0 else f"moved {-days}"
            how += " day" if abs(days) == 1 else " days"
            how += "" if days > 0 else " earlier"
            sentences.append(f"It was {how}{', to today' if i == len(moves) - 1 else ''}.")
    else:
        sentences = [f"Today is {fmt(day)}."]
    when = f"{abs(ask)} {'day' if abs(ask) == 1 else 'days'} {'ago' if ask < 0 else 'from today'}"
    sentences.append(f"What is the date {when} in MM/DD/YYYY?")
    steps = []
    for days in moves:
        day, sentence = shifted(day, days)
        steps.append(sentence)
    day, sentence = shifted(day, ask)
    steps.append(sentence)
    return Problem("dates", " ".join(sentences), tuple(steps), fmt(day), length)


FAMILY = Family("dates", "Date understanding", "date steps", (1, 2, 3), (4, 5), make, multi_step=(2, 3))
