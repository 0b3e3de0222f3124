"""Step reading: each step of a coin-flip reply is matched to the person it names and checked against what that
person's sentence means, in plain and quoted chains."""

import random

import pytest

from core.prompting.step_reading import measure, read_steps, truth
from core.prompting.tasks.families import FAMILIES
from core.prompting.wordings import invented_wording


def problem():
    wording = invented_wording(FAMILIES["coin_flip"], random.Random(2))
    return FAMILIES["coin_flip"].make(random.Random(4), 5, wording)


def test_the_reference_chains_read_every_step_right():
    p = problem()
    assert read_steps(p.chain, p) == (5, 5)
    assert read_steps(p.quoted_chain, p) == (5, 5)
    assert set(truth(p).values()) <= {"flips", "does not"}


def test_a_wrong_step_a_stranger_and_a_skipped_person_are_counted_as_such():
    p = problem()
    people = list(truth(p))
    flipped = {"flips": "does not", "does not": "flips"}
    first = people[0]
    reply = (
        f"{first} {flipped[truth(p)[first]]}: heads. "  # wrong meaning
        f"Zed flips: tails. "  # not a person of the question
        + " ".join(f"{q} {truth(p)[q]}: heads." for q in people[2:])  # the second person is skipped
    )
    assert read_steps(reply, p) == (4, 3)


def test_an_unknown_wording_is_refused_before_anything_runs():
    with pytest.raises(ValueError, match="wording must be"):
        measure(None, "Ka flips the coin.")


def test_bundled_model_step_reading_golden(one_torch_thread):
    """Golden: the bundled weights on the first 10 questions in new draws of the invented wordings (plain chains,
    greedy): every step names a person, 63% of them read right, 7 answers of 10 right. The full measurement
    (n = 100) finds 63% of steps right and 51% of answers: a parity of 8-12 steps, each read right this often,
    is often wrong."""
    from core.prompting.models import NAME
    from core.runtime import get_model

    reading = measure(get_model(NAME), "invented", quoted=False, n=10)
    assert (reading.steps, reading.expected, reading.answers) == (100, 100, 0.7)
    assert reading.right == pytest.approx(0.63)
    assert reading.low < reading.right < reading.high
