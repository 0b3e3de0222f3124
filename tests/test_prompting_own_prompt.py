"""A student's own few-shot prompt: where its answers go is found from the prompt itself, whatever the layout,
and the measurement hides each example in turn."""

import pytest

from core.prompting.own_prompt import Example, blocks_of, parse


def test_an_arrow_prompt_one_per_line():
    joiner, examples, marker = parse("cat -> alpha\ndog -> omega\nowl -> alpha\nfox ->")
    assert joiner == "\n" and marker == " ->"
    assert examples == [Example("cat ->", "alpha"), Example("dog ->", "omega"), Example("owl ->", "alpha")]


def test_a_q_a_prompt_with_blank_lines_and_two_word_answers():
    prompt = "Q: big cat\nA: ice cream\n\nQ: dog\nA: hot dog\n\nQ: small cat\nA:"
    joiner, examples, marker = parse(prompt)
    assert joiner == "\n\n" and marker.endswith("\nA:")
    assert [e.answer for e in examples] == ["ice cream", "hot dog"]
    assert examples[0].prefix == "Q: big cat\nA:"


def test_the_answer_slot_is_the_longest_ending_every_example_shares():
    prompt = "Problem: 2 + 2\nSolution: four\n\nProblem: 1 + 2\nSolution: three\n\nProblem: 2 + 3\nSolution:"
    _, examples, marker = parse(prompt)
    assert marker == "\nSolution:" and [e.answer for e in examples] == ["four", "three"]
    assert blocks_of("a\n\n\n\nb\n\nc ")[1] == "c"


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("", "the prompt is empty"),
        ("   \n ", "the prompt is empty"),
        ("cat -> a\n" * 1000 + "fox ->", "the prompt is 9,006 characters; at most 6,000"),
        ("cat -> alpha\nfox ->", "at least 2 examples"),
        ("cat\ndog\nfox", "could not find where the answers go"),
        ("\n".join(f"w{i} -> a" for i in range(17)) + "\nz ->", "at most 16 examples"),
        ("cat -> " + "x" * 50 + "\ndog -> y\nfox ->", "answers must be at most 40 characters"),
    ],
)
def test_a_prompt_the_lab_cannot_read_gets_a_message_that_says_what_to_write(prompt, message):
    with pytest.raises(ValueError, match=message):
        parse(prompt)


COIN_WITH_GREEK_LETTERS = """Q: A coin is heads up. Ann flips it. Is the coin still heads up?
A: omega

Q: A coin is heads up. Bob does not flip it. Is the coin still heads up?
A: alpha

Q: A coin is heads up. Cara does not flip it. Dan flips it. Is the coin still heads up?
A: omega

Q: A coin is heads up. Eve flips it. Finn flips it. Is the coin still heads up?
A: alpha

Q: A coin is heads up. Gus does not flip it. Is the coin still heads up?
A:"""


def test_the_bundled_model_reads_held_out_answer_words_from_a_students_coin_flips(one_torch_thread):
    """`alpha` means heads up only in this prompt (Greek letters are never answers in the corpus); the model answers
    the last flip with it (golden: greedy decoding); hiding each example in turn (three left) it gets 2 of 4, writing
    `al` for `alpha` both times."""
    from core.prompting.models import NAME
    from core.prompting.own_prompt import measure
    from core.runtime import get_model

    report = measure(get_model(NAME), COIN_WITH_GREEK_LETTERS)
    assert report.labels == ("omega", "alpha") and report.reply == "alpha"
    assert report.label_probs["alpha"] > 0.999
    assert [h.reply for h in report.held_out] == ["omega", "al", "omega", "al"]
    assert report.estimate.effect == 0.5 and report.estimate.n == 4
