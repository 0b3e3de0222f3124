"""Answer extraction: the last "the answer is" of the first reply, normalised."""

import pytest

from core.prompting.answers import extract, is_correct, with_lead


@pytest.mark.parametrize(
    ("generation", "answer"),
    [
        (" The answer is no.", "no"),
        (" Ann flips: tails. So the answer is no.\n\nQ: A coin is heads up.\nA: The answer is yes.", "no"),
        (' Concatenating them is "ya". So the answer is ya.', "ya"),
        (" 5 + 6 = 11. The answer is 11.", "11"),
        (" So the answer is 05/23/1943.", "05/23/1943"),
        (" The answer is (b).", "(b)"),
        (" So the Answer is Yes", "yes"),
        (" The answer is 3.5 apples.", "3.5 apples"),
        (" I do not know.", None),
        ("", None),
    ],
)
def test_extract(generation, answer):
    assert extract(generation) == answer


def test_is_correct_compares_normalised_answers():
    assert is_correct(" So the answer is YES.", "yes")
    assert not is_correct(" So the answer is no.", "yes")
    assert not is_correct(" no answer here", "yes")


def test_an_answer_only_reply_is_read_as_the_answer_its_prompt_began():
    assert is_correct(with_lead("Q: Is it?\nA: The answer is", " 12.\nQ: next"), "12")
    assert extract(with_lead("Q: Is it?\nA:", " 12.")) is None  # no lead in the prompt: nothing was committed to
